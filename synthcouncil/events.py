"""Accumulate what happens each month as arrays, then turn them into tables once at the end."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd


class EventLog:
    """Append-only store of event arrays by kind; one DataFrame per kind when asked."""

    def __init__(self) -> None:
        self._parts: dict[str, list[dict[str, np.ndarray]]] = defaultdict(list)
        self._next_id: dict[str, int] = defaultdict(int)

    def add(self, kind: str, child: np.ndarray, month: int, **cols: np.ndarray | object) -> None:
        n = len(child)
        if n == 0:
            return
        part: dict[str, np.ndarray] = {"child": child, "month": np.full(n, month, np.int32)}
        for name, value in cols.items():
            part[name] = np.broadcast_to(np.asarray(value), (n,)).copy()
        self._parts[kind].append(part)

    def new_ids(self, kind: str, n: int) -> np.ndarray:
        """Fresh episode ids for ``kind`` (so openings and closings can be paired)."""
        start = self._next_id[kind]
        self._next_id[kind] = start + n
        return np.arange(start, start + n, dtype=np.int64)

    def frame(self, kind: str) -> pd.DataFrame:
        parts = self._parts.get(kind, [])
        if not parts:
            return pd.DataFrame({"child": np.zeros(0, np.int64), "month": np.zeros(0, np.int32)})
        return pd.DataFrame({k: np.concatenate([p[k] for p in parts]) for k in parts[0]})


def episodes(log: EventLog, kind: str) -> pd.DataFrame:
    """Pair ``kind`` openings (with ``ep`` ids) with ``kind_close`` rows; open ones get -1."""
    opened = log.frame(kind)
    closed = log.frame(f"{kind}_close")
    if "ep" not in opened:
        return opened.assign(ep=np.zeros(0, np.int64), end_month=np.zeros(0, np.int32))
    closed = closed.rename(columns={"month": "end_month", "child": "close_child"})
    merged = opened.merge(closed, on="ep", how="left")
    merged["end_month"] = merged["end_month"].fillna(-1).astype(np.int32)
    return merged.drop(columns=["close_child"])
