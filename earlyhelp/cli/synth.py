"""``earlyhelp synth``: generate a synthetic council's raw extracts and its truth."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from earlyhelp.cli._edge import shown_errors
from earlyhelp.errors import ConfigError

_console = Console(stderr=True)


def synth(
    out: Path = typer.Option(
        ..., "--out", help="Folder for the world: raw/ (extracts), truth/, reports/."
    ),
    children: int = typer.Option(
        63_000, "--children", min=200, help="Children aged 0-17 living in the council at any time."
    ),
    seed: int = typer.Option(
        20200331, "--seed", help="Random seed; the same seed and options give the same files."
    ),
    start: datetime = typer.Option(
        "2015-04-01", "--start", formats=["%Y-%m-%d"],
        help="First day of the window (first of a month, YYYY-MM-DD).",
    ),
    end: datetime = typer.Option(
        "2020-03-31", "--end", formats=["%Y-%m-%d"], help="Last day of the window (YYYY-MM-DD)."
    ),
    scenario: str | None = typer.Option(
        None, "--scenario",
        help="Change the world from --scenario-start on, to test monitoring: recording-change "
        "(the largest secondary school returns all absence as unauthorised), "
        "girls-under-recorded (girls' exploitation recorded half as often), population-shift "
        "(children aged 12-16 move into one locality), service-closure (one locality's early "
        "help team stops recording for six months). See synthcouncil/scenarios.py.",
    ),
    scenario_start: datetime | None = typer.Option(
        None, "--scenario-start", formats=["%Y-%m"], help="First month of the change (YYYY-MM).",
    ),
    mess: bool = typer.Option(
        True, "--mess/--no-mess",
        help="Inject realistic recording faults (typos, nicknames, swapped dates, late entry, "
        "duplicates, missing UPNs, stale postcodes). --no-mess writes clean records.",
    ),
    truth_months: int = typer.Option(
        30, "--truth-months", min=0,
        help="Months (ending a year before the window's end) whose true risk is estimated by "
        "rolling the simulation forward; 0 keeps the held-state approximation everywhere.",
    ),
    truth_replicates: int = typer.Option(
        8, "--truth-replicates", min=2,
        help="Roll-outs per child and month for the exact truth (more: smaller standard error, "
        "proportionally slower).",
    ),
    truth_workers: int = typer.Option(
        1, "--truth-workers", min=0, max=8,
        help="Worker processes rolling the truth out while the simulation goes on (0: in the "
        "simulation's own process). The figures are the same either way.",
    ),
) -> None:
    """Simulate a council's children month by month and write what its systems would export.

    OUT/raw: Annex A lists, CIN census XML, SSDA903, school census, youth justice, early help.

    OUT/truth: who each record really is, each child's true monthly risk (by Monte Carlo
    roll-outs of the simulation for the months the evaluation scores), calibration figures.

    OUT/reports/synth_report.json: rows per file, timings, seed, calibration means.
    """
    from synthcouncil import SynthConfig, generate
    from synthcouncil.scenarios import SCENARIOS, Scenario

    with shown_errors():
        if (scenario is None) != (scenario_start is None):
            raise ConfigError("--scenario and --scenario-start go together")
        if scenario is not None and scenario not in SCENARIOS:
            raise ConfigError(f"--scenario '{scenario}': choose from {', '.join(SCENARIOS)}")
        try:
            change = (None if scenario is None or scenario_start is None else
                      Scenario(name=scenario, start=scenario_start.date()))  # type: ignore[arg-type]
            config = SynthConfig(
                out=out, children=children, seed=seed, start=start.date(), end=end.date(),
                mess=mess, truth_months=truth_months, truth_replicates=truth_replicates,
                truth_workers=truth_workers, scenario=change,
            )
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ConfigError(f"invalid synth options: {where} {first['msg']}") from None
        with Progress(
            TextColumn("{task.description}"), BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(), console=_console, transient=True,
        ) as bar:
            task = bar.add_task("simulating months", total=None)

            def progress(what: str, done: int, total: int) -> None:
                bar.update(task, description=what, completed=done, total=total)

            paths = generate(config, progress=progress)
    typer.echo(f"raw extracts: {paths.raw}")
    typer.echo(f"truth (tests and evaluation only): {paths.truth}")
    typer.echo(f"report: {paths.report}")
