"""Every step writes a JSON report: one Pydantic shape per step, one place, one clock.

Tests, the CLI and web pages read the same shape, so a person or script can check a step
without reading logs. The rule for where: every product step writes its report into
``settings.reports_dir`` (``<data_dir>/reports/``), whatever warehouse it worked on; the
synthetic council, which stands for the council's own systems, reports beside its world.
Timing: ``timed`` adds a stage's seconds to ``report.timings``; ``finish`` sets the step's
total and writes the report. Progress: long steps take an optional ``Progress`` callback,
called with the name of each stage as it starts.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, Field

from earlyhelp import __version__


class StepReport(BaseModel):
    """Fields every step report carries; each step subclasses it with its own figures."""

    step: str
    version: str = __version__
    started_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    seconds: float = 0.0
    timings: dict[str, float] = Field(default_factory=dict, description="seconds per stage")


ReportT = TypeVar("ReportT", bound=BaseModel)
# Called with each stage's name as it starts ("reading files", "linking: clustering", ...).
Progress = Callable[[str], None]


def no_progress(_stage: str) -> None:
    """The progress callback of a step run without a display."""


def start_clock() -> float:
    return time.perf_counter()


def write_report(report: BaseModel, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return path


def read_report(path: Path, shape: type[ReportT]) -> ReportT:
    return shape.model_validate_json(path.read_text(encoding="utf-8"))


@contextmanager
def timed(report: StepReport, stage: str) -> Iterator[None]:
    """Add the seconds a stage took to ``report.timings[stage]``."""
    start = time.perf_counter()
    try:
        yield
    finally:
        report.timings[stage] = round(
            report.timings.get(stage, 0.0) + time.perf_counter() - start, 3
        )


def finish(report: StepReport, started: float, path: Path) -> Path:
    """Set the step's total seconds since ``started`` and write its report to ``path``."""
    report.seconds = round(time.perf_counter() - started, 3)
    return write_report(report, path)
