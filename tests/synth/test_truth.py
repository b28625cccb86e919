"""The truth: true risk for every child-month, carrying real signal about what happened."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from synthcouncil.calibration import SEED_TARGETS, TARGETS


def test_risk_covers_every_child_month_in_the_window(small_world: Path) -> None:
    risk = pd.read_parquet(small_world / "truth" / "risk.parquet")
    assert list(risk.columns) == ["child_id", "as_of", "risk_custody_12m", "exact"]
    assert risk["risk_custody_12m"].between(0, 1).all()
    as_of = pd.to_datetime(risk["as_of"])
    assert as_of.min() == pd.Timestamp("2015-04-30")
    assert as_of.max() == pd.Timestamp("2020-03-31")
    assert (as_of + pd.Timedelta(days=1)).dt.day.eq(1).all()  # month ends only
    assert not risk.duplicated(["child_id", "as_of"]).any()
    per_month = risk.groupby("as_of").size()
    assert per_month.min() > 0.8 * per_month.max()


def test_exact_truth_covers_the_evaluated_months(small_world: Path) -> None:
    """Roll-outs for the 30 months ending a year before the extract (the model's test year and
    calibration months); the held-state approximation elsewhere."""
    risk = pd.read_parquet(small_world / "truth" / "risk.parquet")
    months = pd.to_datetime(risk.loc[risk["exact"], "as_of"]).drop_duplicates().sort_values()
    assert len(months) == 30
    assert months.iloc[0] == pd.Timestamp("2016-10-31")
    assert months.iloc[-1] == pd.Timestamp("2019-03-31")
    per_month = risk[risk["exact"]].groupby("as_of")["risk_custody_12m"]
    assert (per_month.sum() > 0).all()
    report = json.loads((small_world / "reports" / "synth_report.json").read_text())
    truth = report["truth"]
    assert truth["replicates"] >= 2 and truth["months"] == 30
    assert 0 < truth["top_mean_stderr"] < truth["top_mean_risk"]


def test_true_risk_is_higher_before_custody(small_world: Path) -> None:
    risk = pd.read_parquet(small_world / "truth" / "risk.parquet")
    children = pd.read_parquet(small_world / "truth" / "children.parquet")
    risk = risk.merge(children[["child_id", "sex"]], on="child_id")
    assert risk.loc[risk["sex"] == "M", "risk_custody_12m"].mean() > (
        2 * risk.loc[risk["sex"] == "F", "risk_custody_12m"].mean()
    )
    top = risk["risk_custody_12m"] > risk["risk_custody_12m"].quantile(0.999)
    assert risk.loc[top, "risk_custody_12m"].mean() > 50 * risk["risk_custody_12m"].mean() / 10


def test_calibration_file_has_every_figure_per_financial_year(small_world: Path) -> None:
    figures = json.loads((small_world / "truth" / "calibration.json").read_text())
    assert set(TARGETS) | set(SEED_TARGETS) | {"persistent_absence_rate"} <= set(figures)
    for key in [*TARGETS, *SEED_TARGETS]:
        assert list(figures[key]) == ["2015-16", "2016-17", "2017-18", "2018-19", "2019-20"]
    assert 0.02 < figures["persistent_absence_rate"]["2018-19"] < 0.3


def test_report_counts_every_file(small_world: Path) -> None:
    report = json.loads((small_world / "reports" / "synth_report.json").read_text())
    assert report["step"] == "synth" and report["seed"] == 7
    written = {
        str(p.relative_to(small_world / "raw"))
        for p in (small_world / "raw").rglob("*") if p.is_file()
    }
    assert written <= set(report["counts"])
    assert report["counts"]["social_care/children.csv"] > 0
