"""Benchmark ``earlyhelp synth``: the default world and a 250,000-child world.

Each generation runs in its own subprocess, which reports its wall time and peak resident
memory, and the part of it spent on the exact truth's roll-outs (``truth_seconds``, inside
the simulation step). Targets (2 cores): default world under 60 s with the exact truth;
250,000 children under 4 minutes and under 8 GiB.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple


class Case(NamedTuple):
    children: int
    max_seconds: float
    max_mib: float


CASES = {
    "default": Case(children=63_000, max_seconds=60.0, max_mib=8 * 1024.0),
    "children_250k": Case(children=250_000, max_seconds=240.0, max_mib=8 * 1024.0),
}

_CHILD = """
import json, resource, sys, time
from pathlib import Path
from typing import NamedTuple
from synthcouncil import SynthConfig, generate
start = time.perf_counter()
paths = generate(SynthConfig(out=Path(sys.argv[1]), children=int(sys.argv[2])))
truth = json.loads(paths.report.read_text())["truth"]
print(json.dumps({
    "seconds": round(time.perf_counter() - start, 2),
    "truth_seconds": truth.get("seconds", 0.0),
    "truth_replicates": truth.get("replicates", 0),
    "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
}))
"""


def _generate(out: Path, children: int) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(out), str(children)],
        check=True, capture_output=True, text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(workdir: Path) -> dict[str, object]:
    results: dict[str, object] = {}
    passed = True
    for name, case in CASES.items():
        figures = _generate(workdir / name, case.children)
        ok = figures["seconds"] <= case.max_seconds and figures["peak_mib"] <= case.max_mib
        results[name] = {**figures, **case._asdict(), "passed": ok}
        passed = passed and ok
    results["passed"] = passed
    return results
