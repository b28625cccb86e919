"""The feature registry: every feature's name, group, plain-English wording and SQL, in one place.

Each feature is an aggregate over one event source joined to the population at an as-of date
(alias ``e`` for the event, ``p`` for the population row: ``p.as_of``, ``p.since_<w>m`` the
exclusive start of the last ``w`` months), or an expression over the population row itself
(source ``population``). ``description`` words an explanation: ``{value}`` is the child's value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from features.build.codes import (
    EXCLUSION_REASON_GROUPS,
    EXCLUSION_WORDS,
    FACTOR_GROUPS,
    FACTOR_WORDS,
    SOURCE_GROUPS,
    SOURCE_WORDS,
    sql_list,
)

Direction = Literal["higher_more_risk", "lower_more_risk", "neutral"]
# What a value is, so a model can transform it suitably: event counts (and their
# differences, "trend"), a share of sessions ("rate"), a 0/1 status ("flag"), months since the
# last event, or a length of time ("age", "duration").
Kind = Literal["count", "trend", "rate", "flag", "months_since", "age", "duration"]
WINDOWS: tuple[int, ...] = (3, 6, 12, 24)


@dataclass(frozen=True)
class FeatureSpec:
    name: str
    group: str
    description: str
    source: str
    sql: str
    direction_hint: Direction = "higher_more_risk"
    # Value for a child with no rows in the source (None: stays NULL, e.g. "months since").
    fill: float | None = 0.0
    # Months of history the feature looks back over: 0 for a status at the as-of date,
    # None for all recorded history (whose meaning grows with the extract's history).
    lookback_months: int | None = None
    kind: Kind = "count"


def in_window(months: int) -> str:
    return f"e.event_date > p.since_{months}m"


def count(
    name: str, group: str, source: str, description: str, where: str = "TRUE",
    months: int | None = None,
) -> FeatureSpec:
    cond = where if months is None else f"({where}) AND {in_window(months)}"
    return FeatureSpec(name, group, description, source, f"count(*) FILTER (WHERE {cond})",
                       lookback_months=months)


def counts_by_window(
    stem: str, group: str, source: str, nouns: tuple[str, str], where: str = "TRUE"
) -> list[FeatureSpec]:
    """``<stem>_<w>m`` for each window, ``<stem>_ever``, months since the last, and a trend.

    ``nouns`` is (plural, singular), e.g. ("missing episodes", "missing episode").
    """
    plural, singular = nouns
    specs = [
        count(f"{stem}_{w}m", group, source, f"{{value}} {plural} in the last {w} months",
              where, w)
        for w in WINDOWS
    ]
    specs.append(count(f"{stem}_ever", group, source, f"{{value}} {plural} ever recorded", where))
    specs.append(months_since(f"{stem}_months_since_last", group, source, singular, where))
    specs.append(trend(f"{stem}_trend_6m", group, source, plural, where))
    return specs


def months_since(
    name: str, group: str, source: str, noun: str, where: str = "TRUE"
) -> FeatureSpec:
    return FeatureSpec(
        name, group, f"{{value}} months since the last {noun}", source,
        f"date_sub('month', max(e.event_date) FILTER (WHERE {where}), p.as_of)",
        direction_hint="lower_more_risk", fill=None, kind="months_since",
    )


def trend(name: str, group: str, source: str, noun: str, where: str = "TRUE") -> FeatureSpec:
    return FeatureSpec(
        name, group,
        f"{{value}} more {noun} in the last 6 months than in the 6 months before", source,
        f"count(*) FILTER (WHERE ({where}) AND {in_window(6)}) - "
        f"count(*) FILTER (WHERE ({where}) AND {in_window(12)} AND NOT {in_window(6)})",
        lookback_months=12, kind="trend",
    )


def open_now(name: str, group: str, source: str, description: str) -> FeatureSpec:
    return FeatureSpec(
        name, group, description, source,
        "max(CASE WHEN e.end_known IS NULL OR e.end_known > p.as_of THEN 1 ELSE 0 END)",
        lookback_months=0, kind="flag",
    )


def _age() -> list[FeatureSpec]:
    return [
        FeatureSpec("age_years", "age", "Aged {value} at the date of this snapshot",
                    "population", "p.age_years", direction_hint="neutral", lookback_months=0,
                    kind="age"),
        FeatureSpec("months_known", "age", "Known to council services for {value} months",
                    "population", "date_sub('month', p.known_since, p.as_of)",
                    direction_hint="neutral", kind="duration"),
    ]


def _early_help() -> list[FeatureSpec]:
    g, s = "early_help", "early_help"
    return [
        count("eh_episodes_12m", g, s, "{value} early help episodes started in the last 12 months",
              months=12),
        count("eh_episodes_ever", g, s, "{value} early help episodes ever"),
        open_now("eh_open_now", g, s, "Open to early help now (1 yes, 0 no): {value}"),
        months_since("eh_months_since_last", g, s, "early help episode started"),
    ]


def _contacts_referrals() -> list[FeatureSpec]:
    specs = counts_by_window("contacts", "contacts_referrals", "contacts",
                             ("contacts with children's social care",
                              "contact with children's social care"))
    specs += counts_by_window("referrals", "contacts_referrals", "referrals",
                              ("referrals to children's social care",
                               "referral to children's social care"))
    specs.append(count("referrals_nfa_12m", "contacts_referrals", "referrals",
                       "{value} referrals closed with no further action in the last 12 months",
                       "e.nfa", 12))
    for label, codes in SOURCE_GROUPS.items():
        specs.append(count(
            f"contacts_from_{label}_12m", "contacts_referrals", "contacts",
            f"{{value}} contacts from {SOURCE_WORDS[label]} in the last 12 months",
            f"e.contact_source IN {sql_list(codes)}", 12))
        specs.append(count(
            f"referrals_from_{label}_24m", "contacts_referrals", "referrals",
            f"{{value}} referrals from {SOURCE_WORDS[label]} in the last 24 months",
            f"e.referral_source IN {sql_list(codes)}", 24))
    return specs


def _assessments() -> list[FeatureSpec]:
    g = "assessment_factors"
    specs = [
        count("assessments_12m", g, "assessments",
              "{value} social care assessments started in the last 12 months", months=12),
        count("assessments_ever", g, "assessments", "{value} social care assessments ever"),
    ]
    for label, codes in FACTOR_GROUPS.items():
        where = f"e.factor_code IN {sql_list(codes)}"
        words = FACTOR_WORDS[label]
        specs.append(count(
            f"factor_{label}_24m", g, "factors",
            f"{{value}} assessments in the last 24 months recorded {words}", where, 24))
        specs.append(FeatureSpec(
            f"factor_{label}_ever", g,
            f"An assessment has ever recorded {words} (1 yes, 0 no): {{value}}", "factors",
            f"CAST(bool_or({where}) AS INTEGER)", kind="flag"))
        specs.append(months_since(f"factor_{label}_months_since_last", g, "factors",
                                  f"assessment recording {words}", where))
    return specs


def _statutory() -> list[FeatureSpec]:
    g = "cin_cp_cla"
    return [
        open_now("cin_open_now", g, "cin", "Open as a child in need now (1 yes, 0 no): {value}"),
        count("cin_episodes_ever", g, "cin", "{value} child in need episodes ever"),
        months_since("cin_months_since_last", g, "cin", "child in need episode started"),
        count("s47_12m", g, "s47", "{value} child protection enquiries (section 47) in the "
              "last 12 months", months=12),
        count("s47_ever", g, "s47", "{value} child protection enquiries (section 47) ever"),
        open_now("cp_plan_now", g, "cp", "On a child protection plan now (1 yes, 0 no): {value}"),
        count("cp_plans_ever", g, "cp", "{value} child protection plans ever"),
        months_since("cp_months_since_last", g, "cp", "child protection plan started"),
        open_now("cla_now", g, "cla", "Looked after now (1 yes, 0 no): {value}"),
        count("cla_episodes_24m", g, "cla",
              "{value} looked-after episodes or placement changes in the last 24 months",
              months=24),
        count("cla_episodes_ever", g, "cla", "{value} looked-after episodes ever"),
        months_since("cla_months_since_last", g, "cla", "looked-after episode started"),
    ]


def _missing() -> list[FeatureSpec]:
    specs = counts_by_window("missing", "missing", "missing",
                             ("missing episodes", "missing episode"),
                             "e.missing_type IS DISTINCT FROM 'A'")
    specs.append(count("away_12m", "missing", "missing",
                       "{value} times away from placement without permission in the last "
                       "12 months", "e.missing_type = 'A'", 12))
    return specs


def _attendance() -> list[FeatureSpec]:
    # e.absence_rate, e.unauthorised_rate, e.persistent (>= 10% missed) and e.missed are
    # computed per term at staging (sources.py).
    g, s = "attendance", "attendance"
    earlier = f"{in_window(24)} AND NOT {in_window(12)}"

    def latest(expr: str) -> str:
        return f"arg_max({expr}, e.event_date) FILTER (WHERE {in_window(24)})"

    def rate(where: str) -> str:
        return (f"sum(e.missed) FILTER (WHERE {where}) / "
                f"nullif(sum(e.sessions_possible) FILTER (WHERE {where}), 0)")

    return [
        FeatureSpec("absence_rate_last_term", g,
                    "Missed {value} of possible school sessions in the latest term recorded",
                    s, latest("e.absence_rate"), fill=None, lookback_months=24, kind="rate"),
        FeatureSpec("unauthorised_rate_last_term", g,
                    "Missed {value} of possible sessions without authorisation in the latest "
                    "term recorded", s, latest("e.unauthorised_rate"), fill=None,
                    lookback_months=24, kind="rate"),
        FeatureSpec("persistent_absence_last_term", g,
                    "Persistently absent (10% or more sessions missed) in the latest term "
                    "recorded (1 yes, 0 no): {value}", s, latest("e.persistent"), fill=None,
                    lookback_months=24, kind="flag"),
        count("persistent_absence_terms_12m", g, s,
              "Persistently absent in {value} terms of the last 12 months", "e.persistent = 1",
              12),
        count("persistent_absence_terms_24m", g, s,
              "Persistently absent in {value} terms of the last 24 months", "e.persistent = 1",
              24),
        FeatureSpec("absence_rate_12m", g,
                    "Missed {value} of possible school sessions over the last 12 months", s,
                    rate(in_window(12)), fill=None, lookback_months=12, kind="rate"),
        FeatureSpec("absence_rate_trend_12m", g,
                    "Absence rate over the last 12 months minus the 12 months before: {value}",
                    s, f"{rate(in_window(12))} - {rate(earlier)}", fill=None,
                    lookback_months=24, kind="rate"),
    ]


def _exclusions() -> list[FeatureSpec]:
    g, s = "exclusions", "exclusions"
    susp = "e.category = 'SUSP'"
    specs = counts_by_window("suspensions", g, s, ("suspensions from school", "suspension"), susp)
    for label, codes in EXCLUSION_REASON_GROUPS.items():
        where = f"{susp} AND e.reason_code IN {sql_list(codes)}"
        for months in (6, 24):
            specs.append(count(f"suspensions_{label}_{months}m", g, s,
                               f"Suspended {{value}} times for {EXCLUSION_WORDS[label]} in the "
                               f"last {months} months",
                               where, months))
    specs += [
        FeatureSpec("suspension_sessions_12m", g,
                    "{value} school sessions lost to suspension in the last 12 months", s,
                    f"coalesce(sum(e.sessions) FILTER (WHERE {susp} AND {in_window(12)}), 0)",
                    lookback_months=12),
        count("permanent_exclusions_ever", g, s, "{value} permanent exclusions from school ever",
              "e.category = 'PERM'"),
    ]
    return specs


def _school_census() -> list[FeatureSpec]:
    # Free school meals eligibility is allowed as an input. It is not a protected
    # characteristic (Equality Act 2010: sex, race, disability, religion and the rest); it is a
    # circumstance the council's schools record, known to drive need, and services already
    # target it (pupil premium). Its cost is fairness, not lawfulness: it stands in for
    # household poverty, so the audit's deprivation group (imd_quintile, kept beside the
    # features) is where any harm to poorer families shows, and the model card reports it.
    return [
        FeatureSpec("fsm_eligible_latest_census", "school_census",
                    "Eligible for free school meals at the latest school census in the last "
                    "24 months (1 yes, 0 no): {value}", "school_census",
                    "arg_max(CAST(e.fsm_eligible AS INTEGER), e.event_date) "
                    f"FILTER (WHERE {in_window(24)})",
                    fill=None, lookback_months=24, kind="flag"),
    ]


def _all() -> tuple[FeatureSpec, ...]:
    specs = [*_age(), *_early_help(), *_contacts_referrals(), *_assessments(), *_statutory(),
             *_missing(), *_attendance(), *_exclusions(), *_school_census()]
    names = [s.name for s in specs]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"feature names defined twice: {sorted(duplicates)}")
    return tuple(specs)


FEATURES: tuple[FeatureSpec, ...] = _all()


def registry_frame(specs: tuple[FeatureSpec, ...] = FEATURES) -> pd.DataFrame:
    """The ``feature_registry`` table (docs/contracts.md, Features)."""
    return pd.DataFrame(
        {
            "feature": [s.name for s in specs],
            "group": [s.group for s in specs],
            "description": [s.description for s in specs],
            "direction_hint": [s.direction_hint for s in specs],
            "kind": [s.kind for s in specs],
            "lookback_months": pd.array([s.lookback_months for s in specs], dtype="Int64"),
        }
    )
