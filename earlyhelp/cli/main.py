"""The ``earlyhelp`` command: one subcommand per pipeline step.

Each command module parses options, builds settings, calls library code and writes output.
Heavy libraries (mlflow, splink, evidently) are imported inside the commands, never here, so
``earlyhelp --help`` stays fast.
"""

from __future__ import annotations

import logging

import typer
from rich.console import Console
from rich.logging import RichHandler

from earlyhelp.cli import (
    audit,
    experiment,
    features,
    ingest,
    link,
    monitor,
    report,
    score,
    serve,
    synth,
    train,
    validate_returns,
)

app = typer.Typer(
    name="earlyhelp",
    no_args_is_help=True,
    add_completion=False,
    help=(
        "Find children aged 10-17 who may benefit from Early Help before any youth justice "
        "service knows them. Steps run in order: synth -> ingest -> link -> features -> train "
        "-> promote. Every step writes a JSON report beside its output."
    ),
)


@app.callback()
def _configure(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show debug logging."),
) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(message)s",
        handlers=[RichHandler(console=Console(stderr=True), show_path=False)],
    )


app.command("synth")(synth.synth)
app.command("ingest")(ingest.ingest)
app.command("link")(link.link)
app.command("features")(features.features)
app.command("train")(train.train)
app.command("promote")(train.promote)
app.command("score")(score.score)
app.command("audit")(audit.audit)
app.command("serve")(serve.serve)
app.add_typer(serve.users, name="users")
app.command("validate-returns")(validate_returns.validate_returns)
app.command("experiment")(experiment.experiment)
app.command("monitor")(monitor.monitor)
app.command("report")(report.report)


if __name__ == "__main__":
    app()
