"""Which children are flagged at capacity: one label-free selector for every caller.

Evaluation, the monthly alert run and the fairness audit all flag through these functions, so
"the top 20 a month" means the same thing in the model card, on a practitioner's queue and in
the board's audit. The selector never sees a label. Ties at the boundary are broken by an
explicit ``tie_break`` array (lower first): evaluation and the live run both pass
:func:`tie_order`, a reproducible hash of the child's key and month that favours nobody, so a
coarse score (the practitioners' rule, the vulnerability index) is judged as it would work,
not at its worst.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd

TIE_RULE_TEXT = (
    "the highest scores are flagged; where children share the score at the cut-off and not all "
    "fit, the order among them is a fixed hash of the child's pseudonymous key and the month "
    "(reproducible, and unrelated to anything about the child)"
)


def tie_order(child_keys: Sequence[str] | pd.Series, as_of: date) -> np.ndarray:
    """A stable pseudo-random rank per child for breaking tied scores in month ``as_of``."""
    text = pd.Series(child_keys, dtype="string").astype(str) + f"|{as_of.isoformat()}"
    return pd.util.hash_pandas_object(text, index=False).to_numpy()


def row_tie_order(child_keys: Sequence[str] | pd.Series,
                  as_of: Sequence[date] | pd.Series | np.ndarray) -> np.ndarray:
    """:func:`tie_order` for rows from many months, each hashed with its own month."""
    months = pd.Series(list(as_of)).astype(str)  # a date's str() is its isoformat()
    text = pd.Series(child_keys, dtype="string").astype(str).reset_index(drop=True)
    return pd.util.hash_pandas_object(text + "|" + months, index=False).to_numpy()


def _order(scores: np.ndarray, tie_break: np.ndarray | None, months: np.ndarray) -> np.ndarray:
    """Row order: by month, then score descending, then tie_break ascending, then row order."""
    rows = np.arange(scores.size)
    ties = rows if tie_break is None else np.asarray(tie_break)
    return np.lexsort((rows, ties, -np.asarray(scores, dtype=float), months))


def select_top_k(
    scores: np.ndarray,
    k: int,
    *,
    tie_break: np.ndarray | None = None,
    months: np.ndarray | None = None,
) -> np.ndarray:
    """Flag the ``k`` highest scores (in each month, if ``months`` is given); a bool mask.

    All rows are flagged where a month has ``k`` rows or fewer.
    """
    scores = np.asarray(scores)
    months = np.zeros(scores.size, dtype=np.int64) if months is None else np.asarray(months)
    order = _order(scores, tie_break, months)
    sorted_months = months[order]
    rank = np.arange(order.size) - np.searchsorted(sorted_months, sorted_months, side="left")
    flagged = np.zeros(order.size, dtype=bool)
    flagged[order] = rank < k
    return flagged


def select_new_referrals(
    scores: np.ndarray,
    k: int,
    *,
    months: np.ndarray,
    child: np.ndarray,
    tie_break: np.ndarray | None = None,
    already_flagged: np.ndarray | None = None,
) -> np.ndarray:
    """Flag, month by month in order, the top ``k`` children not flagged in an earlier month.

    ``child`` holds integer codes (one per child); ``already_flagged`` marks rows whose child
    was referred before the first month given (for example alerted in the last six months),
    so is not eligible. A bool mask over rows.
    """
    scores, months, child = np.asarray(scores), np.asarray(months), np.asarray(child)
    flagged = np.zeros(scores.size, dtype=bool)
    done = np.zeros(int(child.max()) + 1 if child.size else 0, dtype=bool)
    if already_flagged is not None:
        done[child[np.asarray(already_flagged, dtype=bool)]] = True
    order = _order(scores, tie_break, months)
    for m in np.unique(months):
        in_month = order[months[order] == m]
        picked = in_month[~done[child[in_month]]][:k]
        flagged[picked] = True
        done[child[picked]] = True
    return flagged


def month_codes(as_of: pd.Series | np.ndarray) -> np.ndarray:
    """Integer codes of months in date order (the order new referrals are taken in)."""
    return np.unique(np.asarray(as_of), return_inverse=True)[1]
