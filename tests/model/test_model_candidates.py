"""The candidates: the rule baseline as a scikit-learn estimator, sampling, calibration."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from earlyhelp.errors import InputError
from model.candidates import (
    RuleBaseline,
    describe_rule,
    fit_calibrated,
    make_pipeline,
    rule_features,
    sample_negatives,
)
from model.data import load_model_data
from tests.model.builders import RULE_FEATURES, SyntheticWorld


@parametrize_with_checks([RuleBaseline()])
def test_rule_baseline_follows_sklearn_conventions(estimator, check) -> None:  # type: ignore[no-untyped-def]
    check(estimator)


def test_rule_scores_count_conditions_and_flags_any() -> None:
    X = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 0, 2]], dtype=float)
    y = np.array([0, 0, 1, 1])
    rule = RuleBaseline().fit(X, y)
    assert rule.conditions_met(X).tolist() == [0, 1, 2, 1]
    p = rule.predict_proba(X)[:, 1]
    assert p[2] > p[1] and p[1] > p[0]
    assert rule.predict(X).tolist() == (p > 0.5).astype(int).tolist()


def test_rule_features_are_picked_by_name_or_refused() -> None:
    features = ["absence_rate", "excluded_permanent_12m", "factor_gangs_24m",
                "factor_gangs_12m", "factor_exploitation_12m"]
    assert rule_features(features) == ("excluded_permanent_12m", "factor_exploitation_12m",
                                       "factor_gangs_12m")
    assert rule_features(features, ["absence_rate"]) == ("absence_rate",)
    registry_style = ["permanent_exclusions_ever", "factor_exploitation_months_since_last",
                      "factor_exploitation_ever", "factor_exploitation_24m", "factor_gangs_24m"]
    assert rule_features(registry_style) == ("permanent_exclusions_ever",
                                             "factor_exploitation_24m", "factor_gangs_24m")
    with pytest.raises(InputError, match="baseline_features"):
        rule_features(["absence_rate"])
    with pytest.raises(InputError, match="nope"):
        rule_features(features, ["nope"])


def test_sampling_keeps_every_positive_and_reweights_negatives() -> None:
    y = (np.arange(100_000) % 500 == 0).astype(int)
    rows, weights = sample_negatives(y, 0.1, seed=3)
    assert y[rows].sum() == y.sum()
    assert weights[y[rows] == 1].tolist() == [1.0] * int(y.sum())
    assert abs(weights.sum() - y.size) / y.size < 0.04  # about 4 sd of the sample size


@pytest.mark.parametrize("kind", ["rule", "logistic", "boosted_trees"])
def test_candidates_are_calibrated_pipelines(world: SyntheticWorld, kind: str) -> None:
    data = load_model_data(world.warehouse, "custody_12m")
    months = data.months
    fit = data.frame[data.frame["as_of"].isin(months[:12])]
    cal = data.frame[data.frame["as_of"].isin(months[12:18])]
    model = fit_calibrated(make_pipeline(kind, data.features, RULE_FEATURES, 1), fit, cal,
                           "custody_12m", negative_rate=0.2, seed=1)
    assert list(model.named_steps) == ["features", "classifier"]
    p = model.predict_proba(data.frame.head(500))[:, 1]
    assert ((p >= 0) & (p <= 1)).all()
    # Calibrated on later months: the mean prediction is near the base rate there.
    rate = cal["custody_12m"].mean()
    assert 0.3 * rate < model.predict_proba(cal)[:, 1].mean() < 3 * rate


def test_rule_is_written_down_in_words() -> None:
    registry = pd.DataFrame({"feature": ["a"], "description": ["Suspended {value} times"]})
    words = describe_rule(["a"], registry)
    assert words.startswith("Flag a child") and "a (Suspended" in words


def test_fit_label_fits_and_label_calibrates(world: SyntheticWorld) -> None:
    data = load_model_data(world.warehouse, "custody_12m", "first_time_entry_12m")
    fit = data.frame[data.frame["as_of"].isin(data.months[:12])]
    cal = data.frame[data.frame["as_of"].isin(data.months[12:18])]
    model = fit_calibrated(make_pipeline("logistic", data.features, RULE_FEATURES, 1), fit, cal,
                           "custody_12m", negative_rate=0.2, seed=1,
                           fit_label="first_time_entry_12m")
    # Scores are probabilities of custody, not of the broader outcome fitted to.
    p = model.predict_proba(cal)[:, 1].mean()
    assert 0.3 * cal["custody_12m"].mean() < p < 3 * cal["custody_12m"].mean()
    assert p < 0.5 * cal["first_time_entry_12m"].mean()
    direct = fit_calibrated(make_pipeline("logistic", data.features, RULE_FEATURES, 1), fit,
                            cal, "custody_12m", negative_rate=0.2, seed=1)
    inner = [m.named_steps["classifier"].calibrated_classifiers_[0].estimator.estimator.coef_
             for m in (model, direct)]
    assert not np.allclose(inner[0], inner[1])


def test_outcome_weight_leans_the_fit_towards_the_evaluated_label() -> None:
    """Two inputs: ``broad`` raises first entry of every kind, ``serious`` only the entries
    that are custody. Counting custody positives 20 times moves the fit's weight from
    ``broad`` towards ``serious``; the score stays a calibrated probability of custody."""
    rng = np.random.default_rng(3)
    n = 40_000
    frame = pd.DataFrame({"broad": rng.normal(size=n), "serious": rng.normal(size=n)})
    entry = rng.random(n) < 1 / (1 + np.exp(-(-3.0 + 1.2 * frame["broad"])))
    custody = entry & (rng.random(n) < 1 / (1 + np.exp(-(-2.5 + 1.5 * frame["serious"]))))
    frame["first_time_entry_12m"], frame["custody_12m"] = entry.astype(int), custody.astype(int)
    fit, cal = frame.iloc[:30_000], frame.iloc[30_000:]

    def coefficients(weight: float) -> tuple[np.ndarray, float]:
        model = fit_calibrated(make_pipeline("logistic", ["broad", "serious"], (), 1), fit, cal,
                               "custody_12m", negative_rate=0.5, seed=1,
                               fit_label="first_time_entry_12m", outcome_weight=weight)
        inner = model.named_steps["classifier"].calibrated_classifiers_[0].estimator.estimator
        return inner.coef_[0], float(model.predict_proba(cal)[:, 1].mean())

    (plain, p_plain), (leaning, p_leaning) = coefficients(1.0), coefficients(20.0)
    assert abs(plain[1]) < 0.1 < 0.3 < leaning[1]  # plain fit: first entry alone
    for p in (p_plain, p_leaning):
        assert 0.5 * cal["custody_12m"].mean() < p < 2 * cal["custody_12m"].mean()


def test_logistic_log_transforms_only_the_count_columns() -> None:
    X = pd.DataFrame({"contacts_12m": [0.0, 1.0, 40.0, 3.0], "trend": [-3.0, 0.0, 2.0, 1.0],
                      "rate": [0.1, 0.5, 0.9, np.nan]})
    pipe = make_pipeline("logistic", list(X.columns), (), 1, ("count", "trend", "rate"))
    prep = pipe.named_steps["features"].fit(X)
    inner = prep.named_transformers_["scaled"]
    logged = inner[:-1].transform(X)  # before scaling
    assert logged[:, 0] == pytest.approx(np.log1p([0, 1, 40, 3]))
    assert logged[:, 1] == pytest.approx([-np.log1p(3), 0, np.log1p(2), np.log1p(1)])
    assert logged[:, 2] == pytest.approx([0.1, 0.5, 0.9, 0.5])  # median-imputed, not logged
    with pytest.raises(ValueError, match="kinds"):
        make_pipeline("logistic", list(X.columns), (), 1, ("count",))
