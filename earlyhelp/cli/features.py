"""``earlyhelp features``: point-in-time features and labels for every child at every month end."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from earlyhelp.cli._edge import shown_errors
from earlyhelp.settings import load_settings

_out = Console(stderr=True)


def _as_date(value: datetime | None) -> date | None:
    return value.date() if value else None


def features(
    warehouse: Path | None = typer.Option(
        None, "--warehouse", "-w",
        help="Warehouse DuckDB file written by `earlyhelp ingest` and `earlyhelp link` "
        "(default: <data_dir>/warehouse.duckdb). The output tables are written into it.",
    ),
    from_: datetime | None = typer.Option(
        None, "--from", formats=["%Y-%m-%d"],
        help="First as-of month (any day in it; the month end is used). "
        "Default: 59 months before --to.",
    ),
    to: datetime | None = typer.Option(
        None, "--to", formats=["%Y-%m-%d"],
        help="Last as-of month. Default: the last complete month in the warehouse.",
    ),
    label: list[str] | None = typer.Option(
        None, "--label",
        help="A label to build (repeat for several): custody_12m, first_time_entry_12m, "
        "court_order_12m. Default: all of them.",
    ),
    parquet: Path | None = typer.Option(
        None, "--parquet",
        help="Also write each output table as <folder>/<table>.parquet.",
    ),
) -> None:
    """Build feature_matrix, labels, feature_registry and protected_attributes.

    Features at each month end use only rows recorded by that date; the population is
    children aged 10-17 known to a service with no youth justice outcome recorded yet.
    A JSON report goes to reports/features_report.json beside the warehouse.
    """
    from features.build.pipeline import build_features

    with shown_errors():
        settings = load_settings()
        path = warehouse or settings.warehouse_path
        with Progress(
            SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
            console=_out, transient=True,
        ) as progress:
            task = progress.add_task("features", total=None)
            report = build_features(
                path, settings, start=_as_date(from_), end=_as_date(to),
                label_names=tuple(label) if label else None, parquet_dir=parquet,
                on_stage=lambda name: progress.update(task, description=f"features: {name}"),
            )
        _out.print(
            f"[green]features[/]: {report.rows:,} rows ({report.children:,} children, "
            f"{len(report.population_by_month)} months {report.as_of_start}..{report.as_of_end}), "
            f"{report.feature_count} features, labels {', '.join(report.labels)} "
            f"in {report.seconds:.1f}s"
        )
