"""Ingest on the generator's small worlds: every file loads, counts add up, and the only
quarantine reasons are the mess the generator is known to make."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from earlyhelp.settings import Settings
from features.ingest import IngestReport, ingest

pytestmark = pytest.mark.slow

# The generator repeats some CSV rows exactly, and a few of its dates fall after its last
# recorded date (the extract date ingest infers).
GENERATOR_MESS = {"duplicate", "date_after_extract"}


@pytest.fixture(scope="module")
def ingested(small_world: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("ingest_small")
    ingest(small_world / "raw", out / "warehouse.duckdb", Settings(data_dir=out))
    return small_world, out


def _report(out: Path) -> IngestReport:
    path = out / "reports" / "ingest_report.json"
    return IngestReport.model_validate_json(path.read_text())


def test_every_file_loads_and_counts_add_up(ingested: tuple[Path, Path]) -> None:
    world, out = ingested
    report = _report(out)
    files = sorted(str(p.relative_to(world / "raw")) for p in (world / "raw").rglob("*.*"))
    assert sorted(f.path for f in report.files) == files
    assert report.files_failed == 0
    for f in report.files:
        assert f.rows_read > 0, f.path
        assert f.rows_read == f.rows_loaded + f.rows_quarantined
        assert set(f.by_reason) <= GENERATOR_MESS, (f.path, f.by_reason)
    assert report.totals.rows_quarantined < 0.02 * report.totals.rows_read


def test_duplicates_are_exactly_the_repeated_csv_rows(ingested: tuple[Path, Path]) -> None:
    world, out = ingested
    for f in _report(out).files:
        if not f.path.endswith(".csv"):
            continue
        raw = pd.read_csv(world / "raw" / f.path, dtype=str, keep_default_na=False)
        assert f.by_reason.get("duplicate", 0) == int(raw.duplicated().sum()), f.path


def test_person_tables_hold_every_identifier_the_truth_knows(ingested: tuple[Path, Path]) -> None:
    world, out = ingested
    truth = pd.read_parquet(world / "truth" / "records.parquet")
    con = duckdb.connect(str(out / "warehouse.duckdb"), read_only=True)
    try:
        for table, source in [
            ("person_school", "school_census"),
            ("person_early_help", "early_help"),
            ("person_youth_justice", "youth_justice"),
            ("person_social_care", "social_care"),
        ]:
            held = {i for (i,) in con.execute(f"SELECT DISTINCT source_id FROM {table}").fetchall()}
            expected = set(truth.loc[truth["source"] == source, "source_id"].astype(str))
            assert expected <= held, table
    finally:
        con.close()


def test_second_ingest_of_the_world_adds_nothing(ingested: tuple[Path, Path]) -> None:
    world, out = ingested
    before = _report(out).table_rows
    again = ingest(world / "raw", out / "warehouse.duckdb", Settings(data_dir=out))
    assert again.totals.rows_new == 0
    assert again.totals.rows_loaded == again.totals.rows_read - again.totals.rows_quarantined
    assert again.table_rows == before


def test_clean_world_has_no_duplicates(clean_world: Path, tmp_path: Path) -> None:
    report = ingest(clean_world / "raw", tmp_path / "warehouse.duckdb", Settings(data_dir=tmp_path))
    assert report.files_failed == 0
    assert "duplicate" not in report.totals.by_reason
    assert set(report.totals.by_reason) <= GENERATOR_MESS
