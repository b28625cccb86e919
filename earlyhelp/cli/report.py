"""``earlyhelp report``: the governance board's monthly report as HTML and PDF."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer
from rich.console import Console

from earlyhelp.cli._edge import shown_errors
from earlyhelp.cli._options import DataDir, step_settings

_out = Console(stderr=True)


def report(
    month: datetime = typer.Option(
        ..., "--month", formats=["%Y-%m"],
        help="The month to report on (YYYY-MM); run `earlyhelp monitor --as-of` for it first.",
    ),
    out: Path = typer.Option(
        ..., "--out", help="Folder for board_YYYY-MM.html, board_YYYY-MM.pdf and "
        "board_YYYY-MM_cells.json (every published count, as shown)."
    ),
    data_dir: DataDir = None,
) -> None:
    """Write the board's monthly report: summary, alerts and decisions, who was flagged,
    performance and error rates by group with intervals, what became of the children flagged,
    drift and alarms, model changes, limits. Small numbers are suppressed (1-5 shown as c,
    with secondary suppression)."""
    import pandas as pd

    from monitoring.board.build import build_report, monitor_history, write_cells
    from monitoring.board.render import render_html, write_pdf

    with shown_errors():
        settings = step_settings(data_dir)
        month_end = (pd.Timestamp(month) + pd.offsets.MonthEnd(0)).date()
        with _out.status(f"Writing the board report for {month_end:%Y-%m} ..."):
            board = build_report(settings, month_end)
            html = render_html(board, monitor_history(settings, month_end),
                               settings.monitoring.feature_drift_threshold)
            out.mkdir(parents=True, exist_ok=True)
            stem = out / f"board_{month_end:%Y-%m}"
            write_pdf(html, stem.with_suffix(".pdf"))
            stem.with_suffix(".html").write_text(html, encoding="utf-8")
            write_cells(board, Path(f"{stem}_cells.json"))
        _out.print(f"board report: {stem}.html, {stem}.pdf")
