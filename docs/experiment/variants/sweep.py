"""Every learned variant scored on every kept world's test months, judged across worlds.

    python docs/experiment/variants/sweep.py --worlds DIR --out FILE.json [--workers 2]

For each world of an ``earlyhelp experiment`` folder, the train step's own ``cross_validate``
fits each learned variant (``model.candidates.LEARNED_VARIANTS``) on each test fold's fit
months, calibrates it on the fold's calibration months and scores the fold's test months,
exactly as ``earlyhelp train`` scores the variant it chose. Two more variants, not in the
train step, are scored the same way:

- ``logistic_age_interactions``: the logistic model with each input's product with age
  (centred at 14), so a record can weigh differently at 12 and at 16;
- ``logistic_custody_hurdle``: the logistic model's chance of a first entry times a second
  logistic model's chance of custody given a first entry (fitted on the first entries only).

With ``--diagnostics``, two more rankings that are never candidates, to measure why girls are
over-flagged (sex is not a model input, by design):

- ``diagnostic_sex_as_input``: the logistic model with sex as one more input;
- ``diagnostic_girls_entries_unweighted``: the logistic model with girls' first entries given
  weight 0 in the fit (sex used in the fit's weights only, not as an input).

Each is judged by children reached (expected under the world's truth), against the ceiling,
and by girls' share of flags over their share of expected outcomes. Selection by these figures
uses the test months of the worlds judged: a winner must be confirmed on fresh seeds.
"""

from __future__ import annotations

import argparse
import json
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from threadpoolctl import threadpool_limits

from earlyhelp.settings import Settings
from model.candidates import (
    COUNT_KINDS,
    LEARNED_VARIANTS,
    fit_calibrated,
    log_counts,
    make_pipeline,
    sample_negatives,
)
from model.data import Fold, ModelData, load_model_data, make_folds
from model.experiment.metrics import flag_share_over_outcome_share, world_block
from model.pipeline import _rows, cross_validate

TRUTH = "true_risk_score"
AGE = "age_years"


def with_age(X: np.ndarray, age_column: int) -> np.ndarray:
    """The inputs, then each input times (age - 14)."""
    age = X[:, [age_column]] - 14.0
    return np.hstack([X, X * age])


def interactions_pipeline(data: ModelData) -> Pipeline:
    counts = np.array([k in COUNT_KINDS for k in data.kinds], dtype=bool)
    steps = Pipeline([
        ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
        ("log_counts", FunctionTransformer(log_counts, kw_args={"columns": counts})),
        ("age", FunctionTransformer(with_age, kw_args={"age_column": data.features.index(AGE)})),
        ("scale", StandardScaler()),
    ])
    columns = ColumnTransformer([("scaled", steps, list(data.features))])
    return Pipeline([("features", columns),
                     ("classifier", LogisticRegression(C=0.05, max_iter=1000))])


def hurdle_scores(data: ModelData, fit: pd.DataFrame,
                  test: pd.DataFrame, first: np.ndarray, seed: int) -> np.ndarray:
    """P(first entry) x P(custody | first entry); ranks only (no calibration needed)."""
    entries = fit[fit[data.target] == 1]
    second = make_pipeline("logistic", data.features, (), seed, data.kinds)
    second.fit(entries, entries[data.label].to_numpy())
    return first * second.predict_proba(test)[:, 1]


def fold_variants(data: ModelData, settings: Settings, fit: pd.DataFrame,
                  calibration: pd.DataFrame, test: pd.DataFrame, first: np.ndarray, seed: int
                  ) -> dict[str, np.ndarray]:
    """The two variants the train step does not have, on one fold's test months."""
    fitted = fit_calibrated(interactions_pipeline(data), fit, calibration, data.label,
                            negative_rate=settings.model.negative_sample_rate, seed=seed,
                            fit_label=data.target)
    return {"logistic_age_interactions": fitted.predict_proba(test)[:, 1],
            "logistic_custody_hurdle": hurdle_scores(data, fit, test, first, seed)}


def fold_diagnostics(data: ModelData, settings: Settings, fit: pd.DataFrame,
                     test: pd.DataFrame, seed: int) -> dict[str, np.ndarray]:
    """Rankings that use sex (never candidates) on one fold: see the module's docstring."""
    y = fit[data.target].to_numpy()
    rows, weights = sample_negatives(y, settings.model.negative_sample_rate, seed)
    girl = (fit["sex"] == "F").to_numpy()[rows]
    with_sex = make_pipeline("logistic", (*data.features, "girl"), (), settings.model.seed,
                             (*data.kinds, "flag"))
    with_sex.fit(fit.iloc[rows].assign(girl=girl.astype(float)), y[rows],
                 classifier__sample_weight=weights)
    blind = make_pipeline("logistic", data.features, (), settings.model.seed, data.kinds)
    blind.fit(fit.iloc[rows], y[rows],
              classifier__sample_weight=np.where(girl & (y[rows] == 1), 0.0, weights))
    return {"diagnostic_sex_as_input": with_sex.predict_proba(
                test.assign(girl=(test["sex"] == "F").astype(float)))[:, 1],
            "diagnostic_girls_entries_unweighted": blind.predict_proba(test)[:, 1]}


