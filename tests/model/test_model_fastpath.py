"""The fast path gives scikit-learn's own probabilities, for every kind of candidate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import QuantileTransformer

from model.candidates import LEARNED_VARIANTS, fit_calibrated, make_pipeline
from model.fastpath import FastPath
from model.index import FACTORS, index_pipeline
from model.pyfunc import RiskModel

RULE = ["permanent_exclusions_ever", "factor_gangs_24m"]


def _frame(rows: int, seed: int) -> pd.DataFrame:
    """Index factor columns plus counts, with gaps, and a label that depends on them."""
    rng = np.random.default_rng(seed)
    names = sorted({f for factor in FACTORS for f in factor.features} | {"contacts_12m"})
    frame = pd.DataFrame(rng.poisson(0.4, (rows, len(names))).astype(float), columns=names)
    frame["age_years"] = rng.uniform(10, 18, rows)
    frame = frame.mask(rng.random(frame.shape) < 0.1)  # missing values, as "months since"
    risk = frame.fillna(0).sum(axis=1) / 4 - 4
    frame["label"] = (rng.random(rows) < 1 / (1 + np.exp(-risk))).astype(int)
    return frame


def _candidates() -> list[tuple[str, Pipeline, list[str]]]:
    frame = _frame(3000, 1)
    features = [c for c in frame.columns if c != "label"]
    kinds = ["count" if c != "age_years" else "value" for c in features]
    directions = ["higher_more_risk"] * len(features)
    made = [(kind, make_pipeline(kind, features, RULE, 0, kinds, directions))
            for kind in (*LEARNED_VARIANTS, "rule")]
    made.append(("index", index_pipeline(features)))
    return [(kind, fit_calibrated(pipeline, frame.iloc[:2000], frame.iloc[2000:], "label",
                                  negative_rate=0.5, seed=0), features)
            for kind, pipeline in made]


@pytest.mark.parametrize("kind,pipeline,features", _candidates(),
                         ids=lambda v: v if isinstance(v, str) else "")
def test_fast_path_equals_scikit_learn(kind: str, pipeline: Pipeline, features: list[str]) -> None:
    rows = _frame(500, 2)[features]
    fast = FastPath.build(pipeline, features)
    assert fast is not None, f"{kind}: no fast path"
    expected = pipeline.predict_proba(rows)[:, 1]
    # Columns given in another order still reach the right steps.
    shuffled = list(reversed(features))
    fast_shuffled = FastPath.build(pipeline, shuffled)
    assert fast_shuffled is not None
    got = fast_shuffled.probability(fast_shuffled.transform(rows[shuffled].to_numpy()))
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)
    assert np.allclose(fast.transform(rows.to_numpy()),
                       pipeline.named_steps["features"].transform(rows), equal_nan=True)
    # The logged pyfunc, on one row and on many, answers the same through either path.
    model = RiskModel(pipeline, features, pd.DataFrame({"feature": features, "group": features,
                                                        "description": features}))
    one, words = model.score(rows.to_numpy()[:1])
    assert one[0] == pytest.approx(expected[0], rel=1e-9) and len(words) == 1


def test_a_step_it_does_not_know_keeps_scikit_learns_path() -> None:
    frame = _frame(600, 3)
    features = [c for c in frame.columns if c != "label"]
    pipeline = make_pipeline("logistic", features, RULE, 0, ["count"] * len(features))
    pipeline.named_steps["features"].transformers[0][1].steps[1] = (
        "quantile", QuantileTransformer(n_quantiles=50))
    fitted = fit_calibrated(pipeline, frame.iloc[:400], frame.iloc[400:], "label",
                            negative_rate=1.0, seed=0)
    assert FastPath.build(fitted, features) is None
    model = RiskModel(fitted, features, pd.DataFrame({"feature": features, "group": features,
                                                      "description": features}))
    probability, _ = model.score(frame[features].to_numpy()[:5], reasons=False)
    np.testing.assert_allclose(probability, fitted.predict_proba(frame[features].head())[:, 1])
