"""Run the benchmarks: every ``bench/bench_*.py`` module's ``run(workdir) -> dict``.

Results go to ``bench/results/<name>.json`` with the machine they ran on. Speed and memory
targets live here, not in timed unit tests. ``python -m bench.run synth ingest`` runs a subset.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def _available() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in Path(__file__).parent.glob("bench_*.py"))


def peak_rss_mib() -> float:
    """Peak resident memory of this process and its finished children, in MiB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, kids) / 1024, 1)


def main(names: list[str]) -> int:
    RESULTS.mkdir(exist_ok=True)
    names = names or _available()
    if len(names) > 1:
        # One process per benchmark: peak memory of finished children (RUSAGE_CHILDREN) is a
        # running maximum, so a benchmark run after another would report the other's peak.
        codes = [subprocess.run([sys.executable, "-m", "bench.run", n], check=False).returncode
                 for n in names]
        return 1 if any(codes) else 0
    failed = []
    for name in names:
        module = importlib.import_module(f"bench.bench_{name}")
        with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
            start = time.perf_counter()
            result = module.run(Path(tmp))
            result.setdefault("seconds_total", round(time.perf_counter() - start, 2))
        result["machine"] = {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        }
        result["finished_at"] = datetime.now(UTC).isoformat()
        out = RESULTS / f"{name}.json"
        out.write_text(json.dumps(result, indent=2) + "\n")
        verdict = "PASS" if result.get("passed", True) else "FAIL"
        if verdict == "FAIL":
            failed.append(name)
        print(f"{verdict} {name}: {out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
