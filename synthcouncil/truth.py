"""What a real council never has: who each record really is, and each child's true risk."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from synthcouncil.simulate import World


def write_truth(world: World, records: pd.DataFrame, truth: Path) -> dict[str, int]:
    truth.mkdir(parents=True, exist_ok=True)
    records.to_parquet(truth / "records.parquet", index=False)
    risk_rows = _write_risk(world, truth / "risk.parquet")
    children = _children(world)
    children.to_parquet(truth / "children.parquet", index=False)
    return {
        "truth/records.parquet": len(records),
        "truth/risk.parquet": risk_rows,
        "truth/children.parquet": len(children),
    }


def _write_risk(world: World, path: Path) -> int:
    """One row per child and month end in the window while the child lived here aged 0-17."""
    cal = world.cal
    child, month = np.nonzero(world.present)
    as_of = cal.month_end(cal.first + month.astype(np.int64))
    table = pa.table({
        "child_id": pa.array(world.pop.child_id[child], pa.int64()),
        "as_of": pa.array(as_of, pa.date32()),
        "risk_custody_12m": pa.array(world.risk[child, month], pa.float32()),
    })
    pq.write_table(table, path)
    return table.num_rows


def _children(world: World) -> pd.DataFrame:
    pop, cal = world.pop, world.cal
    ever = world.present.any(axis=1)
    return pd.DataFrame({
        "child_id": pop.child_id,
        "dob": pop.dob,
        "sex": pop.sex,
        "ethnicity": pop.ethnicity,
        "disability": pop.disability,
        "forename": pop.forename,
        "surname": pop.surname,
        "upn": pop.upn,
        "household": pop.household,
        "imd_decile": pop.decile,
        "arrived": np.where(
            pop.arrive > cal.first, cal.month_start(pop.arrive), np.datetime64("NaT")
        ),
        "left": np.where(pop.leave <= cal.last, cal.month_start(np.minimum(pop.leave, cal.last)),
                         np.datetime64("NaT")),
    })[ever].reset_index(drop=True)
