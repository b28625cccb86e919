"""Tests that would catch leakage: the future, youth justice codes, other children's rows."""

from __future__ import annotations

import copy
import tempfile
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from features_builders import EVENT_OWN, WarehouseBuilder, build, child_key
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from features.build.exclusions import FORBIDDEN_FEATURE_CODES, LEAKAGE_EXCLUSIONS
from features.build.registry import FEATURES
from features.build.sources import SOURCES

NAMES = ("A", "B", "C")
ORIGIN = date(2016, 1, 1)

# Per table, a few realistic value sets (including codes the exclusions must remove).
VARIANTS: dict[str, list[dict[str, Any]]] = {
    "contacts": [{"contact_source": s} for s in ("6", "2A", "7", "5B")],
    "referrals": [{"referral_source": s, "nfa": n} for s, n in (("6", True), ("2A", False),
                                                              ("5B", False))],
    "assessment_factors": [{"factor_code": c, "assessment_id": "X"} for c in
                           ("24A", "13A", "10A", "3A", "4B")],
    "cin_episodes": [{"end_offset": None}, {"end_offset": 40}, {"end_offset": 400}],
    "cp_plans": [{"end_offset": None}, {"end_offset": 200}],
    "cla_episodes": [{"legal_status": "C2", "placement": "U1", "end_offset": 90},
                     {"legal_status": "J1", "placement": "K2", "end_offset": 20},
                     {"legal_status": "C2", "placement": "R5", "end_offset": None},
                     {"legal_status": "V2", "placement": "U3", "end_offset": 60,
                      "reason_ended": "E9"}],
    "missing_episodes": [{"missing_type": "M", "end_offset": 2}, {"missing_type": "A"}],
    "early_help_episodes": [{"end_offset": 120}, {"end_offset": None}],
    "attendance": [{"sessions_possible": 120, "sessions_authorised": a,
                    "sessions_unauthorised": u, "academic_year": "Y", "term": t}
                   for a, u, t in ((2, 1, "AUT"), (10, 9, "SPR"), (0, 30, "SUM"))],
    "exclusions": [{"category": c, "reason_code": r, "sessions": 3} for c, r in
                   (("SUSP", "PP"), ("SUSP", "OW"), ("SUSP", "PD"), ("PERM", "DA"))],
    "yj_outcomes": [{"tier": t} for t in ("CR", "YRO", "DTO")],
}

event_strategy = st.tuples(
    st.sampled_from(sorted(VARIANTS)),
    st.sampled_from(NAMES),
    st.integers(0, 5 * 365),  # event day after ORIGIN
    st.integers(0, 400),  # days until recorded
    st.integers(0, 4),  # variant
    st.booleans(),  # recorded twice (a duplicate from a later extract)
)


def _world(events: list[tuple[str, str, int, int, int, bool]]) -> WarehouseBuilder:
    b = WarehouseBuilder(extract_date=date(2021, 6, 30))
    for i, name in enumerate(NAMES):
        b.child(name, date(2005 + i, 3 + i, 10), known=date(2015, 6, 1) + timedelta(days=200 * i))
    for table, name, day, delay, variant, twice in events:
        values = dict(VARIANTS[table][variant % len(VARIANTS[table])])
        when = ORIGIN + timedelta(days=day)
        end_offset = values.pop("end_offset", None)
        if "end_date" in EVENT_OWN[table] and end_offset is not None:
            values["end_date"] = when + timedelta(days=end_offset)
        b.event(table, name, when, recorded=when + timedelta(days=delay), **values)
        if twice:
            b.event(table, name, when, recorded=when + timedelta(days=delay + 365), **values)
    return b


def _filtered(b: WarehouseBuilder, keep: Any) -> WarehouseBuilder:
    """A copy of ``b`` keeping only the event rows for which ``keep(row)`` holds.

    Person records stay: they give only the date of birth, an identity fact the features take
    from the earliest person record whenever it was entered.
    """
    out = copy.deepcopy(b)
    out.events = defaultdict(list, {t: [r for r in rows if keep(r)] for t, rows in
                                    out.events.items()})
    return out


def _features(b: WarehouseBuilder, as_of: date) -> pd.DataFrame:
    with tempfile.TemporaryDirectory() as folder:
        built = build(b, Path(folder), as_of, as_of)
        return built.table("feature_matrix")


def _month_end(months_after_origin: int) -> date:
    year, month = divmod(ORIGIN.month - 1 + months_after_origin + 1, 12)
    return date(ORIGIN.year + year, month + 1, 1) - timedelta(days=1)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@pytest.mark.slow  # builds dozens of warehouses
