"""``train``: temporal evaluation of every candidate, the winner refitted, logged and registered."""

from __future__ import annotations

from datetime import date
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from earlyhelp.reports import (
    Progress,
    StepReport,
    finish,
    no_progress,
    start_clock,
    timed,
    write_report,
)
from earlyhelp.settings import Settings
from model.candidates import (
    CANDIDATES,
    describe_rule,
    fit_calibrated,
    make_pipeline,
    rule_features,
)
from model.data import PROTECTED, Fold, ModelData, final_split, load_model_data, make_folds
from model.evaluation import evaluate_scores, scored_test_children, scored_test_rows
from model.report import EvaluationReport, FoldSummary, MetricBlock, TrainReport

LEARNED = ("logistic", "boosted_trees")


def _rows(frame: pd.DataFrame, months: tuple[date, ...]) -> pd.DataFrame:
    return frame[frame["as_of"].isin(months)]


def choose_winner(blocks: dict[str, MetricBlock]) -> str:
    """Logistic regression (exactly explainable) unless trees beat its recall beyond its
    interval."""
    lr, trees = blocks["logistic"], blocks["boosted_trees"]
    upper = lr.intervals["recall_at_capacity"].high
    if trees.recall_at_capacity is not None and upper is not None and (
        trees.recall_at_capacity > upper
    ):
        return "boosted_trees"
    return "logistic"


def _fit(kind: str, data: ModelData, rule: tuple[str, ...], fit: pd.DataFrame,
         calibration: pd.DataFrame, settings: Settings, seed: int) -> Pipeline:
    # The rule's rates are read straight off the evaluated label; learned candidates fit the
    # (more frequent) fit label and are calibrated to the evaluated one.
    return fit_calibrated(
        make_pipeline(kind, data.features, rule, settings.model.seed, data.kinds), fit,
        calibration, data.label, negative_rate=settings.model.negative_sample_rate, seed=seed,
        fit_label=None if kind == "rule" else data.target,
    )


def cross_validate(
    data: ModelData, rule: tuple[str, ...], folds: list[Fold], settings: Settings,
    step: Progress,
) -> tuple[pd.DataFrame, dict[str, np.ndarray], list[FoldSummary]]:
    """Out-of-time scores of every candidate on every test fold."""
    scores: dict[str, list[np.ndarray]] = {k: [] for k in CANDIDATES}
    tests, summaries = [], []
    for i, fold in enumerate(folds):
        fit = _rows(data.frame, fold.fit_months)
        calibration = _rows(data.frame, fold.calibration_months)
        test = _rows(data.frame, fold.test_months)
        for kind in CANDIDATES:
            step(f"fold {i + 1}/{len(folds)}: {kind}")
            fitted = _fit(kind, data, rule, fit, calibration, settings, settings.model.seed + i)
            scores[kind].append(fitted.predict_proba(test)[:, 1])
        tests.append(test)
        summaries.append(FoldSummary(
            fit_months=list(fold.fit_months), calibration_months=list(fold.calibration_months),
            test_months=list(fold.test_months), fit_rows=len(fit),
            fit_positives=int(fit[data.label].sum()),
            fit_label_positives=int(fit[data.target].sum()),
            test_positives=int(test[data.label].sum()),
        ))
        del fit, calibration
    test_frame = pd.concat(tests, ignore_index=True)
    eval_frame = test_frame[["child_key", "as_of", *PROTECTED]].assign(
        y=test_frame[data.label].to_numpy()
    )
    return eval_frame, {k: np.concatenate(v) for k, v in scores.items()}, summaries


def train(
    warehouse: Path,
    settings: Settings,
    truth: Path | None = None,
    label: str | None = None,
    progress: Progress = no_progress,
) -> TrainReport:
    """Evaluate the candidates on rolling-origin folds, refit the winner, log it to MLflow.

    Native thread pools are held to one thread: on a shared 2-core machine OpenMP in the
    boosted trees ran ten times slower with two threads than with one.
    """
    with threadpool_limits(limits=1):
        return _train(warehouse, settings, truth, label, progress)


def _train(
    warehouse: Path,
    settings: Settings,
    truth: Path | None,
    label: str | None,
    step: Progress,
) -> TrainReport:
    from model.tracking import log_training

    started = start_clock()
    ms = settings.model
    label = label or ms.label
    probe = StepReport(step="train")
    with timed(probe, "load"):
        step("loading the feature warehouse")
        data = load_model_data(warehouse, label, ms.fit_label, ms.max_lookback_months)
        rule = rule_features(data.all_features, ms.baseline_features)
        folds = make_folds(data.months, ms)
    with timed(probe, "cross_validate"):
        eval_frame, scores, summaries = cross_validate(data, rule, folds, settings, step)
    with timed(probe, "evaluate"):
        step("evaluating at capacity with bootstrap intervals")
        evaluate = partial(
            evaluate_scores, eval_frame, capacity=ms.capacity,
            latest_months=folds[-1].test_months, n_boot=ms.bootstrap_resamples, seed=ms.seed,
            min_group_positives=ms.gate_min_group_positives,
        )
        blocks = {k: evaluate(s) for k, s in scores.items()}
        winner = choose_winner(blocks)
        oracle, coverage = None, None
        if truth is not None:
            from model.oracle import oracle_scores

            oracle_s, coverage = oracle_scores(eval_frame, warehouse, truth)
            scores["true risk"] = oracle_s
            oracle = evaluate(oracle_s)
    evaluation = EvaluationReport(
        label=label, fit_label=data.target, capacity=ms.capacity,
        test_months=sorted({m for f in folds for m in f.test_months}),
        baseline_rule=describe_rule(rule, data.registry), winner=winner,
        model=blocks[winner], baseline=blocks["rule"], oracle=oracle,
        candidates={k: blocks[k] for k in LEARNED},
    )
    with timed(probe, "refit"):
        step(f"refitting {winner} on all matured months")
        split = final_split(data.months, ms)
        final = _fit(winner, data, rule, _rows(data.frame, split.fit_months),
                     _rows(data.frame, split.calibration_months), settings, ms.seed)
    report = TrainReport(
        label=label, fit_label=data.target, warehouse=str(warehouse), labelled_rows=len(data.frame),
        unlabelled_rows=data.unlabelled_rows, positives=int(data.frame[label].sum()),
        features=len(data.features), first_month=data.months[0], last_month=data.months[-1],
        data_fingerprint=data.fingerprint, baseline_rule=evaluation.baseline_rule,
        folds=summaries, winner=winner, oracle_coverage=coverage,
    )
    evaluation_path = settings.reports_dir / "evaluation.json"
    write_report(evaluation, evaluation_path)
    # Pseudonymous keys only; stays beside the reports (not in MLflow) for `earlyhelp audit`.
    # "model" is the winner's score again under a fixed name.
    named = {"model": scores[winner], **scores}
    scored_test_rows(eval_frame, named, label, ms.capacity).to_parquet(
        settings.reports_dir / "test_scores.parquet", index=False)
    scored_test_children(eval_frame, named, label, ms.capacity).to_parquet(
        settings.reports_dir / "test_children.parquet", index=False)
    report.evaluation_path = str(evaluation_path)
    with timed(probe, "mlflow"):
        step("logging to MLflow")
        logged = log_training(settings, data, evaluation, final, eval_frame, scores, report)
    report.mlflow_uri, report.run_id, report.model_version = logged
    report.timings = probe.timings
    finish(report, started, settings.reports_dir / "train.json")
    return report
