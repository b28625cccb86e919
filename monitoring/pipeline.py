"""``earlyhelp monitor``: one month's drift, volume, mix, outcomes and fairness, and its alarms.

Reads only what other steps wrote (the warehouse, the champion and its training run's drift
reference, ``reports/evaluation.json`` and ``reports/test_scores.parquet``, the serving store
when it exists) and writes its own: ``reports/monitor_YYYY-MM.json``, Evidently's HTML beside
it, and the warehouse tables ``monitor_runs`` and ``monitor_alarms`` (docs/contracts.md).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from earlyhelp.reports import Progress, StepReport, finish, no_progress, start_clock, timed
from earlyhelp.settings import MonitoringSettings, Settings
from earlyhelp.stats.groups import PROTECTED_ATTRIBUTES, group_labels
from model.data import add_months
from model.scoring import LoadedModel, load_model
from monitoring import alarms as alarm_rules
from monitoring.drift import (
    SCORE,
    DriftResult,
    evidently_drift,
    segment_shifts,
    with_reference_months,
)
from monitoring.outcomes import (
    Rate,
    flags_for,
    group_fairness,
    matured_months,
    outcome_table,
    period_outcomes,
    rate,
)
from monitoring.reference import (
    load_reference,
    score_month_inputs,
    watched_features,
    with_every_feature,
)
from monitoring.report import (
    Alarm,
    BandCheck,
    Fairness,
    MixRow,
    ModelFacts,
    MonitorReport,
    Outcomes,
    Volume,
)
from monitoring.segments import SEGMENT_COLUMNS, segment_labels
from monitoring.store import alerts_in_store, save_results, save_scores, stored_scores
from monitoring.volume import (
    VolumeShift,
    monthly_counts,
    months_before,
    season_months,
    seasonal_factors,
    volume_shifts,
)

MIX_COLUMNS = ("sex", "ethnicity_group", "disability", "age_band", "locality")
ERROR_BANDS = ("fnr", "fpr")
TOLERANCE = 1e-6  # rounding: a 0% rate and a 0% band must not count as apart


def report_paths(settings: Settings, as_of: date) -> tuple[Path, Path]:
    stem = f"monitor_{as_of:%Y-%m}"
    return settings.reports_dir / f"{stem}.json", settings.reports_dir / f"{stem}_drift.html"


def run_monitor(settings: Settings, warehouse: Path, as_of: date,
                progress: Progress = no_progress) -> MonitorReport:
    """Monitor month ``as_of`` (a month end) against the champion's training reference."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        return _run(settings, warehouse, as_of, progress)


def _run(settings: Settings, warehouse: Path, as_of: date, step: Progress) -> MonitorReport:
    started = start_clock()
    ms, mon = settings.model, settings.monitoring
    json_path, html_path = report_paths(settings, as_of)
    probe = StepReport(step="monitor")
    with timed(probe, "load"):
        step("loading the champion and its drift reference")
        model = load_model(settings)
        features = list(model.features)
        reference = load_reference(settings, model)
        month = score_month_inputs(model, warehouse, as_of)
        watched = [f for f in watched_features(warehouse, features) if f in month.frame.columns]
        reference = with_every_feature(warehouse, reference, watched)
        ref_months = sorted(reference["as_of"].unique())
        groups = segment_labels(warehouse, [*ref_months, as_of])
        reference = reference.merge(groups, on=["child_key", "as_of"], how="left")
        current = month.frame.merge(groups, on=["child_key", "as_of"], how="left")
    with timed(probe, "drift"):
        step("data drift (Evidently) and the check by group")
        dataset, share, columns, prediction = evidently_drift(
            reference, current, features, mon, html_path, ms.seed)
        drift = DriftResult(
            dataset_drift=dataset, drifted_features=[c.column for c in columns if c.drifted],
            drifted_share=round(share, 4), columns=columns,
            prediction=with_reference_months(prediction, reference),
            segments=segment_shifts(reference, current, watched, list(SEGMENT_COLUMNS), mon,
                                    population=groups),
            recording=_recording(warehouse, as_of, mon),
            html=str(html_path))
    with timed(probe, "volume_and_mix"):
        step("alert volume and who is flagged")
        volume = _volume(settings, warehouse, reference, current, ref_months, as_of)
        current["flagged"] = flags_for(current, ms.capacity)
        test_rows = _test_rows(settings)
        mix = _mix(current, test_rows)
    with timed(probe, "outcomes"):
        step("outcomes of matured months and fairness over time")
        outcomes, fairness = _outcomes(settings, warehouse, model, as_of, current, test_rows)
    alarms: list[Alarm] = [
        *alarm_rules.drift_alarms(drift, mon), *alarm_rules.volume_alarm(volume, mon),
        *alarm_rules.band_alarms(fairness.bands),
        *alarm_rules.performance_alarm(
            outcomes.realised_rolling_12,
            outcomes.promised_recall_interval[0] if outcomes.promised_recall_interval else None,
            ms.label)]
    report = MonitorReport(
        as_of=as_of, warehouse=str(warehouse),
        model=ModelFacts(name=model.name, version=model.version, run_id=model.run_id,
                         source=model.source, inputs=len(features),
                         trained_at=model.trained_at.isoformat() if model.trained_at else None),
        population=len(current), reference_rows=len(reference), reference_months=ref_months,
        drift=drift, volume=volume, mix=mix, fairness=fairness, outcomes=outcomes,
        alarms=alarms, evidently_html=str(html_path), timings=probe.timings)
    report.webhook = alarm_rules.post_webhook(
        mon.webhook_url, mon.webhook_timeout_seconds,
        {"as_of": str(as_of), "model_version": model.version,
         "alarms": [a.model_dump() for a in alarms]})
    with timed(report, "store"):
        save_results(warehouse, report)
        save_scores(warehouse, current, model.version)
    finish(report, started, json_path)
    return report


