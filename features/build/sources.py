"""Event sources: the warehouse tables features read, keyed by child and de-duplicated.

The same event often arrives more than once (Annex A and the CIN census both list a referral;
each year's census repeats an episode still open). Staging keeps one row per event: the
earliest recorded date, the values of the earliest recorded version, and for episodes the
date from which their closure was known (``end_known``: the earliest version that carries an
end date, no earlier than that version's recorded date). So what a feature sees at ``as_of`` is
exactly what a warehouse cut at ``as_of`` would show.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from earlyhelp.errors import InputError
from features.build.codes import PERSISTENT_ABSENCE_RATE
from features.build.exclusions import rules_for
from features.linkage.records import PERSON_TABLES


@dataclass(frozen=True)
class Source:
    name: str
    table: str
    # Columns besides child_key and event_date that tell two events apart.
    keys: tuple[str, ...] = ()
    # Columns carried from the earliest recorded version.
    values: tuple[str, ...] = ()
    has_end: bool = False
    # Per-event values computed once at staging (name, SQL over the staged columns) rather
    # than once per joined as-of month.
    derived: tuple[tuple[str, str], ...] = ()


_MISSED = "(sessions_authorised + sessions_unauthorised)"
_POSSIBLE = "nullif(sessions_possible, 0)"

SOURCES: tuple[Source, ...] = (
    Source("contacts", "contacts", keys=("contact_source",)),
    Source("referrals", "referrals", values=("referral_source", "nfa")),
    Source("assessments", "assessments", has_end=True),
    Source("factors", "assessment_factors", keys=("factor_code",)),
    Source("cin", "cin_episodes", has_end=True),
    Source("s47", "section47"),
    Source("cp", "cp_plans", has_end=True),
    Source("cla", "cla_episodes", values=("legal_status", "placement"), has_end=True),
    Source("missing", "missing_episodes", values=("missing_type",), has_end=True),
    Source("early_help", "early_help_episodes", has_end=True),
    Source(
        "attendance", "attendance", keys=("academic_year", "term"),
        values=("sessions_possible", "sessions_authorised", "sessions_unauthorised"),
        derived=(
            ("missed", _MISSED),
            ("absence_rate", f"{_MISSED} / {_POSSIBLE}"),
            ("unauthorised_rate", f"sessions_unauthorised / {_POSSIBLE}"),
            ("persistent",
             f"CAST({_MISSED} / {_POSSIBLE} >= {PERSISTENT_ABSENCE_RATE} AS INTEGER)"),
        ),
    ),
    Source("exclusions", "exclusions", keys=("category", "reason_code"), values=("sessions",)),
    # The January school census: one row per pupil and census (the pupil extract's rows that
    # carry a census date), for the characteristics it records.
    Source("school_census", "person_school", values=("fsm_eligible",)),
)

SOURCE_BY_NAME = {source.name: source for source in SOURCES}

ID_COLUMNS = ("id_system", "source_id", "event_date", "recorded_date")
PERSON_COLUMNS = ("id_system", "source_id", "dob", "sex", "postcode", "ethnicity", "disability",
                  "recorded_date", "record_id")


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str] | None:
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
        "AND table_schema = current_schema()",
        [table],
    ).fetchall()
    return {r[0] for r in rows} or None


def all_columns(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    rows = con.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema()"
    ).fetchall()
    columns: dict[str, set[str]] = {}
    for table, column in rows:
        columns.setdefault(table, set()).add(column)
    return columns


def require_columns(
    columns: dict[str, set[str]], table: str, needed: tuple[str, ...], where: str
) -> None:
    """Raise an InputError naming the table and the missing columns."""
    have = columns.get(table)
    if have is None:
        raise InputError(
            f"{where}: table '{table}' is missing; run `earlyhelp ingest` and `earlyhelp link` "
            "first (see docs/contracts.md, Warehouse)"
        )
    missing = [c for c in needed if c not in have]
    if missing:
        raise InputError(
            f"{where}: table '{table}' lacks column(s) {', '.join(missing)} required by "
            "docs/contracts.md"
        )


def check_inputs(con: duckdb.DuckDBPyConnection, where: str) -> None:
    """Raise an InputError if a table or column the features read is missing."""
    have = all_columns(con)
    require_columns(have, "master_index", ("id_system", "source_id", "child_key"), where)
    require_columns(have, "yj_outcomes", (*ID_COLUMNS, "tier", "extract_date"), where)
    for table in PERSON_TABLES:
        require_columns(have, table, PERSON_COLUMNS, where)
    for source in SOURCES:
        cols = (*ID_COLUMNS, *source.keys, *source.values, *rules_columns(source))
        if source.has_end:
            cols = (*cols, "end_date")
        require_columns(have, source.table, tuple(dict.fromkeys(cols)), where)


def rules_columns(source: Source) -> tuple[str, ...]:
    return tuple(rule.column for rule in rules_for(source.table))


def staging_sql(source: Source) -> str:
    """SQL creating ``stg_<name>``: one row per event, keyed by child_key, exclusions applied."""
    rules = rules_for(source.table)
    drops = [r.predicate("e") for r in rules if r.action == "drop_row"]
    where = " AND ".join(["e.event_date IS NOT NULL", "e.recorded_date IS NOT NULL"]
                         + [f"NOT ({p})" for p in drops])
    inner_cols = ["m.child_key", "e.event_date", "e.recorded_date"]
    inner_cols += [
        f"{_blanked(f'e.{c}', c, source)} AS {c}" for c in (*source.keys, *source.values)
    ]
    if source.has_end:
        inner_cols.append(f"{_blanked('e.end_date', 'end_date', source)} AS end_date")
    group = ["child_key", "event_date", *source.keys]
    outer = [*group, "min(recorded_date) AS recorded_date"]
    outer += [f"first({c} ORDER BY recorded_date, {c}) AS {c}" for c in source.values]
    if source.has_end:
        outer.append(
            "min(CASE WHEN end_date IS NOT NULL THEN greatest(recorded_date, end_date) END) "
            "AS end_known"
        )
    derived = "".join(f", {sql} AS {name}" for name, sql in source.derived)
    return (
        f"CREATE OR REPLACE TEMP TABLE stg_{source.name} AS SELECT *{derived} FROM ("
        f"SELECT {', '.join(outer)} FROM ("
        f"SELECT {', '.join(inner_cols)} FROM {source.table} e "
        "JOIN master_index m ON m.id_system = e.id_system AND m.source_id = e.source_id "
        f"WHERE {where}) GROUP BY {', '.join(group)})"
    )


def _blanked(expr: str, column: str, source: Source) -> str:
    """``expr``, or NULL where a blanking exclusion rule covers ``column``."""
    for rule in rules_for(source.table):
        if rule.action == "blank" and column in rule.blank:
            expr = f"CASE WHEN {rule.predicate('e')} THEN NULL ELSE {expr} END"
    return expr


def stage_sources(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Create every ``stg_*`` table; return rows per source."""
    counts = {}
    for source in SOURCES:
        con.execute(staging_sql(source))
        row = con.execute(f"SELECT count(*) FROM stg_{source.name}").fetchone()
        counts[source.name] = int(row[0]) if row else 0
    return counts
