"""Ingest speed on the default world: target under 60 s on 2 cores.

Generates the default-size world in ``workdir`` (not timed), then times ``earlyhelp ingest``
in a subprocess, so its peak memory is measured apart from the generator's.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

TARGET_SECONDS = 60.0


def run(workdir: Path) -> dict[str, object]:
    from synthcouncil import SynthConfig, generate

    start = time.perf_counter()
    world = generate(SynthConfig(out=workdir / "world")).root
    generate_seconds = time.perf_counter() - start

    warehouse = workdir / "out" / "warehouse.duckdb"
    load_before = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "earlyhelp.cli.main",
            "ingest",
            str(world / "raw"),
            "--warehouse",
            str(warehouse),
            "--data-dir",
            str(warehouse.parent),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    report = json.loads((warehouse.parent / "reports" / "ingest_report.json").read_text())
    totals = report["totals"]
    return {
        "target_seconds": TARGET_SECONDS,
        "ingest_seconds": round(seconds, 2),
        # CPU time and load show how much of the wall time was waiting for a shared machine.
        "ingest_cpu_seconds": round(
            children.ru_utime + children.ru_stime - before.ru_utime - before.ru_stime, 2
        ),
        "load_average_at_start": round(load_before, 2),
        "generate_seconds": round(generate_seconds, 2),
        "ingest_peak_rss_mib": round(children.ru_maxrss / 1024, 1),
        "exit_code": done.returncode,
        "files": len(report["files"]),
        "files_failed": report["files_failed"],
        "rows_read": totals["rows_read"],
        "rows_loaded": totals["rows_loaded"],
        "rows_new": totals["rows_new"],
        "rows_already_loaded": totals["rows_already_loaded"],
        "rows_quarantined": totals["rows_quarantined"],
        "quarantined_by_reason": totals["by_reason"],
        "stage_seconds": report["timings"],
        "passed": done.returncode == 0 and seconds < TARGET_SECONDS,
    }
