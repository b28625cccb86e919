"""Benchmark: `earlyhelp train` (evaluate + refit + MLflow) on a default-sized feature warehouse.

Target: under 3 minutes on 2 cores for about 1.5M child-month rows, 60 features and about 60
positive child-months a year. Until the real features land, the warehouse is synthetic
(tests/model/builders.py). Training runs in a subprocess so its peak memory is measured.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

TARGET_SECONDS = 180
CHILDREN = 26_700
MONTHS = 56
NOISE_FEATURES = 53  # plus 7 signal features = 60

_CHILD = """
import json, resource, sys, time
from pathlib import Path
from earlyhelp.settings import load_settings
from model.pipeline import train
root = Path(sys.argv[1])
settings = load_settings(data_dir=root / "out", mlflow_tracking_uri=None)
start = time.perf_counter()
report = train(root / "warehouse.duckdb", settings, truth=root / "truth")
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
(root / "figures.json").write_text(
    json.dumps({"seconds": seconds, "peak_rss_mib": peak, "timings": report.timings})
)
"""


def run(workdir: Path) -> dict:
    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root))
    from tests.model.builders import build_feature_warehouse

    start = time.perf_counter()
    world = build_feature_warehouse(workdir, n_children=CHILDREN, n_months=MONTHS,
                                    n_noise=NOISE_FEATURES, base_logit=-13.1, seed=11)
    build_seconds = time.perf_counter() - start
    subprocess.run([sys.executable, "-c", _CHILD, str(workdir)], cwd=workdir,
                   capture_output=True, check=True, env={**os.environ, "PYTHONPATH": str(root)})
    figures = json.loads((workdir / "figures.json").read_text())
    evaluation = json.loads((workdir / "out/reports/evaluation.json").read_text())
    shown = ("recall_at_capacity", "recall_at_capacity_random_ties", "precision_at_capacity",
             "pr_auc", "roc_auc", "brier")
    quality = {name: {m: evaluation[name][m] for m in shown}
               for name in ("model", "baseline", "oracle")}
    return {
        "rows": world.rows,
        "features": NOISE_FEATURES + 7,
        "labelled_positives": world.positives,
        "build_seconds": round(build_seconds, 1),
        "train_seconds": round(figures["seconds"], 1),
        "peak_rss_mib": round(figures["peak_rss_mib"]),
        "timings": figures["timings"],
        "winner": evaluation["winner"],
        "quality": quality,
        "target_seconds": TARGET_SECONDS,
        "passed": figures["seconds"] < TARGET_SECONDS,
    }
