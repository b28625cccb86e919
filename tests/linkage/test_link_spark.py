"""The same linkage through Splink's Spark backend gives the same children as DuckDB."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from earlyhelp.settings import Settings
from features.linkage.backends import spark_available
from features.linkage.pipeline import link
from linkage.builders import Mess, Reach, build_world

pytestmark = [
    pytest.mark.spark,
    pytest.mark.skipif(
        not spark_available(),
        reason="pyspark is not installed: `pip install 'earlyhelp[spark]'` (needs Java 17)",
    ),
]


def _clusters(warehouse: Path) -> set[frozenset[str]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "SELECT list(id_system || ':' || source_id) FROM master_index GROUP BY master_id"
        ).fetchall()
    return {frozenset(members) for (members,) in rows}


def test_spark_gives_the_same_clusters_as_duckdb(tmp_path: Path, settings: Settings) -> None:
    world = build_world(
        120,
        seed=13,
        mess=Mess(typo=0.03, nickname=0.05, dob_swap=0.02, upn_carried=0.9),
        reach=Reach(social_care=0.6, early_help=0.3, youth_justice=0.1),
    )
    on_duckdb = world.write(tmp_path / "duckdb" / "w.duckdb")
    on_spark = tmp_path / "spark" / "w.duckdb"
    on_spark.parent.mkdir()
    shutil.copy(on_duckdb, on_spark)
    first = link(on_duckdb, settings, engine="duckdb")
    second = link(on_spark, settings, engine="spark")
    assert second.engine == "spark"
    assert first.n_clusters == second.n_clusters
    assert _clusters(on_duckdb) == _clusters(on_spark)