def _recording(warehouse: Path, as_of: date, mon: MonitoringSettings) -> list[VolumeShift]:
    baseline = months_before(as_of, mon.volume_baseline_months)
    history = season_months(baseline, mon.volume_season_months)
    counts = monthly_counts(warehouse, as_of, [*history, *baseline, as_of])
    return volume_shifts(counts, as_of, baseline, mon,
                         factors=seasonal_factors(counts, history))


def _volume(settings: Settings, warehouse: Path, reference: pd.DataFrame,
            current: pd.DataFrame, ref_months: list[date], as_of: date) -> Volume:
    """Children this month scoring at or above the score the test year's top ``capacity``
    reached each month (the reference is a sample, so the cut-off is its quantile at the
    share capacity / population)."""
    import duckdb

    capacity = settings.model.capacity
    with duckdb.connect(str(warehouse), read_only=True) as con:
        sizes = con.execute("SELECT count(*) FROM feature_matrix WHERE as_of IN "
                            "(SELECT unnest(?::DATE[])) GROUP BY as_of",
                            [list(ref_months)]).fetchall()
    population = float(np.mean([s[0] for s in sizes])) if sizes else float(len(current))
    cutoff = float(np.quantile(reference[SCORE], 1 - capacity / population))
    above = int((current[SCORE] >= cutoff).sum())
    return Volume(capacity=capacity, population=len(current), reference_cutoff=round(cutoff, 6),
                  above_cutoff=above, ratio=round(above / capacity, 3),
                  alerts_in_store=alerts_in_store(settings, as_of))


def _test_rows(settings: Settings) -> pd.DataFrame | None:
    path = settings.reports_dir / "test_scores.parquet"
    if not path.exists():
        return None
    frame = pd.read_parquet(path)
    for column in PROTECTED_ATTRIBUTES:
        frame[column] = group_labels(frame[column])
    return frame


def _mix(current: pd.DataFrame, test_rows: pd.DataFrame | None) -> list[MixRow]:
    flagged = current[current["flagged"]]
    rows = []
    for column in MIX_COLUMNS:
        counts = flagged[column].value_counts()
        before = None
        if test_rows is not None and column in test_rows:
            before = test_rows.loc[test_rows["model_flagged"].astype(bool), column].value_counts(
                normalize=True)
        for group in sorted(set(current[column].unique())):
            n = int(counts.get(group, 0))
            rows.append(MixRow(
                column=column, group=str(group), flagged=n,
                share=round(n / len(flagged), 4) if len(flagged) else None,
                test_year_share=None if before is None else round(float(before.get(group, 0)),
                                                                  4)))
    return rows


