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

from features.linkage.records import SYSTEM_RANK


class UnionFind:
    """Disjoint sets over ``0..n-1`` with path halving and union by size."""

    def __init__(self, n: int) -> None:
        self.parent = np.arange(n)
        self.size = np.ones(n, dtype=np.int64)

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return int(i)

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]

    def roots(self) -> np.ndarray:
        return np.array([self.find(i) for i in range(len(self.parent))])


def connected_components(nodes: pd.Index, edges: Iterable[tuple[str, str]]) -> pd.Series:
    """Component label (an integer) for every node, given undirected edges between nodes."""
    uf = UnionFind(len(nodes))
    pos = {node: i for i, node in enumerate(nodes)}
    for left, right in edges:
        uf.union(pos[left], pos[right])
    return pd.Series(uf.roots(), index=nodes, name="component")


def _first_member(members: pd.DataFrame) -> pd.Series:
    """Earliest identifier of each cluster, in the documented order."""
    ordered = members.assign(
        _date=members["first_recorded"].fillna(pd.Timestamp.max),
        _rank=members["id_system"].map(SYSTEM_RANK).fillna(len(SYSTEM_RANK)),
    ).sort_values(["cluster", "_date", "_rank", "ident"])
    return ordered.groupby("cluster", sort=False)["ident"].apply(list)


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
    for cluster, idents in _first_member(members).items():
        if int(cluster) in master:
            continue
        choice = next((i for i in idents if i not in taken), None)
        if choice is None:  # every member named an earlier cluster's key: make a fresh one
            n = 2
            while f"{idents[0]}#{n}" in taken:
                n += 1
            choice = f"{idents[0]}#{n}"
        master[int(cluster)] = choice
        taken.add(choice)
    retired = len(set(previous.values()) - set(master.values()))
    counts = {"carried_forward": carried, "new": len(master) - carried, "retired": retired}
    return pd.Series(master, name="master_id"), counts
