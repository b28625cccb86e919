"""MLflow logging and registry: one experiment per label, one run per training.

Only pseudonymous or aggregate values reach MLflow: parameters, metrics, plots, the data
fingerprint, the model card, the evaluation, and the model with a feature-only input example.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from earlyhelp.settings import Settings
from model.candidates import input_columns
from model.card import CardFacts, render_card
from model.data import ModelData
from model.report import EvaluationReport, MetricBlock, TrainReport

PIP_REQUIREMENTS = ["mlflow>=3.17,<3.19", "scikit-learn>=1.9,<1.10", "pandas>=2.3,<3.1",
                    "numpy>=2.0,<3"]
BLOCK_METRICS = ("recall_at_capacity", "recall_at_capacity_random_ties", "precision_at_capacity",
                 "number_needed_to_flag", "pr_auc", "roc_auc", "brier")


def experiment_name(label: str) -> str:
    return f"earlyhelp-{label}"


def connect(settings: Settings) -> str:
    import mlflow

    uri = settings.resolved_mlflow_uri
    if uri.startswith("sqlite:///"):
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    mlflow.set_tracking_uri(uri)
    return uri


def selection_experiment_name(label: str) -> str:
    return f"earlyhelp-{label}-selection"


def use_experiment(settings: Settings, label: str, name: str | None = None) -> None:
    """Select the label's experiment (or ``name``); a local store keeps artifacts beside it,
    not in the cwd."""
    import mlflow

    name = name or experiment_name(label)
    if mlflow.get_experiment_by_name(name) is None:
        local = settings.resolved_mlflow_uri.startswith("sqlite:///")
        location = (settings.data_dir / "mlartifacts").resolve().as_uri() if local else None
        mlflow.create_experiment(name, artifact_location=location)
    mlflow.set_experiment(name)


def block_metrics(prefix: str, block: MetricBlock) -> dict[str, float]:
    out: dict[str, float] = {}
    for name in BLOCK_METRICS:
        value = getattr(block, name)
        if value is not None:
            out[f"{prefix}.{name}"] = value
        iv = block.intervals.get(name)
        if iv is not None and iv.low is not None and iv.high is not None:
            out[f"{prefix}.{name}.low"] = iv.low
            out[f"{prefix}.{name}.high"] = iv.high
    for name in ("calibration_slope", "calibration_intercept"):
        value = getattr(block, name)
        if value is not None:
            out[f"{prefix}.{name}"] = value
    return out


def log_selection(settings: Settings, label: str, blocks: dict[str, MetricBlock],
                  validation_months: list[date], chosen: str) -> dict[str, str]:
    """One MLflow run per variant tried, in an experiment of its own, so every path tried is
    on the record; returns each variant's run id."""
    import mlflow

    connect(settings)
    use_experiment(settings, label, selection_experiment_name(label))
    run_ids = {}
    for variant, block in blocks.items():
        with mlflow.start_run(run_name=f"validate-{variant}") as run:
            mlflow.log_params({
                "variant": variant, "label": label, "capacity": settings.model.capacity,
                "validation_months": f"{validation_months[0]}..{validation_months[-1]}",
                "max_lookback_months": settings.model.max_lookback_months,
                "fit_label": settings.model.fit_label,
                "outcome_weight": settings.model.outcome_weight,
            })
            mlflow.log_metrics(block_metrics("validation", block))
            mlflow.set_tag("chosen", str(variant == chosen))
            run_ids[variant] = run.info.run_id
    return run_ids


def _plots(folder: Path, evaluation: EvaluationReport, final: Pipeline, data: ModelData,
           eval_frame: pd.DataFrame, scores: dict[str, np.ndarray]) -> None:
    from model import plots
    from model.candidates import base_classifier
    from model.explain import is_explainable

    y = eval_frame["y"].to_numpy()
    plots.pr_curves(y, scores, folder / "pr_curve.png")
    blocks = {"model": evaluation.model, "rule": evaluation.baseline}
    if evaluation.oracle is not None:
        blocks["true risk"] = evaluation.oracle
    plots.calibration(blocks, folder / "calibration.png")
    plots.lift_at_capacity(blocks, evaluation.capacity, folder / "lift_at_capacity.png")
    if is_explainable(final):
        coefs = pd.Series(base_classifier(final).coef_[0], index=list(data.features))
        plots.feature_effects(coefs, folder / "feature_effects.png")


def _log_model(settings: Settings, final: Pipeline, data: ModelData) -> Any:
    import mlflow
    from mlflow.models import infer_signature

    from model.pyfunc import RiskModel

    inputs = input_columns(final)
    python_model = RiskModel(final, inputs, data.registry)
    # Doubles, as the warehouse stores them: a float32 signature refuses the feature_matrix
    # as read (MLflow will not narrow float64), while float32 input widens safely.
    example = data.frame[inputs].head(5).reset_index(drop=True).astype("float64")
    output = python_model.predict(None, example)
    return mlflow.pyfunc.log_model(
        name="model", python_model=python_model, input_example=example,
        signature=infer_signature(example, output), pip_requirements=PIP_REQUIREMENTS,
        registered_model_name=settings.model.registered_name,
    )


