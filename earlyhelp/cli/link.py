"""``earlyhelp link``: one master child index from the warehouse's person tables."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from earlyhelp.cli._edge import shown_errors
from earlyhelp.cli._options import DataDir, Warehouse, stage_bar, step_settings, warehouse_path

_out = Console(stderr=True)


def link(
    warehouse: Warehouse = None,
    data_dir: DataDir = None,
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
        settings = step_settings(data_dir)
        # Stages: read, exact keys, Splink, cluster, write (and evaluate with --truth).
        with stage_bar("linking", 5 + (truth is not None), _out) as progress:
            report = run_link(
                warehouse_path(settings, warehouse), settings, truth=truth,
                engine=engine,  # type: ignore[arg-type]
                decisions=decisions, progress=progress,
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
