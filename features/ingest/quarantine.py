"""Rows that fail validation, kept whole (as JSON) with the reason and the field."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd

from features.ingest.readers import ROW_REF, RawTable
from features.ingest.validate import Verdict


def quarantine_rows(
    table: RawTable, verdict: Verdict, file: str, extract_date: date
) -> pd.DataFrame:
    bad = ~verdict.valid
    if not bad.any():
        return pd.DataFrame()
    raw = table.frame.loc[bad, [c.source for c in table.spec.columns if c.source in table.frame]]
    as_json = [json.dumps(r, ensure_ascii=False) for r in raw.to_dict("records")]
    return pd.DataFrame(
        {
            "file": file,
            "row_ref": table.frame.loc[bad, ROW_REF].astype(str),
            "detected_table": table.spec.name,
            "field": verdict.field[bad].astype(object),
            "reason": verdict.reason[bad].astype(object),
            "value": verdict.value[bad].astype(object),
            "raw": pd.Series(as_json, index=raw.index, dtype=object),
            "extract_date": pd.Timestamp(extract_date),
        },
        index=raw.index,
    )
