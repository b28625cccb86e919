"""Scoring requests through the one scoring path (``model.scoring``), worded for people."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from earlyhelp.errors import InputError
from model.scoring import LoadedModel, read_month_features
from serving.api.schemas import ScoreRequest, ScoreResult
from serving.batching import Scored
from serving.wording import band, certainty


@dataclass(frozen=True)
class Month:
    """One month's feature rows as a matrix, with the row of each child and column of each
    feature: a child's row is two dictionary lookups, not a scan."""

    rows: np.ndarray
    row_of: dict[str, int]
    column_of: dict[str, int]

    def row(self, child_key: str, features: tuple[str, ...]) -> np.ndarray | None:
        i = self.row_of.get(child_key)
        if i is None:
            return None
        return self.rows[i, [self.column_of[f] for f in features]]


class MonthFeatures:
    """The warehouse's feature rows of the last few months asked for, by child, in memory.

    Scoring one child by key must not open the warehouse and scan a month per request. A month's
    rows are only ever added, never changed (`earlyhelp features --as-of` appends a month), but
    a rebuilt warehouse is a new file: the file's modification time is part of the key.
    """

    def __init__(self, warehouse: Path, months: int = 3) -> None:
        self.warehouse = warehouse
        self._months = months
        self._lock = threading.Lock()
        self._held: OrderedDict[tuple[float, date], Month] = OrderedDict()

    def key(self, as_of: date) -> tuple[float, date]:
        return (self.warehouse.stat().st_mtime if self.warehouse.exists() else 0.0, as_of)

    def held(self, as_of: date) -> Month | None:
        """The month if it is in memory (no I/O: safe on the event loop)."""
        return self._held.get(self.key(as_of))

    def month(self, as_of: date) -> Month:
        key = self.key(as_of)
        with self._lock:
            if key in self._held:
                self._held.move_to_end(key)
                return self._held[key]
            frame = read_month_features(self.warehouse, as_of)
            columns = [c for c in frame.columns if c not in ("child_key", "as_of")]
            held = Month(rows=frame[columns].to_numpy(dtype=float),
                         row_of={k: i for i, k in enumerate(frame["child_key"])},
                         column_of={c: j for j, c in enumerate(columns)})
            self._held[key] = held
            while len(self._held) > self._months:
                self._held.popitem(last=False)
            return held


def request_rows(model: LoadedModel, requests: list[ScoreRequest],
                 features: MonthFeatures) -> np.ndarray:
    """Each request as a row of model inputs (the model's features in order): a child's stored
    features for a month, or the features given. LookupError for a child not in that month,
    InputError for bad features."""
    return np.vstack([_row(model, r, features) for r in requests])


def results(requests: list[ScoreRequest], scored: Scored,
            edges: tuple[float, ...]) -> list[ScoreResult]:
    """The scored rows worded for people: band, certainty, reasons, the model's version."""
    return [
        ScoreResult(child_key=r.child_key, as_of=r.as_of, probability=float(p),
                    band=band(float(p), edges), certainty=certainty(float(p), edges),
                    reasons=list(why), model_version=scored.model.version)
        for r, p, why in zip(requests, scored.probability, scored.reasons, strict=True)
    ]


def _row(model: LoadedModel, request: ScoreRequest, features: MonthFeatures) -> np.ndarray:
    if request.features is not None:
        given = request.features
        unknown = sorted(set(given) - set(model.features))
        missing = [f for f in model.features if f not in given]
        if unknown or missing:
            raise InputError(
                "features: " + "; ".join(
                    part for part in (
                        f"not model inputs: {unknown[:5]}" if unknown else "",
                        f"missing: {missing[:5]}{' ...' if len(missing) > 5 else ''}"
                        if missing else "") if part)
                + f" (model v{model.version} takes {len(model.features)}; see GET /v1/model)")
        # None (a value not recorded) becomes NaN, as in the warehouse.
        return np.array([given[f] for f in model.features], dtype=float)
    assert request.child_key is not None and request.as_of is not None
    try:
        month = features.month(request.as_of)
    except InputError:
        month = None
    row = month.row(request.child_key, model.features) if month is not None else None
    if row is None:
        raise LookupError(f"child_key {request.child_key} is not in the population of "
                          f"{request.as_of}: no features for that child and month")
    return row
