"""Rate intervals against SciPy's own (one pair at a time), and the seeded count bootstrap."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binomtest

from earlyhelp.stats.intervals import (
    clopper_pearson,
    percentile_interval,
    resample_counts,
    wilson,
)

CASES = [(0, 1), (0, 12), (1, 12), (5, 12), (12, 12), (3, 40), (532, 1901), (7, 7)]


@pytest.mark.parametrize(("method", "scipy_name"), [(wilson, "wilson"), (clopper_pearson, "exact")])
def test_vectorised_intervals_match_scipy(method, scipy_name) -> None:  # type: ignore[no-untyped-def]
    k = np.array([c[0] for c in CASES])
    n = np.array([c[1] for c in CASES])
    low, high = method(k, n)
    for i, (ki, ni) in enumerate(CASES):
        expected = binomtest(ki, ni).proportion_ci(confidence_level=0.95, method=scipy_name)
        assert low[i] == pytest.approx(expected.low, abs=1e-9)
        assert high[i] == pytest.approx(expected.high, abs=1e-9)


def test_intervals_are_undefined_without_a_denominator() -> None:
    for method in (wilson, clopper_pearson):
        low, high = method(np.array([0]), np.array([0]))
        assert np.isnan(low[0]) and np.isnan(high[0])


def test_exact_interval_is_wider_than_wilson_for_small_counts() -> None:
    w_low, w_high = wilson(np.array([2]), np.array([12]))
    e_low, e_high = clopper_pearson(np.array([2]), np.array([12]))
    assert e_high[0] - e_low[0] > w_high[0] - w_low[0]


def test_resampled_counts_keep_each_group_size_and_are_seeded() -> None:
    counts = np.array([[3, 1, 6, 2], [40, 20, 300, 10], [0, 0, 1, 0]])
    first = resample_counts(counts, 500, np.random.default_rng(7))
    again = resample_counts(counts, 500, np.random.default_rng(7))
    other = resample_counts(counts, 500, np.random.default_rng(8))
    assert first.shape == (500, 3, 4)
    assert (first.sum(axis=2) == counts.sum(axis=1)).all()
    assert (first == again).all() and not (first == other).all()
    # A cell that is 0 stays 0; the mean of each cell is near its observed count.
    assert (first[:, 2, [0, 1, 3]] == 0).all()
    assert np.allclose(first[:, 1, :].mean(axis=0), counts[1], rtol=0.1)


def test_percentile_interval_ignores_undefined_resamples() -> None:
    samples = np.array([[1.0, np.nan], [2.0, np.inf], [3.0, np.nan], [4.0, np.nan]])
    low, high, share = percentile_interval(samples, confidence=0.5)
    assert low[0] == pytest.approx(1.75) and high[0] == pytest.approx(3.25)
    assert np.isnan(low[1]) and share.tolist() == [1.0, 0.0]
