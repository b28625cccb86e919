"""The report's tables of counts, each through the shared disclosure control.

Every count the board sees sits in a table whose sums (rows to totals, groups to the whole) are
declared, so ``earlyhelp.stats.disclosure.suppress`` hides counts 1-5 and then whatever would
give them away. A rate is printed only when its numerator and denominator can both be worked
out from what is shown. The published cells are also kept as data (``cells``), so a test can
check that nothing hidden is recoverable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast

from earlyhelp.stats.disclosure import (
    Cell,
    LinearTable,
    Suppression,
    format_count,
    format_percent,
    suppress,
)

TOTAL = "Total"
ALL = "All children"


@dataclass(frozen=True)
class Published:
    """A suppressed two-way table: rows (column, group) x categories, with totals."""

    title: str
    categories: tuple[str, ...]  # column headings (without the total)
    rows: tuple[tuple[str, str], ...]  # (group column, group) in order, the overall row first
    suppression: Suppression

    def count(self, row: tuple[str, str], category: str) -> str:
        cell = (*row, category)
        return format_count(int(self.suppression.table.values[cell]),
                            cell in self.suppression.hidden)

    def share(self, row: tuple[str, str], category: str) -> str:
        """``category`` as a share of the row's total, when both can be worked out."""
        cell, total = (*row, category), (*row, TOTAL)
        shown = all(self.suppression.recoverable({c: 1}) for c in (cell, total))
        value = self.suppression.table.values[total]
        return format_percent(
            self.suppression.table.values[cell] / value if value else None, not shown)

    def cells(self) -> dict[str, str]:
        """Every published cell as text: what a reader (or a test) can see."""
        return published_cells(self.suppression)


def cell_name(cell: Cell) -> str:
    """A cell's key as text, e.g. ``sex|F|flagged``."""
    return "|".join(str(part) for part in cast(tuple[object, ...], cell))


def published_cells(suppression: Suppression) -> dict[str, str]:
    """Every cell of a suppressed table as a reader sees it (a count or ``c``)."""
    return {cell_name(c): format_count(int(v), c in suppression.hidden)
            for c, v in suppression.table.values.items()}


def two_way(title: str, overall: Mapping[str, int],
            groups: Mapping[str, Mapping[str, Mapping[str, int]]],
            categories: tuple[str, ...],
            subtotal: tuple[str, tuple[str, ...]] | None = None) -> Published:
    """Rows: the overall row, then each (column, group); each row's categories add to its
    total, and each column's groups add to the overall row, category by category.
    ``subtotal`` (name, categories) adds a column summing some categories (e.g. "flagged" as
    the sum of the decisions taken on the flags)."""
    overall_key = ("", ALL)
    rows: dict[tuple[str, str], Mapping[str, int]] = {overall_key: overall}
    rows.update({(col, g): c for col, by_group in groups.items() for g, c in by_group.items()})
    values: dict[tuple[str, str, str], int] = {}
    equations: list[dict[tuple[str, str, str], int]] = []
    for key, counts in rows.items():
        for category in categories:
            values[(*key, category)] = int(counts.get(category, 0))
        values[(*key, TOTAL)] = sum(int(counts.get(c, 0)) for c in categories)
        equation = {(*key, c): 1 for c in categories}
        equation[(*key, TOTAL)] = -1
        equations.append(equation)
        if subtotal is not None:
            name, parts = subtotal
            values[(*key, name)] = sum(int(counts.get(c, 0)) for c in parts)
            equation = {(*key, c): 1 for c in parts}
            equation[(*key, name)] = -1
            equations.append(equation)
    extra = () if subtotal is None else (subtotal[0],)
    for col, by_group in groups.items():
        for category in (*categories, *extra, TOTAL):
            equation = {(col, g, category): 1 for g in by_group}
            equation[(*overall_key, category)] = -1
            equations.append(equation)
    suppression = suppress(LinearTable(values, tuple(equations)))  # type: ignore[arg-type]
    return Published(title, categories, tuple(rows), suppression)
