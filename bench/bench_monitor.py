"""Benchmark ``earlyhelp monitor`` on the default world: one month, start-up included.

Target: under 30 s on 2 cores. The world is built (synth ... promote) first and not timed.
Two months are timed: the first monitored month also scores the matured month 12 months back
(no earlier run kept its flags); the second reads those kept flags, as every later month does.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from bench.world import build_world, cli

TARGET_SECONDS = 30.0
MONTHS = ("2020-02", "2020-03")


def run(workdir: Path) -> dict[str, object]:
    start = time.perf_counter()
    root = build_world(workdir / "default")
    built = round(time.perf_counter() - start, 1)
    timings: dict[str, float] = {}
    stages: dict[str, dict[str, float]] = {}
    for month in MONTHS:
        t = time.perf_counter()
        cli("monitor", "--as-of", month, "--data-dir", str(root))
        timings[month] = round(time.perf_counter() - t, 2)
        report = json.loads((root / "reports" / f"monitor_{month}.json").read_text())
        stages[month] = report["timings"]
    return {"world_build_seconds": built, "monitor_seconds": timings, "stages": stages,
            "target_seconds": TARGET_SECONDS,
            "passed": all(v < TARGET_SECONDS for v in timings.values())}
