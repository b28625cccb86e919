"""The link step end to end on builder worlds: quality bars, master index, report, errors."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from earlyhelp.errors import InputError
from earlyhelp.pseudonym import pseudonymise
from earlyhelp.reports import read_report
from earlyhelp.settings import Settings
from features.linkage.pipeline import link
from features.linkage.report import LinkReport
from linkage.builders import Mess, Reach, World, build_world


def _index(warehouse: Path) -> pd.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("SELECT * FROM master_index").df()


def test_messy_world_meets_precision_and_recall_bars(
    linked_world: tuple[World, Path, LinkReport],
) -> None:
    _, _, report = linked_world
    assert report.quality is not None
    assert report.quality.pairwise_precision >= 0.995
    assert report.quality.pairwise_recall >= 0.98
    assert report.quality.identifiers_without_truth == 0


def test_every_identifier_once_with_its_keyed_pseudonym(
    linked_world: tuple[World, Path, LinkReport],
) -> None:
    world, warehouse, _ = linked_world
    index = _index(warehouse)
    expected = pd.concat(t[["id_system", "source_id"]] for t in world.tables.values())
    expected = expected.drop_duplicates()
    assert len(index) == len(expected)
    assert not index.duplicated(["id_system", "source_id"]).any()
    got = set(zip(index["id_system"], index["source_id"], strict=True))
    assert got == set(zip(expected["id_system"], expected["source_id"], strict=True))
    keys = index["master_id"].map(lambda m: pseudonymise(m, "linkage-test-key"))
    assert (keys == index["child_key"]).all()
    assert set(index["link_method"]) <= {"exact", "probabilistic", "clerical", "singleton"}
    # a cluster's master id is one of its own identifiers
    own = index["id_system"] + ":" + index["source_id"]
    assert index["master_id"].isin(own).all()


def test_report_counts_add_up_and_charts_are_written(
    linked_world: tuple[World, Path, LinkReport],
) -> None:
    _, warehouse, report = linked_world
    assert report.n_records == report.records_linked + report.records_unlinked
    assert report.n_identifiers == report.identifiers_linked + report.identifiers_unlinked
    assert sum(report.unlinked_by_reason.values()) == report.identifiers_unlinked
    assert sum(report.unlinked_by_system.values()) == report.identifiers_unlinked
    assert report.n_records == sum(len(t) for t in linked_world[0].tables.values())
    saved = read_report(warehouse.parent / "reports" / "link_report.json", LinkReport)
    assert saved.n_clusters == report.n_clusters
    assert saved.clusters_by_source_pair["early_help+school"] > 0
    assert report.m_probabilities_from.endswith("share LAchildID or UPN")
    for chart in report.charts:
        assert Path(chart).stat().st_size > 1000


def test_shared_upn_links_exactly(tmp_path: Path, settings: Settings) -> None:
    world = build_world(200, seed=3, mess=Mess(upn_carried=1.0), reach=Reach(social_care=0.5))
    warehouse = world.write(tmp_path / "w.duckdb")
    link(warehouse, settings)
    index = _index(warehouse).set_index(["id_system", "source_id"])
    social = world.tables["person_social_care"].dropna(subset=["upn"])
    pairs = social[["source_id", "upn"]].drop_duplicates()
    assert len(pairs) > 20
    for la, upn in zip(pairs["source_id"], pairs["upn"], strict=True):
        assert index.loc[("la_child_id", la), "master_id"] == index.loc[("upn", upn), "master_id"]
    carried = index.loc[[("la_child_id", la) for la in pairs["source_id"]], "link_method"]
    assert set(carried) <= {"exact", "probabilistic"}


def test_missing_names_and_dates_are_kept_with_reasons(tmp_path: Path, settings: Settings) -> None:
    world = build_world(300, seed=5, mess=Mess(missing_name=0.1, missing_dob=0.1))
    warehouse = world.write(tmp_path / "w.duckdb", tmp_path / "truth")
    report = link(warehouse, settings, truth=tmp_path / "truth")
    index = _index(warehouse)
    assert len(index) == world.truth[["id_system", "source_id"]].drop_duplicates().shape[0]
    assert report.unlinked_by_reason.get("no name in any record: nothing to compare", 0) > 0
    assert report.n_records == report.records_linked + report.records_unlinked
    assert report.quality is not None and report.quality.pairwise_precision >= 0.99
    with duckdb.connect(str(warehouse), read_only=True) as con:
        unlinked = con.execute("SELECT count(*) FROM link_unlinked").fetchall()[0][0]
    assert unlinked == report.identifiers_unlinked
    # The report counts what each record lacked, from the tables themselves.
    tables = pd.concat(world.tables.values())
    no_name = (tables["forename"].isna() & tables["surname"].isna()).sum()
    assert report.records_without_name == no_name > 0
    assert report.records_without_dob == tables["dob"].isna().sum() > 0


def test_event_identifiers_without_a_person_record_are_counted(
    tmp_path: Path, settings: Settings
) -> None:
    warehouse = build_world(100, seed=3).write(tmp_path / "w.duckdb")
    with duckdb.connect(str(warehouse)) as con:
        con.execute("CREATE TABLE contacts (id_system VARCHAR, source_id VARCHAR, event_date DATE)")
        con.execute("INSERT INTO contacts SELECT id_system, source_id, DATE '2019-01-01' "
                    "FROM person_social_care LIMIT 3")
        con.execute("INSERT INTO contacts VALUES ('la_child_id', 'LA-NOT-A-PERSON', "
                    "DATE '2019-01-01'), ('la_child_id', 'LA-NOT-A-PERSON', DATE '2019-02-01')")
    report = link(warehouse, settings)
    assert report.event_identifiers_without_person_record == {"la_child_id": 1}
    assert report.blocking_rules and "threshold" in report.method


def test_a_missing_person_table_is_reported_not_fatal(tmp_path: Path, settings: Settings) -> None:
    world = build_world(200, seed=9)
    del world.tables["person_youth_justice"]
    warehouse = world.write(tmp_path / "w.duckdb")
    report = link(warehouse, settings)
    assert report.tables_missing == ["person_youth_justice"]
    assert report.n_identifiers == len(_index(warehouse))


def test_missing_column_names_table_and_column(tmp_path: Path, settings: Settings) -> None:
    world = build_world(50, seed=1)
    world.tables["person_school"] = world.tables["person_school"].drop(columns=["dob"])
    warehouse = world.write(tmp_path / "w.duckdb")
    with pytest.raises(InputError, match=r"person_school lacks column\(s\) dob"):
        link(warehouse, settings)


def test_missing_warehouse_says_run_ingest(tmp_path: Path, settings: Settings) -> None:
    with pytest.raises(InputError, match="earlyhelp ingest"):
        link(tmp_path / "nope.duckdb", settings)
