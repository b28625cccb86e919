"""What a synthetic world asks for (SynthConfig), how messy it is (MessConfig), where it goes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from synthcouncil.scenarios import Scenario


class MessConfig(BaseModel):
    """Every data-quality fault the generator injects, in one place.

    Rates are per record in the system named; they are modest on purpose (a few percent), like a
    reasonably kept council system, so linkage is hard but not hopeless.
    """

    model_config = ConfigDict(frozen=True)

    typo_rate: float = Field(0.03, ge=0, le=1, description="name with one letter slip")
    nickname_rate: float = Field(0.04, ge=0, le=1, description="forename given as a nickname")
    dob_swap_rate: float = Field(0.015, ge=0, le=1, description="day and month swapped in DOB")
    missing_upn_rate: float = Field(
        0.15, ge=0, le=1, description="UPN blank in social care / CIN census though known"
    )
    eh_duplicate_rate: float = Field(
        0.03, ge=0, le=1, description="early help child registered twice (two EH_IDs)"
    )
    repeated_row_rate: float = Field(0.005, ge=0, le=1, description="exact repeated CSV rows")
    late_tail_rate: float = Field(
        0.05, ge=0, le=1, description="records entered one to six months after the event"
    )
    median_lag_days: float = Field(6.0, ge=0, description="typical recording lag, days")
    stale_postcode: bool = Field(
        True, description="systems keep the postcode they were given, not the current one"
    )


class SynthConfig(BaseModel):
    """One synthetic council: checked before any work starts, immutable afterwards."""

    model_config = ConfigDict(frozen=True)

    out: Path
    children: int = Field(63_000, ge=200, description="children aged 0-17 at any one time")
    seed: int = Field(20200331, ge=0)
    start: date = date(2015, 4, 1)
    end: date = date(2020, 3, 31)
    mess: bool = True
    # The exact truth (rollout.py): Monte Carlo roll-outs from each of the last
    # ``truth_months`` months whose 12-month outcome the extracts can show (those ending 12
    # months before the window's end: with the model's default settings, its test year and
    # the calibration months of every fold), ``truth_replicates`` roll-outs per child.
    truth_months: int = Field(30, ge=0)
    truth_replicates: int = Field(8, ge=2)
    # Worker processes rolling the truth out while the simulation goes on (0: inside the
    # simulation's own process). The figures are the same either way; one worker takes the
    # default world's synth from about 55 s to about 40 s on 2 cores (bench/results/synth.json).
    truth_workers: int = Field(1, ge=0, le=8)
    mess_config: MessConfig = MessConfig()
    # A change to the world from a month on (synthcouncil/scenarios.py); None: unchanged.
    scenario: Scenario | None = None

    @model_validator(mode="after")
    def _window_is_whole_months(self) -> SynthConfig:
        if self.start.day != 1:
            raise ValueError(f"start must be the first day of a month, got {self.start}")
        if self.end <= self.start:
            raise ValueError(f"end ({self.end}) must be after start ({self.start})")
        if self.scenario is not None and not self.start < self.scenario.start <= self.end:
            raise ValueError(
                f"scenario start {self.scenario.start} must fall after the window's first "
                f"month and by its end ({self.start}..{self.end})"
            )
        return self


@dataclass(frozen=True)
class WorldPaths:
    """Where a generated world's parts live."""

    root: Path

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def truth(self) -> Path:
        return self.root / "truth"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def report(self) -> Path:
        return self.reports / "synth_report.json"
