"""Benchmark: `earlyhelp train` (evaluate + refit + MLflow) on the default world.

Target: under 3 minutes on 2 cores. Needs a warehouse with features:
``EARLYHELP_BENCH_WAREHOUSE`` names one to copy and ``EARLYHELP_BENCH_TRUTH`` its world's
truth folder (fast); otherwise the default world is generated, ingested, linked and featured
in ``workdir`` first (not timed). Training runs in a subprocess so its peak memory is its own.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

TARGET_SECONDS = 180


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "earlyhelp.cli.main", *args],
                          capture_output=True, text=True, check=False, env=env)


def _prepare(workdir: Path) -> tuple[Path, Path, float]:
    warehouse = workdir / "out" / "warehouse.duckdb"
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    given, truth = os.environ.get("EARLYHELP_BENCH_WAREHOUSE"), os.environ.get(
        "EARLYHELP_BENCH_TRUTH")
    start = time.perf_counter()
    if given and truth:
        shutil.copy(given, warehouse)
        return warehouse, Path(truth), time.perf_counter() - start
    world = workdir / "world"
    here = ("--data-dir", str(warehouse.parent))
    for args in (
        ("synth", "--out", str(world)),
        ("ingest", str(world / "raw"), "--warehouse", str(warehouse), *here),
        ("link", "--warehouse", str(warehouse), *here),
        ("features", "--warehouse", str(warehouse), *here),
    ):
        done = _cli(*args)
        if done.returncode != 0:
            raise RuntimeError(f"earlyhelp {args[0]} failed:\n{done.stderr[-2000:]}")
    return warehouse, world / "truth", time.perf_counter() - start


def run(workdir: Path) -> dict[str, object]:
    warehouse, truth, prepare_seconds = _prepare(workdir)
    env = {**os.environ, "EARLYHELP_DATA_DIR": str(warehouse.parent)}
    env.pop("MLFLOW_TRACKING_URI", None)
    start = time.perf_counter()
    done = _cli("train", "--warehouse", str(warehouse), "--truth", str(truth), env=env)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        return {"passed": False, "exit_code": done.returncode, "stderr": done.stderr[-2000:]}
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    reports = warehouse.parent / "reports"
    evaluation = json.loads((reports / "evaluation.json").read_text())
    train = json.loads((reports / "train.json").read_text())
    shown = ("true_positives", "positives", "recall_at_capacity", "precision_at_capacity",
             "pr_auc", "roc_auc", "brier")
    quality = {
        name: {m: evaluation[name][m] for m in shown}
        | {"recall_interval": evaluation[name]["intervals"]["recall_at_capacity"]}
        for name in ("model", "baseline", "oracle")
    }
    return {
        "labelled_rows": train["labelled_rows"],
        "features": train["features"],
        "positives": train["positives"],
        "fit_label": train["fit_label"],
        "prepare_seconds": round(prepare_seconds, 1),
        "train_seconds": round(seconds, 1),
        "peak_rss_mib_of_largest_child": round(peak_mib),
        "timings": train["timings"],
        "winner": evaluation["winner"],
        "quality": quality,
        "target_seconds": TARGET_SECONDS,
        "passed": seconds < TARGET_SECONDS,
    }
