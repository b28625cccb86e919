"""``reports/monitor_YYYY-MM.json``: one month's monitoring, read by the board's report and /ui."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from earlyhelp.reports import StepReport
from monitoring.drift import DriftResult
from monitoring.outcomes import GroupFairness, PeriodOutcomes, Rate

AlarmKind = Literal["data_drift", "prediction_drift", "segment_shift", "recording_volume",
                    "alert_volume", "group_rate", "performance"]


class Alarm(BaseModel):
    kind: AlarmKind
    subject: str  # what it is about: a feature, "locality=Northgate", "sex=F: fnr", ...
    message: str  # one plain sentence for a data scientist
    features: list[str] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)  # "column=value"
    value: float | None = None
    threshold: str = ""


class ModelFacts(BaseModel):
    name: str
    version: str
    run_id: str
    source: str
    trained_at: str | None
    inputs: int


class Volume(BaseModel):
    capacity: int
    population: int
    reference_cutoff: float  # the score the test year's top ``capacity`` a month reached
    above_cutoff: int  # children this month at or above it
    ratio: float
    alerts_in_store: int | None = None  # alerts the serving store holds for the month


class MixRow(BaseModel):
    column: str
    group: str
    flagged: int
    share: float | None
    test_year_share: float | None


class BandCheck(BaseModel):
    column: str
    group: str
    rate: str
    period: str  # "month" (selection) or "rolling 12 matured months" (error rates)
    current: Rate
    band_low: float | None
    band_high: float | None
    outside: bool


class Fairness(BaseModel):
    """Rates and calibration by group: the matured month and the rolling 12 matured months."""

    matured_month: list[GroupFairness]
    rolling_12: list[GroupFairness]
    bands: list[BandCheck]
    note: str = ""


class Outcomes(BaseModel):
    matured_month: date | None
    label: str
    promised_recall: Rate | None  # the model card's recall at capacity (test year)
    promised_recall_interval: tuple[float | None, float | None] | None
    realised_month: PeriodOutcomes | None
    realised_rolling_12: PeriodOutcomes | None
    note: str = ""


class MonitorReport(StepReport):
    step: str = "monitor"
    as_of: date
    warehouse: str
    model: ModelFacts
    population: int
    reference_rows: int
    reference_months: list[date]
    drift: DriftResult
    volume: Volume
    mix: list[MixRow]
    fairness: Fairness
    outcomes: Outcomes
    alarms: list[Alarm]
    webhook: str = "not configured"
    evidently_html: str
