"""The features step's report shape: ``reports/features_report.json``."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from earlyhelp.reports import StepReport


class FeaturesReport(StepReport):
    step: str = "features"
    warehouse: str
    as_of_start: date
    as_of_end: date
    data_end: date | None
    rows: int
    children: int
    feature_count: int
    features_by_group: dict[str, int]
    population_by_month: dict[str, int]
    labels: list[str]
    positives_by_label_month: dict[str, dict[str, int]] = Field(
        description="positives per label per as-of month (matured months only)")
    matured_rows_by_label: dict[str, int]
    null_rates: dict[str, float] = Field(description="share of rows NULL, features with any")
    staged_rows: dict[str, int] = Field(description="de-duplicated events per source")
    unlinked_event_rows: int = Field(
        description="event rows whose identifier is not in master_index (left out)")
    population_with_unrecorded_prior_outcome: int = Field(
        description="population rows whose child had an outcome dated before as_of that was "
        "recorded after it (kept in: the product could not know)")
    outputs: list[str]
