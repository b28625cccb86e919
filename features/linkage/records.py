"""Read the four person tables and put every record into one comparable shape.

Names are upper-cased and stripped to letters, forenames get a formal form (nicknames), dates
of birth get a string form and a day/month-swapped form, postcodes a standard spacing. The
raw rows stay in the warehouse; only these derived columns go to Splink.
"""

from __future__ import annotations

import duckdb

from earlyhelp.errors import InputError
from features.linkage.nicknames import nickname_rows

PERSON_TABLES: tuple[str, ...] = (
    "person_social_care",
    "person_school",
    "person_early_help",
    "person_youth_justice",
)
REQUIRED_COLUMNS: tuple[str, ...] = (
    "record_id",
    "id_system",
    "source_id",
    "forename",
    "surname",
    "dob",
    "sex",
    "postcode",
    "upn",
    "la_child_id",
    "recorded_date",
)
# Order used to pick a cluster's master identifier among equally early ones: the council's
# own case identifier first.
SYSTEM_RANK = {"la_child_id": 0, "upn": 1, "eh_id": 2, "yj_id": 3}


def present_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Person tables that exist in the warehouse; raise if there are none."""
    names = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    found = [t for t in PERSON_TABLES if t in names]
    if not found:
        raise InputError(
            "the warehouse holds no person tables "
            f"({', '.join(PERSON_TABLES)}); run `earlyhelp ingest` first"
        )
    return found


def _check_columns(con: duckdb.DuckDBPyConnection, table: str) -> None:
    cols = {
        row[0]
        for row in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = ?", [table]
        ).fetchall()
    }
    missing = [c for c in REQUIRED_COLUMNS if c not in cols]
    if missing:
        raise InputError(
            f"warehouse table {table} lacks column(s) {', '.join(missing)}; "
            "see docs/contracts.md (Warehouse -> person tables)"
        )


def _letters(col: str) -> str:
    letters = f"regexp_replace(coalesce(CAST({col} AS VARCHAR), ''), '[^A-Za-z]', '', 'g')"
    return f"NULLIF(upper({letters}), '')"


def load_records(con: duckdb.DuckDBPyConnection, tables: list[str]) -> int:
    """Create temp table ``link_records`` (one row per person-table row); return its size."""
    for table in tables:
        _check_columns(con, table)
    con.execute("CREATE OR REPLACE TEMP TABLE link_nicknames (name VARCHAR, formal VARCHAR)")
    con.executemany("INSERT INTO link_nicknames VALUES (?, ?)", nickname_rows())
    union = " UNION ALL ".join(
        f"""SELECT '{t}' AS person_table, CAST(record_id AS VARCHAR) AS record_id,
            CAST(id_system AS VARCHAR) AS id_system, CAST(source_id AS VARCHAR) AS source_id,
            forename, surname, TRY_CAST(dob AS DATE) AS dob, CAST(sex AS VARCHAR) AS sex,
            CAST(postcode AS VARCHAR) AS postcode, CAST(upn AS VARCHAR) AS upn,
            CAST(la_child_id AS VARCHAR) AS la_child_id,
            TRY_CAST(recorded_date AS DATE) AS recorded_date
            FROM {t}"""
        for t in tables
    )
    postcode = "upper(regexp_replace(coalesce(postcode, ''), '[^A-Za-z0-9]', '', 'g'))"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE link_records AS
        WITH raw AS ({union}),
        std AS (
            SELECT *,
                id_system || ':' || source_id AS ident,
                {_letters("forename")} AS forename_std,
                {_letters("surname")} AS surname_std,
                CASE WHEN upper(sex) IN ('M', 'F') THEN upper(sex) END AS sex_std,
                CASE WHEN length({postcode}) BETWEEN 5 AND 7
                     THEN substr({postcode}, 1, length({postcode}) - 3) || ' '
                          || right({postcode}, 3) END AS postcode_std,
                -- a UPN is a letter, 11 digits and a digit or letter; SSDA903's "UN1".."UN10"
                -- (reason unknown) and other placeholders are no identifier at all
                CASE WHEN regexp_full_match(upper(trim(upn)), '[A-Z][0-9]{{11}}[0-9A-Z]')
                     THEN upper(trim(upn)) END AS upn_std,
                NULLIF(trim(la_child_id), '') AS la_child_id_std
            FROM raw
        )
        SELECT std.*,
            -- every formal name the forename can stand for (itself included), and the first
            -- of them as a single blocking key
            CASE WHEN std.forename_std IS NOT NULL THEN list_sort(list_distinct(list_append(
                coalesce(n.formals, []), std.forename_std))) END AS forename_formals,
            coalesce(n.formals[1], std.forename_std) AS forename_formal,
            substr(strftime(dob, '%Y-%m-%d'), 1, 4) AS dob_year,
            strftime(dob, '%Y-%m-%d') AS dob_str,
            -- the date as it would read had day and month been swapped on entry
            CASE WHEN day(dob) <= 12 AND day(dob) <> month(dob)
                 THEN strftime(make_date(year(dob), day(dob), month(dob)), '%Y-%m-%d')
            END AS dob_swapped
        FROM std LEFT JOIN (
            SELECT name, list_sort(list(formal)) AS formals FROM link_nicknames GROUP BY name
        ) n ON n.name = std.forename_std
        """
    )
    _check_identifiers(con)
    return int(con.execute("SELECT count(*) FROM link_records").fetchall()[0][0])


def _check_identifiers(con: duckdb.DuckDBPyConnection) -> None:
    bad = con.execute(
        """SELECT person_table, record_id FROM link_records
           WHERE id_system IS NULL OR source_id IS NULL OR record_id IS NULL LIMIT 1"""
    ).fetchall()
    if bad:
        raise InputError(
            f"{bad[0][0]} record {bad[0][1]} has no id_system, source_id or record_id; "
            "every person row must carry its identifier (ingest should have quarantined it)"
        )
    dup = con.execute(
        "SELECT record_id, count(*) FROM link_records GROUP BY 1 HAVING count(*) > 1 LIMIT 1"
    ).fetchall()
    if dup:
        raise InputError(
            f"record_id {dup[0][0]} appears {dup[0][1]} times across the person tables; "
            "record_id must be unique across tables"
        )


def missing_fields(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """Records of ``link_records`` with no name at all, and with no usable date of birth."""
    row = con.execute(
        "SELECT count(*) FILTER (WHERE forename_std IS NULL AND surname_std IS NULL), "
        "count(*) FILTER (WHERE dob_str IS NULL) FROM link_records"
    ).fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def event_identifiers_without_person(
    con: duckdb.DuckDBPyConnection, person_tables: list[str]
) -> dict[str, int]:
    """Per identifier system: identifiers named in event tables but in no person table."""
    tables = [
        name for (name,) in con.execute(
            "SELECT table_name FROM duckdb_columns() WHERE column_name IN ('id_system', "
            "'source_id') GROUP BY table_name HAVING count(*) = 2"
        ).fetchall()
        if name not in {*PERSON_TABLES, "master_index", "link_unlinked", "quarantine"}
    ]
    if not tables:
        return {}
    events = " UNION ".join(f'SELECT id_system, source_id FROM "{t}"' for t in tables)
    persons = " UNION ".join(f'SELECT id_system, source_id FROM "{t}"' for t in person_tables)
    rows = con.execute(
        f"SELECT id_system, count(*) FROM (({events}) EXCEPT ({persons or events})) "
        "GROUP BY id_system ORDER BY id_system"
    ).fetchall()
    return {str(system): int(n) for system, n in rows}
