"""Options every step shares, spelled once: where its outputs go and which warehouse it reads.

Every step takes ``--data-dir`` (reports/, quarantine/, the default warehouse and the local
MLflow store live under it) and, where it reads or writes the warehouse, ``--warehouse``
(default ``<data-dir>/warehouse.duckdb``). Reports always go to ``<data-dir>/reports/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from earlyhelp.reports import Progress as StageCallback
from earlyhelp.settings import Settings, load_settings

DataDir = Annotated[Path | None, typer.Option(
    "--data-dir",
    help="Folder for this step's outputs: reports/ (every step's JSON report), quarantine/, "
    "the default warehouse (warehouse.duckdb) and the local MLflow store (mlflow.db). "
    "Default: settings data_dir (EARLYHELP_DATA_DIR, else out/).",
)]
Warehouse = Annotated[Path | None, typer.Option(
    "--warehouse", "-w",
    help="DuckDB warehouse file (default: <data-dir>/warehouse.duckdb).",
)]


def step_settings(data_dir: Path | None, **overrides: object) -> Settings:
    """Settings for one step: file and environment, with ``--data-dir`` on top when given."""
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    return load_settings(**overrides)


def warehouse_path(settings: Settings, warehouse: Path | None) -> Path:
    return warehouse or settings.warehouse_path


@contextmanager
def stage_bar(name: str, stages: int | None, console: Console) -> Iterator[StageCallback]:
    """A Rich progress display for a step; the callback starts the stage it names.

    With a known number of stages it is a bar that advances as each new stage starts (the one
    before has then finished); without, a spinner that shows the current stage.
    """
    columns = ([TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()]
               if stages else [SpinnerColumn(), TextColumn("{task.description}")])
    with Progress(*columns, TimeElapsedColumn(), console=console, transient=True) as progress:
        task = progress.add_task(name, total=stages)
        started: list[str] = []

        def stage(text: str) -> None:
            progress.update(task, description=f"{name}: {text}", advance=len(started[:1]))
            started.append(text)

        yield stage
