"""The month grid, what is known about each child, and the population at each as-of date.

Population at ``as_of``: children aged 10-17 at ``as_of`` (date of birth from the child's
earliest recorded person record), known to at least one source (a person record or an event
recorded by ``as_of``), and with no youth justice outcome the council knew of by ``as_of``
(an outcome dated and recorded on or before ``as_of``). Recorded, not merely dated: at
scoring time the product only knows recorded outcomes, so training rows must look like
scoring rows. Children whose earlier outcome was recorded late stay in at ``as_of``; the
report counts them.
"""

from __future__ import annotations

from datetime import date

import duckdb

from features.build.codes import AGE_MAX, AGE_MIN
from features.build.registry import WINDOWS
from features.build.sources import PERSON_TABLES


def month_end(day: date) -> date:
    """The last day of ``day``'s month."""
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def create_months(con: duckdb.DuckDBPyConnection, start: date, end: date) -> int:
    """``months``: one row per month end from ``start`` to ``end``, with window start dates.

    ``since_<w>m`` is the month end ``w`` months before ``as_of``: the window is
    ``(since_<w>m, as_of]``, exactly ``w`` calendar months.
    """
    windows = ", ".join(
        f"last_day(as_of - INTERVAL {w} MONTH)::DATE AS since_{w}m" for w in WINDOWS
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE months AS SELECT as_of, {windows} FROM ("
        "SELECT last_day(d)::DATE AS as_of FROM generate_series(?::TIMESTAMP, ?::TIMESTAMP, "
        "INTERVAL 1 MONTH) t(d))",
        [date(start.year, start.month, 1), date(end.year, end.month, 1)],
    )
    row = con.execute("SELECT count(*) FROM months").fetchone()
    return int(row[0]) if row else 0


def create_person_rows(con: duckdb.DuckDBPyConnection) -> None:
    """``person_rows``: every person record keyed by child (no names are read)."""
    cols = "id_system, source_id, dob, sex, postcode, ethnicity, disability, recorded_date"
    union = " UNION ALL ".join(f"SELECT {cols} FROM {t}" for t in PERSON_TABLES)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE person_rows AS SELECT m.child_key, p.dob, p.sex, "
        "p.postcode, p.ethnicity, p.disability, p.recorded_date "
        f"FROM ({union}) p JOIN master_index m "
        "ON m.id_system = p.id_system AND m.source_id = p.source_id "
        "WHERE p.recorded_date IS NOT NULL"
    )


def create_children(con: duckdb.DuckDBPyConnection, event_sources: tuple[str, ...]) -> None:
    """``children``: date of birth and the date the child was first known to any service.

    Date of birth comes from the earliest recorded person record (an identity fact, so it is
    taken even when that record was entered after the as-of date: it says nothing about what
    happened to the child). First known is the earliest recorded date of any person record or
    event, so a child the school reported on before the census listed them is known.
    """
    firsts = " UNION ALL ".join(
        f"SELECT child_key, min(recorded_date) AS first FROM stg_{name} GROUP BY child_key"
        for name in event_sources
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE children AS "
        "WITH people AS (SELECT child_key, first(dob ORDER BY recorded_date, dob) AS dob, "
        "min(recorded_date) AS first FROM person_rows WHERE dob IS NOT NULL "
        f"GROUP BY child_key), events AS ({firsts}) "
        "SELECT p.child_key, p.dob, least(p.first, min(e.first)) AS known_since "
        "FROM people p LEFT JOIN events e USING (child_key) GROUP BY p.child_key, p.dob, p.first"
    )


def create_yj(con: duckdb.DuckDBPyConnection) -> None:
    """``stg_yj``: youth justice outcomes keyed by child (population and labels only)."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE stg_yj AS SELECT m.child_key, y.event_date, "
        "min(y.recorded_date) AS recorded_date, upper(trim(y.tier)) AS tier "
        "FROM yj_outcomes y JOIN master_index m "
        "ON m.id_system = y.id_system AND m.source_id = y.source_id "
        "WHERE y.event_date IS NOT NULL GROUP BY ALL"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE yj_first AS SELECT child_key, "
        "min(greatest(event_date, coalesce(recorded_date, event_date))) AS known_from, "
        "min(event_date) AS first_event FROM stg_yj GROUP BY child_key"
    )


def create_population(con: duckdb.DuckDBPyConnection) -> int:
    """``population``: (child_key, as_of) rows with the window columns and age."""
    since = ", ".join(f"mo.since_{w}m" for w in WINDOWS)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE population AS "
        f"SELECT c.child_key, mo.as_of, {since}, c.known_since, "
        "date_sub('year', c.dob, mo.as_of) AS age_years "
        "FROM children c JOIN months mo ON c.known_since <= mo.as_of "
        "LEFT JOIN yj_first y ON y.child_key = c.child_key "
        f"WHERE date_sub('year', c.dob, mo.as_of) BETWEEN {AGE_MIN} AND {AGE_MAX} "
        "AND (y.known_from IS NULL OR y.known_from > mo.as_of)"
    )
    row = con.execute("SELECT count(*) FROM population").fetchone()
    return int(row[0]) if row else 0


def population_by_month(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    rows = con.execute(
        "SELECT mo.as_of, count(p.child_key) FROM months mo "
        "LEFT JOIN population p ON p.as_of = mo.as_of GROUP BY mo.as_of ORDER BY mo.as_of"
    ).fetchall()
    return {d.isoformat(): int(n) for d, n in rows}


def unrecorded_prior_outcomes(con: duckdb.DuckDBPyConnection) -> int:
    """Population rows whose child already had an outcome, not yet recorded at ``as_of``."""
    row = con.execute(
        "SELECT count(*) FROM population p JOIN yj_first y USING (child_key) "
        "WHERE y.first_event <= p.as_of"
    ).fetchone()
    return int(row[0]) if row else 0
