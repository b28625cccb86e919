"""CLI for the ingest step: raw extracts -> DuckDB warehouse, quarantine and report."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from earlyhelp.cli._edge import shown_errors
from earlyhelp.cli._options import DataDir, Warehouse, stage_bar, step_settings, warehouse_path
from earlyhelp.errors import InputError

if TYPE_CHECKING:
    from features.ingest.report import IngestReport


def ingest(
    raw_dir: Path = typer.Argument(
        ...,
        help="Folder of raw extracts (annex_a/, cin_census/, ssda903/, social_care/, "
        "school_census/, youth_justice/, early_help/, reference/). Every file under it is read; "
        "tables are recognised by their columns.",
    ),
    warehouse: Warehouse = None,
    data_dir: DataDir = None,
    extract_date: str = typer.Option(
        None,
        "--extract-date",
        help="Date the extracts were taken (YYYY-MM-DD). Any date after it is quarantined, and "
        "rows without a recorded date take it. Default: the newest recorded date in the files "
        "that is not in the future.",
    ),
) -> None:
    """Check every raw row and load it into the warehouse, or quarantine it with a reason."""
    from features.ingest import ingest as run_ingest
    from features.ingest.pipeline import list_files

    with shown_errors():
        overrides: dict[str, object] = {}
        if extract_date:
            try:
                overrides["extract_date"] = datetime.strptime(extract_date, "%Y-%m-%d").date()
            except ValueError:
                raise InputError(
                    f"--extract-date {extract_date!r} is not a date like 2024-03-31"
                ) from None
        settings = step_settings(data_dir, **overrides)
        target = warehouse_path(settings, warehouse)
        # Each file is read, then validated and loaded: two steps a file.
        steps = 2 * len(list_files(raw_dir)) if raw_dir.is_dir() else None
        with stage_bar("ingest", steps, Console(stderr=True)) as progress:
            report = run_ingest(raw_dir, target, settings, progress=progress)
        _print_summary(report)
        if report.failures:
            listed = "; ".join(f"{f.path}: {f.error}" for f in report.failures)
            raise InputError(
                f"{len(report.failures)} file(s) could not be read and were not loaded "
                f"(the others were): {listed}"
            )


def _print_summary(report: IngestReport) -> None:
    table = Table(
        title=f"ingest (extract date {report.extract_date}, {report.extract_date_source})"
    )
    counts = ("read", "loaded", "new", "quarantined")
    for name in ("file", "table", *counts, "reasons"):
        table.add_column(name, justify="right" if name in counts else "left")
    for f in report.files:
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(f.by_reason.items()))
        table.add_row(
            f.path,
            f.detected_table or "[red]unreadable[/]",
            str(f.rows_read),
            str(f.rows_loaded),
            str(f.rows_new),
            str(f.rows_quarantined),
            "[red]not read: see below[/]" if f.error else reasons,
        )
    t = report.totals
    table.add_row(
        "[bold]total",
        "",
        str(t.rows_read),
        str(t.rows_loaded),
        str(t.rows_new),
        str(t.rows_quarantined),
        ", ".join(f"{k} {v}" for k, v in sorted(t.by_reason.items())),
    )
    # Piped into a log, rich would wrap at 80 columns and cut the file names.
    console = Console() if sys.stdout.isatty() else Console(width=140)
    console.print(table)
    console.print(f"warehouse: {report.warehouse}  ({report.seconds:.1f} s)")
