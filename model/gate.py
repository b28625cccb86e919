"""The promotion gate: checks a challenger must pass before it may become ``champion``."""

from __future__ import annotations

import numpy as np

from earlyhelp.settings import ModelSettings
from earlyhelp.stats.intervals import wilson
from model.report import EvaluationReport, GateCheck, GateVerdict, MetricBlock


def _beats_baseline(ch: EvaluationReport, ms: ModelSettings) -> GateCheck:
    value, base = ch.model.recall_at_capacity, ch.baseline.recall_at_capacity
    if value is None or base is None:
        return GateCheck(name="beats_rule_baseline", passed=False, value=value, threshold=base,
                         shortfall=None, detail="recall at capacity could not be computed")
    reached = ch.model.new_referrals
    children = reached.children_with_outcome if reached is not None else 0
    few = children < ms.gate_min_outcome_children
    passed = value > base
    detail = f"recall at capacity {value:.3f} vs the practitioners' rule {base:.3f}"
    if few and not passed:
        detail += (f"; only {children} children with the outcome in the test months (fewer than "
                   f"{ms.gate_min_outcome_children}): too few to decide, judge it across worlds "
                   "(`earlyhelp experiment`)")
    return GateCheck(
        name="beats_rule_baseline", passed=passed, value=value, threshold=base,
        shortfall=max(0.0, base - value), detail=detail, overridable=few,
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
    """Every check; the error-rate gaps are compared with the champion's (else the rule's);
    who is flagged is checked group by group, every group."""
    reference, ref_block, ref_name = (
        (champion, "model", "champion") if champion is not None
        else (challenger, "baseline", "practitioners' rule (no champion yet)")
    )
    checks = [
        _beats_baseline(challenger, ms),
        _learned_beats_index(challenger),
        _not_worse_than_champion(challenger, champion),
        *_calibrated(challenger, ms),
        *_fairness(challenger, reference, ref_block, ms.gate_disparity_tolerance),
        *group_checks(challenger, ms),
    ]
    return GateVerdict(passed=all(c.passed for c in checks), reference=ref_name, checks=checks)


# Checks a named person may override with a recorded reason (besides any check marked
# ``overridable``); every other check is final.
OVERRIDABLE = ("flag_share.", "group_calibration.")


def _poisson_interval(observed: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) interval for a Poisson count."""
    from scipy.stats import chi2

    tail = (1 - confidence) / 2
    low = 0.0 if observed == 0 else float(chi2.ppf(tail, 2 * observed) / 2)
    return low, float(chi2.ppf(1 - tail, 2 * observed + 2) / 2)


def _flag_shares(block: MetricBlock, factor: float) -> list[GateCheck]:
    """Each group's share of flags against its share of outcomes, with Wilson intervals.

    Every group is checked, including groups with no outcome at all: their share of outcomes
    is 0 with an upper bound above 0, so flagging them heavily is refused, not skipped.
    """
    out = []
    for attribute, groups in block.by_group.items():
        for group, g in groups.items():
            name = f"flag_share.{attribute}.{group}"
            if not block.flagged or not block.positives:
                out.append(GateCheck(name=name, passed=True, value=None, threshold=None,
                                     shortfall=None, detail="no flags or no outcomes at all"))
                continue
            flag_low, _ = wilson(np.array(g.flagged), np.array(block.flagged))
            _, outcome_high = wilson(np.array(g.positives), np.array(block.positives))
            bar = factor * float(outcome_high)
            out.append(GateCheck(
                name=name, passed=float(flag_low) <= bar, value=float(flag_low), threshold=bar,
                shortfall=max(0.0, float(flag_low) - bar),
                detail=f"{attribute} {group}: {g.flagged / block.flagged:.1%} of flags (95% "
                       f"from {float(flag_low):.1%}) vs {g.positives / block.positives:.1%} of "
                       f"outcomes (95% up to {float(outcome_high):.1%}); refused above "
                       f"{factor:g} times",
            ))
    return out


def _group_calibration(block: MetricBlock, factor: float) -> list[GateCheck]:
    """Outcomes in each group against the outcomes the model expects there."""
    out = []
    for attribute, groups in block.by_group.items():
        for group, g in groups.items():
            name = f"group_calibration.{attribute}.{group}"
            expected = g.expected_positives
            if not expected:
                out.append(GateCheck(name=name, passed=True, value=None, threshold=None,
                                     shortfall=None, detail="the model expects no outcome"))
                continue
            low, high = (x / expected for x in _poisson_interval(g.positives))
            miscalibrated = high < 1 / factor or low > factor
            out.append(GateCheck(
                name=name, passed=not miscalibrated, value=g.positives / expected,
                threshold=factor, shortfall=max(0.0, 1 / factor - high, low - factor),
                detail=f"{attribute} {group}: {g.positives} outcomes where the model expects "
                       f"{expected:.1f} (observed/expected 95% {low:.2f}-{high:.2f}); refused "
                       f"outside {1 / factor:.2f}-{factor:g}",
            ))
    return out


def _learned_beats_index(ch: EvaluationReport) -> GateCheck:
    """A learned model replaces the index only when it beat it across worlds (paired)."""
    if ch.winner == "index":
        return GateCheck(name="learned_beats_index_across_worlds", passed=True, value=None,
                         threshold=None, shortfall=None,
                         detail="the challenger is the vulnerability index")
    evidence = ch.across_worlds
    passed = evidence is not None and evidence.learned_is_champion
    ratio = None if evidence is None else evidence.learned_over_index.median_ratio
    return GateCheck(
        name="learned_beats_index_across_worlds", passed=passed, value=ratio, threshold=None,
        shortfall=None,
        detail=evidence.reason if evidence is not None else
        "no across-world comparison with the index (run `earlyhelp experiment` and train "
        "with --worlds)",
    )


def group_checks(ch: EvaluationReport, ms: ModelSettings) -> list[GateCheck]:
    return [*_flag_shares(ch.model, ms.gate_max_flag_share_ratio),
            *_group_calibration(ch.model, ms.gate_group_calibration_factor)]


def overridable(check: GateCheck) -> bool:
    return check.overridable or check.name.startswith(OVERRIDABLE)
