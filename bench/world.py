"""Build a whole world for a benchmark or a detection run: the same CLI steps as `make demo`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

MLFLOW_ENV = "EARLYHELP_MLFLOW_TRACKING_URI"


def cli(*args: str, mlflow_from: Path | None = None,
        settings: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **(settings or {})}
    # `mlflow.set_tracking_uri` in this process also sets MLFLOW_TRACKING_URI in its
    # environment; a step run here must use its own data folder's store, not inherit that.
    env.pop("MLFLOW_TRACKING_URI", None)
    if mlflow_from is not None:
        env[MLFLOW_ENV] = f"sqlite:///{(mlflow_from / 'mlflow.db').resolve()}"
    return subprocess.run([sys.executable, "-m", "earlyhelp.cli.main", *args], check=True,
                          capture_output=True, text=True, env=env)


def built(root: Path) -> bool:
    return (root / "reports" / "promotion.json").exists()


def build_world(root: Path, *, children: int | None = None, seed: int | None = None,
                scenario: str | None = None, scenario_start: str | None = None,
                champion_from: Path | None = None) -> Path:
    """synth, ingest, link, features, train and promote into ``root``; returns the data dir.

    With ``champion_from`` (a built world of the same seed, identical before the scenario
    starts) no model is trained: the champion trained there, before the change, is monitored,
    as in life; its training reports are copied beside this world's. A world already built
    in ``root`` is reused.
    """
    if built(root) or (champion_from is not None
                       and (root / "reports" / "test_scores.parquet").exists()):
        return root
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
    if champion_from is not None:
        for name in ("evaluation.json", "test_scores.parquet", "test_children.parquet"):
            shutil.copy(champion_from / "reports" / name, root / "reports" / name)
        return root
    cli("train", *data)
    # A small world has too few outcomes for the gate to judge a model (its calibration and
    # group checks refuse every candidate); monitoring needs a champion whatever its quality,
    # so this test world's gate is opened wide and the override recorded, as make demo's is.
    cli("promote", *data, "--approved-by", "bench", "--override-reason",
        "monitoring test world: too few outcomes to judge the model",
        settings={"EARLYHELP_MODEL__GATE_INTERCEPT_ABS": "100",
                  "EARLYHELP_MODEL__GATE_SLOPE_LOW": "0",
                  "EARLYHELP_MODEL__GATE_SLOPE_HIGH": "100",
                  "EARLYHELP_MODEL__GATE_DISPARITY_TOLERANCE": "1"})
    return root


def monitor(root: Path, month: str, champion_from: Path | None = None) -> dict[str, object]:
    import json

    cli("monitor", "--as-of", month, "--data-dir", str(root), mlflow_from=champion_from)
    path = root / "reports" / f"monitor_{month}.json"
    result: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return result
