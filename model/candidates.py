"""The candidates, each one ``Pipeline(ColumnTransformer, classifier)``, and how they are fitted.

Fitting keeps every positive and a seeded sample of negatives (weighted back by the inverse
sampling rate for the rule and logistic regression), then calibrates the frozen classifier
with a sigmoid on *later* months than it was fitted on.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data
from threadpoolctl import threadpool_limits

from earlyhelp.errors import InputError

# What a practitioner would look for today: permanent exclusion, or an exploitation or gangs
# factor, recorded in the last 12 months. Matched against registry feature names.
RULE_PATTERNS = (r"perm.*exclu|exclu.*perm", r"exploit", r"gang")
CANDIDATES = ("rule", "logistic", "boosted_trees")
# Every learned variant tried: family and settings. Chosen by validation months inside the
# training months (model/pipeline.py), never by the test months.
LEARNED_VARIANTS = ("logistic", "logistic_weak_penalty", "boosted_trees",
                    "boosted_trees_monotone")


class RuleBaseline(ClassifierMixin, BaseEstimator):
    """Flag a child when any input column exceeds ``threshold``.

    The rule's score is how many columns exceed it (0..n_features); ``predict_proba`` maps
    each score to the positive rate seen at that score in training (Laplace smoothed), so the
    rule is ranked at capacity and calibrated like any other candidate.
    """

    def __init__(self, threshold: float = 0.0) -> None:
        self.threshold = threshold

    def __sklearn_tags__(self):  # type: ignore[no-untyped-def]
        tags = super().__sklearn_tags__()
        # A fixed rule does not learn to fit arbitrary data; do not expect a good score.
        tags.classifier_tags.poor_score = True
        tags.classifier_tags.multi_class = False
        tags.input_tags.allow_nan = True
        return tags

    def _score(self, X: np.ndarray) -> np.ndarray:
        return np.sum(np.nan_to_num(X, nan=-np.inf) > self.threshold, axis=1)

    def count_over(self, X: np.ndarray) -> np.ndarray:
        """The rule's score for a checked float matrix, without scikit-learn's validation
        (``model.fastpath``)."""
        return self._score(X)

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> RuleBaseline:
        X, y = validate_data(self, X, y, ensure_all_finite="allow-nan")
        check_classification_targets(y)
        y_type = type_of_target(y, input_name="y", raise_unknown=True)
        if y_type != "binary":
            raise ValueError(
                f"Only binary classification is supported. The type of the target is {y_type}."
            )
        self.classes_ = np.unique(y)
        weights = _check_sample_weight(sample_weight, X, ensure_non_negative=True)
        if weights.sum() == 0:
            raise ValueError("sample weights are all zero; nothing to learn the rates from")
        positive = (y == self.classes_[-1]).astype(float)
        score = self._score(X)
        levels = np.arange(X.shape[1] + 1)
        pos = np.bincount(score, weights * positive, minlength=levels.size)
        tot = np.bincount(score, weights, minlength=levels.size)
        self.rates_ = (pos + 0.5) / (tot + 1.0)
        return self

    def conditions_met(self, X: Any) -> np.ndarray:
        """How many of the rule's conditions each row meets (the rule fires at 1 or more)."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, ensure_all_finite="allow-nan")
        return self._score(X)

    def predict_proba(self, X: Any) -> np.ndarray:
        score = self.conditions_met(X)
        if self.classes_.size == 1:
            return np.ones((score.size, 1))
        p = self.rates_[score]
        return np.column_stack([1 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        # The most likely class, as scikit-learn expects; flagging ranks by predict_proba.
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


def rule_features(features: Sequence[str], chosen: Sequence[str] = ()) -> tuple[str, ...]:
    """The registry features the rule uses: ``chosen`` if given, else one per pattern."""
    if chosen:
        unknown = sorted(set(chosen) - set(features))
        if unknown:
            raise InputError(f"model.baseline_features {unknown} are not in the feature matrix")
        return tuple(chosen)
    picked = []
    for pattern in RULE_PATTERNS:
        hits = [f for f in features if re.search(pattern, f, re.IGNORECASE)]
        # Counts over a recent window first; "months since" features are not conditions.
        hits = [f for f in hits if "since" not in f]
        hits.sort(key=lambda f: ("12m" not in f, "24m" not in f, "ever" not in f, len(f)))
        picked.extend(hits[:1])
    if not picked:
        raise InputError(
            "no registry feature looks like permanent exclusion, exploitation or gangs; "
            "name the rule's features in model.baseline_features"
        )
    return tuple(dict.fromkeys(picked))


def describe_rule(features: Sequence[str], registry: pd.DataFrame) -> str:
    words = registry.set_index("feature")["description"]
    parts = [f"{f} ({words.get(f, f).replace('{value}', 'any')})" for f in features]
    return (
        "Flag a child when any of these was recorded: " + "; or ".join(parts)
        + ". Children meeting more conditions rank higher."
    )


# Registry kinds whose values are event counts (or differences of counts).
COUNT_KINDS = ("count", "trend")


def log_counts(X: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """sign(x) log(1 + |x|) on the count columns: the tenth contact adds less than the first,
    and a child with 40 contacts does not outweigh every other term."""
    out = np.array(X, dtype=float, copy=True)
    out[:, columns] = np.sign(out[:, columns]) * np.log1p(np.abs(out[:, columns]))
    return out


def monotone_constraints(directions: Sequence[str]) -> list[int]:
    """+1 where the registry says higher is riskier, -1 where lower is, else 0."""
    return [{"higher_more_risk": 1, "lower_more_risk": -1}.get(d, 0) for d in directions]


def make_pipeline(kind: str, features: Sequence[str], rule: Sequence[str], seed: int,
                  kinds: Sequence[str] = (), directions: Sequence[str] = ()) -> Pipeline:
    """A candidate's pipeline; ``kinds`` (registry kinds, aligned with ``features``) tells
    logistic regression which columns are counts to log-transform; ``directions`` (registry
    direction hints) give the monotone trees their constraints."""
    if kind == "rule":
        columns = ColumnTransformer([("rule", "passthrough", list(rule))])
        return Pipeline([("features", columns), ("classifier", RuleBaseline())])
    if kind in ("logistic", "logistic_weak_penalty"):
        counts = np.array([k in COUNT_KINDS for k in kinds], dtype=bool) if kinds else \
            np.zeros(len(features), dtype=bool)
        if counts.size != len(features):
            raise ValueError(f"{len(kinds)} kinds for {len(features)} features")
        # keep_empty_features: a feature with no value in the fit months (a code not yet in
        # use) stays as a column, so terms map one to one (and in order) onto features.
        scaled = Pipeline([("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
                           ("log_counts", FunctionTransformer(log_counts,
                                                              kw_args={"columns": counts})),
                           ("scale", StandardScaler())])
        columns = ColumnTransformer([("scaled", scaled, list(features))])
        return Pipeline([("features", columns),
                         ("classifier", LogisticRegression(C=0.05 if kind == "logistic" else 1.0,
                                                           max_iter=500))])
    if kind in ("boosted_trees", "boosted_trees_monotone"):
        if kind.endswith("monotone") and len(directions) != len(features):
            raise ValueError(f"{len(directions)} directions for {len(features)} features")
        # Missing (e.g. "months since" for never) becomes -1, a value trees can split off;
        # scikit-learn's binning fails on a column that is entirely missing.
        fill = SimpleImputer(strategy="constant", fill_value=-1.0, keep_empty_features=True)
        columns = ColumnTransformer([("filled", fill, list(features))])
        trees = HistGradientBoostingClassifier(
            learning_rate=0.05, max_iter=150, max_leaf_nodes=15, min_samples_leaf=40,
            l2_regularization=1.0, early_stopping=False, random_state=seed,
            monotonic_cst=monotone_constraints(directions) if kind.endswith("monotone") else None,
        )
        return Pipeline([("features", columns), ("classifier", trees)])
    raise ValueError(f"unknown candidate {kind!r}; expected one of "
                     f"{('rule', *LEARNED_VARIANTS)}")


def sample_negatives(y: np.ndarray, rate: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of all positives and a seeded share of negatives, with inverse-rate weights."""
    rng = np.random.default_rng(seed)
    keep = (y == 1) | (rng.random(y.size) < rate)
    weights = np.where(y == 1, 1.0, 1.0 / rate)
    return np.flatnonzero(keep), weights[keep]


def fit_calibrated(
    pipeline: Pipeline,
    fit: pd.DataFrame,
    calibration: pd.DataFrame,
    label: str,
    *,
    negative_rate: float,
    seed: int,
    fit_label: str | None = None,
    outcome_weight: float = 1.0,
) -> Pipeline:
    """Fit on ``fit`` (to ``fit_label`` if given), then sigmoid-calibrate the frozen
    classifier to ``label`` on ``calibration``, so the score is a probability of ``label``.

    ``outcome_weight``: fit rows positive for ``label`` itself count this many times."""
    y_fit = fit[fit_label or label].to_numpy()
    rows, weights = sample_negatives(y_fit, negative_rate, seed)
    if outcome_weight != 1.0:
        weights = weights * np.where(fit[label].to_numpy()[rows] == 1, outcome_weight, 1.0)
    # One native thread: OpenMP trees oversubscribe a shared 2-core machine badly.
    # Trees fit unweighted: scikit-learn 1.9 bins weighted data with one weighted percentile
    # per bin edge (about 70 s at 1.5M rows); sampling only shifts their log-odds, which the
    # sigmoid calibration on later, unsampled months undoes.
    trees = isinstance(pipeline.named_steps["classifier"], HistGradientBoostingClassifier)
    fit_params = {} if trees else {"classifier__sample_weight": weights}
    with threadpool_limits(limits=1):
        pipeline.fit(fit.iloc[rows], y_fit[rows], **fit_params)
        columns, classifier = pipeline.named_steps["features"], pipeline.named_steps["classifier"]
        calibrated = CalibratedClassifierCV(FrozenEstimator(classifier), method="sigmoid")
        if calibration[label].nunique() < 2:
            # No outcome in the calibration months (a small council): calibrate on the fit
            # months too, which keeps the ranking; slightly optimistic, and said in the card.
            calibration = pd.concat([fit, calibration])
        X_cal, y_cal, w_cal = _calibration_rows(columns.transform(calibration),
                                                calibration[label].to_numpy())
        calibrated.fit(X_cal, y_cal, **({} if w_cal is None else {"sample_weight": w_cal}))
    return Pipeline([("features", columns), ("classifier", calibrated)])


def _calibration_rows(X: np.ndarray, y: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """The calibration set, with Platt's prior targets where it holds one class only.

    A sigmoid fit to one class is undefined. Platt (1999) fits to targets (N+ + 1) / (N+ + 2)
    for positives and 1 / (N- + 2) for negatives; written as each row once per label with those
    weights, the fit is defined whatever the counts (with no positive: the risk is very low).
    """
    if np.unique(y).size == 2:
        return X, y, None
    positives = int(y.sum())
    high, low = (positives + 1) / (positives + 2), 1 / (y.size - positives + 2)
    target = np.where(y == 1, high, low)
    return (np.vstack([X, X]), np.r_[np.ones(y.size, int), np.zeros(y.size, int)],
            np.r_[target, 1 - target])


def input_columns(pipeline: Pipeline) -> list[str]:
    """The feature columns a candidate reads (in order), as named in its ColumnTransformer."""
    columns = pipeline.named_steps["features"]
    return [c for _, _, cols in columns.transformers if isinstance(cols, list) for c in cols]


def base_classifier(pipeline: Pipeline) -> BaseEstimator:
    """The fitted classifier inside the calibration wrapper."""
    calibrated = pipeline.named_steps["classifier"]
    return calibrated.calibrated_classifiers_[0].estimator.estimator
