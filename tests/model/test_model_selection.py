"""The one label-free selector: top-k a month and new referrals, with a stated tie rule."""

from __future__ import annotations

from datetime import date

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from model.selection import (
    month_codes,
    row_tie_order,
    select_new_referrals,
    select_top_k,
    tie_order,
)


def test_row_tie_order_is_the_live_runs_order_month_by_month() -> None:
    # Evaluation breaks ties exactly as the monthly run will, so the figures describe it.
    keys = [f"child-{i}" for i in range(50)]
    april, may = date(2019, 4, 30), date(2019, 5, 31)
    rows = row_tie_order(keys + keys, [april] * 50 + [may] * 50)
    assert np.array_equal(rows[:50], tie_order(keys, april))
    assert np.array_equal(rows[50:], tie_order(keys, may))


def test_without_a_tie_break_the_selector_needs_no_label_and_takes_the_top_k() -> None:
    scores = np.array([0.1, 0.9, 0.4, 0.8, 0.3])
    assert select_top_k(scores, 2).tolist() == [False, True, False, True, False]
    assert select_top_k(scores, 10).all()


def test_tie_order_is_reproducible_differs_by_month_and_decides_ties() -> None:
    keys = [f"child-{i}" for i in range(200)]
    april, may = date(2019, 4, 30), date(2019, 5, 31)
    first, again = tie_order(keys, april), tie_order(keys, april)
    assert np.array_equal(first, again)
    assert not np.array_equal(np.argsort(first), np.argsort(tie_order(keys, may)))
    scores = np.full(200, 0.5)
    flagged = select_top_k(scores, 20, tie_break=first)
    # The children flagged among equals are the 20 lowest hashes, not the first 20 keys.
    assert set(np.flatnonzero(flagged)) == set(np.argsort(first)[:20])
    assert set(np.flatnonzero(flagged)) != set(range(20))


def test_new_referrals_skip_children_already_flagged_before_the_run() -> None:
    scores = np.array([0.9, 0.8, 0.7, 0.6])
    child = np.arange(4)
    already = np.array([True, False, False, False])
    flagged = select_new_referrals(scores, 2, months=np.zeros(4, int), child=child,
                                   already_flagged=already)
    assert flagged.tolist() == [False, True, True, False]


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 20), st.floats(0, 1)),
                min_size=1, max_size=80), st.integers(1, 4))
@settings(max_examples=60, deadline=None)
def test_new_referrals_flag_each_child_at_most_once_and_at_most_k_a_month(rows, k) -> None:  # type: ignore[no-untyped-def]
    # One row per (month, child): duplicates dropped as the feature matrix has none.
    unique = {(m, c): s for m, c, s in rows}
    months = np.array([m for m, _ in unique])
    child = np.array([c for _, c in unique])
    scores = np.array(list(unique.values()))
    flagged = select_new_referrals(scores, k, months=months, child=child)
    assert np.bincount(child[flagged]).max(initial=0) <= 1
    for m in np.unique(months):
        assert flagged[months == m].sum() <= k


def test_month_codes_follow_date_order() -> None:
    months = np.array([date(2019, 5, 31), date(2019, 4, 30), date(2019, 5, 31)])
    assert month_codes(months).tolist() == [1, 0, 1]