def extra_scores(data: ModelData, settings: Settings, folds: list[Fold], frame: pd.DataFrame,
                 logistic: np.ndarray, with_diagnostics: bool) -> dict[str, np.ndarray]:
    """Every variant outside the train step, fold by fold, aligned with ``cross_validate``'s
    rows (``frame``: the folds' test months in order)."""
    out: dict[str, list[np.ndarray]] = {}
    for i, fold in enumerate(folds):
        fit = _rows(data.frame, fold.fit_months)
        test = _rows(data.frame, fold.test_months)
        # The logistic model's scores on this fold: the hurdle's first stage.
        first = logistic[frame["as_of"].isin(fold.test_months).to_numpy()]
        seed = settings.model.seed + i
        scores = fold_variants(data, settings, fit, _rows(data.frame, fold.calibration_months),
                               test, first, seed)
        if with_diagnostics:
            scores |= fold_diagnostics(data, settings, fit, test, seed)
        for name, score in scores.items():
            out.setdefault(name, []).append(score)
    return {k: np.concatenate(v) for k, v in out.items()}


def sweep(world: Path, with_diagnostics: bool = False) -> dict[str, dict[str, Any]]:
    settings = Settings()
    ms = settings.model
    with threadpool_limits(limits=1):
        data = load_model_data(world / "warehouse.duckdb", ms.label, ms.fit_label,
                               ms.max_lookback_months)
        folds = make_folds(data.months, ms)
        frame, scores, _ = cross_validate(data, (), folds, settings, lambda _: None,
                                          LEARNED_VARIANTS)
        scores.update(extra_scores(data, settings, folds, frame, scores["logistic"],
                                   with_diagnostics))
    rows = pd.read_parquet(world / "reports" / "test_scores.parquet")
    rows["as_of"] = pd.to_datetime(rows["as_of"]).dt.date
    rows = frame[["child_key", "as_of"]].merge(rows, on=["child_key", "as_of"], how="left",
                                               validate="one_to_one")
    scores["ceiling"] = rows[TRUTH].to_numpy(float)
    scores["index"] = rows["index_score"].to_numpy(float)
    result: dict[str, dict[str, Any]] = {}
    for name, score in scores.items():
        block = world_block(rows, score, label=ms.label, risk=TRUTH, capacity=ms.capacity)
        result[name] = {"children_reached_expected": block.children_reached_expected,
                        "children_reached": block.children_reached,
                        "girls_flag_share_over_outcome_share":
                            flag_share_over_outcome_share(block).get("F")}
    print(world.name, {k: round(v["children_reached_expected"], 2) for k, v in result.items()},
          flush=True)
    return result


def summarise(worlds: dict[str, dict[str, dict[str, Any]]]) -> dict[str, dict]:
    """Per variant: median and range of the ratio to the ceiling, girls' figure, and in how
    many worlds it reached more children (expected) than the logistic model."""
    out = {}
    for name in next(iter(worlds.values())):
        ratio = [w[name]["children_reached_expected"] / w["ceiling"]["children_reached_expected"]
                 for w in worlds.values()]
        girls = [w[name]["girls_flag_share_over_outcome_share"] for w in worlds.values()]
        girls = [g for g in girls if g is not None]
        out[name] = {
            "median_ratio_to_ceiling": float(np.median(ratio)),
            "ratio_range": [float(min(ratio)), float(max(ratio))],
            "median_girls": float(np.median(girls)) if girls else None,
            "worlds_better_than_logistic": int(sum(
                w[name]["children_reached_expected"] > w["logistic"]["children_reached_expected"]
                for w in worlds.values())),
            "worlds": len(ratio),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--worlds", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--diagnostics", action="store_true",
                        help="also the two rankings that use sex (never candidates)")
    args = parser.parse_args()
    paths = sorted(p for p in args.worlds.glob("world-*")
                   if (p / "reports" / "test_scores.parquet").exists())
    with ProcessPoolExecutor(args.workers) as pool:
        results = dict(zip((p.name for p in paths),
                           pool.map(partial(sweep, with_diagnostics=args.diagnostics), paths),
                           strict=True))
    args.out.write_text(json.dumps({"summary": summarise(results), "worlds": results},
                                   indent=2) + "\n")
    print(json.dumps(summarise(results), indent=2))


if __name__ == "__main__":
    main()
