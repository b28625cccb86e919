"""Statistical disclosure control for published tables, following the DfE convention.

Primary suppression hides counts from 1 to 5 (shown as ``c``). Secondary suppression then hides
further cells until no hidden cell can be worked out from the cells shown and the table's sums
(rows adding to totals, groups adding to the whole): a hidden cell's value is recoverable
exactly when its unit vector lies in the row space of the sum equations restricted to the
hidden cells, which is checked with linear algebra rather than rule by rule, so combinations of
several sums are caught too. A rate is shown only when both its numerator and its denominator
can be worked out from the counts shown, so a rate never reveals a hidden count.

The generic part (``LinearTable``, ``suppress``) serves any table of counts with known sums;
``confusion_tables`` builds the one the fairness audit publishes.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cached_property
from typing import TypeVar, cast

import numpy as np
from scipy.linalg import qr

Cell = Hashable
C = TypeVar("C", bound=Hashable)

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
        return self._row_spaces.recoverable(combination)

    @cached_property
    def _row_spaces(self) -> _RowSpaces:
        return _RowSpaces(self.table, self.hidden)


def primary_cells(values: Mapping[C, int], smallest_shown: int = SMALLEST_SHOWN) -> set[C]:
    return {cell for cell, v in values.items() if 0 < v < smallest_shown}


Priority = Callable[[Cell, int, AbstractSet[Cell]], tuple[object, ...]]


def smallest_first(cell: Cell, value: int, hidden: AbstractSet[Cell]) -> tuple[object, ...]:
    """The DfE "next smallest" rule: the smallest non-zero cell, zeros only if nothing else."""
    return (value == 0, value)


def suppress(
    table: LinearTable,
    smallest_shown: int = SMALLEST_SHOWN,
    priority: Priority = smallest_first,
) -> Suppression:
    """Primary suppression, then secondary until no hidden cell is recoverable.

    First the classic pass: while some sum has exactly one hidden cell, hide another of its
    cells. Then the row space check catches what several sums together give away, and each
    recoverable cell gets a partner hidden; repeat until nothing is recoverable. A partner is
    a body cell before a total (a cell that some sum adds up to), then first by ``priority``,
    then table order. A last pass shows again any secondary cell that turned out not needed.
    """
    primary = primary_cells(table.values, smallest_shown)
    hidden = set(primary)
    order = {cell: i for i, cell in enumerate(table.values)}
    totals = {c for eq in table.equations for c, w in eq.items() if w < 0}
    sums_of: dict[Cell, list[Mapping[Cell, int]]] = {c: [] for c in table.values}
    for eq in table.equations:
        for c in eq:
            sums_of[c].append(eq)

    def rank(cell: Cell) -> tuple[object, ...]:
        return (cell in totals, *priority(cell, table.values[cell], hidden), order[cell])

    def partner(cell: Cell) -> Cell | None:
        """The best shown cell in the cell's sums; if all of those are hidden, in the sums of
        the hidden cells linked to it, ring by ring (what gives it away may be two sums off)."""
        seen, ring = {cell}, {cell}
        while ring:
            touching = [c for h in ring for eq in sums_of[h] for c in eq]
            shown = {c for c in touching if c not in hidden}
            if shown:
                return min(shown, key=rank)
            ring = {c for c in touching if c not in seen}
            seen |= ring
        return None

    added: list[Cell] = []
    while True:
        added += _close_single_gaps(table.equations, sums_of, hidden, rank)
        exposed = _recoverable_hidden(table, hidden)
        chosen = {p for c in exposed if (p := partner(c)) is not None}
        if not chosen:
            break  # nothing recoverable, or nothing left to hide beside it
        hidden |= chosen
        added += sorted(chosen, key=order.__getitem__)
    for cell in reversed(added):
        hidden.discard(cell)
        if any(_hidden_in(eq, hidden) == 1 for eq in sums_of[cell]) or _recoverable_hidden(
            table, hidden
        ):
            hidden.add(cell)
    return Suppression(table, frozenset(hidden), frozenset(primary))


def _hidden_in(equation: Mapping[Cell, int], hidden: AbstractSet[Cell]) -> int:
    return sum(c in hidden for c in equation)


def _close_single_gaps(
    equations: tuple[Mapping[Cell, int], ...],
    sums_of: Mapping[Cell, list[Mapping[Cell, int]]],
    hidden: set[Cell],
    rank: Callable[[Cell], tuple[object, ...]],
) -> list[Cell]:
    """While a sum has exactly one hidden cell (found by one subtraction), hide another."""
    added: list[Cell] = []
    pending = list(equations)
    while pending:
        eq = pending.pop()
        if _hidden_in(eq, hidden) != 1:
            continue
        shown = [c for c in eq if c not in hidden]
        if not shown:
            continue
        cell = min(shown, key=rank)
        hidden.add(cell)
        added.append(cell)
        pending += sums_of[cell]
    return added


class _RowSpaces:
    """Row spaces of the sums restricted to the hidden cells, one per connected block.

    A combination of hidden cells can be worked out exactly when it lies in the row space of
    the sums restricted to the hidden cells. Hidden cells that share no sum, directly or
    through other hidden cells, are independent, so each block is solved alone: many small
    decompositions instead of one large one (rank-revealing QR, single-threaded: the matrices
    are small and BLAS threads only contend).
    """

    def __init__(self, table: LinearTable, hidden: AbstractSet[Cell]) -> None:
        from threadpoolctl import threadpool_limits

        self.block_of: dict[Cell, int] = {}
        self.position: dict[Cell, int] = {}
        self.bases: list[np.ndarray] = []
        with threadpool_limits(1):
            for cells, rows in _blocks(table, hidden):
                for i, c in enumerate(cells):
                    self.block_of[c], self.position[c] = len(self.bases), i
                self.bases.append(_row_space(cells, rows))

    def recoverable_cells(self) -> list[Cell]:
        return [
            c for c, b in self.block_of.items()
            if abs(1.0 - float(np.sum(self.bases[b][self.position[c]] ** 2))) < _TOL
        ]

    def recoverable(self, combination: Mapping[Cell, float]) -> bool:
        parts: dict[int, np.ndarray] = {}
        for c, w in combination.items():
            if c in self.block_of and w != 0:
                b = self.block_of[c]
                vector = parts.setdefault(b, np.zeros(self.bases[b].shape[0]))
                vector[self.position[c]] += w
        return all(
            np.linalg.norm(v - self.bases[b] @ (self.bases[b].T @ v)) < _TOL
            for b, v in parts.items()
        )


def _row_space(cells: list[Cell], rows: list[Mapping[Cell, int]]) -> np.ndarray:
    """Orthonormal basis (cells x rank) of the row space of the sums over ``cells``."""
    index = {c: i for i, c in enumerate(cells)}
    matrix = np.zeros((len(cells), max(len(rows), 1)))  # transposed: columns are sums
    for r, eq in enumerate(rows):
        for c, coef in eq.items():
            if c in index:
                matrix[index[c], r] = coef
    q, r, _ = qr(matrix, mode="economic", pivoting=True)
    diagonal = np.abs(np.diag(r))
    rank = int(np.sum(diagonal > _TOL * max(matrix.shape) * (diagonal[0] if diagonal.size else 0)))
    return q[:, :rank]


def _blocks(
    table: LinearTable, hidden: AbstractSet[Cell]
) -> list[tuple[list[Cell], list[Mapping[Cell, int]]]]:
    """Hidden cells grouped by the sums that link them (union-find), with those sums."""
    parent = {c: c for c in hidden}

    def root(c: Cell) -> Cell:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    touching = []
    for eq in table.equations:
        inside = [c for c in eq if c in parent]
        if inside:
            touching.append((inside[0], eq))
            for c in inside[1:]:
                parent[root(c)] = root(inside[0])
    cells: dict[Cell, list[Cell]] = {}
    for c in hidden:
        cells.setdefault(root(c), []).append(c)
    rows: dict[Cell, list[Mapping[Cell, int]]] = {r: [] for r in cells}
    for first, eq in touching:
        rows[root(first)].append(eq)
    return [(cells[r], rows[r]) for r in cells]


def _recoverable_hidden(table: LinearTable, hidden: AbstractSet[Cell]) -> list[Cell]:
    return _RowSpaces(table, hidden).recoverable_cells()


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


def confusion_cells(n: int, positives: int, flagged: int, tp: int) -> dict[str, int]:
    """Every count of ``COUNTS`` from a table's margins and its true positives."""
    fp, fn = flagged - tp, positives - tp
    return {"n": n, "positives": positives, "flagged": flagged, "tp": tp, "fp": fp,
            "tn": n - positives - fp, "fn": fn}


def _inside_touched_rows_first(
    cell: Cell, value: int, hidden: AbstractSet[Cell]
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
