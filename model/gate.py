"""The promotion gate: checks a challenger must pass before it may become ``champion``."""

from __future__ import annotations

from earlyhelp.settings import ModelSettings
from model.report import EvaluationReport, GateCheck, GateVerdict


def _beats_baseline(ch: EvaluationReport) -> GateCheck:
    value, base = ch.model.recall_at_capacity, ch.baseline.recall_at_capacity
    if value is None or base is None:
        return GateCheck(name="beats_rule_baseline", passed=False, value=value, threshold=base,
                         shortfall=None, detail="recall at capacity could not be computed")
    return GateCheck(
        name="beats_rule_baseline", passed=value > base, value=value, threshold=base,
        shortfall=max(0.0, base - value),
        detail=f"recall at capacity {value:.3f} vs the practitioners' rule {base:.3f}",
    )


def _not_worse_than_champion(ch: EvaluationReport, champion: EvaluationReport | None) -> GateCheck:
    if champion is None or champion.model.recall_at_capacity is None:
        return GateCheck(name="not_worse_than_champion", passed=True, value=None, threshold=None,
                         shortfall=None, detail="no current champion")
    high = ch.model.intervals["recall_at_capacity"].high
    target = champion.model.recall_at_capacity
    high = ch.model.recall_at_capacity if high is None else high
    passed = high is not None and high >= target
    return GateCheck(
        name="not_worse_than_champion", passed=passed, value=high, threshold=target,
        shortfall=None if high is None else max(0.0, target - high),
        detail=f"upper 95% bound of recall at capacity {high} vs champion's {target:.3f}",
    )


def _calibrated(ch: EvaluationReport, ms: ModelSettings) -> list[GateCheck]:
    slope, intercept = ch.model.calibration_slope, ch.model.calibration_intercept
    low, high = ms.gate_slope_low, ms.gate_slope_high
    ok_slope = slope is not None and low <= slope <= high
    out = [GateCheck(
        name="calibration_slope", passed=ok_slope, value=slope,
        threshold=high if slope is not None and slope > high else low,
        shortfall=None if slope is None else max(0.0, low - slope, slope - high),
        detail=f"slope {slope} (bounds [{low}, {high}])",
    )]
    ok = intercept is not None and abs(intercept) <= ms.gate_intercept_abs
    out.append(GateCheck(
        name="calibration_intercept", passed=ok, value=intercept, threshold=ms.gate_intercept_abs,
        shortfall=None if intercept is None else max(0.0, abs(intercept) - ms.gate_intercept_abs),
        detail=f"calibration-in-the-large {intercept} (bound +/-{ms.gate_intercept_abs})",
    ))
    return out


def _fairness(
    ch: EvaluationReport, reference: EvaluationReport, ref_block: str, tolerance: float
) -> list[GateCheck]:
    ref = getattr(reference, ref_block)
    out = []
    for attribute, disparities in ch.model.disparity.items():
        ref_by_rate = {d.rate: d for d in ref.disparity.get(attribute, [])}
        for d in disparities:
            r = ref_by_rate.get(d.rate)
            name = f"disparity.{attribute}.{d.rate}"
            if d.value is None or r is None or r.value is None or d.interval.low is None:
                out.append(GateCheck(name=name, passed=True, value=d.value, threshold=None,
                                     shortfall=None, detail="too few positives to compare"))
                continue
            # Worse only if larger than the reference's gap and the reference's gap (plus a
            # tolerance for immaterial differences) lies below the challenger's interval.
            bar = r.value + tolerance
            worse = d.value > bar and d.interval.low > bar
            out.append(GateCheck(
                name=name, passed=not worse, value=d.value, threshold=bar,
                shortfall=max(0.0, d.interval.low - bar),
                detail=f"gap between groups {d.value:.3f} (95% {d.interval.low:.3f}-"
                       f"{d.interval.high:.3f}) vs reference {r.value:.3f} + tolerance "
                       f"{tolerance}",
            ))
    return out


def run_gate(
    challenger: EvaluationReport, champion: EvaluationReport | None, ms: ModelSettings
) -> GateVerdict:
    """Every check; the error-rate gaps are compared with the champion's (else the rule's)."""
    reference, ref_block, ref_name = (
        (champion, "model", "champion") if champion is not None
        else (challenger, "baseline", "practitioners' rule (no champion yet)")
    )
    checks = [
        _beats_baseline(challenger),
        _not_worse_than_champion(challenger, champion),
        *_calibrated(challenger, ms),
        *_fairness(challenger, reference, ref_block, ms.gate_disparity_tolerance),
    ]
    return GateVerdict(passed=all(c.passed for c in checks), reference=ref_name, checks=checks)
