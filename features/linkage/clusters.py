"""Clusters of identifiers (connected components) and master ids that stay stable.

A cluster's master id is carried forward from the previous run's ``master_index`` wherever
its members had one, so a child's pseudonymous key survives a new extract; a cluster that is
new takes its earliest identifier (first recorded, then LAchildID before UPN before Early
Help and youth justice IDs, then the smallest value). When two earlier clusters merge, the
master id held by most members survives; when one splits, the largest part keeps it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components as scipy_components

from features.linkage.records import SYSTEM_RANK


def connected_components(nodes: pd.Index, edges: Iterable[tuple[str, str]]) -> pd.Series:
    """Component label (an integer) for every node, given undirected edges between nodes."""
    pairs = list(edges)
    codes = pd.Series(np.arange(len(nodes)), index=nodes)
    left = codes.reindex([a for a, _ in pairs]).to_numpy()
    right = codes.reindex([b for _, b in pairs]).to_numpy()
    graph = coo_matrix((np.ones(len(pairs)), (left, right)), shape=(len(nodes), len(nodes)))
    _, labels = scipy_components(graph, directed=False)
    return pd.Series(labels, index=nodes, name="component")


def clusters_honouring_vetoes(
    nodes: Iterable[int],
    must: Iterable[tuple[int, int]],
    ranked: Iterable[tuple[int, int]],
    vetoed: Iterable[tuple[int, int]],
) -> dict[int, int]:
    """Component label for every node: ``must`` edges (a reviewer's "match") always join;
    ``ranked`` edges (strongest first) join unless that would put a vetoed pair (a reviewer's
    "non_match") in one component, in which case the edge is skipped.

    Plain connected components would let two links through a third record join a pair a
    reviewer kept apart. Greedy merging with cannot-link constraints is the usual remedy.
    """
    parent = {n: n for n in nodes}
    apart: dict[int, set[int]] = {n: set() for n in parent}
    for a, b in vetoed:
        apart[a].add(b)
        apart[b].add(a)

    def root(n: int) -> int:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    def join(a: int, b: int, forced: bool) -> None:
        ra, rb = root(a), root(b)
        if ra == rb:
            return
        kept_apart = {root(x) for x in apart[ra]}
        if not forced and rb in kept_apart:
            return
        parent[rb] = ra
        apart[ra] |= apart.pop(rb)

    for a, b in must:
        join(a, b, forced=True)
    for a, b in ranked:
        join(a, b, forced=False)
    return {n: root(n) for n in parent}


def _by_age(members: pd.DataFrame) -> pd.DataFrame:
    """Members in the documented order: earliest first within each cluster."""
    return members.assign(
        _date=members["first_recorded"].fillna(pd.Timestamp.max),
        _rank=members["id_system"].map(SYSTEM_RANK).fillna(len(SYSTEM_RANK)),
    ).sort_values(["cluster", "_date", "_rank", "ident"])


def _fresh_id(idents: list[str], taken: set[str]) -> str:
    """The earliest member not already some cluster's key, else a suffixed one."""
    choice = next((i for i in idents if i not in taken), None)
    if choice is not None:
        return choice
    n = 2
    while f"{idents[0]}#{n}" in taken:
        n += 1
    return f"{idents[0]}#{n}"


def assign_master_ids(
    members: pd.DataFrame, previous: Mapping[str, str] | None = None
) -> tuple[pd.Series, dict[str, int]]:
    """Master id per cluster.

    ``members`` has ``ident``, ``id_system``, ``first_recorded`` and ``cluster``; ``previous``
    maps identifiers to last run's master ids. Returns the master id indexed by cluster and
    counts of ids carried forward, newly made and retired.
    """
    previous = previous or {}
    master: dict[int, str] = {}
    if previous:
        prev = members.assign(prev=members["ident"].map(previous)).dropna(subset=["prev"])
        votes = prev.groupby(["cluster", "prev"]).size().rename("n").reset_index()
        votes = votes.sort_values(["n", "prev"], ascending=[False, True])
        used: set[str] = set()
        for cluster, prev_id in zip(votes["cluster"], votes["prev"], strict=True):
            if cluster not in master and prev_id not in used:
                master[int(cluster)] = str(prev_id)
                used.add(str(prev_id))
    carried = len(master)
    taken = set(master.values()) | set(previous.values())
    ordered = _by_age(members[~members["cluster"].isin(list(master))])
    first = ordered.drop_duplicates("cluster")
    for cluster, ident in zip(first["cluster"], first["ident"], strict=True):
        if ident in taken:  # rare: the earliest member was an earlier cluster's key
            ident = _fresh_id(list(ordered.loc[ordered["cluster"] == cluster, "ident"]), taken)
        master[int(cluster)] = str(ident)
        taken.add(str(ident))
    retired = len(set(previous.values()) - set(master.values()))
    counts = {"carried_forward": carried, "new": len(master) - carried, "retired": retired}
    return pd.Series(master, name="master_id"), counts
