"""95% intervals from counts: score or exact intervals for rates, a count bootstrap for ratios.

A rate here is always one count over another (for example missed children over children who
went on to the outcome), so its interval follows from the two counts alone: no resampling of
rows is needed. A ratio of two groups' rates has no such simple form, so it is bootstrapped by
redrawing each group's four confusion counts from a multinomial with that group's observed
proportions: the same thing as resampling the group's rows, done on four numbers, all resamples
at once with numpy.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Literal

import numpy as np
from scipy import stats

RateMethod = Literal["wilson", "clopper-pearson"]

RATE_METHOD_TEXT: dict[str, str] = {
    "wilson": (
        "Wilson score interval from the two counts of each rate (the method used for "
        "proportions in England's public health profiles): close to the stated 95% coverage "
        "even with a handful of children, never outside 0-100%, and defined when the count is "
        "0 or all"
    ),
    "clopper-pearson": (
        "Clopper-Pearson exact binomial interval from the two counts of each rate: at least "
        "95% coverage whatever the numbers, at the price of wider intervals"
    ),
}

BOOTSTRAP_TEXT = (
    "percentile bootstrap, {n_boot} resamples seeded with {seed}: each group's four confusion "
    "counts are redrawn from a multinomial with that group's observed proportions and size, "
    "independently for the group and the reference group, and the ratio is recomputed; the "
    "2.5th and 97.5th percentiles of the defined ratios are the interval. Ratios of rates have "
    "no exact count formula, and redrawing four counts per group gives the row bootstrap's "
    "answer thousands of times faster than resampling rows"
)


def wilson(k: np.ndarray, n: np.ndarray, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for k successes in n trials, elementwise; NaN where n == 0."""
    k, n = np.asarray(k, dtype=np.float64), np.asarray(n, dtype=np.float64)
    z = stats.norm.ppf(0.5 + confidence / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    low, high = np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)
    # The exact limits at k = 0 and k = n, which rounding can otherwise miss by 1e-17.
    low, high = np.where(k == 0, 0.0, low), np.where(k == n, 1.0, high)
    return _undefined_where_empty(low, high, n)


def clopper_pearson(
    k: np.ndarray, n: np.ndarray, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Clopper-Pearson) binomial interval, elementwise; NaN where n == 0."""
    k, n = np.asarray(k, dtype=np.float64), np.asarray(n, dtype=np.float64)
    alpha = 1 - confidence
    with np.errstate(divide="ignore", invalid="ignore"):
        low = np.where(k > 0, stats.beta.ppf(alpha / 2, k, n - k + 1), 0.0)
        high = np.where(k < n, stats.beta.ppf(1 - alpha / 2, k + 1, n - k), 1.0)
    return _undefined_where_empty(low, high, n)


def _undefined_where_empty(
    low: np.ndarray, high: np.ndarray, n: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    return np.where(n > 0, low, np.nan), np.where(n > 0, high, np.nan)


RATE_INTERVALS: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]] = {
    "wilson": wilson,
    "clopper-pearson": clopper_pearson,
}


def resample_counts(counts: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Redraw each group's confusion counts: ``(groups, 4)`` -> ``(n_boot, groups, 4)``."""
    counts = np.asarray(counts, dtype=np.int64)
    sizes = counts.sum(axis=1)
    shares = counts / np.maximum(sizes, 1)[:, None]
    shares[sizes == 0] = 0.25  # never drawn from (size 0), but must be a valid distribution
    return rng.multinomial(sizes, shares, size=(n_boot, counts.shape[0]))


def percentile_interval(
    samples: np.ndarray, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Percentile interval over axis 0 of the finite samples, and the share that were finite."""
    finite = np.isfinite(samples)
    share = finite.mean(axis=0)
    kept = np.where(finite, samples, np.nan)
    tail = (1 - confidence) / 2 * 100
    # All-NaN columns (a ratio never defined) give NaN, which the caller reports as null.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        low = np.nanpercentile(kept, tail, axis=0)
        high = np.nanpercentile(kept, 100 - tail, axis=0)
    return low, high, share
