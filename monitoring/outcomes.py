"""What became of the children flagged, once 12 months have passed; fairness over time.

A month's outcomes mature 12 months after it. For the matured month (``as_of`` minus the label
horizon) and the rolling 12 matured months up to it, the champion's flags (top ``capacity``
each month, ties by ``model.selection.tie_order``, exactly as the live run selects) are set
against the labels and against wider outcomes the board cares about, so a flag that did not end
in custody is still read honestly. Every rate is a count over a count with a Wilson interval
(``earlyhelp.stats.intervals``); group counts come from ``earlyhelp.stats.groups``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel

from earlyhelp.stats.groups import (
    CELLS,
    PROTECTED_ATTRIBUTES,
    RATES,
    confusion_by_group,
    group_labels,
)
from earlyhelp.stats.intervals import wilson
from model.selection import select_top_k, tie_order

# Wider outcomes in the 12 months after a month: (name, plain words, SQL over event tables).
# Labels come from the features step's ``labels`` table; the rest from the warehouse's events.
EVENT_OUTCOMES: tuple[tuple[str, str, str, str], ...] = (
    ("permanent_exclusion", "a permanent exclusion from school", "exclusions",
     "category = 'PERM'"),
    ("child_protection_plan", "a child protection plan started", "cp_plans", "TRUE"),
    ("came_into_care", "came into care", "cla_episodes", "TRUE"),
    ("missing_episode", "a missing episode", "missing_episodes",
     "missing_type IS DISTINCT FROM 'A'"),
)
LABEL_WORDS = {
    "custody_12m": "a custodial sentence",
    "first_time_entry_12m": "first entry to youth justice",
    "court_order_12m": "a court order",
}
FAIRNESS_RATES = ("selection_rate", "tpr", "fnr", "fpr", "ppv")


class Rate(BaseModel):
    count: int
    of: int
    rate: float | None
    low: float | None
    high: float | None


def rate(count: int, of: int) -> Rate:
    low, high = wilson(np.array([count]), np.array([of]))
    return Rate(count=int(count), of=int(of), rate=count / of if of else None,
                low=None if np.isnan(low[0]) else float(low[0]),
                high=None if np.isnan(high[0]) else float(high[0]))


class OutcomeRow(BaseModel):
    outcome: str
    words: str
    flagged: Rate  # children flagged who went on to it
    not_flagged: Rate


class GroupFairness(BaseModel):
    column: str
    group: str
    children: int
    positives: int
    flagged: int
    true_positives: int
    rates: dict[str, Rate]
    mean_score: float
    observed_rate: float


class PeriodOutcomes(BaseModel):
    months: list[date]
    capacity: int
    recall_at_capacity: Rate
    precision_at_capacity: Rate
    outcomes: list[OutcomeRow]


def matured_months(warehouse: Path, label: str, last: date, count: int) -> list[date]:
    """Up to ``count`` months ending at ``last`` whose ``label`` has matured (non-null)."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            f"SELECT DISTINCT as_of FROM labels WHERE as_of <= ? AND {label} IS NOT NULL "
            "ORDER BY as_of DESC LIMIT ?", [last, count]).fetchall()
    return sorted(pd.Timestamp(r[0]).date() for r in rows)


