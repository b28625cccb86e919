"""Every step writes a JSON report beside its output: one Pydantic shape per step.

Tests, the CLI and web pages read the same shape, so a person or script can check a step
without reading logs.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
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