@given(st.lists(event_strategy, min_size=1, max_size=25), st.integers(6, 60),
       st.integers(1, 300))
def test_rows_recorded_after_as_of_change_nothing(
    events: list[tuple[str, str, int, int, int, bool]], month: int, shift: int
) -> None:
    as_of = _month_end(month)
    world = _world(events)
    full = _features(world, as_of)
    # Every event recorded after as_of removed: what a warehouse cut at as_of would hold.
    cut = _features(_filtered(world, lambda r: r["recorded_date"] <= as_of), as_of)
    pd.testing.assert_frame_equal(full, cut)
    # Rows already recorded after as_of moved later still: nothing changes either.
    moved = copy.deepcopy(world)
    for rows in moved.events.values():
        for row in rows:
            if row["recorded_date"] > as_of:
                row["recorded_date"] += timedelta(days=shift)
    pd.testing.assert_frame_equal(full, _features(moved, as_of))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@pytest.mark.slow  # builds dozens of warehouses
@given(st.lists(event_strategy, min_size=1, max_size=25), st.integers(6, 60))
def test_features_never_use_another_childs_rows(
    events: list[tuple[str, str, int, int, int, bool]], month: int
) -> None:
    as_of = _month_end(month)
    world = _world(events)
    own_key = "LA-A", "UP-A", "EH-A", "YJ-A"
    alone = _filtered(world, lambda r: r["source_id"] in own_key)
    full = _features(world, as_of)
    only_a = _features(alone, as_of)
    pd.testing.assert_frame_equal(
        full[full.child_key == child_key("A")].reset_index(drop=True),
        only_a[only_a.child_key == child_key("A")].reset_index(drop=True),
    )


def test_excluded_codes_change_nothing(tmp_path: Path) -> None:
    clean = WarehouseBuilder()
    clean.child("A", date(2006, 1, 1), known=date(2015, 1, 1))
    clean.event("contacts", "A", date(2019, 1, 5), contact_source="6")
    clean.event("cla_episodes", "A", date(2019, 2, 1), legal_status="C2", placement="U1")
    clean.event("contacts", "A", date(2019, 8, 1), contact_source=None)
    leaky = copy.deepcopy(clean)
    # The same contact, now from "other legal agency" (courts, probation, prison).
    leaky.events["contacts"][1].update(contact_source="7")
    leaky.event("contacts", "A", date(2019, 3, 5), contact_source="5B")
    leaky.event("referrals", "A", date(2019, 3, 5), referral_source="5B", nfa=False)
    leaky.event("cla_episodes", "A", date(2019, 4, 1), legal_status="J2", placement="U1")
    leaky.event("cla_episodes", "A", date(2019, 5, 1), legal_status="J3", placement="K2")
    leaky.event("cla_episodes", "A", date(2019, 6, 1), legal_status="C2", placement="R5")
    # The same looked-after episode, now ending "sentenced to custody".
    leaky.events["cla_episodes"][0].update(end_date=date(2019, 7, 1), reason_ended="E9")
    a = build(clean, tmp_path / "clean", date(2019, 1, 1), date(2019, 12, 31))
    b = build(leaky, tmp_path / "leaky", date(2019, 1, 1), date(2019, 12, 31))
    pd.testing.assert_frame_equal(a.table("feature_matrix"), b.table("feature_matrix"))


def test_no_feature_reads_youth_justice_codes_or_tables() -> None:
    sources = {s.name for s in SOURCES} | {"population"}
    for spec in FEATURES:
        assert spec.source in sources, spec.name
        for code in FORBIDDEN_FEATURE_CODES:
            assert f"'{code}'" not in spec.sql, (spec.name, code)
    assert "yj_outcomes" not in {s.table for s in SOURCES}


def test_exclusion_list_covers_the_known_traps() -> None:
    covered = {(r.table, code) for r in LEAKAGE_EXCLUSIONS for code in r.codes}
    for trap in [("cla_episodes", "J1"), ("cla_episodes", "J2"), ("cla_episodes", "J3"),
                 ("contacts", "5B"), ("referrals", "5B"), ("cla_episodes", "E9"),
                 ("contacts", "7"), ("referrals", "7"),
                 ("cla_episodes", "E14")]:
        assert trap in covered
    tables = {s.table for s in SOURCES}
    for rule in LEAKAGE_EXCLUSIONS:
        assert rule.table in tables
        assert rule.column in EVENT_OWN[rule.table]