def outcome_table(warehouse: Path, months: Sequence[date], horizon: int) -> pd.DataFrame:
    """child_key, as_of, the labels and each ``EVENT_OUTCOMES`` flag for the months' population."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = {row[0] for row in con.execute("SHOW TABLES").fetchall()}
        con.execute("CREATE TEMP TABLE months AS SELECT unnest(?::DATE[]) AS as_of",
                    [list(months)])
        frame = con.execute(
            "SELECT l.*, p.* EXCLUDE (child_key, as_of) FROM labels l "
            "JOIN protected_attributes p USING (child_key, as_of) "
            "WHERE l.as_of IN (SELECT as_of FROM months)").df()
        for name, _, table, where in EVENT_OUTCOMES:
            if table not in tables:
                frame[name] = np.nan
                continue
            hit = con.execute(
                f"SELECT DISTINCT p.child_key, p.as_of FROM labels p "
                f"JOIN master_index m ON m.child_key = p.child_key "
                f"JOIN {table} e ON e.id_system = m.id_system AND e.source_id = m.source_id "
                f"WHERE p.as_of IN (SELECT as_of FROM months) AND ({where}) "
                f"AND e.event_date > p.as_of "
                f"AND e.event_date <= p.as_of + INTERVAL {int(horizon)} MONTH").df()
            hit[name] = 1
            frame = frame.merge(hit, on=["child_key", "as_of"], how="left")
            frame[name] = frame[name].fillna(0).astype(int)
    frame["as_of"] = pd.to_datetime(frame["as_of"]).dt.date
    for column in PROTECTED_ATTRIBUTES:
        frame[column] = group_labels(frame[column])
    return frame


def flags_for(scored: pd.DataFrame, capacity: int) -> np.ndarray:
    """The live run's selection: top ``capacity`` each month, ties by the stated tie rule."""
    ties = np.concatenate([tie_order(g["child_key"], m) for m, g in scored.groupby("as_of")])
    order = scored.sort_values("as_of", kind="stable").index
    tie_break = pd.Series(ties, index=order).reindex(scored.index).to_numpy()
    months = pd.factorize(scored["as_of"])[0]
    return select_top_k(scored["score"].to_numpy(), capacity, tie_break=tie_break, months=months)


def period_outcomes(scored: pd.DataFrame, label: str, capacity: int) -> PeriodOutcomes:
    """Realised performance at capacity and wider outcomes for matured child-months
    (``scored`` has child_key, as_of, score, flagged, the labels, outcomes and groups)."""
    y = scored[label].to_numpy().astype(int)
    flagged = scored["flagged"].to_numpy().astype(bool)
    tp = int((y.astype(bool) & flagged).sum())
    outcomes = []
    for name, words in [*LABEL_WORDS.items(),
                        *((n, w) for n, w, _, _ in EVENT_OUTCOMES)]:
        if name not in scored or scored[name].isna().all():
            continue
        hit = scored[name].fillna(0).to_numpy().astype(bool)
        outcomes.append(OutcomeRow(
            outcome=name, words=words,
            flagged=rate(int((hit & flagged).sum()), int(flagged.sum())),
            not_flagged=rate(int((hit & ~flagged).sum()), int((~flagged).sum()))))
    return PeriodOutcomes(
        months=sorted(scored["as_of"].unique()), capacity=capacity,
        recall_at_capacity=rate(tp, int(y.sum())),
        precision_at_capacity=rate(tp, int(flagged.sum())),
        outcomes=outcomes)


def group_fairness(scored: pd.DataFrame, label: str) -> list[GroupFairness]:
    """Selection and error rates and calibration (mean score against the observed rate) by
    group, for every protected attribute (``scored`` as for ``period_outcomes``)."""
    y = scored[label].to_numpy().astype(int)
    flagged = scored["flagged"].to_numpy().astype(bool)
    out = []
    for column in PROTECTED_ATTRIBUTES:
        groups = pd.Categorical(group_labels(scored[column]))
        counts = confusion_by_group(y, flagged.astype(int), groups)
        codes = groups.codes
        for i, group in enumerate(counts.index):
            n = {c: int(counts[c].iloc[i]) for c in CELLS}
            rows = codes == i
            out.append(GroupFairness(
                column=column, group=str(group), children=sum(n.values()),
                positives=n["tp"] + n["fn"], flagged=n["tp"] + n["fp"],
                true_positives=n["tp"],
                rates={name: rate(sum(n[c] for c in RATES[name][0]),
                                  sum(n[c] for c in RATES[name][1]))
                       for name in FAIRNESS_RATES},
                mean_score=round(float(scored["score"].to_numpy()[rows].mean()), 5),
                observed_rate=round(float(y[rows].mean()), 5)))
    return out
