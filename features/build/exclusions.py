"""Leakage exclusions: every code that reveals youth justice contact, in one declarative list.

These codes are consequences of offending, not predictors (DATA.md, "Leakage traps"). A rule
either drops the row before any feature sees it (the record exists because of youth justice
contact) or blanks the columns that reveal it (the record is real care history, only its
ending speaks of custody or remand). ``yj_outcomes`` is never a feature source at all: it
defines the population and the labels only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from features.build.codes import sql_list


@dataclass(frozen=True)
class ExclusionRule:
    table: str
    column: str
    codes: tuple[str, ...]
    action: Literal["drop_row", "blank"]
    reason: str
    # Columns set to NULL when action is "blank".
    blank: tuple[str, ...] = ()

    def predicate(self, alias: str = "") -> str:
        prefix = f"{alias}." if alias else ""
        return f"coalesce(upper(trim({prefix}{self.column})), '') IN {sql_list(self.codes)}"


LEAKAGE_EXCLUSIONS: tuple[ExclusionRule, ...] = (
    ExclusionRule(
        "cla_episodes", "legal_status", ("J1", "J2", "J3"), "drop_row",
        "SSDA903 legal statuses J1 remand, J2 PACE accommodation, J3 youth rehabilitation "
        "order with residence exist only because of youth justice contact",
    ),
    ExclusionRule(
        "cla_episodes", "placement", ("R5",), "drop_row",
        "SSDA903 placement R5 is a young offender institution or prison",
    ),
    ExclusionRule(
        "cla_episodes", "reason_ended", ("E9", "E14"), "blank",
        "SSDA903 reasons ceased E9 sentenced to custody and E14 accommodation on remand ended "
        "reveal custody or remand; the episode's start is kept, its ending is not",
        blank=("end_date", "reason_ended"),
    ),
    ExclusionRule(
        "contacts", "contact_source", ("5B",), "drop_row",
        "contact source 5B is the youth offending service",
    ),
    ExclusionRule(
        "referrals", "referral_source", ("5B",), "drop_row",
        "referral source 5B is the youth offending service",
    ),
    ExclusionRule(
        "contacts", "contact_source", ("7",), "blank",
        "contact source 7 (other legal agency: courts, probation, prison) may be the youth "
        "court or the secure estate; the contact counts, its source is not read",
        blank=("contact_source",),
    ),
    ExclusionRule(
        "referrals", "referral_source", ("7",), "blank",
        "referral source 7 (other legal agency: courts, probation, prison) may be the youth "
        "court or the secure estate; the referral counts, its source is not read",
        blank=("referral_source",),
    ),
)

# Codes no feature definition may name, whatever the table.
FORBIDDEN_FEATURE_CODES: frozenset[str] = frozenset(
    code for rule in LEAKAGE_EXCLUSIONS for code in rule.codes
) | {"CR", "YC", "YCC", "RO", "YRO", "DTO", "S250"}


def rules_for(table: str) -> tuple[ExclusionRule, ...]:
    return tuple(rule for rule in LEAKAGE_EXCLUSIONS if rule.table == table)
