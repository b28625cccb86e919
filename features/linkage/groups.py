"""Links between exact-key groups: the best scored pair per group pair, the twin guard, and
the reviewers' decisions applied."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from earlyhelp.settings import Settings
from features.linkage.review import current_decisions


@dataclass
class GroupLinks:
    """Links between exact-key groups, after clerical decisions."""

    scored: pd.DataFrame  # best pair per group pair: group_l/_r, record_id_l/_r, probability
    accepted: list[tuple[int, int]]
    clerical: list[tuple[int, int]]
    vetoed: set[tuple[int, int]]
    decided: set[tuple[int, int]]
    applied: int
    unresolved: int
    within_one_group: int = 0


def best_group_pairs(
    candidates: pd.DataFrame, pairs: pd.DataFrame, threshold: float
) -> pd.DataFrame:
    """Per pair of exact groups: the highest-scoring record pair, and whether any record pair
    may be linked automatically.

    Twin guard: a pair whose forenames (both present) give no real support to a match
    (different names, not a typo, prefix or nickname) is never linked automatically however
    well the rest agrees. Same date of birth, surname and
    address with different forenames is far more often twins than one child, and the model's
    independence assumption cannot see that; such pairs go to clerical review instead.
    """
    side = candidates.set_index("unique_id")[["exact_group", "record_id"]]
    forenames = candidates.set_index("unique_id")["forename_std"]
    frame = pairs.join(side, on="unique_id_l").join(side, on="unique_id_r", rsuffix="_r")
    frame = frame.rename(columns={"exact_group": "group_a", "record_id": "rec_a"})
    swap = frame["group_a"] > frame["exact_group_r"]
    frame["group_l"] = frame["group_a"].where(~swap, frame["exact_group_r"])
    frame["group_r"] = frame["exact_group_r"].where(~swap, frame["group_a"])
    frame["record_id_l"] = frame["rec_a"].where(~swap, frame["record_id_r"])
    frame["record_id_r"] = frame["record_id_r"].where(~swap, frame["rec_a"])
    named = (
        frame["unique_id_l"].map(forenames).notna() & frame["unique_id_r"].map(forenames).notna()
    )
    guarded = frame["forenames_differ"] & named
    frame["auto"] = (frame["match_probability"] >= threshold) & ~guarded
    auto = frame.groupby(["group_l", "group_r"])["auto"].any()
    frame = frame.sort_values("match_probability", ascending=False, kind="stable")
    frame = frame.drop_duplicates(["group_l", "group_r"]).drop(columns="auto")
    frame = frame.join(auto, on=["group_l", "group_r"])
    return frame[
        [
            "group_l",
            "group_r",
            "record_id_l",
            "record_id_r",
            "match_probability",
            "match_weight",
            "auto",
        ]
    ].reset_index(drop=True)


def group_links(
    con: duckdb.DuckDBPyConnection,
    idents: pd.DataFrame,
    candidates: pd.DataFrame,
    pairs: pd.DataFrame,
    settings: Settings,
) -> GroupLinks:
    scored = best_group_pairs(candidates, pairs, settings.linkage.match_threshold)
    record_group = con.execute("SELECT record_id, ident FROM link_records").df()
    record_group["group"] = record_group["ident"].map(idents.set_index("ident")["exact_group"])
    group_of = record_group.set_index("record_id")["group"]
    decisions = current_decisions(con)
    g_l = decisions["record_id_l"].map(group_of)
    g_r = decisions["record_id_r"].map(group_of)
    resolved = g_l.notna() & g_r.notna()
    decided: dict[tuple[int, int], str] = {}
    within_one_group = 0
    for a, b, decision in zip(
        g_l[resolved], g_r[resolved], decisions["decision"][resolved], strict=True
    ):
        key = (min(int(a), int(b)), max(int(a), int(b)))
        if key[0] != key[1]:
            decided[key] = decision
        else:  # both records share a key (LAchildID or UPN): no decision can split them
            within_one_group += 1
    vetoed = {k for k, d in decided.items() if d == "non_match"}
    auto = scored["auto"]
    accepted = [
        (int(a), int(b))
        for a, b in zip(scored.loc[auto, "group_l"], scored.loc[auto, "group_r"], strict=True)
        if (int(a), int(b)) not in vetoed
    ]
    return GroupLinks(
        scored=scored,
        accepted=accepted,
        clerical=[k for k, d in decided.items() if d == "match"],
        vetoed=vetoed,
        decided=set(decided),
        applied=int(resolved.sum()) - within_one_group,
        unresolved=int((~resolved).sum()),
        within_one_group=within_one_group,
    )
