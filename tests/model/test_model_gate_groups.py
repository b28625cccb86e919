"""The gate sees who is flagged: share of flags against share of outcomes, and calibration in
the large, for every group (groups without outcomes included)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from earlyhelp.settings import ModelSettings
from model.evaluation import evaluate_scores
from model.gate import group_checks, overridable, run_gate
from model.report import AcrossWorlds, EvaluationReport, Interval, MetricBlock, PairedComparison

MONTHS = [date(2020, m, 28) for m in range(1, 7)]


def _frame(n: int = 6000, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sex = rng.choice(["F", "M"], n)
    # Outcomes mostly among boys: girls are half the rows but few of the outcomes.
    risk = np.where(sex == "M", 0.04, 0.004) * rng.gamma(2.0, 0.5, n)
    return pd.DataFrame({
        "child_key": [f"k{i % (n // 6)}" for i in range(n)],
        "as_of": np.repeat(MONTHS, n // 6), "y": (rng.random(n) < risk).astype(int),
        "sex": sex, "ethnicity_group": "White", "disability": "None", "age_band": "13-15",
        "risk": risk,
    })


def _block(frame: pd.DataFrame, scores: np.ndarray) -> MetricBlock:
    return evaluate_scores(frame, scores, capacity=40, latest_months=tuple(MONTHS[-3:]),
                           n_boot=100, seed=1, min_group_positives=5)


def _report(block: MetricBlock, winner: str = "index") -> EvaluationReport:
    return EvaluationReport(label="y", capacity=40, test_months=MONTHS, baseline_rule="rule",
                            winner=winner, model=block, baseline=block)


def test_gate_refuses_a_challenger_built_to_over_flag_one_group() -> None:
    frame = _frame()
    fair = _block(frame, frame["risk"].to_numpy())
    assert not [c for c in group_checks(_report(fair), ModelSettings()) if not c.passed]
    # Girls' scores pushed to the top whatever their outcome: most flags, few outcomes.
    skewed_scores = frame["risk"].to_numpy() + np.where(frame["sex"] == "F", 1.0, 0.0)
    skewed = _block(frame, skewed_scores / skewed_scores.max())
    failed = {c.name: c for c in group_checks(_report(skewed), ModelSettings()) if not c.passed}
    assert "flag_share.sex.F" in failed
    assert "of flags" in failed["flag_share.sex.F"].detail
    verdict = run_gate(_report(skewed), None, ModelSettings())
    assert not verdict.passed and "flag_share.sex.F" in {c.name for c in verdict.failures}


def test_a_group_without_outcomes_is_checked_not_skipped() -> None:
    frame = _frame()
    frame.loc[frame["sex"] == "F", "y"] = 0
    scores = frame["risk"].to_numpy() + np.where(frame["sex"] == "F", 1.0, 0.0)
    block = _block(frame, scores / scores.max())
    assert block.by_group["sex"]["F"].positives == 0
    checks = {c.name: c for c in group_checks(_report(block), ModelSettings())}
    assert not checks["flag_share.sex.F"].passed
    # The model expects many outcomes among girls and there are none: miscalibrated.
    assert not checks["group_calibration.sex.F"].passed
    assert all(overridable(checks[n]) for n in ("flag_share.sex.F", "group_calibration.sex.F"))


def test_a_learned_challenger_needs_to_have_beaten_the_index_across_worlds() -> None:
    frame = _frame()
    block = _block(frame, frame["risk"].to_numpy())
    no_evidence = run_gate(_report(block, winner="logistic"), None, ModelSettings())
    check = {c.name: c for c in no_evidence.checks}["learned_beats_index_across_worlds"]
    assert not check.passed and not overridable(check)
    ratio = PairedComparison(numerator="model", denominator="index", worlds=10,
                             median_ratio=1.4, interval=Interval(low=1.1, high=1.7))
    report = _report(block, winner="logistic")
    report.across_worlds = AcrossWorlds(source="worlds.json", learned_over_index=ratio,
                                        learned_is_champion=True, reason="beat it")
    check = {c.name: c for c in run_gate(report, None, ModelSettings()).checks}[
        "learned_beats_index_across_worlds"]
    assert check.passed
