"""Where a monitoring run's results go, and what it reads from the serving store.

Results: the warehouse tables ``monitor_runs`` (one row per month monitored, the whole report
as JSON) and ``monitor_alarms`` (one row per alarm), replaced when a month is run again, so
a page or a query lists the alarms without reading files. The serving store (tables
``alerts`` and ``decisions``, docs/contracts.md) is read with plain SQL when it exists.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from earlyhelp.settings import Settings

if TYPE_CHECKING:
    from pathlib import Path

    from monitoring.report import MonitorReport

RUNS_DDL = (
    "CREATE TABLE IF NOT EXISTS monitor_runs (as_of DATE PRIMARY KEY, run_at TIMESTAMP, "
    "model_version VARCHAR, run_id VARCHAR, dataset_drift BOOLEAN, drifted_share DOUBLE, "
    "alarms INTEGER, report_json VARCHAR)"
)
SCORES_DDL = (
    "CREATE TABLE IF NOT EXISTS monitor_scores (child_key VARCHAR, as_of DATE, score DOUBLE, "
    "flagged BOOLEAN, model_version VARCHAR)"
)
ALARMS_DDL = (
    "CREATE TABLE IF NOT EXISTS monitor_alarms (as_of DATE, kind VARCHAR, subject VARCHAR, "
    "message VARCHAR, features VARCHAR[], groups VARCHAR[], value DOUBLE, threshold VARCHAR)"
)


def save_results(warehouse: Path, report: MonitorReport) -> None:
    import duckdb

    with duckdb.connect(str(warehouse)) as con:
        con.execute(RUNS_DDL)
        con.execute(ALARMS_DDL)
        con.execute("DELETE FROM monitor_runs WHERE as_of = ?", [report.as_of])
        con.execute("DELETE FROM monitor_alarms WHERE as_of = ?", [report.as_of])
        con.execute(
            "INSERT INTO monitor_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [report.as_of, report.started_at.replace(tzinfo=None), report.model.version,
             report.model.run_id, report.drift.dataset_drift, report.drift.drifted_share,
             len(report.alarms), report.model_dump_json()])
        for a in report.alarms:
            con.execute("INSERT INTO monitor_alarms VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [report.as_of, a.kind, a.subject, a.message, a.features, a.groups,
                         a.value, a.threshold])


def save_scores(warehouse: Path, scored: pd.DataFrame, model_version: str) -> None:
    """Keep the champion's scores and flags of a month, so its outcomes can be read against
    the flags given at the time once they mature (replacing that month's earlier rows)."""
    import duckdb

    rows = scored[["child_key", "as_of", "score", "flagged"]].assign(model_version=model_version)
    with duckdb.connect(str(warehouse)) as con:
        con.execute(SCORES_DDL)
        for month in rows["as_of"].unique():
            con.execute("DELETE FROM monitor_scores WHERE as_of = ?", [month])
        con.register("new_rows", rows)
        con.execute("INSERT INTO monitor_scores SELECT * FROM new_rows")
        con.unregister("new_rows")


def stored_scores(warehouse: Path, months: list[date], model_version: str) -> pd.DataFrame:
    """Scores and flags kept for ``months`` by the same model version (may be empty)."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        if "monitor_scores" not in {r[0] for r in con.execute("SHOW TABLES").fetchall()}:
            return pd.DataFrame(columns=["child_key", "as_of", "score", "flagged"])
        frame = con.execute(
            "SELECT child_key, as_of, score, flagged FROM monitor_scores WHERE model_version = ? "
            "AND as_of IN (SELECT unnest(?::DATE[]))", [model_version, list(months)]).df()
    frame["as_of"] = pd.to_datetime(frame["as_of"]).dt.date
    return frame


def _engine(settings: Settings):  # type: ignore[no-untyped-def]
    """An engine on the serving store, or None when there is none (SQLite file absent)."""
    from sqlalchemy import create_engine, inspect

    url = settings.resolved_database_url
    if url.startswith("sqlite:///"):
        from pathlib import Path

        if not Path(url.removeprefix("sqlite:///")).exists():
            return None
    engine = create_engine(url)
    if not {"alerts", "decisions"} <= set(inspect(engine).get_table_names()):
        engine.dispose()
        return None
    return engine


def alerts_in_store(settings: Settings, as_of: date) -> int | None:
    """Alerts the serving store raised for the month, or None when there is no store."""
    from sqlalchemy import text

    engine = _engine(settings)
    if engine is None:
        return None
    with engine.connect() as con:
        value = con.execute(text("SELECT count(*) FROM alerts WHERE as_of = :m"),
                            {"m": as_of}).scalar_one()
    engine.dispose()
    return int(value)


def alerts_and_decisions(settings: Settings, as_of: date) -> pd.DataFrame | None:
    """One row per alert of the month with its latest decision (NULL if undecided)."""
    from sqlalchemy import text

    engine = _engine(settings)
    if engine is None:
        return None
    query = text(
        "SELECT a.id, a.child_key, a.team, a.probability, a.status, d.decision "
        "FROM alerts a LEFT JOIN decisions d ON d.alert_id = a.id AND d.decided_at = "
        "(SELECT max(decided_at) FROM decisions x WHERE x.alert_id = a.id) "
        "WHERE a.as_of = :m")
    with engine.connect() as con:
        frame = pd.read_sql(query, con, params={"m": as_of})
    engine.dispose()
    return frame
