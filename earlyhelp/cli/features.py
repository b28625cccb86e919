"""``earlyhelp features``: point-in-time features and labels for every child at every month end."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import typer
from rich.console import Console

from earlyhelp.cli._edge import shown_errors
from earlyhelp.cli._options import DataDir, Warehouse, stage_bar, step_settings, warehouse_path
from earlyhelp.errors import ConfigError

_out = Console(stderr=True)


def _as_date(value: datetime | None) -> date | None:
    return value.date() if value else None


def features(
    warehouse: Warehouse = None,
    data_dir: DataDir = None,
    from_: datetime | None = typer.Option(
        None, "--from", formats=["%Y-%m-%d"],
        help="First as-of month (any day in it; the month end is used). "
        "Default: 59 months before --to.",
    ),
    to: datetime | None = typer.Option(
        None, "--to", formats=["%Y-%m-%d"],
        help="Last as-of month. Default: the last complete month in the warehouse.",
    ),
    as_of: datetime | None = typer.Option(
        None, "--as-of", formats=["%Y-%m", "%Y-%m-%d"],
        help="Build one month (YYYY-MM) and add it to the tables, replacing only that month's "
        "rows: every other month, and so what the champion was trained and evaluated on, is "
        "left as it was. For the live monthly run; not with --from/--to.",
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
    The tables go into the warehouse; the JSON report to <data-dir>/reports/features_report.json.
    """
    from features.build.pipeline import build_features

    with shown_errors():
        if as_of is not None and (from_ is not None or to is not None):
            raise ConfigError("--as-of builds one month; leave out --from and --to")
        start, end = _as_date(as_of or from_), _as_date(as_of or to)
        settings = step_settings(data_dir)
        with stage_bar("features", None, _out) as progress:
            report = build_features(
                warehouse_path(settings, warehouse), settings, start=start, end=end,
                label_names=tuple(label) if label else None, parquet_dir=parquet,
                progress=progress, append=as_of is not None,
            )
        _out.print(
            f"[green]features[/]: {report.rows:,} rows ({report.children:,} children, "
            f"{len(report.population_by_month)} months {report.as_of_start}..{report.as_of_end}), "
            f"{report.feature_count} features, labels {', '.join(report.labels)} "
            f"in {report.seconds:.1f}s" + (" (appended)" if as_of is not None else "")
        )
