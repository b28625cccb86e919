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
    LEARNED_VARIANTS,
    describe_rule,
    fit_calibrated,
    make_pipeline,
    rule_features,
)
from model.data import (
    PROTECTED,
    Fold,
    ModelData,
    final_split,
    load_model_data,
    make_folds,
    validation_folds,
)
from model.evaluation import evaluate_scores, scored_test_children, scored_test_rows
from model.index import index_pipeline
from model.report import (
    AcrossWorlds,
    EvaluationReport,
    FoldSummary,
    Interval,
    MetricBlock,
    TrainReport,
    VariantResult,
)

# The baselines and every learned variant (simplest first: a later variant must beat the
# current pick beyond its interval to replace it).
BASELINES = ("rule", "index")
SELECTION_RULE = (
    "each learned variant fitted and calibrated on months before the validation months and "
    "scored on the validation months (inside the training months, before any test month); "
    "the simplest variant is kept unless a later one's recall at capacity is above its 95% "
    "interval. The test months are scored once, by the chosen variant and the baselines."
)


def _rows(frame: pd.DataFrame, months: tuple[date, ...]) -> pd.DataFrame:
    return frame[frame["as_of"].isin(months)]


def choose_winner(blocks: dict[str, MetricBlock]) -> str:
    """The first (simplest) learned variant unless a later one beats the current pick's
    recall at capacity beyond its interval."""
    pick = LEARNED_VARIANTS[0]
    for variant in LEARNED_VARIANTS[1:]:
        upper = blocks[pick].intervals["recall_at_capacity"].high
        value = blocks[variant].recall_at_capacity
        if value is not None and upper is not None and value > upper:
            pick = variant
    return pick


def _fit(kind: str, data: ModelData, rule: tuple[str, ...], fit: pd.DataFrame,
         calibration: pd.DataFrame, settings: Settings, seed: int) -> Pipeline:
    # The baselines' rates are read straight off the evaluated label; learned candidates fit
    # the (more frequent) fit label and are calibrated to the evaluated one.
    pipeline = index_pipeline(data.all_features) if kind == "index" else make_pipeline(
        kind, data.features, rule, settings.model.seed, data.kinds, data.directions)
    return fit_calibrated(
        pipeline, fit, calibration, data.label,
        negative_rate=settings.model.negative_sample_rate, seed=seed,
        fit_label=None if kind in BASELINES else data.target,
        outcome_weight=1.0 if kind in BASELINES else settings.model.outcome_weight,
    )


def cross_validate(
    data: ModelData, rule: tuple[str, ...], folds: list[Fold], settings: Settings,
    step: Progress, kinds: tuple[str, ...], stage: str = "test",
) -> tuple[pd.DataFrame, dict[str, np.ndarray], list[FoldSummary]]:
    """Out-of-time scores of each of ``kinds`` on every fold's test months."""
    scores: dict[str, list[np.ndarray]] = {k: [] for k in kinds}
    tests, summaries = [], []
    for i, fold in enumerate(folds):
        fit = _rows(data.frame, fold.fit_months)
        calibration = _rows(data.frame, fold.calibration_months)
        test = _rows(data.frame, fold.test_months)
        for kind in kinds:
            step(f"{stage} fold {i + 1}/{len(folds)}: {kind}")
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


def deployed_choice(learned: str, evidence: AcrossWorlds | None) -> tuple[str, str]:
    """What is registered as challenger, and why: the index unless the learned model beat it
    across worlds by the paired test."""
    if evidence is None:
        return "index", (
            "the vulnerability index is deployed: no across-world comparison was given "
            "(`earlyhelp experiment`, then `train --worlds DIR/worlds.json`), and a learned "
            "model replaces the index only when it beats it across worlds by a paired test")
    if evidence.learned_is_champion:
        return learned, f"{learned} is deployed: {evidence.reason}"
    return "index", f"the vulnerability index is deployed: {evidence.reason}"


