"""Vectorised bootstrap of the evaluation metrics, without re-running scikit-learn.

Method (written into every report): a Poisson bootstrap clustered by child for every child
with a positive or a flagged child-month (each such child's rows share one Poisson(1)
weight per resample, so a child's consecutive months move together); the many negative
child-months are resampled at row level through Poisson counts of the score bins between
positive scores, which is exact for rank metrics. Brier's negative part is scaled per bin.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

METHOD = (
    "Poisson bootstrap: children with a positive or flagged child-month resampled as clusters; "
    "other negative child-months resampled at row level via Poisson counts per score bin; "
    "2.5th-97.5th percentiles (for the gap between groups' error rates, which resampling "
    "widens, percentiles shifted by the bootstrap estimate of its bias)"
)


@dataclass(frozen=True)
class Replicates:
    """Point values and bootstrap replicates (shape ``(B,)``) of each metric."""

    point: dict[str, float]
    draws: dict[str, np.ndarray]


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def _rank_metrics(
    p_pos: np.ndarray, w_pos: np.ndarray, p_neg: np.ndarray,
    rng: np.random.Generator | None, n_boot: int,
) -> dict[str, np.ndarray]:
    """AP, ROC-AUC and Brier from weighted positives and (resampled) negative score bins.

    ``w_pos`` has shape (R, P): R = 1 for the point value, B for the bootstrap.
    """
    levels, inverse = np.unique(-p_pos, return_inverse=True)
    u = -levels  # unique positive scores, descending
    pw = np.zeros((w_pos.shape[0], u.size))
    np.add.at(pw.T, inverse, w_pos.T)
    neg = np.sort(p_neg)
    gt = neg.size - np.searchsorted(neg, u, side="right")
    eq = np.searchsorted(neg, u, side="right") - np.searchsorted(neg, u, side="left")
    # Bins: [> u1], [= u1], (u2, u1), [= u2], ..., [= um], [< um].
    edges = np.concatenate([[0], np.ravel(np.column_stack([gt, gt + eq])), [neg.size]])
    counts = np.diff(edges)
    desc = neg[::-1]
    sq = np.concatenate([[0.0], np.cumsum(desc**2)])
    bin_sq = sq[edges[1:]] - sq[edges[:-1]]
    if rng is None:
        c = np.broadcast_to(counts, (1, counts.size)).astype(float)
    else:
        c = rng.poisson(counts, size=(n_boot, counts.size)).astype(float)
    scale = _ratio(c, np.broadcast_to(counts, c.shape).astype(float))
    neg_sq = np.nansum(scale * bin_sq, axis=1)
    cum = np.cumsum(c, axis=1)
    gt_b = cum[:, 0::2][:, : u.size]
    eq_b = c[:, 1::2][:, : u.size]
    n_neg = cum[:, -1]
    p_tot = pw.sum(axis=1)
    tp_cum = np.cumsum(pw, axis=1)
    precision = _ratio(tp_cum, tp_cum + gt_b + eq_b)
    ap = _ratio(np.sum(pw * precision, axis=1), p_tot)
    below = n_neg[:, None] - gt_b - eq_b
    auc = _ratio(np.sum(pw * (below + 0.5 * eq_b), axis=1), p_tot * n_neg)
    pos_sq = w_pos @ (1 - p_pos) ** 2
    brier = _ratio(pos_sq + neg_sq, p_tot + n_neg)
    return {"pr_auc": ap, "roc_auc": auc, "brier": brier}


def replicate_metrics(
    scores: np.ndarray,
    y: np.ndarray,
    flagged: np.ndarray,
    child: np.ndarray,
    *,
    n_boot: int,
    seed: int,
) -> Replicates:
    """Point values and bootstrap draws of the capacity and rank metrics for these rows."""
    y = y.astype(bool)
    relevant = y | flagged
    kids, kid_of_row = np.unique(child[relevant], return_inverse=True)
    tp = np.bincount(kid_of_row, (y & flagged)[relevant], minlength=kids.size)
    pos = np.bincount(kid_of_row, y[relevant], minlength=kids.size)
    flg = np.bincount(kid_of_row, flagged[relevant], minlength=kids.size)
    rng = np.random.default_rng(seed)
    weights = rng.poisson(1.0, size=(n_boot, kids.size)).astype(float)
    ones = np.ones((1, kids.size))
    pos_rows = kid_of_row[y[relevant]]
    p_pos = scores[y]
    p_neg = scores[~y]
    out: dict[str, list[np.ndarray]] = {}
    for w, r in ((ones, None), (weights, rng)):
        tp_b, pos_b, flg_b = w @ tp, w @ pos, w @ flg
        m = {
            "recall_at_capacity": _ratio(tp_b, pos_b),
            "precision_at_capacity": _ratio(tp_b, flg_b),
            "number_needed_to_flag": _ratio(flg_b, tp_b),
        }
        if p_pos.size and p_neg.size:
            m |= _rank_metrics(p_pos, w[:, pos_rows], p_neg, r, n_boot)
        for name, values in m.items():
            out.setdefault(name, []).append(values)
    return Replicates(
        point={k: float(v[0][0]) for k, v in out.items()},
        draws={k: v[1] for k, v in out.items()},
    )


def interval(draws: np.ndarray) -> tuple[float | None, float | None]:
    finite = draws[np.isfinite(draws)]
    if finite.size < 0.5 * draws.size:
        return None, None
    low, high = np.percentile(finite, [2.5, 97.5])
    return float(low), float(high)


def bias_corrected_interval(point: float, draws: np.ndarray,
                            floor: float | None = None) -> tuple[float | None, float | None]:
    """Percentiles of the draws shifted by the bootstrap's estimate of bias (mean - point).

    For a statistic that resampling biases, like the gap between the largest and smallest of
    several noisy group rates (resampling widens it), plain percentiles can lie wholly above
    the estimate; shifting them by the bias (Efron and Tibshirani 1993, 10.6) centres the
    interval on it.
    """
    low, high = interval(draws)
    finite = draws[np.isfinite(draws)]
    if low is None or high is None or not np.isfinite(point) or finite.size == 0:
        return None, None
    bias = float(finite.mean()) - point
    low, high = low - bias, high - bias
    if floor is not None:
        low, high = max(low, floor), max(high, floor)
    return float(low), float(high)


def group_rate_draws(
    numerator: np.ndarray,
    denominator: np.ndarray,
    child: np.ndarray,
    group: np.ndarray,
    *,
    n_groups: int,
    n_boot: int,
    seed: int,
    resample_denominator: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-group rates numerator/denominator: point (G,) and child-clustered draws (B, G).

    ``child`` and ``group`` are integer codes. Only children with a non-zero numerator (and
    denominator, if resampled) are resampled; with ``resample_denominator=False`` the
    denominator is held at its total (for rates over thousands of child-months, such as the
    flag rate among children without the outcome).
    """
    active = (numerator > 0) | ((denominator > 0) & resample_denominator)
    kids, k_of_row = np.unique(child[active], return_inverse=True)
    cells = k_of_row * n_groups + group[active]
    size = kids.size * n_groups
    num = np.bincount(cells, numerator[active], minlength=size).reshape(kids.size, n_groups)
    den_total = np.bincount(group, denominator, minlength=n_groups)
    w = np.random.default_rng(seed).poisson(1.0, size=(n_boot, kids.size)).astype(float)
    point = _ratio(num.sum(axis=0), den_total)
    if resample_denominator:
        den = np.bincount(cells, denominator[active], minlength=size).reshape(kids.size, n_groups)
        return point, _ratio(w @ num, w @ den)
    return point, _ratio(w @ num, np.broadcast_to(den_total, (n_boot, n_groups)))
