"""Code lists that ingest checks values against.

CIN census lists come from the 2024 list shipped in ``data/`` (see ``data/README.md``);
earlier collection years are derived from it by removing the codes introduced later
(``CIN_CHANGES``). SSDA903 and local lists are written out here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

# The issue asks for 2017-2024; the generator's default extracts (from April 2013, two years
# of history before the April 2015 window) also write 2014-2016 censuses, whose lists equal
# 2017's under the changes modelled below.
CIN_FIRST_YEAR = 2014
CIN_LAST_YEAR = 2024


@dataclass(frozen=True)
class CodeChange:
    """A code added to a CIN census list from ``first_year`` (the collection year)."""

    code_list: str
    code: str
    first_year: int
    note: str


# The changes modelled between 2017 and 2024. Only changes we are sure of are listed;
# add more here (with a source) rather than anywhere else.
CIN_CHANGES: tuple[CodeChange, ...] = (
    CodeChange(
        "assessmentfactorstype",
        "24A",
        2022,
        "Child criminal exploitation factor, added for the 2021-22 collection",
    ),
)

# SSDA903 codes used by ingest, from SSDA903_schema_2024.yml (Episodes, Header, Missing).
SSDA903_LISTS: dict[str, frozenset[str]] = {
    "903_legal_status": frozenset(
        ["C1", "C2", "D1", "E1", "V2", "V3", "V4", "L1", "L2", "L3", "J1", "J2", "J3"]
    ),
    "903_reason_new_episode": frozenset(["S", "L", "P", "T", "B", "U"]),
    "903_placement": frozenset(
        [
            "A3",
            "A4",
            "A5",
            "A6",
            "H5",
            "K1",
            "K2",
            "P1",
            "P2",
            "P3",
            "R1",
            "R2",
            "R3",
            "R5",
            "S1",
            "T0",
            "T1",
            "T2",
            "T3",
            "T4",
            "U1",
            "U2",
            "U3",
            "U4",
            "U5",
            "U6",
            "Z1",
        ]
    ),
    "903_reason_ended": frozenset(
        [
            "X1",
            "E11",
            "E12",
            "E2",
            "E3",
            "E4A",
            "E4B",
            "E13",
            "E41",
            "E45",
            "E46",
            "E47",
            "E48",
            "E5",
            "E6",
            "E7",
            "E9",
            "E14",
            "E15",
            "E16",
            "E17",
            "E8",
        ]
    ),
    "903_cin": frozenset(["N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8"]),
    "903_missing_type": frozenset({"M", "A"}),
    "903_sex": frozenset({"1", "2"}),
}

# Local and DfE lists written in docs/contracts.md ("Raw extracts").
LOCAL_LISTS: dict[str, frozenset[str]] = {
    "annex_a_gender": frozenset({"Male", "Female", "Unknown"}),
    "yes_no": frozenset({"Yes", "No"}),
    "sex_mfu": frozenset({"M", "F", "U"}),
    "sex_mf": frozenset({"M", "F"}),
    "sen_provision": frozenset({"N", "K", "E"}),
    # School census first language: English, believed English, other, believed other, not
    # obtained.
    "first_language": frozenset({"ENG", "ENB", "OTH", "OTB", "NOT"}),
    "term": frozenset({"AUT", "SPR", "SUM"}),
    "exclusion_category": frozenset({"SUSP", "PERM"}),
    "exclusion_reason": frozenset(
        ["PP", "PA", "VP", "VA", "BU", "RA", "SM", "DA", "DM", "TH", "PD", "OT", "OW"]
    ),
    "yj_tier": frozenset({"CR", "YC", "YCC", "RO", "YRO", "DTO", "S250"}),
}


@cache
def cin_2024() -> dict[str, frozenset[str]]:
    text = (
        resources.files("features.ingest")
        .joinpath("data/cin_2024_codelists.json")
        .read_text(encoding="utf-8")
    )
    return {name: frozenset(codes) for name, codes in json.loads(text).items()}


@cache
def cin_lists_for_year(year: int) -> dict[str, frozenset[str]]:
    """The CIN census code lists valid in collection ``year`` (2017-2024)."""
    if not CIN_FIRST_YEAR <= year <= CIN_LAST_YEAR:
        raise ValueError(f"CIN census year {year} is outside {CIN_FIRST_YEAR}-{CIN_LAST_YEAR}")
    lists = {name: set(codes) for name, codes in cin_2024().items()}
    for change in CIN_CHANGES:
        if year < change.first_year:
            lists[change.code_list].discard(change.code)
    return {name: frozenset(codes) for name, codes in lists.items()}


@dataclass(frozen=True)
class CodeLists:
    """The lists in force for one file: ``current`` to check, ``known`` to tell a code that is
    valid in some other year from one that never existed."""

    current: dict[str, frozenset[str]]
    known: dict[str, frozenset[str]]

    @classmethod
    def for_year(cls, year: int) -> CodeLists:
        fixed = {**SSDA903_LISTS, **LOCAL_LISTS}
        return cls(current={**fixed, **cin_lists_for_year(year)}, known={**fixed, **cin_2024()})
