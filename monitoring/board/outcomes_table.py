"""What became of the children flagged and not flagged: one table for every outcome at once.

The flagged and not-flagged totals are shared by every outcome, so the outcomes are protected
together: cells (outcome, flagged | not flagged | all, with | without) and the totals
(flagged | not flagged | all), with the sums between them declared.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from earlyhelp.stats.disclosure import (
    OVERALL,
    Cell,
    LinearTable,
    Suppression,
    format_count,
    format_percent,
    suppress,
)
from monitoring.board.published import published_cells
from monitoring.outcomes import OutcomeRow

STATES = ("flagged", "not flagged", "all")


@dataclass(frozen=True)
class PublishedOutcomes:
    rows: tuple[OutcomeRow, ...]
    suppression: Suppression

    def count(self, outcome: str, state: str) -> str:
        cell = (outcome, state, "with")
        return format_count(int(self.suppression.table.values[cell]),
                            cell in self.suppression.hidden)

    def total(self, state: str) -> str:
        cell = ("", state, "children")
        return format_count(int(self.suppression.table.values[cell]),
                            cell in self.suppression.hidden)

    def share(self, outcome: str, state: str) -> str:
        top, bottom = (outcome, state, "with"), ("", state, "children")
        shown = all(self.suppression.recoverable({c: 1}) for c in (top, bottom))
        n = self.suppression.table.values[bottom]
        return format_percent(self.suppression.table.values[top] / n if n else None, not shown)

    def cells(self) -> dict[str, str]:
        return published_cells(self.suppression)


def publish_matured(fairness: Suppression | None, rows: Sequence[OutcomeRow], label: str
                    ) -> tuple[Suppression | None, PublishedOutcomes | None]:
    """Suppress the fairness table and the outcomes table together: they share the matured
    months' children, flags and (for the label) the confusion counts, so a count hidden in one
    must not be recoverable from the other. Returns the joint suppression for both."""
    if not rows:
        return fairness, None
    flagged, not_flagged = rows[0].flagged.of, rows[0].not_flagged.of
    values: dict[Cell, int] = {
        ("", "flagged", "children"): flagged, ("", "not flagged", "children"): not_flagged,
        ("", "all", "children"): flagged + not_flagged,
    }
    equations: list[dict[Cell, int]] = [
        {("", "flagged", "children"): 1, ("", "not flagged", "children"): 1,
         ("", "all", "children"): -1}]
    for row in rows:
        o = row.outcome
        counts = {"flagged": row.flagged.count, "not flagged": row.not_flagged.count}
        counts["all"] = counts["flagged"] + counts["not flagged"]
        for state in STATES:
            values[(o, state, "with")] = counts[state]
            values[(o, state, "without")] = int(values[("", state, "children")]) - counts[state]
            equations.append({(o, state, "with"): 1, (o, state, "without"): 1,
                              ("", state, "children"): -1})
        for part in ("with", "without"):
            equations.append({(o, "flagged", part): 1, (o, "not flagged", part): 1,
                              (o, "all", part): -1})
    if fairness is not None:
        # The same numbers in both tables: the whole table's row of the fairness table.
        same = {("", "flagged", "children"): "flagged", ("", "all", "children"): "n",
                (label, "flagged", "with"): "tp", (label, "not flagged", "with"): "fn",
                (label, "all", "with"): "positives", (label, "flagged", "without"): "fp",
                (label, "not flagged", "without"): "tn"}
        equations += [{cell: 1, (*OVERALL, name): -1} for cell, name in same.items()
                      if cell in values]
        values.update(fairness.table.values)
        equations += [dict(eq) for eq in fairness.table.equations]
    joint = suppress(LinearTable(values, tuple(equations)))
    return (joint if fairness is not None else None), PublishedOutcomes(tuple(rows), joint)
