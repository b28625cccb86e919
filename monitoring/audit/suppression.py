"""Statistical disclosure control for published tables, following the DfE convention.

Primary suppression hides counts from 1 to 5 (shown as ``c``). Secondary suppression then hides
further cells until no hidden cell can be worked out from the cells shown and the table's sums
(rows adding to totals, groups adding to the whole): a hidden cell's value is recoverable
exactly when its unit vector lies in the row space of the sum equations restricted to the
hidden cells, which is checked with a null space rather than rule by rule, so combinations of
several sums are caught too. A rate is shown only when both its numerator and its denominator
can be worked out from the counts shown, so a rate never reveals a hidden count.

The generic part (``LinearTable``, ``suppress``) serves any table of counts with known sums;
``confusion_tables`` builds the one the fairness audit publishes.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import cast

import numpy as np
from scipy.linalg import null_space

Cell = Hashable

SMALLEST_SHOWN = 6  # counts 1..5 are hidden; 0 is shown
_TOL = 1e-9


@dataclass(frozen=True)
class LinearTable:
    """Cell values and the equations they satisfy: for each, sum(coef * value) == 0."""

    values: Mapping[Cell, int]
    equations: tuple[Mapping[Cell, int], ...]


@dataclass(frozen=True)
class Suppression:
    table: LinearTable
    hidden: frozenset[Cell]
    primary: frozenset[Cell]

    def recoverable(self, combination: Mapping[Cell, float]) -> bool:
        """Can ``sum(coef * value)`` be worked out from the cells shown and the sums?"""
        on_hidden = {c: w for c, w in combination.items() if c in self.hidden and w != 0}
        if not on_hidden:
            return True
        cells, basis = self._null_space
        vector = np.array([on_hidden.get(c, 0.0) for c in cells])
        return bool(np.all(np.abs(vector @ basis) < _TOL))

    @cached_property
    def _null_space(self) -> tuple[list[Cell], np.ndarray]:
        return _hidden_null_space(self.table, self.hidden)


def primary_cells(values: Mapping[Cell, int], smallest_shown: int = SMALLEST_SHOWN) -> set[Cell]:
    return {cell for cell, v in values.items() if 0 < v < smallest_shown}


Priority = Callable[[Cell, int, frozenset[Cell]], tuple[object, ...]]


def smallest_first(cell: Cell, value: int, hidden: frozenset[Cell]) -> tuple[object, ...]:
    """The DfE "next smallest" rule: the smallest non-zero cell, zeros only if nothing else."""
    return (value == 0, value)


def suppress(
    table: LinearTable,
    smallest_shown: int = SMALLEST_SHOWN,
    priority: Priority = smallest_first,
) -> Suppression:
    """Primary suppression, then secondary until no hidden cell is recoverable.

    Each secondary step hides, among the shown cells that share a sum with any recoverable hidden
    cells, a body cell before a total (a cell that some sum adds up to), then the first by
    ``priority``, then table order. A final pass shows again any secondary cell that turned out
    not to be needed.
    """
    primary = primary_cells(table.values, smallest_shown)
    hidden = set(primary)
    order = {cell: i for i, cell in enumerate(table.values)}
    totals = {c for eq in table.equations for c, w in eq.items() if w < 0}
    added: list[Cell] = []
    while exposed := _recoverable_hidden(table, hidden):
        partners = set().union(*(_partners(table, c, hidden) for c in exposed))
        partners = partners or _partners_of_any(table, hidden)
        if not partners:
            break  # every cell linked to it is already hidden; nothing more can be done
        frozen = frozenset(hidden)
        chosen = min(
            partners,
            key=lambda c: (c in totals, *priority(c, table.values[c], frozen), order[c]),
        )
        hidden.add(chosen)
        added.append(chosen)
    for cell in reversed(added):
        hidden.discard(cell)
        if _recoverable_hidden(table, hidden):
            hidden.add(cell)
    return Suppression(table, frozenset(hidden), frozenset(primary))


def _partners(table: LinearTable, cell: Cell, hidden: set[Cell]) -> set[Cell]:
    return {c for eq in table.equations if cell in eq for c in eq if c not in hidden}


def _partners_of_any(table: LinearTable, hidden: set[Cell]) -> set[Cell]:
    return {
        c for eq in table.equations if any(h in eq for h in hidden) for c in eq if c not in hidden
    }


def _hidden_null_space(table: LinearTable, hidden: Iterable[Cell]) -> tuple[list[Cell], np.ndarray]:
    cells = list(hidden)
    if not cells:
        return cells, np.zeros((0, 0))
    index = {c: i for i, c in enumerate(cells)}
    rows = [eq for eq in table.equations if any(c in index for c in eq)]
    matrix = np.zeros((max(len(rows), 1), len(cells)))
    for r, eq in enumerate(rows):
        for c, coef in eq.items():
            if c in index:
                matrix[r, index[c]] = coef
    return cells, null_space(matrix)


def _recoverable_hidden(table: LinearTable, hidden: set[Cell]) -> list[Cell]:
    cells, basis = _hidden_null_space(table, hidden)
    return [c for i, c in enumerate(cells) if np.all(np.abs(basis[i]) < _TOL)]


# --- the audit's confusion tables ------------------------------------------------------------

COUNTS = ("n", "positives", "flagged", "tp", "fp", "tn", "fn")
OVERALL = ("", "All children")  # the (column, value) key of the whole table's row


def confusion_tables(
    overall: Mapping[str, int], groups: Mapping[str, Mapping[str, Mapping[str, int]]]
) -> Suppression:
    """Suppress the audit's counts: one row per (column, value) plus the overall row.

    Sums: within a row, tp + fn = positives, tp + fp = flagged, tp + fp + tn + fn = n; across
    each group column, the groups' counts add up to the overall row's (which every group
    column shares, so the tables are protected together).
    """
    rows: dict[tuple[str, str], Mapping[str, int]] = {OVERALL: overall}
    rows.update({(col, val): c for col, by_value in groups.items() for val, c in by_value.items()})
    values: dict[Cell, int] = {
        (*key, name): int(counts[name]) for key, counts in rows.items() for name in COUNTS
    }
    equations: list[dict[Cell, int]] = []
    for key in rows:
        k = tuple(key)
        equations += [
            {(*k, "tp"): 1, (*k, "fn"): 1, (*k, "positives"): -1},
            {(*k, "tp"): 1, (*k, "fp"): 1, (*k, "flagged"): -1},
            {(*k, "tp"): 1, (*k, "fp"): 1, (*k, "tn"): 1, (*k, "fn"): 1, (*k, "n"): -1},
        ]
    for col, by_value in groups.items():
        for name in COUNTS:
            equation: dict[Cell, int] = {(col, val, name): 1 for val in by_value}
            equation[(*OVERALL, name)] = -1
            equations.append(equation)
    return suppress(LinearTable(values, tuple(equations)), priority=_inside_touched_rows_first)


def _inside_touched_rows_first(
    cell: Cell, value: int, hidden: frozenset[Cell]
) -> tuple[object, ...]:
    """Prefer rows that already hide a cell: a small block of hidden cells protects as well as a
    scattered one and hides less."""
    column, group, _ = cast(tuple[str, str, str], cell)
    touched = any((column, group, other) in hidden for other in COUNTS)
    return (not touched, value == 0, value)


def rate_shown(
    suppression: Suppression,
    key: tuple[str, str],
    numerator: Iterable[str],
    denominator: Iterable[str],
) -> bool:
    """A rate of confusion cells is shown only if both its parts are recoverable from the table."""
    return all(
        suppression.recoverable({(*key, cell): 1 for cell in part})
        for part in (numerator, denominator)
    )


def format_count(value: int, hidden: bool) -> str:
    return "c" if hidden else f"{value:,}"


def format_percent(value: float | None, hidden: bool) -> str:
    """One decimal place (DfE); ``c`` suppressed, ``z`` not applicable (undefined)."""
    if hidden:
        return "c"
    return "z" if value is None else f"{100 * value:.1f}%"
