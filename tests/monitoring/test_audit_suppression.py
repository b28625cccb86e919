"""Disclosure control: primary and secondary suppression, checked by brute force where small."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from earlyhelp.stats.disclosure import (
    LinearTable,
    confusion_tables,
    format_count,
    format_percent,
    primary_cells,
    rate_shown,
    suppress,
)


def _two_by_two(a: int, b: int, c: int, d: int) -> LinearTable:
    """Cells a b / c d with row totals r1 r2, column totals k1 k2 and grand total t."""
    values = {"a": a, "b": b, "c": c, "d": d, "r1": a + b, "r2": c + d, "k1": a + c,
              "k2": b + d, "t": a + b + c + d}
    equations = (
        {"a": 1, "b": 1, "r1": -1}, {"c": 1, "d": 1, "r2": -1},
        {"a": 1, "c": 1, "k1": -1}, {"b": 1, "d": 1, "k2": -1},
        {"r1": 1, "r2": 1, "t": -1}, {"k1": 1, "k2": 1, "t": -1},
    )
    return LinearTable(values, equations)


def _feasible_values(table: LinearTable, hidden: frozenset[str], top: int) -> dict[str, set[int]]:
    """Every value each hidden cell can take, given the shown cells and the sums (brute force)."""
    names = sorted(hidden)
    grid = np.meshgrid(*[np.arange(top + 1)] * len(names), indexing="ij")
    guess = dict(zip(names, (g.ravel() for g in grid), strict=True))
    ok = np.ones(grid[0].size, dtype=bool)
    for eq in table.equations:
        ok &= sum(w * guess.get(c, table.values[c]) for c, w in eq.items()) == 0
    return {n: set(guess[n][ok].tolist()) for n in names}


def test_primary_suppression_hides_one_to_five_but_not_zero_or_six() -> None:
    assert primary_cells({"a": 0, "b": 1, "c": 5, "d": 6, "e": 100}) == {"b", "c"}


def test_one_small_cell_hides_its_whole_rectangle() -> None:
    table = _two_by_two(3, 10, 12, 20)
    result = suppress(table)
    assert result.primary == {"a"}
    assert result.hidden == {"a", "b", "c", "d"}  # margins stay shown
    feasible = _feasible_values(table, result.hidden, top=45)
    assert all(len(v) > 1 for v in feasible.values()), feasible
    assert 3 in feasible["a"]


def test_without_secondary_suppression_the_cell_would_be_recoverable() -> None:
    table = _two_by_two(3, 10, 12, 20)
    feasible = _feasible_values(table, frozenset({"a"}), top=45)
    assert feasible["a"] == {3}  # why secondary suppression is needed at all


def test_nothing_is_hidden_when_every_count_is_zero_or_above_five() -> None:
    result = suppress(_two_by_two(0, 10, 12, 20))
    assert result.hidden == frozenset()


def test_two_small_cells_in_one_row_protect_each_other_only_if_the_sums_allow() -> None:
    table = _two_by_two(2, 4, 12, 20)
    result = suppress(table)
    assert {"a", "b"} <= result.hidden
    feasible = _feasible_values(table, result.hidden, top=40)
    assert all(len(v) > 1 for v in feasible.values()), feasible


def _audit_tables(small: tuple[int, int, int, int]):  # type: ignore[no-untyped-def]
    def counts(tp: int, fp: int, tn: int, fn: int) -> dict[str, int]:
        return {"n": tp + fp + tn + fn, "positives": tp + fn, "flagged": tp + fp,
                "tp": tp, "fp": fp, "tn": tn, "fn": fn}

    groups = {"F": counts(*small), "M": counts(40, 30, 300, 20), "U": counts(12, 9, 80, 7)}
    overall = {k: sum(g[k] for g in groups.values()) for k in groups["F"]}
    return confusion_tables(overall, {"sex": groups}), groups


def test_audit_tables_hide_small_counts_and_what_would_reveal_them() -> None:
    suppression, groups = _audit_tables((3, 8, 20, 9))  # girls: tp = 3
    assert ("sex", "F", "tp") in suppression.primary
    for key in (("sex", "F", "tp"), ("sex", "F", "fp"), ("sex", "F", "fn")):
        if key in suppression.hidden:
            assert not suppression.recoverable({key: 1})
    # The simplest attack: a row or column sum with exactly one hidden cell.
    for eq in suppression.table.equations:
        assert sum(c in suppression.hidden for c in eq) != 1
    # Rates built on the hidden count are hidden; the share flagged is not, if its parts show.
    assert not rate_shown(suppression, ("sex", "F"), ("tp",), ("tp", "fn"))
    shown_parts = all(("sex", "F", c) not in suppression.hidden for c in ("n", "flagged"))
    assert rate_shown(suppression, ("sex", "F"), ("tp", "fp"), ("tp", "fp", "tn", "fn")) == (
        shown_parts
    )
    # The large group's own rates stay visible when nothing of its row is hidden.
    if not any(("sex", "M", c) in suppression.hidden for c in groups["M"]):
        assert rate_shown(suppression, ("sex", "M"), ("fn",), ("tp", "fn"))


def test_audit_tables_with_no_small_counts_hide_nothing() -> None:
    suppression, _ = _audit_tables((30, 8, 20, 9))
    assert suppression.hidden == frozenset()


@pytest.mark.parametrize(("value", "hidden", "text"), [(0, False, "0"), (1234, False, "1,234"),
                                                      (3, True, "c")])
def test_format_count(value: int, hidden: bool, text: str) -> None:
    assert format_count(value, hidden) == text


def test_format_percent_one_decimal_c_and_z() -> None:
    assert format_percent(0.44846, False) == "44.8%"
    assert format_percent(0.44846, True) == "c"
    assert format_percent(None, False) == "z"
    assert np.isclose(float(format_percent(1 / 3, False).rstrip("%")), 33.3)


def test_with_two_groups_a_small_count_hides_the_other_groups_cells_too() -> None:
    # Girls' hidden counts would otherwise follow from the boys' and the overall row.
    def counts(tp: int, fp: int, tn: int, fn: int) -> dict[str, int]:
        return {"n": tp + fp + tn + fn, "positives": tp + fn, "flagged": tp + fp,
                "tp": tp, "fp": fp, "tn": tn, "fn": fn}

    groups = {"F": counts(3, 9, 40, 7), "M": counts(30, 40, 300, 20)}
    overall = {k: groups["F"][k] + groups["M"][k] for k in groups["F"]}
    suppression = confusion_tables(overall, {"sex": groups})
    for group in ("F", "M"):
        assert {("sex", group, c) for c in ("tp", "fp", "tn", "fn")} <= suppression.hidden
    assert ("sex", "M", "n") not in suppression.hidden  # margins stay shown


@settings(max_examples=30, deadline=None)
@given(cells=st.tuples(*[st.integers(0, 9)] * 4))
def test_hidden_cells_of_any_small_table_have_more_than_one_possible_value(
    cells: tuple[int, int, int, int],
) -> None:
    table = _two_by_two(*cells)
    result = suppress(table)
    assume(0 < len(result.hidden) <= 4)  # keeps the brute force small
    feasible = _feasible_values(table, result.hidden, top=table.values["t"])
    assert all(len(v) > 1 for v in feasible.values()), (cells, feasible)
