"""``earlyhelp monitor``: one month's drift, alert volume, who is flagged, outcomes, fairness."""

from __future__ import annotations

from datetime import datetime

import typer
from rich.console import Console

from earlyhelp.cli._edge import shown_errors
from earlyhelp.cli._options import DataDir, Warehouse, stage_bar, step_settings, warehouse_path

_out = Console(stderr=True)


def monitor(
    as_of: datetime = typer.Option(
        ..., "--as-of", formats=["%Y-%m"],
        help="The month to monitor (YYYY-MM); its features must be built "
        "(`earlyhelp features --as-of YYYY-MM`).",
    ),
    warehouse: Warehouse = None,
    data_dir: DataDir = None,
) -> None:
    """Compare a month with what the champion was trained and judged on, and raise alarms.

    Data drift of every model input and of the score (Evidently, against the reference saved
    with the champion's training run); the same inputs by locality, school, sex, age band,
    ethnicity, disability and deprivation; children above the test year's cut-off against
    capacity; who is flagged against the test year; for the month 12 months back (now
    matured) and the 12 before it, recall and precision at capacity against the model card,
    what became of the children flagged and not flagged, and error and selection rates by
    group with 95% intervals.

    Writes <data-dir>/reports/monitor_YYYY-MM.json, Evidently's monitor_YYYY-MM_drift.html
    beside it and the warehouse tables monitor_runs and monitor_alarms; posts the alarms to
    settings monitoring.webhook_url when set (EARLYHELP_MONITORING__WEBHOOK_URL).
    """
    import pandas as pd

    from monitoring.pipeline import report_paths, run_monitor

    with shown_errors():
        settings = step_settings(data_dir)
        month_end = (pd.Timestamp(as_of) + pd.offsets.MonthEnd(0)).date()
        with stage_bar("monitor", 4, _out) as progress:
            report = run_monitor(settings, warehouse_path(settings, warehouse), month_end,
                                 progress)
        json_path, html_path = report_paths(settings, month_end)
        _out.print(
            f"[green]monitor[/] {month_end:%Y-%m}: {report.population:,} children, model "
            f"v{report.model.version}; {len(report.drift.drifted_features)} inputs drifted "
            f"(data set drift: {'yes' if report.drift.dataset_drift else 'no'}), "
            f"{len(report.drift.segments)} shifts by group; {len(report.alarms)} alarm(s) in "
            f"{report.seconds:.1f}s"
        )
        for alarm in report.alarms:
            _out.print(f"  [bold red]alarm[/] {alarm.kind}: {alarm.message}")
        _out.print(f"report: {json_path}\ndrift (Evidently): {html_path}")
