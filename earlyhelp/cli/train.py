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
) -> None:
    """Compare the practitioners' rule, logistic regression and boosted trees on temporal
    folds at the council's capacity; log the winner to MLflow as `challenger`."""
    from model.pipeline import train as run_train

    with shown_errors():
        settings = step_settings(data_dir)
        with stage_bar("training", None, _out) as progress:
            report = run_train(warehouse_path(settings, warehouse), settings, truth=truth,
                               label=label, progress=progress)
    _out.print(f"winner: {report.winner}; run {report.run_id}; "
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
    _out.print(line(f"model ({evaluation.winner})", evaluation.model))
    _out.print(line("practitioners' rule", evaluation.baseline))
    if evaluation.oracle is not None:
        _out.print(line("true risk (ceiling)", evaluation.oracle))


def promote(
    approved_by: str | None = typer.Option(
        None, "--approved-by", help="Name of the person approving the promotion; required "
        "for the challenger to become champion."),
    data_dir: DataDir = None,
) -> None:
    """Run the promotion gate on the `challenger`; if it passes and a named person approves,
    it becomes `champion`. A refusal says which check failed and by how much."""
    from model.promotion import promote as run_promote

    with shown_errors():
        settings = step_settings(data_dir)
        report = run_promote(settings, approved_by)
    _out.print(f"version {report.challenger_version} is now champion "
               f"(approved by {report.approved_by})")
