"""``earlyhelp audit``: a fairness audit of any table of scores: ours, a vendor's, a rule's."""

from __future__ import annotations

from pathlib import Path

import typer
from pydantic import ValidationError

from earlyhelp.cli._edge import shown_errors
from earlyhelp.errors import ConfigError


def audit(
    scores: Path = typer.Option(
        ..., "--scores", help="CSV or Parquet file with one row per child: a 0/1 outcome, a "
        "score and the group columns."
    ),
    label: str = typer.Option(
        ..., "--label", help="Column holding the outcome: 1 if the child went on to it, else 0."
    ),
    score: str = typer.Option(..., "--score", help="Column holding the score (higher = flagged)."),
    group: list[str] = typer.Option(
        ..., "--group", help="A column to compare groups by (repeat for several, e.g. --group "
        "sex --group ethnicity). Blank values form their own group, '(missing)'."
    ),
    threshold: float | None = typer.Option(
        None, "--threshold", help="Flag every row with score >= this value."
    ),
    top_k: int | None = typer.Option(
        None, "--top-k", help="Flag the K highest scores instead (ties at the cut-off are "
        "broken against the tool; the rule is written into the output)."
    ),
    reference: list[str] = typer.Option(
        [], "--reference", help="COL=VALUE: the group other groups are compared with in COL "
        "(default: the largest group). Repeat for several columns."
    ),
    out: Path = typer.Option(
        ..., "--out", help="Folder for audit.json (exact figures), audit.html (for the board) "
        "and audit_report.json."
    ),
    outcome: str = typer.Option(
        "the outcome", "--outcome", help="Plain words for the outcome in the summary, e.g. "
        "'a custodial sentence within 12 months'."
    ),
    interval: str = typer.Option(
        "wilson", "--interval", help="Interval for rates: 'wilson' (default) or "
        "'clopper-pearson' (exact, wider)."
    ),
    seed: int | None = typer.Option(
        None, "--seed", help="Seed of the bootstrap for ratio intervals (default: the "
        "settings' model seed)."
    ),
    n_boot: int | None = typer.Option(
        None, "--n-boot", help="Bootstrap resamples for ratio intervals (default: the "
        "settings' model.bootstrap_resamples, at least 100)."
    ),
) -> None:
    """Audit a table of scores for fairness: error rates by group with 95% intervals."""
    from rich.console import Console

    from earlyhelp.settings import load_settings
    from monitoring.audit.pipeline import AuditConfig, run_audit

    with shown_errors():
        settings = load_settings()
        try:
            config = AuditConfig(
                scores=scores,
                out=out,
                label=label,
                score=score,
                groups=group,
                threshold=threshold,
                top_k=top_k,
                reference=_pairs(reference),
                outcome=outcome,
                rate_method=interval,  # type: ignore[arg-type]
                seed=settings.model.seed if seed is None else seed,
                n_boot=settings.model.bootstrap_resamples if n_boot is None else n_boot,
            )
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ConfigError(f"{where + ': ' if where else ''}{first['msg']}") from None
        console = Console(stderr=True)
        with console.status(f"Auditing {scores} ..."):
            result = run_audit(config)
        console.print(
            f"Audited {result.n:,} rows by {', '.join(group)}: "
            f"{out / 'audit.html'} and {out / 'audit.json'}"
        )


def _pairs(items: list[str]) -> dict[str, str]:
    pairs = {}
    for item in items:
        column, sep, value = item.partition("=")
        if not sep or not column:
            raise ConfigError(f"--reference '{item}': expected COL=VALUE, e.g. sex=M")
        pairs[column] = value
    return pairs
