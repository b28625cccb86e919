"""CSV extracts: UTF-8 text, a header row, one record a line."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from earlyhelp.errors import InputError
from features.ingest.detect import detect
from features.ingest.readers import BAD_SHAPE, ROW_REF, RawTable

_WORKBOOK_MAGIC = {
    b"PK\x03\x04": "an Excel .xlsx workbook",
    b"\xd0\xcf\x11\xe0": "an Excel .xls workbook",
}


def decode(path: Path) -> tuple[bytes, str]:
    """The file's bytes (without a byte-order mark) and its text; refuses non-UTF-8."""
    data = path.read_bytes()
    for magic, what in _WORKBOOK_MAGIC.items():
        if data.startswith(magic):
            raise InputError(
                f"{path}: this is {what} saved with a .csv name; export it as CSV (UTF-8) "
                "or give it the .xlsx extension"
            )
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data, data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not UTF-8 text (byte {exc.start} is 0x{data[exc.start]:02x}); "
            "re-export the extract as CSV UTF-8"
        ) from None


def read_csv(path: Path) -> RawTable:
    data, text = decode(path)
    if not text.strip():
        raise InputError(f"{path}: the file is empty (no header row)")
    header = next(csv.reader(io.StringIO(text)))
    detection = detect(header, str(path))
    frame = _fast_frame(data, header) if _simple(data, header) else None
    if frame is None:
        frame = _careful_frame(text, len(header))
    frame.columns = [*header, ROW_REF, BAD_SHAPE]
    keep = [*detection.rename, ROW_REF, BAD_SHAPE]
    frame = frame[keep].rename(columns=detection.rename)
    return RawTable(spec=detection.spec, frame=frame, ignored_columns=detection.ignored)


def _simple(data: bytes, header: list[str]) -> bool:
    # Without quotes or blank lines, record n is on line n + 1, so the fast reader gives
    # exact line numbers; it also needs distinct column names.
    body = data.rstrip(b"\r\n")
    return (
        b'"' not in data
        and b"\n\n" not in body
        and b"\n\r\n" not in body
        and len(set(header)) == len(header)
    )


def _fast_frame(data: bytes, header: list[str]) -> pd.DataFrame | None:
    """Arrow's multi-threaded reader, every cell as text; None if any row is ragged."""
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            parse_options=pacsv.ParseOptions(newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(header, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return None  # a row with too many or too few fields: read carefully to keep the rest
    frame = table.to_pandas()
    frame[ROW_REF] = pd.RangeIndex(2, len(frame) + 2)  # line numbers; text once stored
    frame[BAD_SHAPE] = False
    return frame


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
