"""Features speed on the default world: target under 60 s on 2 cores.

Needs a linked warehouse: ``EARLYHELP_BENCH_WAREHOUSE`` names one to copy (fast), otherwise the
default-size world is generated, ingested and linked in ``workdir`` first (not timed). Then
``earlyhelp features`` is timed in a subprocess, so its peak memory is measured on its own.
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

TARGET_SECONDS = 60.0


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "earlyhelp.cli.main", *args],
        capture_output=True, text=True, check=False,
    )


def _prepare(workdir: Path) -> tuple[Path, float]:
    warehouse = workdir / "out" / "warehouse.duckdb"
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    given = os.environ.get("EARLYHELP_BENCH_WAREHOUSE")
    start = time.perf_counter()
    if given:
        shutil.copy(given, warehouse)
    else:
        world = workdir / "world"
        here = ("--data-dir", str(warehouse.parent))
        for args in (
            ("synth", "--out", str(world)),
            ("ingest", str(world / "raw"), "--warehouse", str(warehouse), *here),
            ("link", "--warehouse", str(warehouse), *here),
        ):
            done = _cli(*args)
            if done.returncode != 0:
                raise RuntimeError(f"earlyhelp {args[0]} failed:\n{done.stderr[-2000:]}")
    return warehouse, time.perf_counter() - start


# Runs the CLI and prints its own peak memory last, apart from the preparing subprocesses.
_MEASURED = (
    "import resource, sys\n"
    "from earlyhelp.cli.main import app\n"
    "try:\n    app(sys.argv[1:])\n"
    "finally:\n"
    "    print(f'PEAK_RSS_KIB={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}',"
    " file=sys.stderr)\n"
)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(workdir: Path) -> dict[str, object]:
    warehouse, prepare_seconds = _prepare(workdir)
    load_before = os.getloadavg()[0]
    cpu_before = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _MEASURED, "features", "--warehouse", str(warehouse),
         "--data-dir", str(warehouse.parent)],
        capture_output=True, text=True, check=False,
    )
    seconds = time.perf_counter() - start
    cpu_seconds = _children_cpu() - cpu_before
    peak_kib = [line for line in done.stderr.splitlines() if line.startswith("PEAK_RSS_KIB=")]
    if done.returncode != 0:
        return {"passed": False, "exit_code": done.returncode, "stderr": done.stderr[-2000:]}
    report = json.loads((warehouse.parent / "reports" / "features_report.json").read_text())
    by_month = report["population_by_month"]
    custody = report["positives_by_label_month"].get("custody_12m", {})
    return {
        "target_seconds": TARGET_SECONDS,
        "features_seconds": round(seconds, 2),
        # CPU the step used, and the machine's load when it started: on a shared machine the
        # wall time above includes waiting for other processes.
        "features_cpu_seconds": round(cpu_seconds, 2),
        "load_average_1m_at_start": round(load_before, 2),
        "step_seconds": report["seconds"],
        "stage_seconds": report["timings"],
        "prepare_seconds": round(prepare_seconds, 2),
        "features_peak_rss_mib": (
            round(int(peak_kib[-1].split("=")[1]) / 1024, 1) if peak_kib else None
        ),
        "rows": report["rows"],
        "children": report["children"],
        "months": len(by_month),
        "population_min_max": [min(by_month.values()), max(by_month.values())],
        "feature_count": report["feature_count"],
        "custody_12m_positives": sum(custody.values()),
        "passed": seconds < TARGET_SECONDS,
    }
