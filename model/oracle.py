"""The world's true risk as a score: the ceiling no model on recorded data can pass.

Read only when ``--truth DIR`` is given (tests and evaluation; never while scoring). Each
child_key maps to the simulation's child_id by majority vote over its source identifiers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from earlyhelp.errors import InputError


def child_key_to_child_id(warehouse: Path, truth: Path) -> pd.DataFrame:
    """``child_key, child_id`` pairs: the truth child most of a key's identifiers belong to."""
    import duckdb

    records_path = truth / "records.parquet"
    if not records_path.exists():
        raise InputError(
            f"{records_path}: truth records not found (is --truth the world's truth/?)"
        )
    records = pd.read_parquet(records_path, columns=["id_system", "source_id", "child_id"])
    with duckdb.connect(str(warehouse), read_only=True) as con:
        index = con.execute("SELECT id_system, source_id, child_key FROM master_index").df()
    joined = index.merge(records.drop_duplicates(), on=["id_system", "source_id"])
    votes = joined.groupby(["child_key", "child_id"]).size().rename("votes").reset_index()
    votes = votes.sort_values(["child_key", "votes", "child_id"], ascending=[True, False, True])
    return votes.drop_duplicates("child_key")[["child_key", "child_id"]]


def oracle_scores(frame: pd.DataFrame, warehouse: Path, truth: Path) -> tuple[np.ndarray, float]:
    """True risk for each row of ``frame`` (0 where unmapped) and the share of rows mapped."""
    risk_path = truth / "risk.parquet"
    if not risk_path.exists():
        raise InputError(f"{risk_path}: true risk not found")
    keys = child_key_to_child_id(warehouse, truth)
    risk = pd.read_parquet(risk_path, columns=["child_id", "as_of", "risk_custody_12m"])
    risk["as_of"] = pd.to_datetime(risk["as_of"]).dt.date
    rows = frame[["child_key", "as_of"]].merge(keys, on="child_key", how="left")
    rows = rows.merge(risk, on=["child_id", "as_of"], how="left")
    mapped = rows["risk_custody_12m"].notna().to_numpy()
    return rows["risk_custody_12m"].fillna(0.0).to_numpy(float), float(mapped.mean())
