"""Readers turn one raw file into ``RawTable``s of text cells, one per table it holds."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from earlyhelp.errors import InputError
from features.ingest.specs import TableSpec

ROW_REF = "_row_ref"  # CSV line number, sheet!row, or XML path
BAD_SHAPE = "_bad_shape"  # the row had more or fewer fields than the header


@dataclass
class RawTable:
    spec: TableSpec
    frame: pd.DataFrame  # text cells named as in the spec, plus ROW_REF and BAD_SHAPE
    part: str = ""  # sheet name or XML element kind, for the report
    year: int | None = None  # CIN census collection year
    ignored_columns: tuple[str, ...] = field(default_factory=tuple)


def read_file(path: Path) -> list[RawTable]:
    """Read one file by its type; raises InputError naming the file if it cannot be read."""
    # Imported here: the reader modules import RawTable from this package.
    from features.ingest.readers import cin_xml, delimited, workbook

    suffix = path.suffix.lower()
    if suffix == ".csv":
        return [delimited.read_csv(path)]
    if suffix == ".xlsx":
        return workbook.read_xlsx(path)
    if suffix == ".xml":
        return cin_xml.read_cin_census(path)
    raise InputError(
        f"{path}: unsupported file type '{suffix or 'none'}'; ingest reads .csv, .xlsx and "
        "CIN census .xml"
    )
