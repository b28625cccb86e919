"""The ingest step's JSON report: per file and in total, every row loaded or quarantined."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from earlyhelp.reports import StepReport


class Counts(BaseModel):
    """``rows_read == rows_loaded + rows_quarantined``; ``rows_loaded == rows_new +
    rows_already_loaded``."""

    rows_read: int = 0
    # Valid rows: each is in the warehouse after this run, added now or already there.
    rows_loaded: int = 0
    rows_new: int = 0
    # Valid rows whose canonical row (without provenance and recorded date) is already in the
    # warehouse, from an earlier run, an earlier file, or earlier in this file with another
    # recorded date: the same fact again, so not added twice and not quarantined.
    rows_already_loaded: int = 0
    rows_quarantined: int = 0
    by_reason: dict[str, int] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _rows_add_up(self) -> Counts:
        if self.rows_read != self.rows_loaded + self.rows_quarantined:
            raise ValueError(
                f"rows_read {self.rows_read} != loaded {self.rows_loaded} + quarantined "
                f"{self.rows_quarantined}"
            )
        if self.rows_loaded != self.rows_new + self.rows_already_loaded:
            raise ValueError(
                f"rows_loaded {self.rows_loaded} != new {self.rows_new} + already loaded "
                f"{self.rows_already_loaded}"
            )
        if sum(self.by_reason.values()) != self.rows_quarantined:
            raise ValueError("quarantine reasons do not add up to rows_quarantined")
        return self

    def plus(self, other: Counts) -> Counts:
        return Counts(
            rows_read=self.rows_read + other.rows_read,
            rows_loaded=self.rows_loaded + other.rows_loaded,
            rows_new=self.rows_new + other.rows_new,
            rows_already_loaded=self.rows_already_loaded + other.rows_already_loaded,
            rows_quarantined=self.rows_quarantined + other.rows_quarantined,
            by_reason=dict(Counter(self.by_reason) + Counter(other.by_reason)),
        )


class PartReport(Counts):
    """One table read from a file (a CSV, a sheet, or one element kind of a CIN census)."""

    part: str
    detected_table: str
    warehouse_table: str


class FileReport(Counts):
    path: str
    detected_table: str | None = None
    parts: list[PartReport] = Field(default_factory=list)
    ignored_columns: list[str] = Field(default_factory=list)
    census_year: int | None = None
    error: str | None = None


class IngestReport(StepReport):
    step: str = "ingest"
    raw_dir: str
    warehouse: str
    extract_date: date
    extract_date_source: Literal["given", "inferred"]
    files: list[FileReport] = Field(default_factory=list)
    totals: Counts = Field(default_factory=Counts)
    files_failed: int = 0
    table_rows: dict[str, int] = Field(default_factory=dict, description="rows after the run")
    quarantine_files: list[str] = Field(default_factory=list)
    code_changes_modelled: list[str] = Field(default_factory=list)
    reasons_explained: dict[str, str] = Field(
        default_factory=dict, description="what each quarantine reason in this run means"
    )

    @property
    def failures(self) -> list[FileReport]:
        return [f for f in self.files if f.error is not None]
