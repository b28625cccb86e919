"""``ingest(raw_dir, warehouse, settings)``: read, check and load every raw file.

Each file is read whole first (so one that cannot be read loads nothing), then each of its
tables is validated, its valid rows added to the warehouse unless already there, and its
invalid rows quarantined; one transaction per file.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from earlyhelp.errors import InputError
from earlyhelp.reports import Progress, finish, no_progress, start_clock, timed
from earlyhelp.settings import Settings
from features.ingest import warehouse as wh
from features.ingest.canonical import canonical
from features.ingest.codelists import CIN_CHANGES, CIN_LAST_YEAR, CodeLists
from features.ingest.quarantine import quarantine_rows
from features.ingest.readers import RawTable, read_file
from features.ingest.report import Counts, FileReport, IngestReport, PartReport
from features.ingest.validate import REASONS, mark_duplicates, parse_dates, validate


def list_files(raw_dir: Path) -> list[Path]:
    if not raw_dir.is_dir():
        raise InputError(f"{raw_dir}: no such folder of raw extracts")
    files = sorted(
        p
        for p in raw_dir.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(raw_dir).parts)
    )
    if not files:
        raise InputError(f"{raw_dir}: the folder holds no files to ingest")
    return files


def infer_extract_date(tables: list[RawTable], today: date) -> date:
    """The newest recorded date not in the future (a typo in 2099 must not move it)."""
    newest = date(1990, 1, 1)
    for table in tables:
        spec = table.spec
        if table.year is not None:
            newest = max(newest, date(table.year, 3, 31))
        if spec.recorded is None or spec.recorded not in table.frame:
            continue
        dates = parse_dates(table.frame[spec.recorded].astype(str).str.strip(), spec.date_format)
        dates = dates[dates <= pd.Timestamp(today)]
        if len(dates.dropna()):
            newest = max(newest, dates.max().date())
    return newest


def read_all(
    files: list[Path], raw_dir: Path, progress: Progress = no_progress
) -> tuple[dict[Path, list[RawTable]], dict[Path, str]]:
    """Every file read whole, or the reason it could not be (one bad file stops no other)."""
    read: dict[Path, list[RawTable]] = {}
    errors: dict[Path, str] = {}
    for path in files:
        progress(f"reading {path.relative_to(raw_dir)}")
        try:
            read[path] = read_file(path)
        except InputError as exc:
            errors[path] = str(exc)
        except Exception as exc:  # any other fault in a file is reported against that file
            errors[path] = f"{path}: could not be read ({type(exc).__name__}: {exc})"
    return read, errors


def ingest(
    raw_dir: Path, warehouse: Path, settings: Settings, progress: Progress = no_progress
) -> IngestReport:
    start = start_clock()
    files = list_files(raw_dir)
    read, errors = read_all(files, raw_dir, progress)
    read_seconds = round(start_clock() - start, 3)
    tables = [t for found in read.values() for t in found]
    report = IngestReport(
        raw_dir=str(raw_dir),
        warehouse=str(warehouse),
        extract_date=settings.extract_date or infer_extract_date(tables, date.today()),
        extract_date_source="given" if settings.extract_date else "inferred",
        code_changes_modelled=[
            f"{c.code_list} {c.code} from {c.first_year}: {c.note}" for c in CIN_CHANGES
        ],
        timings={"read": read_seconds},
    )
    con = wh.connect(warehouse)
    try:
        for path in files:
            progress(f"loading {path.relative_to(raw_dir)}")
            name = str(path.relative_to(raw_dir))
            if path in errors:
                report.files.append(FileReport(path=name, error=errors[path]))
                continue
            with timed(report, "validate_and_load"):
                report.files.append(_load_file(con, name, read.pop(path), report.extract_date))
        with timed(report, "export_quarantine"):
            folder = settings.data_dir / "quarantine"
            report.quarantine_files = [str(p) for p in wh.export_quarantine(con, folder)]
        report.table_rows = wh.table_counts(con)
    finally:
        con.close()
    for file_report in report.files:
        report.totals = report.totals.plus(file_report)
    report.files_failed = len(errors)
    report.reasons_explained = {r: REASONS[r] for r in sorted(report.totals.by_reason)}
    finish(report, start, settings.reports_dir / "ingest_report.json")
    return report


def _load_file(
    con: duckdb.DuckDBPyConnection, name: str, tables: list[RawTable], extract_date: date
) -> FileReport:
    parts = []
    con.begin()
    try:
        for table in tables:
            parts.append(_load_table(con, name, table, extract_date))
        con.commit()
    except Exception:
        con.rollback()
        raise
    total = Counts()
    for part in parts:
        total = total.plus(part)
    return FileReport(
        **total.model_dump(),
        path=name,
        detected_table="cin_census" if tables[0].year else ",".join(t.spec.name for t in tables),
        parts=parts,
        ignored_columns=sorted({c for t in tables for c in t.ignored_columns}),
        census_year=tables[0].year,
    )


def _load_table(
    con: duckdb.DuckDBPyConnection, name: str, table: RawTable, extract_date: date
) -> PartReport:
    lists = CodeLists.for_year(table.year or CIN_LAST_YEAR)
    verdict = validate(table, lists, extract_date)
    rows = canonical(table, verdict, name, extract_date)
    key = [c for c in rows.columns if c in wh.identity_columns(table.spec.target)]
    mark_duplicates(verdict, rows[[*key, *(["recorded_date"] if "recorded_date" in rows else [])]])
    valid = verdict.valid
    loaded = wh.insert_new(con, table.spec.target, rows[valid])
    wh.insert_quarantine(con, quarantine_rows(table, verdict, name, extract_date))
    reasons = Counter(verdict.reason[~valid])
    return PartReport(
        part=table.part or table.spec.name,
        detected_table=table.spec.name,
        warehouse_table=table.spec.target,
        rows_read=len(table.frame),
        rows_loaded=int(valid.sum()),
        rows_new=loaded,
        rows_already_loaded=int(valid.sum()) - loaded,
        rows_quarantined=int((~valid).sum()),
        by_reason={str(k): int(v) for k, v in reasons.items()},
    )