def train(
    warehouse: Path,
    settings: Settings,
    truth: Path | None = None,
    label: str | None = None,
    progress: Progress = no_progress,
    evidence: AcrossWorlds | None = None,
) -> TrainReport:
    """Choose a learned variant on validation months, score it and the baselines once on the
    test months, refit what is deployed (the index unless ``evidence`` shows a learned model
    beat it across worlds) and log it to MLflow.

    Native thread pools are held to one thread: on a shared 2-core machine OpenMP in the
    boosted trees ran ten times slower with two threads than with one.
    """
    with threadpool_limits(limits=1):
        return _train(warehouse, settings, truth, label, progress, evidence)


def _select(data: ModelData, rule: tuple[str, ...], settings: Settings, step: Progress,
            evaluate: partial[MetricBlock]) -> tuple[str, list[date], dict[str, MetricBlock]]:
    """The learned variant chosen on the validation folds (no test month is read)."""
    folds = validation_folds(data.months, settings.model)
    frame, scores, _ = cross_validate(data, rule, folds, settings, step, LEARNED_VARIANTS,
                                      stage="validation")
    step("comparing variants on the validation months")
    blocks = {k: evaluate(frame, s, latest_months=folds[-1].test_months)
              for k, s in scores.items()}
    return choose_winner(blocks), sorted({m for f in folds for m in f.test_months}), blocks


def _train(
    warehouse: Path,
    settings: Settings,
    truth: Path | None,
    label: str | None,
    step: Progress,
    evidence: AcrossWorlds | None,
) -> TrainReport:
    from model.tracking import log_selection, log_training

    started = start_clock()
    ms = settings.model
    label = label or ms.label
    probe = StepReport(step="train")
    with timed(probe, "load"):
        step("loading the feature warehouse")
        data = load_model_data(warehouse, label, ms.fit_label, ms.max_lookback_months)
        rule = rule_features(data.all_features, ms.baseline_features)
        folds = make_folds(data.months, ms)
    evaluate = partial(
        evaluate_scores, capacity=ms.capacity, n_boot=ms.bootstrap_resamples, seed=ms.seed,
        min_group_positives=ms.gate_min_group_positives,
    )
    with timed(probe, "select"):
        learned, validation_months, validation = _select(data, rule, settings, step, evaluate)
    with timed(probe, "cross_validate"):
        kinds = (*BASELINES, learned)
        eval_frame, scores, summaries = cross_validate(data, rule, folds, settings, step, kinds)
    with timed(probe, "evaluate"):
        step("evaluating at capacity with bootstrap intervals")
        test_eval = partial(evaluate, eval_frame, latest_months=folds[-1].test_months)
        blocks = {k: test_eval(s) for k, s in scores.items()}
        winner, because = deployed_choice(learned, evidence)
        oracle, coverage = None, None
        if truth is not None:
            from model.oracle import oracle_scores

            oracle_s, coverage = oracle_scores(eval_frame, warehouse, truth)
            scores["true risk"] = oracle_s
            oracle = test_eval(oracle_s)
    with timed(probe, "log_selection"):
        step("logging every variant tried")
        run_ids = log_selection(settings, label, validation, validation_months, learned)
    evaluation = EvaluationReport(
        label=label, fit_label=data.target, capacity=ms.capacity,
        test_months=sorted({m for f in folds for m in f.test_months}),
        baseline_rule=describe_rule(rule, data.registry), winner=winner,
        model=blocks[winner], baseline=blocks["rule"], oracle=oracle,
        candidates={learned: blocks[learned], "index": blocks["index"]}, index=blocks["index"],
        learned_winner=learned, deployed_because=because, selection_rule=SELECTION_RULE,
        validation_months=validation_months, across_worlds=evidence,
        validation=[VariantResult(
            variant=k, recall_at_capacity=b.recall_at_capacity,
            interval=b.intervals.get("recall_at_capacity", Interval(low=None, high=None)),
            chosen=k == learned, mlflow_run_id=run_ids.get(k, ""),
        ) for k, b in validation.items()],
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
    # Pseudonymous keys only; stays beside the reports (not in MLflow) for `earlyhelp audit`
    # and `earlyhelp experiment`. "model" is the deployed candidate's score again under a
    # fixed name, "learned" the chosen learned variant's.
    named = {"model": scores[winner], "learned": scores[learned], **scores}
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
