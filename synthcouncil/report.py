"""The synth step's JSON report: what was written, how long it took, how the world came out."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from earlyhelp.reports import StepReport


class SynthReport(StepReport):
    step: str = "synth"
    seed: int
    config: dict[str, Any]
    children_simulated: int = 0
    counts: dict[str, int] = Field(default_factory=dict, description="rows (or children) per file")
    calibration_means: dict[str, float] = Field(
        default_factory=dict, description="mean over financial years of each calibration figure"
    )
    truth: dict[str, float] = Field(
        default_factory=dict,
        description="the exact truth: roll-outs, time, standard error near the top of the "
        "ranking, expected against realised custody child-months in the test year",
    )
    shapes: dict[str, float] = Field(
        default_factory=dict,
        description="shares among children later sentenced to custody vs never convicted",
    )
    scenario: dict[str, Any] = Field(
        default_factory=dict, description="the change made to the world (scenarios.py), if any"
    )
