"""Build one world end to end by calling each step's library function, then score it.

Each world lives in its own folder with its own settings (``data_dir``, its own MLflow
sqlite), so worlds can be built side by side and a finished one is never touched again.
"""

from __future__ import annotations

import math
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pandas as pd

from earlyhelp.errors import InputError
from earlyhelp.reports import no_progress
from earlyhelp.settings import Settings
from model.experiment.metrics import world_block
from model.report import WorldResult

RESULT = "world.json"
# Score columns in reports/test_scores.parquet (model/pipeline.py names them).
SCORES = {"model": "learned_score", "index": "index_score", "rule": "rule_score",
          "ceiling": "true_risk_score"}
Say = Callable[[str], None]


def world_settings(base: Settings, folder: Path) -> Settings:
    """``base`` with this world's own data folder and MLflow store."""
    return base.model_copy(update={
        "data_dir": folder, "mlflow_tracking_uri": f"sqlite:///{(folder / 'mlflow.db').resolve()}",
    })


def truth_kind(truth: Path, months: list[date]) -> str:
    """"exact" when the world's risk is exact (Monte Carlo roll-outs) in every test month,
    else "approximate" (the simulation's own risk, or exact for only some rows)."""
    risk = pd.read_parquet(truth / "risk.parquet")
    if "exact" not in risk.columns:
        return "approximate"
    test = risk.loc[pd.to_datetime(risk["as_of"]).dt.date.isin(set(months)), "exact"]
    share = float(test.mean()) if len(test) else 0.0
    # Rounded down: a share short of all must never read "100%".
    shown = f"{math.floor(share * 1000) / 10:g}%"
    return "exact" if share == 1.0 else f"approximate ({shown} of test child-months exact)"


def score_world(seed: int, children: int, settings: Settings, truth: Path, seconds: float,
                step_seconds: dict[str, float], learned: str) -> WorldResult:
    """Every candidate's figures from the training step's scored test rows."""
    ms = settings.model
    rows = pd.read_parquet(settings.reports_dir / "test_scores.parquet")
    blocks = {name: world_block(rows, rows[column].to_numpy(float), label=ms.label,
                                risk="true_risk_score", capacity=ms.capacity)
              for name, column in SCORES.items()}
    positives = rows.loc[rows[ms.label] == 1, "child_key"].nunique()
    months = sorted(rows["as_of"].unique())
    return WorldResult(
        seed=seed, children=children, test_months=months,
        custody_children=int(positives), champion="", learned_variant=learned, **blocks,
        truth=truth_kind(truth, months), seconds=round(seconds, 1), step_seconds=step_seconds,
    )


def build_world(seed: int, children: int, folder: Path, base: Settings,
                say: Say = no_progress) -> WorldResult:
    """synth, ingest, link, features, train (with the truth as the ceiling), then score.

    A finished world's ``world.json`` is returned as it is; a folder without one (a crash
    part-way) is cleared and built again, so no step appends to a half-built world.
    """
    from features.build.pipeline import build_features
    from features.ingest.pipeline import ingest
    from features.linkage.pipeline import link
    from model.pipeline import train
    from synthcouncil import SynthConfig, generate

    done = folder / RESULT
    if done.exists():
        kept = WorldResult.model_validate_json(done.read_text())
        if kept.children != children:
            raise InputError(f"{done}: this world was built with {kept.children} children, not "
                             f"{children}; use another --out or the same --children")
        return kept
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    settings = world_settings(base, folder)
    started = time.perf_counter()
    steps: dict[str, float] = {}

    @contextmanager
    def step(name: str) -> Iterator[None]:
        say(name)
        began = time.perf_counter()
        yield
        steps[name] = round(time.perf_counter() - began, 1)

    with step("synth"):
        paths = generate(SynthConfig(out=folder / "world", children=children, seed=seed))
    warehouse = settings.warehouse_path
    with step("ingest"):
        ingest(paths.raw, warehouse, settings)
    with step("link"):
        link(warehouse, settings)
    with step("features"):
        build_features(warehouse, settings)
    with step("train"):
        train(warehouse, settings, truth=paths.truth)
    result = score_world(seed, children, settings, paths.truth, time.perf_counter() - started,
                         steps, _learned(settings))
    partial = done.with_suffix(".tmp")
    partial.write_text(result.model_dump_json(indent=2))
    partial.replace(done)
    return result


def _learned(settings: Settings) -> str:
    from model.report import EvaluationReport

    path = settings.reports_dir / "evaluation.json"
    return EvaluationReport.model_validate_json(path.read_text()).learned_winner
