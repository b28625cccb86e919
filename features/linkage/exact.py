"""Exact links: identifiers that share a key are the same child.

LAchildID is shared by Annex A, CIN census, SSDA903 and the social care person extract (one
identifier already); UPN is carried by school records and by some social care records. Any
two identifiers that carry the same LAchildID or UPN value are joined here, before any
probabilistic scoring.
"""

from __future__ import annotations

import duckdb
import pandas as pd

# key name -> (id_system whose source_id *is* that key, column that may carry it elsewhere)
SHARED_KEYS: dict[str, tuple[str, str]] = {
    "la_child_id": ("la_child_id", "la_child_id_std"),
    "upn": ("upn", "upn_std"),
}


# One child may hold two identifiers in a system (a duplicate registration) that both carry
# the same UPN; more than this many is a placeholder value shared by unrelated children.
MAX_IDENTIFIERS_PER_KEY = 3


def identifiers(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per identifier with what the linkage needs to know about it."""
    return con.execute(
        """
        SELECT ident, any_value(id_system) AS id_system, any_value(source_id) AS source_id,
            string_agg(DISTINCT person_table, ',' ORDER BY person_table) AS person_tables,
            count(*) AS n_records,
            min(recorded_date) AS first_recorded,
            bool_or(forename_std IS NOT NULL OR surname_std IS NOT NULL) AS has_name,
            bool_or(dob IS NOT NULL) AS has_dob
        FROM link_records GROUP BY ident ORDER BY ident
        """
    ).df()


def exact_edges(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Pairs ``(ident_l, ident_r, key)`` of distinct identifiers that share a key value."""
    parts = []
    for key, (system, column) in SHARED_KEYS.items():
        parts.append(
            f"""SELECT ident, '{key}' AS key,
                   CASE WHEN id_system = '{system}' THEN source_id ELSE {column} END AS value
                FROM link_records
                WHERE id_system = '{system}' OR {column} IS NOT NULL"""
        )
    return con.execute(
        f"""
        WITH carried AS (
            SELECT DISTINCT ident, split_part(ident, ':', 1) AS system, key, value
            FROM ({" UNION ALL ".join(parts)})
        ),
        -- a value carried by many identifiers of one system is a placeholder, not a key
        placeholder AS (
            SELECT DISTINCT key, value FROM carried GROUP BY key, value, system
            HAVING count(*) > {MAX_IDENTIFIERS_PER_KEY}
        ),
        kept AS (SELECT * FROM carried ANTI JOIN placeholder USING (key, value)),
        anchor AS (SELECT key, value, min(ident) AS anchor FROM kept GROUP BY key, value)
        SELECT a.anchor AS ident_l, c.ident AS ident_r, c.key
        FROM kept c JOIN anchor a USING (key, value)
        WHERE c.ident <> a.anchor
        ORDER BY 1, 2
        """
    ).df()
