"""Identifiers: shared where the real systems share them, and the truth maps every one."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from lxml import etree


def read(world: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(world / "raw" / name, dtype=str, keep_default_na=False)


def la_ids_in_census(world: Path) -> set[str]:
    ids: set[str] = set()
    for path in (world / "raw" / "cin_census").glob("*.xml"):
        ids |= {el.text or "" for el in etree.parse(str(path)).iter("LAchildID")}
    return ids


def test_la_child_id_is_shared_by_social_care_systems(small_world: Path) -> None:
    persons = set(read(small_world, "social_care/children.csv")["LAchildID"])
    contacts = set(read(small_world, "annex_a/list_1_contacts.csv")["Child Unique ID"])
    looked_after = set(pd.concat(
        pd.read_csv(p, dtype=str) for p in (small_world / "raw" / "ssda903").glob("header_*")
    )["CHILD"])
    census = la_ids_in_census(small_world)
    assert contacts <= persons
    assert census <= persons and looked_after <= persons
    assert len(census & contacts) > 0.5 * len(census)


def test_upns_link_school_to_some_social_care_records(small_world: Path) -> None:
    school = set(read(small_world, "school_census/pupils.csv")["UPN"])
    social = read(small_world, "social_care/children.csv")["UPN"]
    known = set(social[social != ""])
    # Children past school age by the window's first census keep a UPN the school extract
    # no longer holds; most are found.
    assert len(known & school) > 0.7 * len(known)
    assert (social == "").mean() > 0.05  # some missing, as in real extracts


def test_truth_maps_every_identifier_to_one_child(small_world: Path) -> None:
    records = pd.read_parquet(small_world / "truth" / "records.parquet")
    assert list(records.columns) == ["source", "id_system", "source_id", "child_id"]
    assert not records.duplicated(["source", "id_system", "source_id"]).any()
    by_source = {s: set(g["source_id"]) for s, g in records.groupby("source")}
    assert by_source["early_help"] == set(read(small_world, "early_help/eh_persons.csv")["EH_ID"])
    assert by_source["youth_justice"] == set(
        read(small_world, "youth_justice/yj_children.csv")["YJ_ID"])
    assert by_source["school_census"] == set(
        read(small_world, "school_census/pupils.csv")["UPN"])
    assert by_source["cin_census"] == la_ids_in_census(small_world)
    annex = set()
    for path in (small_world / "raw" / "annex_a").glob("*.csv"):
        annex |= set(pd.read_csv(path, dtype=str)["Child Unique ID"])
    assert by_source["annex_a"] == annex
    assert set(by_source) == {"annex_a", "cin_census", "ssda903", "social_care",
                              "school_census", "youth_justice", "early_help"}
    outcome_ids = set(read(small_world, "youth_justice/yj_outcomes.csv")["YJ_ID"])
    assert outcome_ids <= by_source["youth_justice"]
    children = pd.read_parquet(small_world / "truth" / "children.parquet")
    assert set(records["child_id"]) <= set(children["child_id"])


def test_children_move_in_and_out(small_world: Path) -> None:
    children = pd.read_parquet(small_world / "truth" / "children.parquet")
    assert children["arrived"].notna().mean() > 0.02
    assert children["left"].notna().mean() > 0.02
