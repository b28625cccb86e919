"""The shape of a table spec: columns, how each is checked, and where it is stored.

``features.ingest.sources`` (tabular extracts) and ``features.ingest.cin_sources`` (CIN census
XML) declare every table with these types.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Literal

Kind = Literal["text", "date", "int", "code", "bool"]

UK_DATE = "%d/%m/%Y"
ISO_DATE = "%Y-%m-%d"

SEX_MFU: Mapping[str, str | None] = MappingProxyType({"M": "M", "F": "F", "U": None})
SEX_CIN: Mapping[str, str | None] = MappingProxyType({"1": "M", "2": "F", "0": None, "9": None})
SEX_903: Mapping[str, str | None] = MappingProxyType({"1": "M", "2": "F"})
YES_NO: Mapping[str, bool] = MappingProxyType({"Yes": True, "No": False})
CIN_BOOL: Mapping[str, bool] = MappingProxyType(
    {"true": True, "TRUE": True, "1": True, "false": False, "FALSE": False, "0": False}
)


@dataclass(frozen=True)
class Column:
    source: str
    target: str | None = None  # warehouse column; None: checked but not stored
    kind: Kind = "text"
    required: bool = False
    codes: str | None = None  # name of a code list in codelists.CodeLists
    mapping: Mapping[str, object] | None = None  # checked code -> stored value
    optional: bool = False  # the column may be absent from the file
    multi: bool = False  # several codes joined by commas (CIN disabilities)


@dataclass(frozen=True)
class DatedCode:
    """A code valid only for events on or after ``valid_from`` (judged on ``date_column``)."""

    column: str
    code: str
    valid_from: date
    date_column: str


@dataclass(frozen=True)
class TableSpec:
    name: str
    target: str  # warehouse table
    columns: tuple[Column, ...]
    id_system: str | None = None
    id_column: str | None = None
    recorded: str | None = None  # raw column holding the recorded date
    # (raw column, days): recorded date when ``recorded`` is blank (CIN census rules).
    recorded_fallback: tuple[str, int] | None = None
    date_format: str = UK_DATE
    dob: str | None = None  # checked against the earliest plausible birth date
    death: str | None = None
    spans: tuple[tuple[str, str], ...] = ()  # (start, end) raw columns; end >= start
    copies: Mapping[str, str] = field(default_factory=dict)  # target column <- target column
    dated_codes: tuple[DatedCode, ...] = ()
    # (part, part, whole): part + part must not exceed whole (attendance sessions).
    within_total: tuple[str, str, str] | None = None
    positive: tuple[str, ...] = ()  # int columns that must be >= 0

    def column(self, source: str) -> Column:
        return next(c for c in self.columns if c.source == source)

    @property
    def detect_columns(self) -> frozenset[str]:
        return frozenset(c.source for c in self.columns if not c.optional)


def col(source: str, target: str | None = None, kind: Kind = "text", **kw: object) -> Column:
    return Column(source, target, kind, **kw)  # type: ignore[arg-type]


EARLIEST_DOB = date(1990, 1, 1)
EARLIEST_DATE = date(1900, 1, 1)
