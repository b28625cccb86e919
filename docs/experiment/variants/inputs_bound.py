"""How much of the true risk can the recorded inputs carry at all?

    python docs/experiment/variants/inputs_bound.py --worlds DIR --out FILE.json

For each world of an ``earlyhelp experiment`` folder, a boosted-trees regressor of each test
child-month's true risk (the world's hidden truth) on the model's inputs is fitted on the test
months themselves and scored like every candidate. It sees the answer and is judged on the rows
it was fitted to, so no honest model can do better: its children reached, over the ceiling's, is
an upper bound on what any model of these inputs could reach. A diagnostic, never a candidate.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor

from earlyhelp.settings import Settings
from model.data import load_model_data
from model.experiment.metrics import flag_share_over_outcome_share, world_block
from model.report import WorldBlock

TRUTH = "true_risk_score"


def bound(world: Path, settings: Settings) -> dict[str, float | None]:
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
    regressor = HistGradientBoostingRegressor(max_iter=300, learning_rate=0.05,
                                              max_leaf_nodes=31, min_samples_leaf=40,
                                              random_state=0)
    regressor.fit(matrix, rows[TRUTH].to_numpy())

    def block(score: np.ndarray) -> WorldBlock:
        return world_block(rows, score, label=ms.label, risk=TRUTH, capacity=ms.capacity)

    best, learned = block(regressor.predict(matrix)), block(rows["learned_score"].to_numpy(float))
    ceiling = block(rows[TRUTH].to_numpy(float))
    return {
        "inputs_bound": best.children_reached_expected,
        "learned": learned.children_reached_expected,
        "ceiling": ceiling.children_reached_expected,
        "inputs_bound_girls": flag_share_over_outcome_share(best).get("F"),
        "learned_girls": flag_share_over_outcome_share(learned).get("F"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--worlds", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    settings = Settings()
    results = {p.name: bound(p, settings) for p in sorted(args.worlds.glob("world-*"))
               if (p / "reports" / "test_scores.parquet").exists()}
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(args.out)


if __name__ == "__main__":
    main()
