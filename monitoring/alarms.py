"""Turn a month's figures into alarms, with the threshold each used; post them to a webhook.

Thresholds are settings (``earlyhelp.settings.MonitoringSettings``); docs/monitoring.md says
why each default and gives the false-alarm rate measured on unchanged worlds.
"""

from __future__ import annotations

import json
from collections import defaultdict

from earlyhelp.settings import MonitoringSettings
from monitoring.drift import DriftResult
from monitoring.outcomes import PeriodOutcomes, Rate
from monitoring.report import Alarm, BandCheck, Volume

MAX_NAMED = 8  # features named in one alarm's message (the JSON lists them all)


def drift_alarms(drift: DriftResult, settings: MonitoringSettings) -> list[Alarm]:
    alarms = []
    if drift.dataset_drift:
        alarms.append(Alarm(
            kind="data_drift", subject="all model inputs",
            message=f"{len(drift.drifted_features)} of {len(drift.columns)} model inputs "
            f"drifted from the training reference ({_names(drift.drifted_features)})",
            features=drift.drifted_features, value=drift.drifted_share,
            threshold=f"share of drifted inputs >= {settings.dataset_drift_share}"))
    if drift.prediction is not None and drift.prediction.drifted:
        alarms.append(Alarm(
            kind="prediction_drift", subject="score",
            message=f"the score distribution (log-odds) moved from the reference "
            f"({drift.prediction.method} {drift.prediction.distance:.3f}"
            + (f"; no reference month moved more than {drift.prediction.reference_month_high:.3f}"
               if drift.prediction.reference_month_high is not None else "") + ")",
            features=["score"], value=drift.prediction.distance,
            threshold=f"distance > {settings.feature_drift_threshold} and beyond every "
                      "reference month's distance from the whole reference"))
    by_group: dict[tuple[str, str], list[str]] = defaultdict(list)
    for shift in drift.segments:
        by_group[(shift.segment, shift.group)].append(shift.feature)
    for (segment, group), features in by_group.items():
        alarms.append(Alarm(
            kind="segment_shift", subject=f"{segment}={group}",
            message=f"in {segment} '{group}', {len(features)} feature(s) left the range of every "
            f"reference month: {_names(features)}",
            features=features, groups=[f"{segment}={group}"],
            threshold=f"outside all reference months and > {settings.segment_sigma} SD"))
    for v in drift.recording:
        direction = "fewer" if v.rows < v.reference_mean else "more"
        alarms.append(Alarm(
            kind="recording_volume", subject=f"locality={v.locality}: {v.table}",
            message=f"{v.table}: {v.rows} rows recorded this month for children living in "
            f"'{v.locality}', {direction} than in any of the "
            f"{settings.volume_baseline_months} months before "
            f"({v.reference_low}-{v.reference_high}, mean {v.reference_mean:g})",
            features=[v.table], groups=[f"locality={v.locality}"], value=v.rows,
            threshold=f"outside all {settings.volume_baseline_months} months before, "
                      f"> {settings.volume_sigma} SD (Anscombe scale) and "
            f">= {settings.segment_min_shift:g} rows from their mean"))
    return alarms


def volume_alarm(volume: Volume, settings: MonitoringSettings) -> list[Alarm]:
    if settings.volume_low <= volume.ratio <= settings.volume_high:
        return []
    return [Alarm(
        kind="alert_volume", subject="children above the test year's cut-off",
        message=f"{volume.above_cutoff} children scored at or above the test year's cut-off "
        f"({volume.reference_cutoff:.4f}) against a capacity of {volume.capacity} "
        f"({volume.ratio:.2f} times)",
        value=volume.ratio,
        threshold=f"outside {settings.volume_low}-{settings.volume_high} times capacity")]


def band_alarms(bands: list[BandCheck]) -> list[Alarm]:
    return [Alarm(
        kind="group_rate", subject=f"{b.column}={b.group}: {b.rate}",
        message=f"{b.rate} for {b.column} '{b.group}' ({b.period}) is "
        f"{_pct(b.current.rate)} (95% {_pct(b.current.low)}-{_pct(b.current.high)}), outside "
        f"the test year's widened band {_pct(b.band_low)}-{_pct(b.band_high)}",
        groups=[f"{b.column}={b.group}"], value=b.current.rate,
        threshold="whole interval outside the test year's widened 95% interval")
        for b in bands if b.outside]


def performance_alarm(rolling: PeriodOutcomes | None, promised_low: float | None,
                      label: str) -> list[Alarm]:
    if rolling is None or promised_low is None:
        return []
    recall: Rate = rolling.recall_at_capacity
    if recall.high is None or recall.high >= promised_low:
        return []
    return [Alarm(
        kind="performance", subject=f"recall at capacity ({label})",
        message=f"realised recall at capacity over {len(rolling.months)} matured months is "
        f"{_pct(recall.rate)} (95% up to {_pct(recall.high)}), below the model card's lower "
        f"limit {_pct(promised_low)}", value=recall.rate,
        threshold="upper 95% limit below the model card's lower 95% limit")]


def post_webhook(url: str | None, timeout: float, payload: dict[str, object]) -> str:
    """Post the alarms; a failure is reported in the run, never fatal to it."""
    if not url:
        return "not configured"
    if not payload.get("alarms"):
        return "nothing to post (no alarms)"
    import httpx

    try:
        response = httpx.post(url, content=json.dumps(payload, default=str),
                              headers={"content-type": "application/json"}, timeout=timeout)
        response.raise_for_status()
    except httpx.HTTPError as error:
        return f"failed: {type(error).__name__}: {error}"
    return f"posted ({response.status_code})"


def _names(features: list[str]) -> str:
    more = len(features) - MAX_NAMED
    return ", ".join(features[:MAX_NAMED]) + (f" and {more} more" if more > 0 else "")


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"
