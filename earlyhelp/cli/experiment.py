"""``earlyhelp experiment``: the pipeline on many generated worlds, summarised across them."""

from __future__ import annotations

from pathlib import Path

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from earlyhelp.cli._edge import shown_errors
from earlyhelp.errors import ConfigError

_out = Console(stderr=True)


def experiment(
    seeds: str = typer.Option(
        ..., "--seeds", help="Worlds to build: a range like 101-110 or a list like 1,4,7-9. "
        "Choose seeds you have not looked at, and do not change them after seeing results."),
    out: Path = typer.Option(
        ..., "--out", help="Folder: world-<seed>/ per world (its own data dir and MLflow "
        "store), worlds.json and worlds.html."),
    children: int = typer.Option(
        63_000, "--children", min=200, help="Children in each world (as `earlyhelp synth`)."),
    workers: int = typer.Option(
        2, "--workers", min=1, help="Worlds built at once, one process each (at most the "
        "machine's cores; others may share it)."),
) -> None:
    """Build each world (synth, ingest, link, features, train), score the learned model, the
    vulnerability index, the practitioners' rule and the true risk on the same test months,
    and write DIR/worlds.json and DIR/worlds.html (median and range across worlds, paired
    comparisons). A finished world is kept: rerun the same command to resume after a crash."""
    from earlyhelp.cli._options import step_settings
    from model.experiment import ExperimentConfig, parse_seeds, run_experiment

    with shown_errors():
        try:
            config = ExperimentConfig(seeds=parse_seeds(seeds), children=children, out=out,
                                      workers=workers)
        except ValidationError as exc:
            raise ConfigError(f"invalid experiment options: {exc.errors()[0]['msg']}") from None
        base = step_settings(None)
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=_out) as bar:
            overall = bar.add_task("worlds", total=len(config.seeds))
            tasks = {s: bar.add_task(f"  world {s}: waiting", total=None) for s in config.seeds}

            def event(seed: int, what: str) -> None:
                bar.update(tasks[seed], description=f"  world {seed}: {what}")
                if what == "done" or what.startswith("failed"):
                    bar.update(tasks[seed], total=1, completed=1)
                    bar.advance(overall)

            report = run_experiment(config, base, on_event=event)
    s = report.summary
    _out.print(f"champion across {s.worlds} worlds: {s.champion} ({s.reason})")
    for name in ("model", "index", "rule", "ceiling"):
        reached = getattr(s, name)["children_reached_expected"]
        low, high = reached.range
        _out.print(f"  {name:<8} children reached (expected, {s.truth} truth): median "
                   f"{reached.median:.2f} (range {low:.2f}-{high:.2f})")
    for seed, error in report.failed.items():
        _out.print(f"[red]world {seed} failed[/red]: {error}")
    _out.print(f"{out / 'worlds.json'}, {out / 'worlds.html'}")
    if report.failed:
        raise typer.Exit(1)
