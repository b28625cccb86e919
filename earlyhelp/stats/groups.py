"""Counts and rates by group: one set of rate names and one label for a missing group.

The confusion counts come from Fairlearn's MetricFrame, run on the table compressed to one
weighted row per (group, label, flag): the same figures as on the raw rows, in milliseconds
instead of the 10+ seconds per column MetricFrame takes on a million raw rows.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

# Kept beside predictions for fairness analysis and never a model input. Area deprivation
# (IMD quintile) is not a protected characteristic in law, but describes where a child lives
# rather than anything they did, and the board audits by it.
PROTECTED_ATTRIBUTES: tuple[str, ...] = (
    "sex", "ethnicity_group", "disability", "age_band", "imd_quintile",
)
# The attributes the evaluation and the model card break every figure down by.
GROUP_ATTRIBUTES: tuple[str, ...] = ("sex", "ethnicity_group", "disability", "age_band")
# What a group with no recorded value is called in every output.
MISSING_GROUP = "(missing)"


def group_labels(values: pd.Series) -> pd.Series:
    """Group values as text, with missing or empty values named ``MISSING_GROUP``."""
    text = values.astype("string").str.strip()
    return text.mask(text.isna() | (text == ""), MISSING_GROUP).astype(object)


CELLS = ("tp", "fp", "tn", "fn")

# Each rate as (numerator cells, denominator cells) of the confusion table.
RATES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "tpr": (("tp",), ("tp", "fn")),
    "fpr": (("fp",), ("fp", "tn")),
    "fnr": (("fn",), ("tp", "fn")),
    "tnr": (("tn",), ("fp", "tn")),
    "ppv": (("tp",), ("tp", "fp")),
    "npv": (("tn",), ("tn", "fn")),
    "fdr": (("fp",), ("tp", "fp")),
    "for": (("fn",), ("tn", "fn")),
    "selection_rate": (("tp", "fp"), CELLS),
    "prevalence": (("tp", "fn"), CELLS),
}


def confusion_by_group(
    labels: np.ndarray, flagged: np.ndarray, groups: pd.Categorical
) -> pd.DataFrame:
    """One row per group value (sorted), columns ``tp fp tn fn``, via Fairlearn's MetricFrame."""
    from fairlearn.metrics import MetricFrame

    n_groups = len(groups.categories)
    cell = groups.codes.astype(np.int64) * 4 + labels.astype(np.int64) * 2 + flagged
    weights = np.bincount(cell, minlength=n_groups * 4)
    keep = np.flatnonzero(weights)
    code, rest = np.divmod(keep, 4)
    y_true, y_pred = np.divmod(rest, 2)
    frame = MetricFrame(
        metrics={name: _weighted_cell(name) for name in CELLS},
        y_true=y_true,
        y_pred=y_pred,
        sensitive_features=pd.Series(groups.categories[code], name="group"),
        sample_params={name: {"sample_weight": weights[keep]} for name in CELLS},
    )
    counts = frame.by_group.reindex(groups.categories).fillna(0).astype(np.int64)
    return counts[list(CELLS)]


def _weighted_cell(name: str) -> Callable[[np.ndarray, np.ndarray, np.ndarray], int]:
    truth, pred = {"tp": (1, 1), "fp": (0, 1), "tn": (0, 0), "fn": (1, 0)}[name]

    def count(y_true: np.ndarray, y_pred: np.ndarray, sample_weight: np.ndarray) -> int:
        hit = (np.asarray(y_true) == truth) & (np.asarray(y_pred) == pred)
        return int(np.asarray(sample_weight)[hit].sum())

    count.__name__ = name
    return count


def rates(counts: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Every rate from the cells, elementwise; NaN where the denominator is 0."""
    out = {}
    for name, (top, bottom) in RATES.items():
        num = sum(counts[c] for c in top)
        den = sum(counts[c] for c in bottom)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[name] = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
    return out
