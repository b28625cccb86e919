"""Metrics at the council's capacity, rank metrics and calibration, with bootstrap intervals.

Capacity: in each test month the top-k scores are flagged. Ties at the boundary are broken
as the live run breaks them (``model.selection.tie_order``: a hash of the child's key and
month that favours nobody), so a coarse score such as the rule's is not judged at its worst.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from earlyhelp.stats.groups import GROUP_ATTRIBUTES, group_labels
from earlyhelp.stats.intervals import wilson
from model.bootstrap import (
    bias_corrected_interval,
    group_rate_draws,
    interval,
    replicate_metrics,
)
from model.report import (
    CalibrationBin,
    Disparity,
    GroupMetrics,
    Interval,
    MetricBlock,
    NewReferrals,
)
from model.selection import (
    month_codes,
    row_tie_order,
    select_new_referrals,
    select_top_k,
)

HEADLINE = ("recall_at_capacity", "precision_at_capacity", "number_needed_to_flag",
            "pr_auc", "roc_auc", "brier")


def expected_true_positives(scores: np.ndarray, y: np.ndarray, months: np.ndarray,
                            k: int) -> float:
    """True positives at capacity if boundary ties were broken at random (for comparison).

    Per month: positives strictly above the k-th score, plus the free slots times the share
    of positives among the rows tied at the k-th score.
    """
    total = 0.0
    for m in np.unique(months):
        s, t = scores[months == m], y[months == m]
        if s.size <= k:
            total += float(t.sum())
            continue
        kth = np.sort(s)[::-1][k - 1]
        above, tied = s > kth, s == kth
        total += t[above].sum() + (k - above.sum()) * t[tied].mean()
    return total


def ties(frame: pd.DataFrame) -> np.ndarray:
    """The live run's tie order for the rows of ``frame`` (``child_key``, ``as_of``)."""
    return row_tie_order(frame["child_key"], frame["as_of"])


def new_referrals(scores: np.ndarray, y: np.ndarray, months: np.ndarray, child: np.ndarray,
                  k: int, tie_break: np.ndarray) -> NewReferrals:
    flagged = select_new_referrals(scores, k, months=months, child=child, tie_break=tie_break)
    hit = flagged & (y == 1)
    with_outcome = np.unique(child[y == 1]).size
    reached = np.unique(child[hit]).size
    share, ci = None, Interval(low=None, high=None)
    if with_outcome:
        share = reached / with_outcome
        low, high = wilson(np.array(reached), np.array(with_outcome))
        ci = Interval(low=float(low), high=float(high))
    return NewReferrals(
        children_flagged=int(np.unique(child[flagged]).size), children_with_outcome=with_outcome,
        children_reached=reached, share_reached=share, share_reached_interval=ci,
        flagged_with_outcome=int(hit.sum()),
    )


def _scored(frame: pd.DataFrame, scores: dict[str, np.ndarray], label: str, capacity: int,
            new_only: bool) -> pd.DataFrame:
    """Test child-months with each candidate's score and flag (top-k a month, or new
    referrals only)."""
    y = frame["y"].to_numpy().astype(int)
    months = month_codes(frame["as_of"])
    child = pd.factorize(frame["child_key"])[0]
    rows = frame.drop(columns="y").assign(**{label: y})
    order = ties(frame)
    for name, s in scores.items():
        column = name.replace(" ", "_")
        rows[f"{column}_score"] = s
        flagged = (select_new_referrals(s, capacity, months=months, child=child, tie_break=order)
                   if new_only else select_top_k(s, capacity, tie_break=order, months=months))
        rows[f"{column}_flagged"] = flagged.astype(np.int8)
    return rows


def scored_test_rows(frame: pd.DataFrame, scores: dict[str, np.ndarray], label: str,
                     capacity: int) -> pd.DataFrame:
    """One row per test child-month: pseudonymous key, month, outcome, protected attributes,
    each candidate's score and whether it was flagged at capacity (for ``earlyhelp audit``)."""
    return _scored(frame, scores, label, capacity, new_only=False)


def scored_test_children(frame: pd.DataFrame, scores: dict[str, np.ndarray], label: str,
                         capacity: int) -> pd.DataFrame:
    """One row per test child, the unit the board audits: the outcome in any test month, each
    candidate's flag read as new referrals (flagged in some month, once), its highest score,
    and the protected attributes of the child's latest test month."""
    rows = _scored(frame, scores, label, capacity, new_only=True)
    extremes = {c: "max" for c in rows.columns if c.endswith(("_score", "_flagged")) or c == label}
    latest = rows.sort_values("as_of").groupby("child_key", sort=False).last()
    children = rows.groupby("child_key").agg(extremes)
    children = latest.drop(columns=[*extremes, "as_of"]).join(children).reset_index()
    return children.astype({label: np.int8})


def _clean(value: float) -> float | None:
    return None if not np.isfinite(value) else float(value)


def calibration_fit(scores: np.ndarray, y: np.ndarray) -> tuple[float | None, float | None]:
    """Logistic recalibration: slope of y on logit(p); intercept with the slope fixed at 1."""
    from sklearn.linear_model import LogisticRegression

    if y.sum() == 0 or y.sum() == y.size:
        return None, None
    p = np.clip(scores, 1e-6, 1 - 1e-6)
    logit = np.log(p / (1 - p))
    slope = LogisticRegression(C=np.inf).fit(logit[:, None], y).coef_[0, 0]
    offset = 0.0  # calibration-in-the-large: Newton steps on the intercept alone
    for _ in range(50):
        q = 1 / (1 + np.exp(-(logit + offset)))
        step = (y.sum() - q.sum()) / max(float(np.sum(q * (1 - q))), 1e-12)
        offset += step
        if abs(step) < 1e-10:
            break
    return float(slope), float(offset)


