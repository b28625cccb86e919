"""CLI for the train and promote steps: temporal evaluation, MLflow logging, promotion gate."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from earlyhelp.cli._edge import shown_errors
from earlyhelp.cli._options import DataDir, Warehouse, stage_bar, step_settings, warehouse_path

_out = Console()


def train(
    warehouse: Warehouse = None,
    data_dir: DataDir = None,
    truth: Path | None = typer.Option(
        None, "--truth", help="The synthetic world's truth/ folder: adds the true-risk ceiling "
        "to the evaluation. Never used to fit or score."),
    label: str | None = typer.Option(
        None, "--label", help="Label column to learn (default: settings model.label, "
        "custody_12m). Each label is its own MLflow experiment."),
    worlds: Path | None = typer.Option(
        None, "--worlds", help="DIR/worlds.json from `earlyhelp experiment`: the learned "
        "model is registered instead of the vulnerability index only if it beat the index "
        "there by the paired test. Without it the index is registered."),
) -> None:
    """Choose a learned variant on validation months inside the training months, then score
    it, the vulnerability index and the practitioners' rule once on the test months at the
    council's capacity; log what is deployed (the index unless --worlds shows a learned model
    beat it) to MLflow as `challenger`, and every variant tried to an experiment of its own."""
    from model.pipeline import train as run_train

    with shown_errors():
        settings = step_settings(data_dir)
        evidence = None
        if worlds is not None:
            from model.experiment.summary import evidence_from

            evidence = evidence_from(worlds)
        with stage_bar("training", None, _out) as progress:
            report = run_train(warehouse_path(settings, warehouse), settings, truth=truth,
                               label=label, progress=progress, evidence=evidence)
    _out.print(f"deployed: {report.winner}; run {report.run_id}; "
               f"{settings.model.registered_name} version {report.model_version} @challenger")
    _print_headline(Path(report.evaluation_path))
    _out.print(f"evaluation: {report.evaluation_path} ({report.seconds:.1f} s)")


def _print_headline(path: Path) -> None:
    """Recall at capacity and children reached, model beside the rule and the ceiling."""
    from model.report import EvaluationReport, MetricBlock

    evaluation = EvaluationReport.model_validate_json(path.read_text())

    def pct(v: float | None) -> str:
        return "n/a" if v is None else f"{v:.1%}"

    def line(name: str, block: MetricBlock) -> str:
        iv = block.intervals["recall_at_capacity"]
        text = (f"  {name:<22} recall at capacity {pct(block.recall_at_capacity)} "
                f"(95% {pct(iv.low)} to {pct(iv.high)})")
        if block.new_referrals is not None:
            nr = block.new_referrals
            text += f"; children reached {nr.children_reached}/{nr.children_with_outcome}"
        return text

    _out.print(f"{evaluation.label} on {len(evaluation.test_months)} test months, "
               f"{evaluation.capacity} flags a month:")
    _out.print(line(f"deployed ({evaluation.winner})", evaluation.model))
    if evaluation.learned_winner and evaluation.learned_winner != evaluation.winner:
        learned = evaluation.candidates[evaluation.learned_winner]
        _out.print(line(f"learned ({evaluation.learned_winner})", learned))
    _out.print(line("practitioners' rule", evaluation.baseline))
    if evaluation.oracle is not None:
        _out.print(line("true risk (ceiling)", evaluation.oracle))


def promote(
    approved_by: str | None = typer.Option(
        None, "--approved-by", help="Name of the person approving the promotion; required "
        "for the challenger to become champion."),
    override_reason: str | None = typer.Option(
        None, "--override-reason", help="Why the challenger should be promoted although the "
        "checks of who is flagged (share of flags against share of outcomes, calibration by "
        "group) failed. Needs --approved-by; kept with the MLflow run and model version. "
        "Other checks cannot be overridden."),
    data_dir: DataDir = None,
) -> None:
    """Run the promotion gate on the `challenger`; if it passes and a named person approves,
    it becomes `champion`. A refusal says which check failed and by how much."""
    from model.promotion import promote as run_promote

    with shown_errors():
        settings = step_settings(data_dir)
        report = run_promote(settings, approved_by, override_reason)
    if report.override_reason:
        failed = ", ".join(c.name for c in report.verdict.failures)
        _out.print(f"[yellow]promoted over failed checks a person may weigh ({failed}); "
                   f"reason recorded: {report.override_reason}[/yellow]")
    _out.print(f"version {report.challenger_version} is now champion "
               f"(approved by {report.approved_by})")
