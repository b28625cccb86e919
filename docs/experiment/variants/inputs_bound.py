"""How much of the true risk can the recorded inputs carry at all?

    python docs/experiment/variants/inputs_bound.py --worlds DIR --out FILE.json

For each world of an ``earlyhelp experiment`` folder, a boosted-trees regressor of each test
child-month's true risk (the world's hidden truth) on the model's inputs is fitted on the test
months themselves and scored like every candidate. A diagnostic, never a candidate.

Two forms. ``cross_fitted`` (the bound): the children are split in two halves by a hash of
their key, and each half is scored by the regressor fitted to the other half's truth. It learns
from the exact risk of some 30,000 children in the same months, far more than any model learns
from outcomes, so no honest model of these inputs should do better. ``in_sample``: fitted and
judged on the same rows, as this script first did; the trees then recall single children's
risk (a leaf of 40 child-months is three or four children), which is memory, not what the
records carry, so it is kept only to show the difference.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor

from earlyhelp.settings import Settings
from model.data import load_model_data
from model.experiment.metrics import flag_share_over_outcome_share, world_block
from model.report import WorldBlock

TRUTH = "true_risk_score"


def bound(world: Path, settings: Settings) -> dict[str, Any]:
    ms = settings.model
    rows = pd.read_parquet(world / "reports" / "test_scores.parquet")
    rows["as_of"] = pd.to_datetime(rows["as_of"]).dt.date
    data = load_model_data(world / "warehouse.duckdb", ms.label, ms.fit_label,
                           ms.max_lookback_months)
    inputs = list(data.features)
    x = rows[["child_key", "as_of"]].merge(data.frame[["child_key", "as_of", *inputs]],
                                           on=["child_key", "as_of"], how="left")
    # -1 for missing, as the boosted-trees candidate does (a column may be wholly missing).
    matrix = np.nan_to_num(x[inputs].to_numpy(np.float32), nan=-1.0)
    truth = rows[TRUTH].to_numpy()
    half = (pd.util.hash_array(rows["child_key"].to_numpy()) % 2).astype(bool)
    cross_fitted = np.zeros(len(truth))
    for part in (half, ~half):
        cross_fitted[part] = regressor().fit(matrix[~part], truth[~part]).predict(matrix[part])
    in_sample = regressor().fit(matrix, truth).predict(matrix)

    def block(score: np.ndarray) -> WorldBlock:
        return world_block(rows, score, label=ms.label, risk=TRUTH, capacity=ms.capacity)

    blocks = {"inputs_bound": block(cross_fitted), "in_sample": block(in_sample),
              "learned": block(rows["learned_score"].to_numpy(float)),
              "ceiling": block(truth)}
    out: dict[str, Any] = {}
    for name, b in blocks.items():
        out[name] = b.children_reached_expected
        out[f"{name}_girls"] = flag_share_over_outcome_share(b).get("F")
    return out


def regressor() -> HistGradientBoostingRegressor:
    return HistGradientBoostingRegressor(max_iter=300, learning_rate=0.05, max_leaf_nodes=31,
                                         min_samples_leaf=40, random_state=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--worlds", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    settings = Settings()
    results = {p.name: bound(p, settings) for p in sorted(args.worlds.glob("world-*"))
               if (p / "reports" / "test_scores.parquet").exists()}
    summary = {}
    for name in ("inputs_bound", "in_sample", "learned"):
        ratio = [r[name] / r["ceiling"] for r in results.values()]
        girls = [r[f"{name}_girls"] for r in results.values() if r[f"{name}_girls"] is not None]
        summary[name] = {"median_ratio_to_ceiling": float(np.median(ratio)),
                         "ratio_range": [float(min(ratio)), float(max(ratio))],
                         "median_girls": float(np.median(girls)),
                         "girls_range": [float(min(girls)), float(max(girls))]}
    args.out.write_text(json.dumps({"summary": summary, "worlds": results}, indent=2) + "\n")
    print(args.out)


if __name__ == "__main__":
    main()
