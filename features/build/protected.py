"""Protected attributes kept beside the features for fairness analysis, never as model inputs.

Sex, ethnicity group and disability are the most common value across the child's person
records (they describe the child, not a moment). Area deprivation follows the postcode most
recently recorded by ``as_of``; the age band follows age at ``as_of``.
"""

from __future__ import annotations

import duckdb

from earlyhelp.stats.groups import PROTECTED_ATTRIBUTES
from features.build.codes import (
    ETHNICITY_GROUPS,
    NO_DISABILITY_CODES,
    UNKNOWN_DISABILITY_CODES,
    sql_list,
)

PROTECTED_COLUMNS = PROTECTED_ATTRIBUTES


def _ethnicity_case(column: str) -> str:
    whens = " ".join(
        f"WHEN {column} IN {sql_list(codes)} THEN '{group}'"
        for group, codes in ETHNICITY_GROUPS.items()
    )
    return f"CASE {whens} END"


def create_child_attributes(con: duckdb.DuckDBPyConnection) -> None:
    """``child_attributes``: sex, ethnicity group, disability (yes/no/NULL) per child."""
    code = "upper(trim(disability))"
    con.execute(
        "CREATE OR REPLACE TEMP TABLE child_attributes AS SELECT child_key, "
        "mode(sex) FILTER (WHERE sex IN ('M', 'F')) AS sex, "
        "mode(eth) FILTER (WHERE eth IS NOT NULL) AS ethnicity_group, "
        f"CASE WHEN bool_or({code} NOT IN {sql_list(NO_DISABILITY_CODES)} "
        f"AND {code} NOT IN {sql_list(UNKNOWN_DISABILITY_CODES)}) THEN 'yes' "
        f"WHEN bool_or({code} IN {sql_list(NO_DISABILITY_CODES)}) THEN 'no' END AS disability "
        f"FROM (SELECT *, {_ethnicity_case('upper(trim(ethnicity))')} AS eth FROM person_rows) "
        "GROUP BY child_key"
    )


def create_imd_reference(con: duckdb.DuckDBPyConnection, has_postcodes: bool) -> None:
    """``imd_ref``: normalised postcode -> IMD decile (empty without the reference table)."""
    source = (
        "SELECT upper(replace(postcode, ' ', '')) AS postcode_key, "
        "min(imd_decile) AS imd_decile FROM postcodes GROUP BY 1"
        if has_postcodes
        else "SELECT NULL::VARCHAR AS postcode_key, NULL::INTEGER AS imd_decile LIMIT 0"
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE imd_ref AS {source}")


def protected_sql() -> str:
    """SQL selecting the ``protected_attributes`` rows for the population."""
    return (
        "WITH pc AS (SELECT child_key, recorded_date, "
        "upper(replace(postcode, ' ', '')) AS postcode_key FROM person_rows "
        "WHERE postcode IS NOT NULL AND trim(postcode) <> ''), "
        "latest AS (SELECT p.child_key, p.as_of, p.age_years, pc.postcode_key "
        "FROM population p ASOF LEFT JOIN pc "
        "ON p.child_key = pc.child_key AND p.as_of >= pc.recorded_date) "
        "SELECT l.child_key, l.as_of, a.sex, a.ethnicity_group, a.disability, "
        "CASE WHEN l.age_years <= 13 THEN '10-13' WHEN l.age_years <= 15 THEN '14-15' "
        "ELSE '16-17' END AS age_band, "
        "CAST((r.imd_decile + 1) // 2 AS INTEGER) AS imd_quintile "
        "FROM latest l LEFT JOIN child_attributes a USING (child_key) "
        "LEFT JOIN imd_ref r ON r.postcode_key = l.postcode_key"
    )
