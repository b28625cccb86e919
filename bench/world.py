"""Build a whole world for a benchmark or a detection run: the same CLI steps as `make demo`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "earlyhelp.cli.main", *args], check=True,
                          capture_output=True, text=True)


def build_world(root: Path, *, children: int | None = None, seed: int | None = None,
                scenario: str | None = None, scenario_start: str | None = None) -> Path:
    """synth, ingest, link, features, train and promote into ``root``; returns the data dir."""
    synth = ["synth", "--out", str(root / "world")]
    if children is not None:
        synth += ["--children", str(children)]
    if seed is not None:
        synth += ["--seed", str(seed)]
    if scenario is not None and scenario_start is not None:
        synth += ["--scenario", scenario, "--scenario-start", scenario_start]
    cli(*synth)
    data = ["--data-dir", str(root)]
    cli("ingest", str(root / "world" / "raw"), *data)
    cli("link", *data)
    cli("features", *data)
    cli("train", *data)
    cli("promote", *data, "--approved-by", "bench")
    return root


def monitor(root: Path, month: str) -> dict[str, object]:
    import json

    cli("monitor", "--as-of", month, "--data-dir", str(root))
    path = root / "reports" / f"monitor_{month}.json"
    result: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return result
