"""CSV extracts: UTF-8 text, a header row, one record a line."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from earlyhelp.errors import InputError
from features.ingest.detect import detect
from features.ingest.readers import BAD_SHAPE, ROW_REF, RawTable

_WORKBOOK_MAGIC = {
    b"PK\x03\x04": "an Excel .xlsx workbook",
    b"\xd0\xcf\x11\xe0": "an Excel .xls workbook",
}


def decode(path: Path) -> str:
    data = path.read_bytes()
    for magic, what in _WORKBOOK_MAGIC.items():
        if data.startswith(magic):
            raise InputError(
                f"{path}: this is {what} saved with a .csv name; export it as CSV (UTF-8) "
                "or give it the .xlsx extension"
            )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not UTF-8 text (byte {exc.start} is 0x{data[exc.start]:02x}); "
            "re-export the extract as CSV UTF-8"
        ) from None


def read_csv(path: Path) -> RawTable:
    text = decode(path)
    if not text.strip():
        raise InputError(f"{path}: the file is empty (no header row)")
    header = next(csv.reader(io.StringIO(text)))
    detection = detect(header, str(path))
    frame = _fast_frame(text) if _simple(text) else None
    if frame is None:
        frame = _careful_frame(text, len(header))
    frame.columns = [*header, ROW_REF, BAD_SHAPE]
    keep = [*detection.rename, ROW_REF, BAD_SHAPE]
    frame = frame[keep].rename(columns=detection.rename)
    return RawTable(spec=detection.spec, frame=frame, ignored_columns=detection.ignored)


def _simple(text: str) -> bool:
    # Without quotes or blank lines, record n is on line n + 1, so pandas' fast reader
    # gives exact line numbers.
    return '"' not in text and "\n\n" not in text.rstrip("\n").replace("\r\n", "\n")


def _fast_frame(text: str) -> pd.DataFrame | None:
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            na_filter=True,
            na_values=[],
            skip_blank_lines=False,
        )
    except pd.errors.ParserError:
        return None  # a row with too many fields: read carefully to keep the others
    # A short row leaves its missing cells as NaN (blank cells stay "").
    frame[ROW_REF] = (frame.index + 2).astype(str)
    frame[BAD_SHAPE] = frame.drop(columns=ROW_REF).isna().any(axis=1)
    return frame.fillna("")


def _careful_frame(text: str, width: int) -> pd.DataFrame:
    reader = csv.reader(io.StringIO(text))
    next(reader)
    rows: list[list[str]] = []
    refs: list[str] = []
    bad: list[bool] = []
    for record in reader:
        if not record:
            continue  # blank line
        refs.append(str(reader.line_num))
        bad.append(len(record) != width)
        rows.append((record + [""] * width)[:width])
    frame = pd.DataFrame(rows, columns=range(width), dtype=str)
    frame[ROW_REF] = refs
    frame[BAD_SHAPE] = bad
    return frame
