"""``earlyhelp link``: one master child index from the warehouse's person tables."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from earlyhelp.cli._edge import shown_errors
from earlyhelp.settings import load_settings

_out = Console(stderr=True)


def link(
    warehouse: Path = typer.Option(
        ..., "--warehouse", help="DuckDB warehouse written by `earlyhelp ingest`."
    ),
    truth: Path | None = typer.Option(
        None,
        "--truth",
        help="A synthetic world's truth/ folder: adds pairwise precision and recall to the "
        "report. Evaluation only; never needed to link.",
    ),
    engine: str = typer.Option(
        "duckdb",
        "--engine",
        help="Where Splink runs: duckdb (default, one machine) or spark (needs the \\[spark] "
        "extra and Java).",
    ),
    decisions: Path | None = typer.Option(
        None,
        "--decisions",
        help="CSV of clerical decisions (record_id_l, record_id_r, decision = match or "
        "non_match, reviewer, decided_at), e.g. a filled-in reports/clerical_review.csv. "
        "Kept in the warehouse and applied on this and every later run.",
    ),
    reports_dir: Path | None = typer.Option(
        None,
        "--reports",
        help="Folder for link_report.json, clerical_review.csv and the model charts "
        "(default: reports/ beside the warehouse).",
    ),
) -> None:
    """Link children across social care, school, Early Help and youth justice records.

    Identifiers sharing an LAchildID or UPN are joined exactly; the rest are matched with
    Splink on names, date of birth, sex and postcode. Writes master_index (each identifier's
    pseudonymous child_key), the clerical review list and reports/link_report.json.
    """
    from features.linkage.backends import ENGINES
    from features.linkage.pipeline import link as run_link

    if engine not in ENGINES:
        raise typer.BadParameter(f"choose one of {', '.join(ENGINES)}", param_hint="--engine")
    with shown_errors():
        settings = load_settings()
        # Stages: read, exact keys, Splink, cluster, write (and evaluate with --truth).
        stages = 5 + (truth is not None)
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=_out, transient=True) as progress:
            task = progress.add_task("linking", total=stages)
            started: list[str] = []

            def stage(text: str) -> None:
                # Each message starts a stage, so the one before it has finished.
                progress.update(task, description=f"linking: {text}", advance=len(started[:1]))
                started.append(text)

            report = run_link(
                warehouse,
                settings,
                truth=truth,
                engine=engine,  # type: ignore[arg-type]
                decisions=decisions,
                reports_dir=reports_dir,
                progress=stage,
            )
    _out.print(
        f"{report.n_identifiers:,} identifiers ({report.n_records:,} records) -> "
        f"{report.n_clusters:,} children; {report.review_pairs:,} pairs for clerical review; "
        f"{report.seconds:.1f} s"
    )
    if report.quality is not None:
        q = report.quality
        _out.print(
            f"pairwise precision {q.pairwise_precision:.4f}, recall {q.pairwise_recall:.4f}, "
            f"F1 {q.pairwise_f1:.4f}"
        )
