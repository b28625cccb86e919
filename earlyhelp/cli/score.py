"""``earlyhelp score``: the monthly alert run."""

from __future__ import annotations

from datetime import datetime

import typer
from rich.console import Console

from earlyhelp.cli._edge import shown_errors
from earlyhelp.cli._options import DataDir, Warehouse, stage_bar, step_settings, warehouse_path

_out = Console(stderr=True)


def score(
    as_of: datetime | None = typer.Option(
        None, "--as-of", formats=["%Y-%m", "%Y-%m-%d"],
        help="The month to score (YYYY-MM): its feature rows must exist "
        "(`earlyhelp features --as-of YYYY-MM`). Default: the newest month with features."),
    warehouse: Warehouse = None,
    data_dir: DataDir = None,
    alias: str = typer.Option("champion", "--alias", help="Registered model alias to score with."),
) -> None:
    """Score every child in the month's population with the champion, store every score, and
    open alerts for the highest-risk children up to capacity, each routed to a team.

    Safe to run again: a month already run writes nothing new, and a run that was stopped
    half way left nothing behind. A child alerted in the last months (serving.realert_months)
    is alerted again only if their risk rose sharply (serving.realert_rise times or more).
    """
    from model.scoring import load_model
    from serving.alert_run import run_alerts
    from serving.store.database import engine_for, session_factory
    from serving.warehouse import latest_month

    with shown_errors():
        settings = step_settings(data_dir)
        factory = session_factory(engine_for(settings))
        with stage_bar("alert run", None, _out) as progress:
            progress("loading the model")
            model = load_model(settings, alias)
            source = warehouse_path(settings, warehouse)
            month = as_of.date() if as_of else latest_month(source)
            report = run_alerts(settings, source, month, model, factory, progress)
    if report.already_run:
        _out.print(f"{report.as_of:%Y-%m} was already scored: nothing new written")
        return
    teams = ", ".join(f"{team} {n}" for team, n in sorted(report.alerts_by_team.items()))
    _out.print(
        f"[green]{report.as_of:%Y-%m}[/]: {report.children_scored:,} children scored with "
        f"{report.model_name} v{report.model_version} ({report.model_source}); "
        f"{report.alerts_opened} alerts opened ({teams}); "
        f"{report.held_back_recently_alerted} recently alerted held back, "
        f"{report.realerts_after_sharp_rise} re-alerted after a sharp rise; "
        f"{report.seconds:.1f} s"
    )