def calibration_curve(scores: np.ndarray, y: np.ndarray, bins: int = 10) -> list[CalibrationBin]:
    edges = np.unique(np.quantile(scores, np.linspace(0, 1, bins + 1)))
    which = np.clip(np.searchsorted(edges, scores, side="right") - 1, 0, max(edges.size - 2, 0))
    out = []
    for b in np.unique(which):
        sel = which == b
        out.append(CalibrationBin(mean_predicted=float(scores[sel].mean()),
                                  observed_rate=float(y[sel].mean()), rows=int(sel.sum())))
    return out


def _intervals(draws: dict[str, np.ndarray]) -> dict[str, Interval]:
    return {k: Interval(low=lo, high=hi) for k, (lo, hi) in
            ((k, interval(v)) for k, v in draws.items())}


def _group_block(scores, y, flagged, child, n_boot: int, seed: int) -> GroupMetrics:  # type: ignore[no-untyped-def]
    rep = replicate_metrics(scores, y, flagged, child, n_boot=n_boot, seed=seed)
    negatives = int((~y.astype(bool)).sum())
    fp = int((flagged & ~y.astype(bool)).sum())
    recall = rep.point.get("recall_at_capacity", np.nan)
    return GroupMetrics(
        rows=int(y.size), positives=int(y.sum()), flagged=int(flagged.sum()),
        true_positives=int((flagged & y.astype(bool)).sum()),
        **{k: _clean(rep.point.get(k, np.nan)) for k in
           ("recall_at_capacity", "precision_at_capacity", "pr_auc", "roc_auc", "brier")},
        fnr=_clean(1 - recall),
        fpr=_clean(fp / negatives) if negatives else None,
        intervals=_intervals(rep.draws),
        expected_positives=float(np.sum(scores)),
    )


def _disparities(y: np.ndarray, flagged: np.ndarray, child: np.ndarray, group: pd.Series,
                 min_pos: int, n_boot: int, seed: int) -> list[Disparity]:
    codes, names = pd.factorize(group_labels(group))
    # Children, not child-months, with the outcome: a child's months are one observation's
    # worth of evidence (the bootstrap resamples children), so one child cannot make a group.
    pairs = np.unique(np.column_stack([codes[y], child[y]]), axis=0)
    keep = np.bincount(pairs[:, 0], minlength=names.size) >= min_pos
    out = []
    for rate, num, den, resample_den in (
        ("fnr", (y & ~flagged), y, True),
        ("fpr", (~y & flagged), ~y, False),
    ):
        if keep.sum() < 2:
            out.append(Disparity(rate=rate, groups=[], value=None,
                                 interval=Interval(low=None, high=None)))
            continue
        point, draws = group_rate_draws(
            num.astype(float), den.astype(float), child, codes, n_groups=names.size,
            n_boot=n_boot, seed=seed, resample_denominator=resample_den,
        )
        spread = np.nanmax(draws[:, keep], axis=1) - np.nanmin(draws[:, keep], axis=1)
        gap = float(np.nanmax(point[keep]) - np.nanmin(point[keep]))
        lo, hi = bias_corrected_interval(gap, spread, floor=0.0)
        out.append(Disparity(
            rate=rate, groups=[str(n) for n, k in zip(names, keep, strict=True) if k],
            value=_clean(gap), interval=Interval(low=lo, high=hi),
        ))
    return out


def evaluate_scores(
    frame: pd.DataFrame,
    scores: np.ndarray,
    *,
    capacity: int,
    latest_months: tuple[date, ...],
    n_boot: int,
    seed: int,
    min_group_positives: int,
) -> MetricBlock:
    """All metrics for one candidate's scores on the test rows of ``frame``.

    ``frame`` holds ``child_key``, ``as_of``, ``y`` and the protected attributes.
    """
    y = frame["y"].to_numpy().astype(int)
    child = pd.factorize(frame["child_key"])[0]  # integer codes: fast to sort and count
    months = month_codes(frame["as_of"])
    order = ties(frame)
    flagged = select_top_k(scores, capacity, tie_break=order, months=months)
    rep = replicate_metrics(scores, y, flagged, child, n_boot=n_boot, seed=seed)
    latest = frame["as_of"].isin(latest_months).to_numpy()
    slope, intercept = calibration_fit(scores[latest], y[latest])
    block = MetricBlock(
        rows=int(y.size), positives=int(y.sum()), flagged=int(flagged.sum()),
        true_positives=int((flagged & (y == 1)).sum()),
        **{k: _clean(rep.point.get(k, np.nan)) for k in HEADLINE},
        intervals=_intervals(rep.draws),
        recall_at_capacity_random_ties=_clean(
            expected_true_positives(scores, y, months, capacity) / y.sum() if y.sum() else np.nan
        ),
        calibration_slope=slope, calibration_intercept=intercept,
        calibration_curve=calibration_curve(scores, y),
        new_referrals=new_referrals(scores, y, months, child, capacity, order),
    )
    for attribute in GROUP_ATTRIBUTES:
        codes, names = pd.factorize(group_labels(frame[attribute]), sort=True)
        block.by_group[attribute] = {
            str(g): _group_block(scores[codes == i], y[codes == i], flagged[codes == i],
                                 child[codes == i], n_boot, seed)
            for i, g in enumerate(names)
        }
        block.disparity[attribute] = _disparities(y.astype(bool), flagged, child,
                                                  frame[attribute], min_group_positives,
                                                  n_boot, seed)
    return block


