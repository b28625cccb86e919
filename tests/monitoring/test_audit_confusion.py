"""Confusion counts and flag rules against tables worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from earlyhelp.stats.groups import confusion_by_group
from monitoring.audit.confusion import flag_at_threshold, flag_top_k
from monitoring.audit.pipeline import audit_frame
from tests.monitoring.builders import frame_from_cells, spec


def test_counts_and_rates_match_a_hand_computed_table() -> None:
    # Girls: 3 found, 1 flagged wrongly, 6 left alone rightly, 2 missed (n = 12).
    frame = frame_from_cells({"F": (3, 1, 6, 2), "M": (4, 4, 20, 4)})
    result = audit_frame(frame, spec(["sex"]))
    girls = result.groups["sex"]["F"]
    assert (girls.n, girls.positives, girls.flagged) == (12, 5, 4)
    assert (girls.tp, girls.fp, girls.tn, girls.fn) == (3, 1, 6, 2)
    assert girls.tpr == pytest.approx(3 / 5)
    assert girls.fnr == pytest.approx(2 / 5)
    assert girls.fpr == pytest.approx(1 / 7)
    assert girls.tnr == pytest.approx(6 / 7)
    assert girls.ppv == pytest.approx(3 / 4)
    assert girls.fdr == pytest.approx(1 / 4)
    assert girls.npv == pytest.approx(6 / 8)
    assert girls.for_ == pytest.approx(2 / 8)
    assert girls.selection_rate == pytest.approx(4 / 12)
    assert girls.prevalence == pytest.approx(5 / 12)
    assert result.overall.n == 44 and result.overall.tp == 7 and result.overall.fn == 6


def test_disparity_is_the_ratio_to_the_largest_group_by_default() -> None:
    frame = frame_from_cells({"F": (3, 1, 6, 2), "M": (4, 4, 20, 4)})
    result = audit_frame(frame, spec(["sex"]))
    assert result.reference["sex"] == "M"  # 32 boys, 12 girls
    assert result.disparities["sex"]["F"]["fnr"] == pytest.approx((2 / 5) / (4 / 8))
    assert result.disparities["sex"]["M"]["fnr"] == pytest.approx(1.0)


def test_named_reference_group_is_used() -> None:
    frame = frame_from_cells({"F": (3, 1, 6, 2), "M": (4, 4, 20, 4)})
    result = audit_frame(frame, spec(["sex"], reference={"sex": "F"}))
    assert result.reference["sex"] == "F"
    assert result.disparities["sex"]["M"]["fpr"] == pytest.approx((4 / 24) / (1 / 7))


def test_threshold_flags_scores_at_or_above_it() -> None:
    flags = flag_at_threshold(np.array([0.2, 0.5, 0.7]), 0.5)
    assert flags.flagged.tolist() == [False, True, True]
    assert ">= 0.5" in flags.rule


def test_top_k_breaks_ties_against_the_tool() -> None:
    scores = np.array([0.9, 0.5, 0.5, 0.5, 0.1])
    labels = np.array([1, 1, 0, 1, 0])
    flags = flag_top_k(scores, labels, k=2)
    # One place left among three tied rows: the child who did not go on to the outcome takes
    # it (a false positive) and the two who did stay unflagged (missed).
    assert flags.flagged.tolist() == [True, False, True, False, False]
    assert "pessimistic" in flags.rule


def test_top_k_flags_exactly_k_and_everything_when_k_is_too_big() -> None:
    rng = np.random.default_rng(3)
    scores = rng.integers(0, 5, size=200).astype(float)
    labels = rng.integers(0, 2, size=200)
    assert flag_top_k(scores, labels, k=37).flagged.sum() == 37
    assert flag_top_k(scores, labels, k=500).flagged.all()


def test_missing_group_values_form_their_own_group() -> None:
    frame = frame_from_cells({"F": (3, 1, 6, 2), "": (1, 1, 1, 1)})
    frame["sex"] = frame["sex"].replace("", None)
    result = audit_frame(frame, spec(["sex"]))
    assert set(result.groups["sex"]) == {"F", "(missing)"}
    assert result.groups["sex"]["(missing)"].n == 4


def test_confusion_by_group_counts_every_row_once() -> None:
    labels = np.array([1, 0, 1, 0, 1, 1], dtype=np.int8)
    flagged = np.array([True, True, False, False, True, False])
    groups = pd.Categorical(["a", "a", "a", "b", "b", "c"])
    counts = confusion_by_group(labels, flagged, groups)
    assert counts.loc["a"].tolist() == [1, 1, 0, 1]
    assert counts.loc["b"].tolist() == [1, 0, 1, 0]
    assert counts.loc["c"].tolist() == [0, 0, 0, 1]
