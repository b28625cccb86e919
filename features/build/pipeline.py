"""Build the point-in-time feature, label, registry and protected-attribute tables.

``build_features`` reads the warehouse (event tables, person tables, ``master_index``) and writes
``feature_matrix``, ``labels``, ``feature_registry`` and ``protected_attributes`` back into it
(docs/contracts.md, Features), plus ``reports/features_report.json`` beside the warehouse.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from pathlib import Path

import duckdb
from pydantic import Field

from earlyhelp.errors import ConfigError, InputError
from earlyhelp.reports import Progress, StepReport, finish, no_progress, start_clock, timed
from earlyhelp.settings import Settings
from features.build import labels as label_mod
from features.build import population as pop
from features.build.labels import LABELS, LabelSpec
from features.build.protected import (
    create_child_attributes,
    create_imd_reference,
    protected_sql,
)
from features.build.queries import aggregate_sql, matrix_sql, specs_by_source
from features.build.registry import FEATURES, registry_frame
from features.build.report import FeaturesReport
from features.build.sources import SOURCES, check_inputs, stage_sources, table_columns

OUTPUT_TABLES = ("feature_matrix", "labels", "feature_registry", "protected_attributes")
DEFAULT_MONTHS = 60


def default_range(end_of_data: date | None) -> tuple[date, date]:
    """The last ``DEFAULT_MONTHS`` complete months up to the data's end."""
    if end_of_data is None:
        raise InputError("the warehouse's event tables are empty: nothing to build features on")
    end = pop.month_end(end_of_data)
    if end != end_of_data:
        end = date(end_of_data.year, end_of_data.month, 1) - timedelta(days=1)
    months = end.year * 12 + end.month - 1 - (DEFAULT_MONTHS - 1)
    return pop.month_end(date(months // 12, months % 12 + 1, 1)), end


def build_features(
    warehouse: Path,
    settings: Settings,
    start: date | None = None,
    end: date | None = None,
    label_names: tuple[str, ...] | None = None,
    parquet_dir: Path | None = None,
    progress: Progress = no_progress,
    append: bool = False,
) -> FeaturesReport:
    """Build every output table for the month ends from ``start`` to ``end`` (inclusive).

    Without ``start``/``end`` the last 60 complete months of the warehouse are built. Labels
    default to every registered label; the model's configured label must be among them.
    With ``append`` only the rows of those months are replaced and every other month's rows
    are left exactly as they were: the live monthly run adds its month without touching the
    history a model was trained and evaluated on.
    """
    began = start_clock()
    specs = _labels(settings, label_names)
    if not warehouse.exists():
        raise InputError(f"warehouse {warehouse} does not exist; run `earlyhelp ingest` first")
    stage = progress
    report_timings: dict[str, float] = {}
    with duckdb.connect(str(warehouse)) as con:
        # Output order is not kept anyway (no ORDER BY); letting go of it lets DuckDB write
        # the wide tables in parallel.
        con.execute("SET preserve_insertion_order = false")
        check_inputs(con, where=str(warehouse))
        scratch = StepReport(step="features")
        stage("staging events")
        with timed(scratch, "staging"):
            staged = stage_sources(con)
            pop.create_person_rows(con)
            pop.create_children(con, tuple(staged))
            pop.create_yj(con)
            end_of_data = label_mod.data_end(con, tuple(staged))
        if start is None or end is None:
            default_start, default_end = default_range(end_of_data)
            start, end = start or default_start, end or default_end
        if start > end:
            raise ConfigError(f"--from {start} is after --to {end}")
        stage("population")
        with timed(scratch, "population"):
            pop.create_months(con, start, end)
            rows = pop.create_population(con)
        stage("features")
        with timed(scratch, "features"):
            for source, source_specs in specs_by_source().items():
                con.execute(aggregate_sql(source, source_specs))
        stage("writing tables")
        with timed(scratch, "write"):
            _write_outputs(con, specs, end_of_data, scratch, append=append,
                           where=str(warehouse))
            if parquet_dir is not None:
                _write_parquet(con, parquet_dir)
        stage("report")
        with timed(scratch, "report"):
            report = FeaturesReport(
                warehouse=str(warehouse),
                as_of_start=pop.month_end(start),
                as_of_end=pop.month_end(end),
                data_end=end_of_data,
                rows=rows,
                children=_scalar(con, "SELECT count(DISTINCT child_key) FROM population"),
                feature_count=len(FEATURES),
                features_by_group=_by_group(),
                population_by_month=pop.population_by_month(con),
                labels=[s.name for s in specs],
                positives_by_label_month=_positives(con, specs),
                matured_rows_by_label={
                    s.name: _scalar(con, f"SELECT count({s.name}) FROM labels") for s in specs
                },
                null_rates=_null_rates(con, rows),
                staged_rows=staged,
                unlinked_event_rows=_unlinked(con),
                population_with_unrecorded_prior_outcome=pop.unrecorded_prior_outcomes(con),
                outputs=[*OUTPUT_TABLES],
            )
        report_timings = scratch.timings
    report.timings = report_timings
    finish(report, began, settings.reports_dir / "features_report.json")
    return report


def _labels(settings: Settings, names: tuple[str, ...] | None) -> tuple[LabelSpec, ...]:
    specs = label_mod.resolve_labels(names or tuple(LABELS))
    if settings.model.label not in LABELS:
        raise ConfigError(
            f"model.label '{settings.model.label}' is not a known label; choose from "
            f"{', '.join(LABELS)}"
        )
    return specs


def _write_outputs(
    con: duckdb.DuckDBPyConnection, specs: tuple[LabelSpec, ...], end_of_data: date | None,
    timings: StepReport, *, append: bool, where: str,
) -> None:
    has_postcodes = table_columns(con, "postcodes") is not None
    create_child_attributes(con)
    create_imd_reference(con, has_postcodes)
    registry = registry_frame()
    con.register("registry_df", registry)
    con.execute("BEGIN TRANSACTION")
    try:
        # Unsorted on purpose: sorting 1.5 million wide rows costs more than the features;
        # readers join or sort on (child_key, as_of).
        write = partial(_append_months if append else _replace, con, where=where)
        with timed(timings, "write_feature_matrix"):
            write("feature_matrix", matrix_sql())
        with timed(timings, "write_labels"):
            write("labels", label_mod.labels_sql(specs, end_of_data))
        with timed(timings, "write_protected_attributes"):
            write("protected_attributes", protected_sql())
        if not append or table_columns(con, "feature_registry") is None:
            con.execute("CREATE OR REPLACE TABLE feature_registry AS SELECT * FROM registry_df")
        with timed(timings, "commit"):
            con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("registry_df")


def _replace(con: duckdb.DuckDBPyConnection, table: str, sql: str, *, where: str) -> None:
    con.execute(f"CREATE OR REPLACE TABLE {table} AS {sql}")


def _append_months(con: duckdb.DuckDBPyConnection, table: str, sql: str, *, where: str) -> None:
    """Replace only the rows of the months being built (temp table ``months``)."""
    existing = table_columns(con, table)
    if existing is None:
        _replace(con, table, sql, where=where)
        return
    new = [row[0] for row in con.execute(f"DESCRIBE {sql}").fetchall()]
    if existing != set(new):
        raise InputError(
            f"{where}: {table} was built with other columns than this version writes "
            f"({sorted(existing ^ set(new))[:5]} differ); appending would mix two "
            "definitions. Rebuild every month with `earlyhelp features` (no --as-of)"
        )
    con.execute(f"DELETE FROM {table} WHERE as_of IN (SELECT as_of FROM months)")
    con.execute(f"INSERT INTO {table} BY NAME {sql}")


def _write_parquet(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for table in OUTPUT_TABLES:
        target = str(folder / f"{table}.parquet").replace("'", "''")
        con.execute(f"COPY {table} TO '{target}' (FORMAT parquet)")


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _by_group() -> dict[str, int]:
    groups: dict[str, int] = {}
    for spec in FEATURES:
        groups[spec.group] = groups.get(spec.group, 0) + 1
    return groups


def _positives(
    con: duckdb.DuckDBPyConnection, specs: tuple[LabelSpec, ...]
) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for spec in specs:
        rows = con.execute(
            f"SELECT as_of, sum({spec.name}) FROM labels WHERE {spec.name} IS NOT NULL "
            "GROUP BY as_of ORDER BY as_of"
        ).fetchall()
        out[spec.name] = {d.isoformat(): int(n) for d, n in rows}
    return out


def _null_rates(con: duckdb.DuckDBPyConnection, rows: int) -> dict[str, float]:
    if rows == 0:
        return {}
    counts = ", ".join(f"count(*) - count({s.name})" for s in FEATURES)
    row = con.execute(f"SELECT {counts} FROM feature_matrix").fetchone() or ()
    return {
        spec.name: round(nulls / rows, 4)
        for spec, nulls in zip(FEATURES, row, strict=True)
        if nulls
    }


def _unlinked(con: duckdb.DuckDBPyConnection) -> int:
    tables = sorted({s.table for s in SOURCES} | {"yj_outcomes"})
    return sum(
        _scalar(
            con,
            f"SELECT count(*) FROM {table} e ANTI JOIN master_index m "
            "ON m.id_system = e.id_system AND m.source_id = e.source_id",
        )
        for table in tables
    )
