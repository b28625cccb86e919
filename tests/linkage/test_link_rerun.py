"""Re-running the link step: stable child keys, and clerical decisions kept and applied."""

from __future__ import annotations

import random
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from earlyhelp.errors import InputError
from earlyhelp.settings import Settings
from features.linkage.pipeline import link
from linkage.builders import World, build_world


def _index(warehouse: Path) -> pd.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("SELECT * FROM master_index").df()


def _earlier_extract(world: World, share_dropped: float, seed: int) -> World:
    """The same council a while earlier: some identifiers not yet recorded."""
    rng = random.Random(seed)
    tables = {}
    for name, frame in world.tables.items():
        ids = sorted(frame["source_id"].unique())
        dropped = set(rng.sample(ids, int(len(ids) * share_dropped)))
        tables[name] = frame[~frame["source_id"].isin(dropped)].reset_index(drop=True)
    return World(tables, world.truth)


def test_child_keys_survive_a_later_extract(tmp_path: Path, settings: Settings) -> None:
    world = build_world(400, seed=21)
    warehouse = tmp_path / "w.duckdb"
    _earlier_extract(world, 0.25, seed=2).write(warehouse)
    link(warehouse, settings)
    first = _index(warehouse)
    world.write(warehouse)  # the later extract replaces the person tables
    report = link(warehouse, settings)
    second = _index(warehouse)

    both = first.merge(second, on=["id_system", "source_id"], suffixes=("_1", "_2"))
    assert len(both) == len(first)
    # first-run clusters that the later run neither split nor merged with another one
    spread = both.groupby("master_id_1")["master_id_2"].nunique()
    joined = both.groupby("master_id_2")["master_id_1"].nunique()
    whole = both[both["master_id_1"].map(spread).eq(1) & both["master_id_2"].map(joined).eq(1)]
    assert len(whole) / len(both) > 0.9
    assert (whole["child_key_1"] == whole["child_key_2"]).all()
    assert report.keys_carried_forward >= whole["master_id_1"].nunique()


def test_same_extract_twice_gives_identical_keys(tmp_path: Path, settings: Settings) -> None:
    warehouse = build_world(200, seed=4).write(tmp_path / "w.duckdb")
    link(warehouse, settings)
    first = _index(warehouse)
    report = link(warehouse, settings)
    second = _index(warehouse)
    pd.testing.assert_frame_equal(first, second)
    assert report.keys_carried_forward == report.n_clusters and report.keys_new == 0


@pytest.fixture
def wide_review() -> Settings:
    band = {"match_threshold": 0.9, "review_low": 0.05, "review_high": 0.9}
    return Settings(pseudonym_key="linkage-test-key", linkage=band)  # type: ignore[arg-type]


def _records(world: World) -> pd.DataFrame:
    return pd.concat(world.tables.values())[["record_id", "id_system", "source_id", "forename"]]


def _decide(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    frame = pd.DataFrame(rows, columns=["record_id_l", "record_id_r", "decision"])
    frame["reviewer"] = "a.reviewer"
    frame["decided_at"] = "2026-11-27T14:00:00"
    frame.to_csv(path, index=False)
    return path


def test_clerical_decisions_are_kept_and_applied(tmp_path: Path, settings: Settings) -> None:
    world = build_world(300, seed=8)
    warehouse = world.write(tmp_path / "w.duckdb")
    link(warehouse, settings)
    index = _index(warehouse)
    records = _records(world).dropna(subset=["forename"])
    records = records.merge(index, on=["id_system", "source_id"])
    # two singletons a reviewer says are one child; a linked pair a reviewer says are two
    singles = records[records["link_method"] == "singleton"].drop_duplicates("master_id")
    join_l, join_r = singles["record_id"].iloc[0], singles["record_id"].iloc[1]
    sizes = index.groupby("master_id").size()
    pair_masters = sizes[sizes == 2].index
    linked = records[
        records["master_id"].isin(pair_masters) & (records["link_method"] == "probabilistic")
    ]
    split_master = linked["master_id"].iloc[0]
    sides = linked[linked["master_id"] == split_master].drop_duplicates("source_id")
    split_l, split_r = sides["record_id"].iloc[0], sides["record_id"].iloc[1]
    decisions = _decide(
        tmp_path / "decisions.csv",
        [(join_l, join_r, "match"), (split_l, split_r, "non_match"), ("", "", "")],
    )

    report = link(warehouse, settings, decisions=decisions)
    assert (report.decisions_imported, report.decisions_applied) == (2, 2)
    for rerun in (report, link(warehouse, settings)):  # kept for every later run
        after = (
            _index(warehouse)
            .merge(
                _records(world)[["record_id", "id_system", "source_id"]],
                on=["id_system", "source_id"],
            )
            .set_index("record_id")
        )
        assert after.loc[join_l, "master_id"] == after.loc[join_r, "master_id"]
        assert after.loc[join_l, "link_method"] == "clerical"
        assert after.loc[split_l, "master_id"] != after.loc[split_r, "master_id"]
        assert rerun.links_by_method["clerical_match"] == 1
        assert rerun.links_by_method["rejected_by_reviewer"] == 1


def test_review_list_shows_both_records_and_drops_decided_pairs(
    tmp_path: Path, wide_review: Settings
) -> None:
    world = build_world(300, seed=8)
    warehouse = world.write(tmp_path / "w.duckdb")
    report = link(warehouse, wide_review)
    csv = tmp_path / "reports" / "clerical_review.csv"
    review = pd.read_csv(csv, dtype=str)
    assert report.review_pairs == len(review) > 0
    for col in ("forename_l", "forename_r", "dob_l", "dob_r", "postcode_l", "postcode_r"):
        assert col in review.columns
    # in the band, or above it but held back by the twin guard
    assert (review["match_probability"].astype(float) >= 0.05).all()
    # the reviewer fills in the same file and imports it
    review["decision"] = "non_match"
    review["reviewer"] = "a.reviewer"
    review["decided_at"] = "2026-11-27 15:00"
    review.to_csv(csv, index=False)
    again = link(warehouse, wide_review, decisions=csv)
    assert again.decisions_imported == len(review)
    assert again.review_pairs < report.review_pairs
    with duckdb.connect(str(warehouse), read_only=True) as con:
        table = con.execute("SELECT count(*) FROM clerical_review").fetchall()[0][0]
    assert table == again.review_pairs


def test_bad_decision_names_line_and_field(tmp_path: Path, settings: Settings) -> None:
    warehouse = build_world(50, seed=1).write(tmp_path / "w.duckdb")
    bad = _decide(tmp_path / "d.csv", [("R1", "R2", "match"), ("R1", "R3", "maybe")])
    with pytest.raises(InputError, match=r"d.csv line 3, field decision"):
        link(warehouse, settings, decisions=bad)
