"""One candidate's figures in one world, from the scored test rows and the world's truth.

Flags use the one label-free selector with the live run's tie order, so the rule and the
index (many tied scores) are judged as they would work, not at their worst or best.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from earlyhelp.stats.groups import group_labels
from model.report import WorldBlock
from model.selection import month_codes, row_tie_order, select_new_referrals, select_top_k


def world_block(rows: pd.DataFrame, score: np.ndarray, *, label: str, risk: str,
                capacity: int) -> WorldBlock:
    """Figures at ``capacity`` for ``score`` over ``rows`` (``child_key``, ``as_of``, ``sex``,
    the realised ``label`` and the truth's probability ``risk``)."""
    y = rows[label].to_numpy().astype(bool)
    p = rows[risk].to_numpy(float)
    months = month_codes(rows["as_of"])
    child = pd.factorize(rows["child_key"])[0]
    ties = row_tie_order(rows["child_key"], rows["as_of"])
    top = select_top_k(score, capacity, tie_break=ties, months=months)
    new = select_new_referrals(score, capacity, months=months, child=child, tie_break=ties)
    sex = group_labels(rows["sex"])
    return WorldBlock(
        children_reached=int(np.unique(child[new & y]).size),
        children_reached_expected=float(p[new].sum()),
        tp_expected=float(p[top].sum()),
        recall_at_capacity=float(y[top].sum() / y.sum()) if y.any() else None,
        flags_by_sex={str(k): int(v) for k, v in sex[top].value_counts().sort_index().items()},
        expected_outcomes_by_sex={str(k): float(v) for k, v in
                                  pd.Series(p).groupby(sex.to_numpy()).sum().items()},
    )


def flag_share_over_outcome_share(block: WorldBlock) -> dict[str, float]:
    """Per sex: its share of flags over its share of expected outcomes (1 = in proportion)."""
    flags = sum(block.flags_by_sex.values())
    outcomes = sum(block.expected_outcomes_by_sex.values())
    out = {}
    for group, expected in block.expected_outcomes_by_sex.items():
        if expected > 0 and flags and outcomes:
            out[group] = (block.flags_by_sex.get(group, 0) / flags) / (expected / outcomes)
    return out
