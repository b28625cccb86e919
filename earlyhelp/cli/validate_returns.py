"""``earlyhelp validate-returns``: the DfE CIN and SSDA903 validation rules on a world."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from earlyhelp.cli._edge import shown_errors

if TYPE_CHECKING:
    from synthcouncil.dfe.validate import Kind


def validate_returns(
    raw: Path = typer.Argument(..., help="A world's raw/ folder (cin_census/, ssda903/)."),
    jobs: int = typer.Option(2, "--jobs", min=1, help="Returns validated at once."),
    report: Path | None = typer.Option(
        None, "--report", help="Also write the failures per file and rule as JSON here."
    ),
) -> None:
    """Run the DfE's published validation rules (2022/23 sets, the `csc-validator-be-cin` and
    `csc-validator-be-903` packages) on every year's CIN census and SSDA903 return, and print
    failures by rule and year as Markdown tables. A failure is one rule failing for one child.

    The validators pin old pandas and numpy, so each runs in its own environment under
    .venv-validators/ (built on first use from pinned requirements, about 15 s each).

    Exits 1 if any year breaks its bar: CIN under 2 failures per 100 children in the file
    (rule 1530 excepted: the synthetic LA number 000 is not a real council's), SSDA903 under 5
    per 100 children in the header.
    """
    from synthcouncil.dfe import validate_returns as run

    with shown_errors():
        result = run(raw, jobs=jobs)
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(result.model_dump_json(indent=1))
    kinds: tuple[tuple[Kind, str], ...] = (("cin", "CIN census"), ("903", "SSDA903"))
    for kind, title in kinds:
        if any(r.kind == kind for r in result.results):
            typer.echo(f"\n{title}: children failing each rule, by collection year\n")
            typer.echo(result.table(kind))
    for r in result.results:
        if r.rules_raised:
            typer.echo(f"{r.kind} {r.year}: rules that raised instead of running: "
                       f"{r.rules_raised}")
    typer.echo("\nall years within the bars" if result.passes() else "\nsome year breaks a bar")
    if not result.passes():
        raise typer.Exit(1)
