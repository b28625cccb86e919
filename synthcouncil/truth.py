"""What a real council never has: who each record really is, and each child's true risk."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from synthcouncil.offending import CUSTODY_TIERS
from synthcouncil.rollout import HORIZON, MonthTruth, Rollouts
from synthcouncil.simulate import World, age_at, present_at

TOP_SHARE = 0.001  # "near the top of the ranking": the riskiest 0.1% of child-months
TOP_PER_MONTH = 20  # the model's default capacity: flags a month


def write_truth(
    world: World, records: pd.DataFrame, truth: Path, exact: dict[int, MonthTruth]
) -> dict[str, int]:
    truth.mkdir(parents=True, exist_ok=True)
    records.to_parquet(truth / "records.parquet", index=False)
    risk_rows = _write_risk(world, truth / "risk.parquet", exact)
    children = _children(world)
    children.to_parquet(truth / "children.parquet", index=False)
    return {
        "truth/records.parquet": len(records),
        "truth/risk.parquet": risk_rows,
        "truth/children.parquet": len(children),
    }


def _merged(world: World, exact: dict[int, MonthTruth]) -> tuple[np.ndarray, np.ndarray]:
    """The risk grid with the roll-out figures in, and which cells hold an exact figure (the
    roll-outs, and children under 9 in those months, whose risk is exactly 0)."""
    risk = world.risk.copy()
    is_exact = np.zeros(risk.shape, bool)
    for m, month in exact.items():
        col = m - world.cal.truth_first
        risk[month.child, col] = month.risk
        is_exact[:, col] = True
        is_exact[month.held, col] = False
    return risk, is_exact


def _write_risk(world: World, path: Path, exact: dict[int, MonthTruth]) -> int:
    """One row per child and month end in the window while the child lived here aged 0-17."""
    cal = world.cal
    risk, is_exact = _merged(world, exact)
    child, month = np.nonzero(world.present)
    as_of = cal.month_end(cal.truth_first + month.astype(np.int64))
    table = pa.table({
        "child_id": pa.array(world.pop.child_id[child], pa.int64()),
        "as_of": pa.array(as_of, pa.date32()),
        "risk_custody_12m": pa.array(risk[child, month], pa.float32()),
        "exact": pa.array(is_exact[child, month], pa.bool_()),
    })
    pq.write_table(table, path)
    return table.num_rows


def _children(world: World) -> pd.DataFrame:
    pop, cal = world.pop, world.cal
    # Present at any month of the extracts: the window, and the history months before it.
    ever = world.present.any(axis=1)
    for m in range(cal.first, cal.truth_first):
        ever |= present_at(cal, pop, m, age_at(cal, pop, m))
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


def truth_summary(world: World, rollouts: Rollouts) -> dict[str, float]:
    """Roll-outs, their time, the standard error near the top of the ranking, and the test
    year's expected custody child-months (sum of the truth) against the realised count."""
    if not rollouts.results:
        return {}
    months = sorted(rollouts.results)
    risk = np.concatenate([rollouts.results[m].risk for m in months])
    stderr = np.concatenate([rollouts.results[m].stderr for m in months])
    top = risk >= np.quantile(risk, 1 - TOP_SHARE)
    test = months[-HORIZON:]
    expected = float(sum(rollouts.results[m].risk.sum() for m in test))
    realised = sum(_custody_ahead(world, m, rollouts.results[m].child) for m in test)
    # The riskiest TOP_PER_MONTH children of each test month: is the top calibrated too?
    top_expected = top_realised = 0.0
    for m in test:
        month = rollouts.results[m]
        best = np.argsort(-month.risk)[:TOP_PER_MONTH]
        top_expected += float(month.risk[best].sum())
        top_realised += _custody_ahead(world, m, month.child[best])
    return {
        "replicates": rollouts.replicates,
        "months": len(months),
        "seconds": round(rollouts.seconds, 2),
        "top_share": TOP_SHARE,
        "top_mean_risk": round(float(risk[top].mean()), 4),
        "top_mean_stderr": round(float(stderr[top].mean()), 4),
        "top_max_stderr": round(float(stderr[top].max()), 4),
        "test_year_expected_custody_child_months": round(expected, 2),
        "test_year_realised_custody_child_months": float(realised),
        "test_year_top_expected": round(top_expected, 2),
        "test_year_top_realised": float(top_realised),
    }


def _custody_ahead(world: World, m: int, children: np.ndarray) -> int:
    """How many of ``children`` had a custodial sentence (while living here) in the 12
    months after month ``m``."""
    yj = world.log.frame("yj")
    hit = yj[yj["tier"].isin(CUSTODY_TIERS) & yj["present"].astype(bool)
             & (yj["month"] > m) & (yj["month"] <= m + HORIZON)]
    return int(np.isin(children, hit["child"].to_numpy()).sum())
