"""A month's monitoring results built from a small made-up population, with small cells.

The counts are consistent by construction (they come from one table of child-months), so the
board's report built from them exercises disclosure control as a real month would.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from earlyhelp.stats.groups import PROTECTED_ATTRIBUTES
from monitoring.drift import ColumnDrift, DriftResult
from monitoring.outcomes import group_fairness, period_outcomes, rate
from monitoring.report import (
    Alarm,
    BandCheck,
    Fairness,
    ModelFacts,
    MonitorReport,
    Outcomes,
    Volume,
)

GROUPS = {
    "sex": (["F", "M"], [0.49, 0.51]),
    "ethnicity_group": (["White", "Asian", "Black", "Mixed", "Other"],
                        [0.8, 0.08, 0.06, 0.04, 0.02]),
    "disability": (["no", "yes"], [0.95, 0.05]),
    "age_band": (["10-13", "14-15", "16-17"], [0.5, 0.25, 0.25]),
    "imd_quintile": (["1", "2", "3", "4", "5"], [0.2] * 5),
}


def population(n: int, seed: int, months: list[date], capacity: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"child_key": [f"k{i}" for i in range(n * len(months))],
                          "as_of": np.repeat(months, n)})
    for column, (values, p) in GROUPS.items():
        frame[column] = rng.choice(values, len(frame), p=p)
    frame["score"] = rng.beta(0.5, 60, len(frame))
    frame["custody_12m"] = (rng.random(len(frame)) < frame["score"] * 3).astype(int)
    frame["flagged"] = False
    for _, rows in frame.groupby("as_of"):
        frame.loc[rows["score"].nlargest(capacity).index, "flagged"] = True
    for name, p in (("first_time_entry_12m", 0.01), ("permanent_exclusion", 0.003),
                    ("child_protection_plan", 0.004), ("came_into_care", 0.002),
                    ("missing_episode", 0.004)):
        frame[name] = (rng.random(len(frame)) < p + 0.2 * frame["flagged"]).astype(int)
    return frame


def monitor_report(warehouse: Path, as_of: date, seed: int = 3, n: int = 4_000,
                   capacity: int = 8) -> MonitorReport:
    matured = [date(2018, m, 28) for m in (1, 2, 3)]
    past = population(n, seed, matured, capacity)
    now = population(n, seed + 1, [as_of], capacity)
    bands = [BandCheck(column=c, group=str(g), rate="selection_rate", period="month",
                       current=rate(int(rows["flagged"].sum()), len(rows)), band_low=0.0,
                       band_high=1.0, outside=False)
             for c in PROTECTED_ATTRIBUTES for g, rows in now.groupby(c)]
    realised = period_outcomes(past, "custody_12m", capacity)
    return MonitorReport(
        as_of=as_of, warehouse=str(warehouse), started_at=datetime(2020, 1, 1),
        model=ModelFacts(name="m", version="3", run_id="r" * 32, source="registry",
                         trained_at=None, inputs=2),
        population=len(now), reference_rows=100, reference_months=matured,
        drift=DriftResult(
            dataset_drift=False, drifted_features=[], drifted_share=0.0,
            columns=[ColumnDrift(column="a", method="Wasserstein distance (normed)",
                                 distance=0.02, drifted=False)],
            prediction=ColumnDrift(column="score", method="Wasserstein distance (normed)",
                                   distance=0.01, drifted=False), segments=[]),
        volume=Volume(capacity=capacity, population=len(now), reference_cutoff=0.1,
                      above_cutoff=9, ratio=9 / capacity),
        mix=[], fairness=Fairness(matured_month=[], rolling_12=group_fairness(past, "custody_12m"),
                                  bands=bands),
        outcomes=Outcomes(matured_month=matured[-1], label="custody_12m",
                          promised_recall=rate(3, 20), promised_recall_interval=(0.05, 0.3),
                          realised_month=None, realised_rolling_12=realised),
        alarms=[Alarm(kind="alert_volume", subject="volume", message="made up")],
        evidently_html="none")
