"""How the worlds run: side by side in worker processes, resumable, reporting each step.

What runs (``build_world``) is kept apart from how (this module), as triage does.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from queue import Empty
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from earlyhelp.errors import ConfigError
from earlyhelp.settings import Settings
from model.experiment.page import write_page
from model.experiment.summary import summarise
from model.experiment.world import build_world
from model.report import WorldResult, WorldsReport

# (seed, what is happening: a step name, "done" or "failed: ...")
Event = Callable[[int, str], None]


def parse_seeds(text: str) -> tuple[int, ...]:
    """"101-110" or "1,4,7-9" -> the seeds, in order, each once."""
    seeds: list[int] = []
    for part in text.replace(" ", "").split(","):
        match = re.fullmatch(r"(\d+)(?:-(\d+))?", part)
        if not match:
            raise ConfigError(f"--seeds: {part!r} is not a seed or a range like 101-110")
        low, high = int(match[1]), int(match[2] or match[1])
        if high < low:
            raise ConfigError(f"--seeds: range {part!r} runs backwards")
        seeds.extend(range(low, high + 1))
    return tuple(dict.fromkeys(seeds))


class ExperimentConfig(BaseModel):
    """Checked before any world is built."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seeds: tuple[int, ...] = Field(min_length=1)
    children: int = Field(63_000, ge=200)
    out: Path
    workers: int = Field(2, ge=1)

    @field_validator("workers")
    @classmethod
    def _at_most_the_cores(cls, workers: int) -> int:
        cores = os.cpu_count() or 1
        if workers > cores:
            raise ValueError(f"{workers} workers on a machine with {cores} cores")
        return workers

    def folder(self, seed: int) -> Path:
        return self.out / f"world-{seed}"


def _world(seed: int, children: int, folder: Path, base: Settings, events: Any) -> WorldResult:
    # Runs in a worker process: one native thread each, so two worlds share two cores.
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        return build_world(seed, children, folder, base,
                           say=lambda step: events.put((seed, step)))


def _drain(events: Any, on_event: Event) -> None:
    while True:
        try:
            seed, what = events.get_nowait()
        except Empty:
            return
        on_event(seed, what)


def run_experiment(config: ExperimentConfig, base: Settings,
                   on_event: Event = lambda _seed, _what: None) -> WorldsReport:
    """Build (or reuse) every world, then summarise them into ``out/worlds.json``."""
    config.out.mkdir(parents=True, exist_ok=True)
    results: dict[int, WorldResult] = {}
    failed: dict[int, str] = {}
    context = get_context("spawn")  # fresh interpreters: no forked DuckDB or MLflow state
    with context.Manager() as manager, ProcessPoolExecutor(
        max_workers=config.workers, mp_context=context,
    ) as pool:
        events = manager.Queue()
        futures: dict[Future[WorldResult], int] = {
            pool.submit(_world, seed, config.children, config.folder(seed), base, events): seed
            for seed in config.seeds
        }
        pending = set(futures)
        while pending:
            finished = {f for f in pending if f.done()}
            _drain(events, on_event)
            for future in finished:
                seed = futures[future]
                try:
                    results[seed] = future.result()
                    on_event(seed, "done")
                except Exception as exc:  # one world's fault is reported, the rest go on
                    failed[seed] = f"{type(exc).__name__}: {exc}"
                    on_event(seed, f"failed: {failed[seed]}")
            pending -= finished
            if pending:
                _wait(pending)
        _drain(events, on_event)
    worlds = [results[s] for s in config.seeds if s in results]
    if not worlds:
        raise ConfigError("no world finished: " + "; ".join(
            f"seed {s}: {m}" for s, m in failed.items()))
    report = WorldsReport(worlds=worlds, summary=summarise(worlds), failed=failed)
    (config.out / "worlds.json").write_text(report.model_dump_json(indent=2))
    write_page(report, config.out / "worlds.html")
    return report


def _wait(pending: set[Future[WorldResult]]) -> None:
    from concurrent.futures import FIRST_COMPLETED, wait

    wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
