"""Which group each child-month belongs to, for segment drift and the mix of who is flagged.

Sex, ethnicity group, disability, age band and deprivation come from ``protected_attributes``
(the features step's own table); locality and school are read here from the warehouse: the
postcode most recently recorded by the as-of date mapped to its locality (the council's
postcode reference), and the school of the latest school census record by then. Both are
places a recording practice changes at once (one school's return, one locality team).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pandas as pd

from earlyhelp.stats.groups import MISSING_GROUP, PROTECTED_ATTRIBUTES, group_labels

PLACE_COLUMNS = ("locality", "school")
SEGMENT_COLUMNS = (*PROTECTED_ATTRIBUTES, *PLACE_COLUMNS)
PERSON_TABLES = ("person_social_care", "person_school", "person_early_help",
                 "person_youth_justice")


def segment_labels(warehouse: Path, months: Sequence[date]) -> pd.DataFrame:
    """child_key, as_of and every ``SEGMENT_COLUMNS`` column for the population of ``months``."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = {row[0] for row in con.execute("SHOW TABLES").fetchall()}
        con.execute("CREATE TEMP TABLE months AS SELECT unnest(?::DATE[]) AS as_of",
                    [list(months)])
        frame = con.execute(
            "SELECT * FROM protected_attributes WHERE as_of IN (SELECT as_of FROM months)"
        ).df()
        persons = " UNION ALL ".join(
            f"SELECT m.child_key, p.recorded_date, p.postcode, "
            f"{'p.school_urn' if t == 'person_school' else 'NULL'} AS school_urn FROM {t} p "
            "JOIN master_index m USING (id_system, source_id)"
            for t in PERSON_TABLES if t in tables
        )
        has_postcodes = "postcodes" in tables
        places = con.execute(
            f"WITH person AS ({persons}), "
            "pop AS (SELECT child_key, as_of FROM protected_attributes "
            "WHERE as_of IN (SELECT as_of FROM months)), "
            "pc AS (SELECT child_key, recorded_date, upper(replace(postcode, ' ', '')) AS pk "
            "FROM person WHERE postcode IS NOT NULL AND trim(postcode) <> ''), "
            "sc AS (SELECT child_key, recorded_date, school_urn FROM person "
            "WHERE school_urn IS NOT NULL), "
            "a AS (SELECT pop.child_key, pop.as_of, pc.pk FROM pop ASOF LEFT JOIN pc "
            "ON pop.child_key = pc.child_key AND pop.as_of >= pc.recorded_date), "
            "b AS (SELECT pop.child_key, pop.as_of, sc.school_urn FROM pop ASOF LEFT JOIN sc "
            "ON pop.child_key = sc.child_key AND pop.as_of >= sc.recorded_date) "
            "SELECT a.child_key, a.as_of, "
            + ("r.locality" if has_postcodes else "NULL") + " AS locality, "
            "CAST(b.school_urn AS VARCHAR) AS school FROM a JOIN b USING (child_key, as_of) "
            + ("LEFT JOIN (SELECT upper(replace(postcode, ' ', '')) AS pk, min(locality) "
               "AS locality FROM postcodes GROUP BY 1) r USING (pk)" if has_postcodes else "")
        ).df()
    frame = frame.merge(places, on=["child_key", "as_of"], how="left")
    frame["as_of"] = pd.to_datetime(frame["as_of"]).dt.date
    for column in SEGMENT_COLUMNS:
        frame[column] = group_labels(frame[column]) if column in frame else MISSING_GROUP
    return frame[["child_key", "as_of", *SEGMENT_COLUMNS]]
