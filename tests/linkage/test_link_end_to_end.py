"""The generator's small world, ingested, then linked: quality against its truth."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from earlyhelp.settings import Settings
from features.ingest.pipeline import ingest
from features.linkage.pipeline import link


@pytest.mark.slow
def test_small_world_links_above_the_bars(small_world: Path, tmp_path: Path) -> None:
    settings = Settings(pseudonym_key="linkage-test-key")
    warehouse = tmp_path / "warehouse.duckdb"
    ingest(small_world / "raw", warehouse, settings)
    report = link(warehouse, settings, truth=small_world / "truth")
    assert report.quality is not None
    assert report.quality.pairwise_precision >= 0.995
    assert report.quality.pairwise_recall >= 0.98
    assert report.quality.identifiers_without_truth == 0
    assert report.n_records == report.records_linked + report.records_unlinked
    with duckdb.connect(str(warehouse), read_only=True) as con:
        per_table = [
            con.execute(f"SELECT count(DISTINCT (id_system, source_id)) FROM {table}").fetchall()[
                0
            ][0]
            for table in report.person_tables
        ]
        indexed = con.execute("SELECT count(*) FROM master_index").fetchall()[0][0]
    assert indexed == sum(per_table) == report.n_identifiers
