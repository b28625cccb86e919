"""Benchmark: `earlyhelp experiment` on ten default-size worlds, two at a time.

Target: under 30 minutes on 2 cores. ``EARLYHELP_BENCH_WORLDS`` (default 10) and
``EARLYHELP_BENCH_CHILDREN`` (default 63,000) make a smaller run, which is reported with its
size and an extrapolation to the target's (per world, at the same parallelism) marked as such.
``EARLYHELP_BENCH_FIRST_SEED`` (default 101) picks other worlds, and ``EARLYHELP_BENCH_OUT``
keeps the experiment's folder there (its worlds.json is then a result in its own right).
The experiment runs in a subprocess, as a user would run it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

TARGET_SECONDS = 1800
TARGET_WORLDS = 10
TARGET_CHILDREN = 63_000
FIRST_SEED = 101


def summarise_run(out: Path, wall_seconds: float, workers: int) -> dict[str, object]:
    """Timings of a finished experiment folder: wall clock, per world and per step."""
    report = json.loads((out / "worlds.json").read_text())
    worlds = report["worlds"]
    steps: dict[str, list[float]] = {}
    for w in worlds:
        for name, seconds in w["step_seconds"].items():
            steps.setdefault(name, []).append(seconds)
    children = worlds[0]["children"] if worlds else 0
    at_target = wall_seconds * TARGET_WORLDS / max(len(worlds), 1)
    if children != TARGET_CHILDREN:
        # Assumes every step grows linearly with the children simulated (an assumption, stated
        # in the result as "extrapolated").
        at_target *= TARGET_CHILDREN / max(children, 1)
    return {
        "target_seconds": TARGET_SECONDS, "worlds": len(worlds), "failed": report["failed"],
        "children": children, "workers": workers, "wall_seconds": round(wall_seconds, 1),
        "world_seconds_median": sorted(w["seconds"] for w in worlds)[len(worlds) // 2],
        "step_seconds_median": {k: sorted(v)[len(v) // 2] for k, v in steps.items()},
        "extrapolated": len(worlds) != TARGET_WORLDS or children != TARGET_CHILDREN,
        "seconds_at_target_size": round(at_target, 1),
        "load_average_1m_at_start": None,
        "passed": at_target < TARGET_SECONDS and not report["failed"],
    }


def run(workdir: Path) -> dict[str, object]:
    worlds = int(os.environ.get("EARLYHELP_BENCH_WORLDS", TARGET_WORLDS))
    children = int(os.environ.get("EARLYHELP_BENCH_CHILDREN", TARGET_CHILDREN))
    first = int(os.environ.get("EARLYHELP_BENCH_FIRST_SEED", FIRST_SEED))
    out = Path(os.environ.get("EARLYHELP_BENCH_OUT", workdir / "experiment"))
    env = {**os.environ}
    env.pop("MLFLOW_TRACKING_URI", None)
    load = os.getloadavg()[0]
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "earlyhelp.cli.main", "experiment", "--seeds",
         f"{first}-{first + worlds - 1}", "--children", str(children),
         "--out", str(out), "--workers", "2"],
        capture_output=True, text=True, check=False, env=env,
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        return {"passed": False, "exit_code": done.returncode, "stderr": done.stderr[-2000:]}
    result = summarise_run(out, seconds, workers=2)
    result["load_average_1m_at_start"] = round(load, 2)
    result["seeds"] = f"{first}-{first + worlds - 1}"
    return result
