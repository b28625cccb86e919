"""Who is flagged: at a threshold, or the top k through the product's one selector."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.selection import select_top_k


@dataclass(frozen=True)
class Flags:
    flagged: np.ndarray  # bool per row
    rule: str  # the rule in plain words, written into the output


def flag_at_threshold(scores: np.ndarray, threshold: float) -> Flags:
    return Flags(scores >= threshold, f"flagged means score >= {threshold:g}")


def flag_top_k(scores: np.ndarray, labels: np.ndarray, k: int) -> Flags:
    """Flag exactly ``k`` rows (all rows if there are fewer), breaking ties against the tool.

    The product's one selector (:func:`model.selection.select_top_k`) with the label as the
    tie-break: rows with label 0 flagged before rows with label 1, then file order.
    """
    rule = (
        f"flagged means among the {k} highest scores; where several rows share the score at "
        "the cut-off and not all fit, rows with label 0 are flagged before rows with label 1 "
        "(ties broken pessimistically: the worst case for the tool), then in file order"
    )
    return Flags(select_top_k(scores, k, tie_break=labels), rule)