def _outcomes(settings: Settings, warehouse: Path, model: LoadedModel, as_of: date,
              current: pd.DataFrame, test_rows: pd.DataFrame | None
              ) -> tuple[Outcomes, Fairness]:
    from model.report import EvaluationReport
    ms = settings.model
    label = ms.label
    evaluation_path = settings.reports_dir / "evaluation.json"
    promised, promised_interval = None, None
    if evaluation_path.exists():
        block = EvaluationReport.model_validate_json(
            evaluation_path.read_text(encoding="utf-8")).model
        promised = rate(block.true_positives, block.positives)
        iv = block.intervals.get("recall_at_capacity")
        promised_interval = (iv.low, iv.high) if iv else None
    matured = add_months(as_of, -ms.label_horizon_months)
    months = matured_months(warehouse, label, matured, 12)
    bands = _selection_bands(current, test_rows, settings)
    if not months:
        note = (f"no month up to {matured} has matured outcomes yet (they need "
                f"{ms.label_horizon_months} months)")
        return (Outcomes(matured_month=None, label=label, promised_recall=promised,
                         promised_recall_interval=promised_interval, realised_month=None,
                         realised_rolling_12=None, note=note),
                Fairness(matured_month=[], rolling_12=[], bands=bands, note=note))
    scored = stored_scores(warehouse, months, model.version)
    if months[-1] not in set(scored["as_of"]):
        # Never monitored (before the live runs began): the champion scores it now, and the
        # scores are kept, so the rolling window fills as monthly runs go on.
        fresh = score_month_inputs(model, warehouse, months[-1]).frame
        fresh["flagged"] = flags_for(fresh, ms.capacity)
        save_scores(warehouse, fresh, model.version)
        scored = pd.concat([scored, fresh[["child_key", "as_of", SCORE, "flagged"]]],
                           ignore_index=True)
    held = sorted(set(scored["as_of"]))
    scored = scored.merge(outcome_table(warehouse, months, ms.label_horizon_months),
                          on=["child_key", "as_of"], how="inner")
    last = scored[scored["as_of"] == months[-1]]
    bands += _error_bands(scored, test_rows, settings, label)
    note = (f"{len(held)} of the {len(months)} matured months up to {months[-1]} have the "
            "flags of the time (months monitored, or the newest scored now); the rolling figures "
            "use those")
    return (Outcomes(matured_month=months[-1], label=label, promised_recall=promised,
                     promised_recall_interval=promised_interval,
                     realised_month=period_outcomes(last, label, ms.capacity),
                     realised_rolling_12=period_outcomes(scored, label, ms.capacity), note=note),
            Fairness(matured_month=group_fairness(last, label),
                     rolling_12=group_fairness(scored, label), bands=bands, note=note))


def _band(rows: pd.DataFrame, column: str, group: str, top: pd.Series, bottom: pd.Series,
          widen: float) -> tuple[float | None, float | None]:
    mask = rows[column] == group
    band = rate(int((top & mask).sum()), int((bottom & mask).sum()))
    if band.rate is None or band.low is None or band.high is None:
        return None, None
    return (max(0.0, band.rate - widen * (band.rate - band.low)),
            min(1.0, band.rate + widen * (band.high - band.rate)))


def _selection_bands(current: pd.DataFrame, test_rows: pd.DataFrame | None,
                     settings: Settings) -> list[BandCheck]:
    if test_rows is None:
        return []
    widen = settings.monitoring.fairness_band_widen
    flagged = test_rows["model_flagged"].astype(bool)
    everyone = pd.Series(True, index=test_rows.index)
    checks = []
    for column in PROTECTED_ATTRIBUTES:
        for group, rows in current.groupby(column):
            now = rate(int(rows["flagged"].sum()), len(rows))
            low, high = _band(test_rows, column, str(group), flagged, everyone, widen)
            checks.append(_check(column, str(group), "selection_rate", "month", now, low, high))
    return checks


def _error_bands(scored: pd.DataFrame, test_rows: pd.DataFrame | None, settings: Settings,
                 label: str) -> list[BandCheck]:
    if test_rows is None or label not in test_rows:
        return []
    widen = settings.monitoring.fairness_band_widen
    y_test, f_test = test_rows[label].astype(bool), test_rows["model_flagged"].astype(bool)
    y_now, f_now = scored[label].astype(bool), scored["flagged"].astype(bool)
    parts = {"fnr": (lambda y, f: y & ~f, lambda y, f: y),
             "fpr": (lambda y, f: ~y & f, lambda y, f: ~y)}
    checks = []
    for column in PROTECTED_ATTRIBUTES:
        for group in sorted(scored[column].unique()):
            mask = scored[column] == group
            for name in ERROR_BANDS:
                top, bottom = parts[name]
                now = rate(int((top(y_now, f_now) & mask).sum()),
                           int((bottom(y_now, f_now) & mask).sum()))
                low, high = _band(test_rows, column, str(group), top(y_test, f_test),
                                  bottom(y_test, f_test), widen)
                checks.append(_check(column, str(group), name, "rolling 12 matured months",
                                     now, low, high))
    return checks


def _check(column: str, group: str, name: str, period: str, now: Rate,
           low: float | None, high: float | None) -> BandCheck:
    outside = (low is not None and high is not None and now.low is not None
               and now.high is not None
               and (now.high < low - TOLERANCE or now.low > high + TOLERANCE))
    return BandCheck(column=column, group=group, rate=name, period=period, current=now,
                     band_low=None if low is None else round(low, 4),
                     band_high=None if high is None else round(high, 4), outside=outside)
