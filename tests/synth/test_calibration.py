"""The default world meets DATA.md's population targets, and its true risk carries signal."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from synthcouncil.calibration import TARGETS

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("figure", sorted(TARGETS))
def test_yearly_mean_is_within_target(default_world: Path, figure: str) -> None:
    figures = json.loads((default_world / "truth" / "calibration.json").read_text())
    mean = float(np.mean(list(figures[figure].values())))
    low, high = TARGETS[figure]
    assert low <= mean <= high, f"{figure}: {mean:.3f} not in [{low}, {high}]"


def test_persistent_absence_is_a_realistic_minority(default_world: Path) -> None:
    figures = json.loads((default_world / "truth" / "calibration.json").read_text())
    assert 0.07 < np.mean(list(figures["persistent_absence_rate"].values())) < 0.16


def test_children_later_in_custody_were_far_more_often_absent_and_suspended(
    default_world: Path,
) -> None:
    shapes = json.loads((default_world / "reports" / "synth_report.json").read_text())["shapes"]
    assert shapes["children_sentenced_to_custody"] >= 30
    for what in ("persistently_absent", "suspended"):
        assert shapes[f"custody_share_{what}"] > 3 * shapes[f"never_convicted_share_{what}"]
    assert 0.2 < shapes["custody_share_children_in_need"] < 0.7
    assert 0.05 < shapes["custody_share_looked_after"] < 0.4
    assert shapes["custody_share_no_earlier_record"] > 0  # some arrive with no history at all


def test_true_risk_ranks_the_children_later_sentenced(default_world: Path) -> None:
    """Risk is the simulation's own hazard: it must rank well, though not perfectly."""
    risk = pd.read_parquet(default_world / "truth" / "risk.parquet")
    records = pd.read_parquet(default_world / "truth" / "records.parquet")
    outcomes = pd.read_csv(default_world / "raw" / "youth_justice" / "yj_outcomes.csv")
    custody = outcomes[outcomes["Tier"].isin(["DTO", "S250"])].merge(
        records[records["source"] == "youth_justice"], left_on="YJ_ID", right_on="source_id"
    )
    custody["date"] = pd.to_datetime(custody["OutcomeDate"], format="%d/%m/%Y")
    risk["as_of"] = pd.to_datetime(risk["as_of"])
    mature = risk[risk["as_of"] <= pd.Timestamp("2019-03-31")]
    pairs = mature.merge(custody[["child_id", "date"]], on="child_id", how="left")
    ahead = (pairs["date"] > pairs["as_of"]) & (
        pairs["date"] <= pairs["as_of"] + pd.DateOffset(months=12)
    )
    label = ahead.groupby([pairs["child_id"], pairs["as_of"]]).any()
    scores = mature.set_index(["child_id", "as_of"])["risk_custody_12m"].loc[label.index]
    auc = roc_auc_score(label.to_numpy(), scores.to_numpy())
    assert 0.8 < auc < 0.995


def test_remand_before_custody_appears_in_ssda903_as_a_leakage_trap(default_world: Path) -> None:
    episodes = pd.concat(
        pd.read_csv(p, dtype=str) for p in (default_world / "raw" / "ssda903").glob("episodes_*")
    )
    remand = episodes[episodes["LS"] == "J1"]
    assert len(remand) > 5
    assert (remand["REC"].fillna("E9").isin(["E9", "X1"])).all()
