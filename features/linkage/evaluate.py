"""Pairwise precision and recall of the master index against the generator's truth.

Evaluated over identifiers (``id_system``, ``source_id``), the unit the master index holds:
a predicted pair is two identifiers with one master id, a true pair two with one child.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from pydantic import BaseModel

from earlyhelp.errors import InputError


class LinkQuality(BaseModel):
    pairwise_precision: float
    pairwise_recall: float
    pairwise_f1: float
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int
    # True children whose identifiers share a master id with another child's.
    wrongly_merged_children: int
    # True children whose identifiers are spread over more than one master id.
    wrongly_split_children: int
    identifiers_evaluated: int
    identifiers_without_truth: int


def read_truth(truth: Path) -> pd.DataFrame:
    """``truth`` is a world's ``truth/`` folder (or the world folder holding it)."""
    for candidate in (truth / "records.parquet", truth / "truth" / "records.parquet"):
        if candidate.is_file():
            frame = pd.read_parquet(candidate, columns=["id_system", "source_id", "child_id"])
            return frame.astype(str).drop_duplicates(["id_system", "source_id"])
    raise InputError(f"no records.parquet under {truth}; pass the world's truth/ folder")


def _pairs(sizes: pd.Series) -> int:
    return int((sizes * (sizes - 1) // 2).sum())


def pairwise_quality(master: pd.DataFrame, truth: pd.DataFrame) -> LinkQuality:
    """``master`` has ``id_system``, ``source_id``, ``master_id``; ``truth`` adds ``child_id``."""
    keys = ["id_system", "source_id"]
    joined = master[[*keys, "master_id"]].astype(str).merge(truth, on=keys, how="left")
    missing = int(joined["child_id"].isna().sum())
    joined = joined.dropna(subset=["child_id"])
    predicted = _pairs(joined.groupby("master_id").size())
    true = _pairs(joined.groupby("child_id").size())
    correct = _pairs(joined.groupby(["master_id", "child_id"]).size())
    precision = correct / predicted if predicted else 1.0
    recall = correct / true if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    children_per_master = joined.groupby("master_id")["child_id"].nunique()
    impure = children_per_master[children_per_master > 1].index
    merged = joined.loc[joined["master_id"].isin(impure), "child_id"].nunique()
    masters_per_child = joined.groupby("child_id")["master_id"].nunique()
    return LinkQuality(
        pairwise_precision=round(precision, 5),
        pairwise_recall=round(recall, 5),
        pairwise_f1=round(f1, 5),
        true_pairs=true,
        predicted_pairs=predicted,
        correct_pairs=correct,
        wrongly_merged_children=int(merged),
        wrongly_split_children=int((masters_per_child > 1).sum()),
        identifiers_evaluated=len(joined),
        identifiers_without_truth=missing,
    )
