"""Benchmark ``earlyhelp audit``: 1,000,000 rows, three group columns, intervals included.

Target: under 30 s on 2 cores, from the file to audit.json and audit.html, for Parquet and CSV.
Each run is the real command in a subprocess, so its time includes start-up and its memory
is measured on its own.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROWS = 1_000_000
TARGET_SECONDS = 30.0


def scores_table(rows: int, seed: int = 7) -> pd.DataFrame:
    """Synthetic scores: ~1% positives, a score that mostly ranks them higher, three groups."""
    rng = np.random.default_rng(seed)
    sex = rng.choice(["F", "M", ""], size=rows, p=[0.48, 0.5, 0.02])
    ethnicity = rng.choice(["White", "Mixed", "Asian", "Black", "Other", ""], size=rows,
                           p=[0.7, 0.06, 0.1, 0.08, 0.03, 0.03])
    age = rng.choice([f"{a}" for a in range(10, 18)], size=rows)
    label = (rng.random(rows) < 0.01).astype(np.int8)
    score = np.clip(rng.normal(0.2 + 0.3 * label, 0.15), 0, 1).round(4)
    return pd.DataFrame({"custody_12m": label, "score": score, "sex": sex,
                         "ethnicity_group": ethnicity, "age_band": age})


def _audit(scores: Path, out: Path) -> float:
    command = [sys.executable, "-m", "earlyhelp.cli.main", "audit", "--scores", str(scores),
               "--label", "custody_12m", "--score", "score", "--group", "sex", "--group",
               "ethnicity_group", "--group", "age_band", "--top-k", "10000", "--out", str(out)]
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return round(time.perf_counter() - start, 2)


def run(workdir: Path) -> dict[str, object]:
    from bench.run import peak_rss_mib

    frame = scores_table(ROWS)
    parquet, csv = workdir / "scores.parquet", workdir / "scores.csv"
    frame.to_parquet(parquet)
    frame.to_csv(csv, index=False)
    seconds_parquet = _audit(parquet, workdir / "out_parquet")
    seconds_csv = _audit(csv, workdir / "out_csv")
    report = pd.read_json(workdir / "out_csv" / "audit_report.json", typ="series")
    return {
        "rows": ROWS,
        "group_columns": 3,
        "n_boot": 1000,
        "seconds_parquet": seconds_parquet,
        "seconds_csv": seconds_csv,
        "csv_stage_seconds": report["timings"],
        "peak_rss_mib": peak_rss_mib(),
        "target_seconds": TARGET_SECONDS,
        "passed": max(seconds_parquet, seconds_csv) < TARGET_SECONDS,
    }
