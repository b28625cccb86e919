"""Where Splink runs: the one place that knows about DuckDB and Spark.

Splink's ``DatabaseAPI`` is the backend abstraction; this factory picks one. pyspark is an
optional extra (``pip install 'earlyhelp[spark]'``), imported only when Spark is asked for, so a
machine without it links on DuckDB as usual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from earlyhelp.errors import ConfigError

if TYPE_CHECKING:
    from splink.internals.database_api import DatabaseAPI

Engine = Literal["duckdb", "spark"]
ENGINES: tuple[Engine, ...] = ("duckdb", "spark")


def make_db_api(engine: Engine, *, threads: int | None = None) -> DatabaseAPI:  # type: ignore[type-arg]
    """Return a fresh Splink backend for ``engine`` (an in-memory DuckDB, or a local Spark)."""
    if engine == "duckdb":
        return _duckdb_api(threads)
    if engine == "spark":
        return _spark_api(threads)
    raise ConfigError(f"unknown linkage engine {engine!r}; choose one of {', '.join(ENGINES)}")


def spark_available() -> bool:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return False
    return True


def _duckdb_api(threads: int | None) -> DatabaseAPI:  # type: ignore[type-arg]
    import duckdb
    from splink import DuckDBAPI

    con = duckdb.connect(":memory:")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return DuckDBAPI(connection=con)


def _spark_api(threads: int | None) -> DatabaseAPI:  # type: ignore[type-arg]
    if not spark_available():
        raise ConfigError(
            "--engine spark needs pyspark: install the extra with "
            "`pip install 'earlyhelp[spark]'` (and Java 17 on PATH), or use --engine duckdb"
        )
    from pyspark.sql import SparkSession
    from splink.backends.spark import SparkAPI, similarity_jar_location

    cores = threads or "*"
    spark = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("earlyhelp-link")
        .config("spark.jars", similarity_jar_location())
        # few partitions: one machine's cores, and Splink runs many small queries
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "4")
        .config("spark.ui.enabled", "false")
        # pandas -> Spark through Arrow: keeps list columns (forename_formals) typed
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.execution.arrow.pyspark.fallback.enabled", "false")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    spark.sparkContext.setCheckpointDir(_checkpoint_dir())
    # persist (in memory) rather than writing every intermediate table to parquet
    return SparkAPI(
        spark_session=spark, break_lineage_method="persist", num_partitions_on_repartition=4
    )


def _checkpoint_dir() -> str:
    import tempfile

    return tempfile.mkdtemp(prefix="earlyhelp-spark-")
