"""Recording faults appear with mess on, at modest rates, and vanish with mess off."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from synthcouncil.names import NICKNAMES


def person_vs_truth(world: Path, file: str, id_col: str, source: str) -> pd.DataFrame:
    persons = pd.read_csv(world / "raw" / file, dtype=str, keep_default_na=False)
    records = pd.read_parquet(world / "truth" / "records.parquet")
    records = records[records["source"] == source]
    children = pd.read_parquet(world / "truth" / "children.parquet")
    return persons.merge(records, left_on=id_col, right_on="source_id").merge(
        children, on="child_id"
    )


def test_clean_world_records_truth_exactly(clean_world: Path) -> None:
    joined = person_vs_truth(clean_world, "youth_justice/yj_children.csv", "YJ_ID",
                             "youth_justice")
    assert (joined["Forename"] == joined["forename"]).all()
    assert (joined["Surname"] == joined["surname"]).all()
    dob = pd.to_datetime(joined["DOB"], format="%d/%m/%Y")
    assert (dob == pd.to_datetime(joined["dob"])).all()
    episodes = pd.read_csv(clean_world / "raw" / "early_help" / "eh_episodes.csv", dtype=str)
    assert (episodes["StartDate"] == episodes["RecordedDate"]).all()
    eh = pd.read_parquet(clean_world / "truth" / "records.parquet").query("source == 'early_help'")
    assert not eh["child_id"].duplicated().any()


def test_messy_world_has_modest_name_and_date_faults(small_world: Path) -> None:
    joined = person_vs_truth(small_world, "early_help/eh_persons.csv", "EH_ID", "early_help")
    wrong_forename = joined["Forename"] != joined["forename"]
    nickname = joined.apply(
        lambda r: r["Forename"] in NICKNAMES.get(r["forename"], ()), axis=1
    )
    assert 0.01 < wrong_forename.mean() < 0.15
    assert nickname.any()
    dob = pd.to_datetime(joined["DOB"], format="%d/%m/%Y")
    swapped = dob != pd.to_datetime(joined["dob"])
    assert swapped.mean() < 0.05
    assert (dob[swapped].dt.month == pd.to_datetime(joined["dob"])[swapped].dt.day).all()


def test_some_early_help_children_are_registered_twice(small_world: Path) -> None:
    eh = pd.read_parquet(small_world / "truth" / "records.parquet").query("source == 'early_help'")
    twice = eh["child_id"].duplicated().mean()
    assert 0 < twice < 0.1


def test_recording_lags_behind_events_with_a_tail(small_world: Path) -> None:
    contacts = pd.read_csv(small_world / "raw" / "annex_a" / "list_1_contacts.csv", dtype=str)
    event = pd.to_datetime(contacts["Date of Contact"], format="%d/%m/%Y")
    recorded = pd.to_datetime(contacts["Date Recorded"], format="%d/%m/%Y")
    lag = (recorded - event).dt.days
    assert (lag >= 0).all()
    assert 2 <= lag.median() <= 21
    assert 0.01 < (lag > 30).mean() < 0.15


def test_repeated_rows_are_rare(small_world: Path, clean_world: Path) -> None:
    messy = pd.read_csv(small_world / "raw" / "school_census" / "attendance.csv", dtype=str)
    clean = pd.read_csv(clean_world / "raw" / "school_census" / "attendance.csv", dtype=str)
    assert 0 < messy.duplicated().mean() < 0.02
    assert not clean.duplicated().any()
