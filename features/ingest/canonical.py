"""Shape validated values into a warehouse table's canonical columns, with provenance."""

from __future__ import annotations

from datetime import date

import pandas as pd

from features.ingest.readers import ROW_REF, RawTable
from features.ingest.specs import TableSpec
from features.ingest.validate import Verdict
from features.ingest.warehouse import columns


def recorded_dates(spec: TableSpec, values: pd.DataFrame, extract_date: date) -> pd.Series:
    """The recorded date by the contract's rules; never earlier than known, so it cannot leak."""
    recorded = pd.Series(pd.NaT, index=values.index, dtype="datetime64[s]")
    if spec.recorded is not None:
        recorded = values[spec.recorded].astype("datetime64[s]")
    if spec.recorded_fallback is not None:
        column, days = spec.recorded_fallback
        recorded = recorded.fillna(values[column] + pd.Timedelta(days=days))
    return recorded.fillna(pd.Timestamp(extract_date)).astype("datetime64[s]")


def canonical(table: RawTable, verdict: Verdict, file: str, extract_date: date) -> pd.DataFrame:
    spec, values = table.spec, verdict.values
    index = values.index
    out: dict[str, object] = {
        c.target: values[c.source]
        for c in spec.columns
        if c.target is not None and c.target != "recorded_date"
    }
    if spec.id_system is not None and spec.id_column is not None:
        out["id_system"] = spec.id_system
        out["source_id"] = values[spec.id_column]
    for target, source in spec.copies.items():
        out[target] = out[source]
    out["recorded_date"] = recorded_dates(spec, values, extract_date)
    out["file"] = file
    out["row_ref"] = table.frame[ROW_REF]
    out["extract_date"] = pd.Timestamp(extract_date)
    blank = pd.Series(None, index=index, dtype=object)
    return pd.DataFrame({name: out.get(name, blank) for name in columns(spec.target)}, index=index)
