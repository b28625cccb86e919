"""The fitted pipeline's arithmetic on a NumPy matrix, for scoring a few rows at a time.

Scoring one child through scikit-learn's wrappers costs about 4 ms, almost all of it per call
(DataFrame column lookups in the ColumnTransformer, input validation in every step, the
calibration wrapper's label encoding), against microseconds of arithmetic. A service answering
one child per request pays that on every request. This module reads the *fitted* parameters of
the steps our candidates use (imputer statistics, the count transform, the scaler, the
classifier's own decision function, the fitted sigmoid calibrator) and applies them to a
matrix. It covers exactly the pipelines ``model.candidates`` and ``model.index`` build;
``FastPath.build`` returns None for anything else and the caller keeps scikit-learn's path.
tests/model/test_model_fastpath.py holds each kind equal to ``pipeline.predict_proba``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import expit
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from model.candidates import RuleBaseline
from model.index import VulnerabilityIndex

Step = Callable[[np.ndarray], np.ndarray]


def _imputer(step: SimpleImputer) -> Step | None:
    if not (step.missing_values is np.nan or step.missing_values != step.missing_values):
        return None
    if getattr(step, "indicator_", None) is not None:
        return None
    fill = np.asarray(step.statistics_, dtype=float)
    if fill.size != step.n_features_in_:  # columns dropped (keep_empty_features=False)
        return None
    return lambda X: np.where(np.isnan(X), fill, X)


def _scaler(step: StandardScaler) -> Step:
    mean = step.mean_ if step.with_mean and step.mean_ is not None else 0.0
    scale = step.scale_ if step.with_std and step.scale_ is not None else 1.0
    return lambda X: (X - mean) / scale


def _function(step: FunctionTransformer) -> Step | None:
    if step.func is None:
        return lambda X: X
    if step.validate:
        return None
    func, kwargs = step.func, dict(step.kw_args or {})
    return lambda X: np.asarray(func(X, **kwargs), dtype=float)


def _transformer(step: Any) -> list[Step] | None:
    if isinstance(step, str):
        return [] if step == "passthrough" else None
    if isinstance(step, Pipeline):
        steps: list[Step] = []
        for _, inner in step.steps:
            made = _transformer(inner)
            if made is None:
                return None
            steps.extend(made)
        return steps
    one: Step | None = None
    if isinstance(step, SimpleImputer):
        one = _imputer(step)
    elif isinstance(step, StandardScaler):
        one = _scaler(step)
    elif isinstance(step, FunctionTransformer):
        one = _function(step)
    return None if one is None else [one]


def _decision(estimator: Any) -> Step | None:
    """The score the calibrator was fitted on, from the estimator's own arithmetic."""
    if isinstance(estimator, LogisticRegression) and estimator.coef_.shape[0] == 1:
        coef, intercept = estimator.coef_[0], float(estimator.intercept_[0])
        return lambda X: X @ coef + intercept
    if isinstance(estimator, HistGradientBoostingClassifier):
        return lambda X: estimator.decision_function(X).ravel()
    if isinstance(estimator, VulnerabilityIndex):
        curve = estimator.curve_
        if curve is None:
            return lambda X: np.ones(X.shape[0])
        slope, level = float(curve.coef_[0, 0]), float(curve.intercept_[0])
        return lambda X: expit(estimator.factor_count(X) * slope + level)
    if isinstance(estimator, RuleBaseline) and estimator.classes_.size == 2:
        rates = estimator.rates_
        return lambda X: rates[estimator.count_over(X)]
    return None


@dataclass(frozen=True)
class FastPath:
    """``columns``: positions of the pipeline's inputs in the matrix given; ``transform`` the
    fitted steps in order; ``decision`` and ``calibrate`` the calibrated classifier."""

    columns: np.ndarray
    steps: tuple[Step, ...]
    decision: Step
    calibrate: Step

    @classmethod
    def build(cls, pipeline: Pipeline, features: Sequence[str]) -> FastPath | None:
        columns = pipeline.named_steps.get("features")
        classifier = pipeline.named_steps.get("classifier")
        if not isinstance(columns, ColumnTransformer) or not isinstance(
                classifier, CalibratedClassifierCV):
            return None
        used = [t for t in columns.transformers_ if t[1] != "drop"]
        if len(used) != 1 or not isinstance(used[0][2], list):
            return None
        _, transformer, names = used[0]
        steps = _transformer(transformer)
        position = {f: i for i, f in enumerate(features)}
        if steps is None or any(n not in position for n in names):
            return None
        calibrated = classifier.calibrated_classifiers_
        if (len(calibrated) != 1 or classifier.method != "sigmoid"
                or len(calibrated[0].calibrators) != 1 or len(classifier.classes_) != 2):
            return None
        inner = calibrated[0].estimator
        decision = _decision(inner.estimator if isinstance(inner, FrozenEstimator) else inner)
        if decision is None:
            return None
        return cls(columns=np.array([position[n] for n in names], dtype=int), steps=tuple(steps),
                   decision=decision, calibrate=calibrated[0].calibrators[0].predict)

    def transform(self, X: np.ndarray) -> np.ndarray:
        """What ``pipeline.named_steps["features"].transform`` gives for the same rows."""
        out = np.asarray(X, dtype=float)[:, self.columns]
        for step in self.steps:
            out = step(out)
        return out

    def probability(self, transformed: np.ndarray) -> np.ndarray:
        """The calibrated probability of the outcome, from transformed rows."""
        return np.asarray(self.calibrate(self.decision(transformed)), dtype=float)
