"""The vulnerability index: a count of recorded risk factors, as councils' profiling tools use.

Eleven factors, each read off one or more registry features; a child's score is how many are
present. No protected characteristic is among them. It is a full candidate: fitted and
calibrated like the others, logged as the same pyfunc, and it may be champion. Its reasons
are simply the factors present.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from earlyhelp.errors import InputError
from model.candidates import RuleBaseline, base_classifier


@dataclass(frozen=True)
class Factor:
    """Present when any of ``features`` exceeds ``above``; ``words`` is the reason shown."""

    name: str
    features: tuple[str, ...]
    words: str
    above: float = 0.0


FACTORS: tuple[Factor, ...] = (
    Factor("suspension_12m", ("suspensions_12m",), "Suspended from school in the last 12 months"),
    Factor("permanent_exclusion", ("permanent_exclusions_ever",),
           "Permanently excluded from school"),
    Factor("persistent_absence", ("persistent_absence_last_term",),
           "Persistently absent from school in the latest term recorded"),
    Factor("cin_or_cp_open", ("cin_open_now", "cp_plan_now"),
           "Open as a child in need or on a child protection plan now"),
    Factor("looked_after", ("cla_now",), "Looked after now"),
    Factor("missing_24m", ("missing_24m",), "Reported missing in the last 24 months"),
    Factor("exploitation_or_gangs",
           ("factor_exploitation_24m", "factor_criminal_exploitation_24m", "factor_gangs_24m"),
           "An assessment in the last 24 months recorded exploitation or gang involvement"),
    Factor("substance_misuse", ("factor_child_substance_24m",),
           "An assessment in the last 24 months recorded the child's own drug or alcohol misuse"),
    Factor("domestic_abuse", ("factor_domestic_abuse_24m",),
           "An assessment in the last 24 months recorded domestic abuse"),
    Factor("early_help_12m", ("eh_episodes_12m", "eh_open_now"),
           "Early help in the last 12 months"),
    Factor("age_14_plus", ("age_years",), "Aged 14 or over", above=13.999),
)


def index_columns(available: Sequence[str]) -> tuple[list[str], list[int], list[float]]:
    """The index's input columns (those present), the factor each belongs to, its threshold."""
    have = set(available)
    columns, groups, thresholds = [], [], []
    for i, factor in enumerate(FACTORS):
        for feature in factor.features:
            if feature in have:
                columns.append(feature)
                groups.append(i)
                thresholds.append(factor.above)
    return columns, groups, thresholds


class VulnerabilityIndex(RuleBaseline):
    """Score = how many factors are present; a factor is present when any of its columns
    exceeds its threshold.

    ``groups[j]`` names the factor column ``j`` belongs to (default: each column its own) and
    ``thresholds[j]`` its threshold (default 0). ``predict_proba`` is a logistic curve in the
    count, fitted on the training rows, so the ranking is the count's own (more factors,
    higher score) and the score is a probability once calibrated.
    """

    def __init__(self, groups: Sequence[int] | None = None,
                 thresholds: Sequence[float] | None = None) -> None:
        self.groups = groups
        self.thresholds = thresholds

    def _present(self, X: np.ndarray) -> np.ndarray:
        n = X.shape[1]
        groups = np.arange(n) if self.groups is None else np.asarray(self.groups, dtype=int)
        above = np.zeros(n) if self.thresholds is None else np.asarray(self.thresholds, float)
        if groups.size != n or above.size != n:
            raise ValueError(f"groups and thresholds must have one entry per column ({n})")
        hits = np.nan_to_num(X, nan=-np.inf) > above
        present = np.zeros((X.shape[0], int(groups.max()) + 1 if n else 0), dtype=bool)
        for j in range(n):
            present[:, groups[j]] |= hits[:, j]
        return present

    def _score(self, X: np.ndarray) -> np.ndarray:
        return self._present(X).sum(axis=1)

    def factor_count(self, X: np.ndarray) -> np.ndarray:
        """How many factors each row of a checked float matrix has (``model.fastpath``)."""
        return self._score(X)

    def factors_present(self, X: Any) -> np.ndarray:
        """Rows x factors: which factors each row has (the index's reasons)."""
        check_is_fitted(self)
        return self._present(validate_data(self, X, reset=False, ensure_all_finite="allow-nan"))

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> VulnerabilityIndex:
        super().fit(X, y, sample_weight)
        X, y = validate_data(self, X, y, ensure_all_finite="allow-nan", reset=False)
        weights = _check_sample_weight(sample_weight, X, ensure_non_negative=True)
        self.curve_ = None
        if self.classes_.size == 2:
            score = self._score(X).astype(float)[:, None]
            self.curve_ = LogisticRegression(C=1e6).fit(
                score, (y == self.classes_[-1]).astype(int), sample_weight=weights)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        score = self.conditions_met(X)
        if self.curve_ is None:
            return np.ones((score.size, 1))
        p = self.curve_.predict_proba(score.astype(float)[:, None])[:, 1]
        return np.column_stack([1 - p, p])


def index_pipeline(available: Sequence[str]) -> Pipeline:
    """The index as a candidate pipeline over whichever of its features ``available`` holds."""
    columns, groups, thresholds = index_columns(available)
    if not columns:
        raise InputError("none of the vulnerability index's features is in the feature matrix")
    select = ColumnTransformer([("factors", "passthrough", columns)])
    return Pipeline([("features", select),
                     ("classifier", VulnerabilityIndex(groups=tuple(groups),
                                                       thresholds=tuple(thresholds)))])


def index_reasons(pipeline: Pipeline, frame: pd.DataFrame | None,
                  transformed: np.ndarray | None = None) -> list[list[str]]:
    """The factors each row has, worded (the index's reasons, in the factors' order).

    ``transformed`` is the pipeline's own transform of ``frame``, when the caller has it."""
    index = base_classifier(pipeline)
    present = (index.factors_present(pipeline.named_steps["features"].transform(frame))
               if transformed is None else index._present(np.asarray(transformed, dtype=float)))
    return [[FACTORS[g].words for g in np.flatnonzero(row)] for row in present]


def is_index(pipeline: Pipeline) -> bool:
    return isinstance(base_classifier(pipeline), VulnerabilityIndex)
