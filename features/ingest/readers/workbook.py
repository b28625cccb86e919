"""XLSX workbooks (Annex A is often sent as one): each non-empty sheet is one table."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from earlyhelp.errors import InputError
from features.ingest.detect import detect
from features.ingest.readers import BAD_SHAPE, ROW_REF, RawTable


def cell_text(value: object) -> str:
    """A cell as the text a CSV export would hold (dates as dd/mm/yyyy)."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_xlsx(path: Path) -> list[RawTable]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise InputError(f"{path}: not a readable .xlsx workbook ({exc})") from None
    tables = []
    try:
        for sheet in book.worksheets:
            rows = [
                (n, [cell_text(v) for v in row])
                for n, row in enumerate(sheet.iter_rows(values_only=True), start=1)
            ]
            rows = [(n, r) for n, r in rows if any(r)]
            if not rows:
                continue
            tables.append(_sheet_table(path, sheet.title, rows))
    finally:
        book.close()
    if not tables:
        raise InputError(f"{path}: the workbook has no sheet with data")
    return tables


def _sheet_table(path: Path, title: str, rows: list[tuple[int, list[str]]]) -> RawTable:
    header, body = rows[0][1], rows[1:]
    while header and not header[-1]:
        header = header[:-1]
    width = len(header)
    detection = detect(header, f"{path} sheet '{title}'")
    frame = pd.DataFrame([(r + [""] * width)[:width] for _, r in body], columns=header, dtype=str)
    frame[ROW_REF] = [f"{title}!{n}" for n, _ in body]  # row numbers as shown in the sheet
    frame[BAD_SHAPE] = [any(r[width:]) for _, r in body]
    frame = frame[[*detection.rename, ROW_REF, BAD_SHAPE]].rename(columns=detection.rename)
    return RawTable(spec=detection.spec, frame=frame, part=title, ignored_columns=detection.ignored)