DRIFT_REFERENCE = "drift_reference/reference.parquet"


def _log_drift_reference(settings: Settings, data: ModelData, evaluation: EvaluationReport,
                         final: Pipeline) -> None:
    """Save the monitor's reference with the run: a sample of the test months' model inputs
    (pseudonymous key and month, no protected attribute) and the deployed model's scores."""
    import mlflow

    rows = data.frame[data.frame["as_of"].isin(set(evaluation.test_months))]
    n = min(len(rows), settings.monitoring.reference_rows)
    sample = rows.sample(n=n, random_state=settings.model.seed) if n < len(rows) else rows
    # The deployed candidate's own inputs: the index reads features the learned models do not.
    inputs = input_columns(final)
    reference = sample[["child_key", "as_of", *inputs]].reset_index(drop=True)
    reference["score"] = final.predict_proba(reference[inputs])[:, 1]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(DRIFT_REFERENCE).name
        reference.to_parquet(path, index=False)
        mlflow.log_artifact(str(path), str(Path(DRIFT_REFERENCE).parent))


def log_training(
    settings: Settings,
    data: ModelData,
    evaluation: EvaluationReport,
    final: Pipeline,
    eval_frame: pd.DataFrame,
    scores: dict[str, np.ndarray],
    report: TrainReport,
) -> tuple[str, str, str]:
    """Log the run, register the model with alias ``challenger``; return (uri, run, version)."""
    import mlflow
    from mlflow import MlflowClient

    from model.explain import is_explainable
    from model.index import is_index

    uri = connect(settings)
    use_experiment(settings, evaluation.label)
    ms = settings.model
    with mlflow.start_run(run_name=f"train-{evaluation.winner}") as run:
        mlflow.log_params({
            "label": evaluation.label, "capacity": ms.capacity, "winner": evaluation.winner,
            "learned_winner": evaluation.learned_winner,
            "deployed_because": evaluation.deployed_because[:500],
            "candidates": ",".join(["rule", *evaluation.candidates]),
            "baseline_rule": evaluation.baseline_rule,
            "negative_sample_rate": ms.negative_sample_rate, "test_folds": ms.test_folds,
            "fold_months": ms.fold_months, "calibration_months": ms.calibration_months,
            "label_horizon_months": ms.label_horizon_months, "seed": ms.seed,
            "fit_label": ms.fit_label, "outcome_weight": ms.outcome_weight,
            "bootstrap_resamples": ms.bootstrap_resamples, "features": len(data.features),
            "test_months": f"{evaluation.test_months[0]}..{evaluation.test_months[-1]}",
        })
        metrics = block_metrics("model", evaluation.model) | block_metrics(
            "baseline", evaluation.baseline)
        for name, block in evaluation.candidates.items():
            metrics |= block_metrics(name, block)
        if evaluation.oracle is not None:
            metrics |= block_metrics("oracle", evaluation.oracle)
        mlflow.log_metrics(metrics)
        mlflow.set_tag("data_fingerprint", data.fingerprint)
        mlflow.log_dict({
            "sha256_16": data.fingerprint, "labelled_rows": len(data.frame),
            "unlabelled_rows": data.unlabelled_rows, "positives": report.positives,
            "features": list(data.features), "as_of_first": str(report.first_month),
            "as_of_last": str(report.last_month),
        }, "data/fingerprint.json")
        mlflow.log_dict(evaluation.model_dump(mode="json"), "evaluation.json")
        with tempfile.TemporaryDirectory() as tmp:
            _plots(Path(tmp), evaluation, final, data, eval_frame, scores)
            mlflow.log_artifacts(tmp, "plots")
        facts = CardFacts(
            name=ms.registered_name, run_id=run.info.run_id, fingerprint=data.fingerprint,
            rows=len(data.frame), positives=report.positives, unlabelled=data.unlabelled_rows,
            n_features=len(data.features), max_lookback_months=ms.max_lookback_months,
            months_from=str(report.first_month),
            months_to=str(report.last_month), calibration_months=ms.calibration_months,
            explanation=(
                "exact logistic-regression terms on standardised features, grouped and worded "
                "through the feature registry" if is_explainable(final) else
                "the vulnerability index's factors present, in words" if is_index(final) else
                "none: exact tree SHAP is not implemented, so no approximate reasons are shown"
            ),
        )
        markdown, html = render_card(evaluation, facts)
        mlflow.log_text(markdown, "model_card/model_card.md")
        mlflow.log_text(html, "model_card/model_card.html")
        info = _log_model(settings, final, data)
        _log_drift_reference(settings, data, evaluation, final)
    version = str(info.registered_model_version)
    client = MlflowClient()
    client.set_registered_model_alias(ms.registered_name, "challenger", version)
    client.set_model_version_tag(ms.registered_name, version, "label", evaluation.label)
    client.set_model_version_tag(ms.registered_name, version, "winner", evaluation.winner)
    return uri, run.info.run_id, version
