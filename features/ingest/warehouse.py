"""The warehouse schema (docs/contracts.md, "Warehouse") and every SQL statement ingest runs.

Row identity is ``row_hash``: the md5 of the table name and the canonical row without its
provenance and recorded date, so the same fact from another extract (or file name) is one row.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from earlyhelp.errors import InputError

PROVENANCE = (("file", "VARCHAR"), ("row_ref", "VARCHAR"), ("extract_date", "DATE"))
IDS = (("id_system", "VARCHAR"), ("source_id", "VARCHAR"))
EVENT = (*IDS, ("event_date", "DATE"), ("recorded_date", "DATE"))
PERSON = (
    ("record_id", "VARCHAR"),
    *IDS,
    ("forename", "VARCHAR"),
    ("surname", "VARCHAR"),
    ("dob", "DATE"),
    ("sex", "VARCHAR"),
    ("postcode", "VARCHAR"),
    ("upn", "VARCHAR"),
    ("la_child_id", "VARCHAR"),
    ("ethnicity", "VARCHAR"),
    ("disability", "VARCHAR"),
    ("recorded_date", "DATE"),
)

TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "person_social_care": PERSON,
    "person_school": (
        *PERSON, ("sen_provision", "VARCHAR"), ("school_urn", "VARCHAR"),
        ("event_date", "DATE"), ("fsm_eligible", "BOOLEAN"), ("first_language", "VARCHAR"),
    ),
    "person_early_help": PERSON,
    "person_youth_justice": PERSON,
    "contacts": (*EVENT, ("contact_source", "VARCHAR")),
    "referrals": (*EVENT, ("referral_source", "VARCHAR"), ("nfa", "BOOLEAN")),
    "assessments": (*EVENT, ("end_date", "DATE"), ("assessment_id", "VARCHAR")),
    "assessment_factors": (*EVENT, ("assessment_id", "VARCHAR"), ("factor_code", "VARCHAR")),
    "cin_episodes": (
        *EVENT,
        ("end_date", "DATE"),
        ("primary_need", "VARCHAR"),
        ("reason_for_closure", "VARCHAR"),
    ),
    "section47": (*EVENT, ("icpc_date", "DATE")),
    "cp_plans": (
        *EVENT,
        ("end_date", "DATE"),
        ("initial_category", "VARCHAR"),
        ("latest_category", "VARCHAR"),
    ),
    "cla_episodes": (
        *EVENT,
        ("end_date", "DATE"),
        ("legal_status", "VARCHAR"),
        ("reason_new_episode", "VARCHAR"),
        ("placement", "VARCHAR"),
        ("reason_ended", "VARCHAR"),
    ),
    "missing_episodes": (*EVENT, ("end_date", "DATE"), ("missing_type", "VARCHAR")),
    "early_help_episodes": (
        *EVENT,
        ("end_date", "DATE"),
        ("reason", "VARCHAR"),
        ("outcome", "VARCHAR"),
        ("lead_professional", "VARCHAR"),
    ),
    "attendance": (
        *EVENT,
        ("academic_year", "VARCHAR"),
        ("term", "VARCHAR"),
        ("sessions_possible", "INTEGER"),
        ("sessions_authorised", "INTEGER"),
        ("sessions_unauthorised", "INTEGER"),
    ),
    "exclusions": (
        *EVENT,
        ("category", "VARCHAR"),
        ("reason_code", "VARCHAR"),
        ("sessions", "INTEGER"),
    ),
    "yj_outcomes": (*EVENT, ("tier", "VARCHAR"), ("offence_type", "VARCHAR")),
    "postcodes": (("postcode", "VARCHAR"), ("locality", "VARCHAR"), ("imd_decile", "INTEGER")),
}

QUARANTINE = (
    ("file", "VARCHAR"),
    ("row_ref", "VARCHAR"),
    ("detected_table", "VARCHAR"),
    ("field", "VARCHAR"),
    ("reason", "VARCHAR"),
    ("value", "VARCHAR"),
    ("raw", "VARCHAR"),
    ("extract_date", "DATE"),
)
# Not part of a row's identity: where it came from, and when it was first recorded (a later
# extract of the same fact must not count as new).
NOT_IDENTITY = {"record_id", "recorded_date", "file", "row_ref", "extract_date"}


def columns(table: str) -> list[str]:
    """Canonical columns of a warehouse table (without ``row_hash``)."""
    return [name for name, _ in (*TABLES[table], *PROVENANCE)]


def identity_columns(table: str) -> list[str]:
    return [c for c in columns(table) if c not in NOT_IDENTITY]


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path))
    except duckdb.IOException as exc:
        raise InputError(
            f"{path}: cannot open the warehouse ({exc}); is another step using it?"
        ) from None
    con.execute("SET enable_progress_bar = false")  # the CLI shows its own progress
    for table, cols in {**TABLES, "quarantine": QUARANTINE}.items():
        body = ", ".join(f"{name} {kind}" for name, kind in (*cols, *_tail(table)))
        con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({body}, row_hash VARCHAR)")
    return con


def _tail(table: str) -> tuple[tuple[str, str], ...]:
    return () if table == "quarantine" else PROVENANCE


def _hash_sql(table: str, names: list[str]) -> str:
    parts = ", ".join(f"coalesce(CAST({n} AS VARCHAR), '\\N')" for n in names)
    return f"md5(concat_ws('|', '{table}', {parts}))"


def insert_new(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> int:
    """Insert rows of ``frame`` not already in ``table``; returns how many were new."""
    if frame.empty:
        return 0
    typed = dict((*TABLES[table], *PROVENANCE))
    select = ", ".join(f"CAST({n} AS {typed[n]}) AS {n}" for n in columns(table))
    # Arrow is scanned by DuckDB several times faster than a DataFrame of mixed dtypes.
    con.register("incoming", pa.Table.from_pandas(frame, preserve_index=False))
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE staged AS SELECT *, "
            f"{_hash_sql(table, identity_columns(table))} AS row_hash "
            f"FROM (SELECT {select} FROM incoming)"
        )
        # A person's record_id is its row identity, unique across the person tables.
        star = "* REPLACE (row_hash AS record_id)" if "record_id" in typed else "*"
        # The same fact twice in one batch is kept once, as first recorded.
        first = "recorded_date, row_ref" if "recorded_date" in typed else "row_ref"
        result = con.execute(
            f"INSERT INTO {table} SELECT {star} FROM staged "
            f"WHERE row_hash NOT IN (SELECT row_hash FROM {table}) "
            f"QUALIFY row_number() OVER (PARTITION BY row_hash ORDER BY {first}) = 1"
        ).fetchone()
    finally:
        con.unregister("incoming")
    return int(result[0]) if result else 0


def insert_quarantine(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> int:
    """Add quarantined rows not already held (same table, place, row, reason and field)."""
    if frame.empty:
        return 0
    names = [n for n, _ in QUARANTINE]
    con.register("incoming_q", pa.Table.from_pandas(frame, preserve_index=False))
    try:
        row_hash = _hash_sql("quarantine", ["detected_table", "row_ref", "raw", "reason", "field"])
        result = con.execute(
            f"INSERT INTO quarantine SELECT {', '.join(names)}, row_hash FROM ("
            f"SELECT {', '.join(names[:-1])}, CAST(extract_date AS DATE) AS extract_date, "
            f"{row_hash} AS row_hash FROM incoming_q) "
            "WHERE row_hash NOT IN (SELECT row_hash FROM quarantine)"
        ).fetchone()
    finally:
        con.unregister("incoming_q")
    return int(result[0]) if result else 0


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    counts = {}
    for table in [*TABLES, "quarantine"]:
        row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
        counts[table] = int(row[0]) if row else 0
    return counts


def export_quarantine(con: duckdb.DuckDBPyConnection, folder: Path) -> list[Path]:
    """One CSV per detected table with quarantined rows, replaced on every run."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.csv"):
        old.unlink()
    written = []
    for (table,) in con.execute(
        "SELECT DISTINCT detected_table FROM quarantine ORDER BY 1"
    ).fetchall():
        out = folder / f"{table}.csv"
        target = str(out).replace("'", "''")
        con.execute(
            "COPY (SELECT * EXCLUDE (row_hash) FROM quarantine "
            f"WHERE detected_table = '{table}' ORDER BY file, row_ref) TO '{target}' (HEADER)"
        )
        written.append(out)
    return written
