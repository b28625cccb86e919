"""Scoring requests through the one scoring path (``model.scoring``), worded for people."""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date
from pathlib import Path

import pandas as pd

from earlyhelp.errors import InputError
from model.scoring import LoadedModel, read_month_features
from serving.api.schemas import ScoreRequest, ScoreResult
from serving.wording import band, certainty


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
        self._held: OrderedDict[tuple[float, date], pd.DataFrame] = OrderedDict()

    def month(self, as_of: date) -> pd.DataFrame:
        key = (self.warehouse.stat().st_mtime if self.warehouse.exists() else 0.0, as_of)
        with self._lock:
            if key in self._held:
                self._held.move_to_end(key)
                return self._held[key]
            rows = read_month_features(self.warehouse, as_of).set_index("child_key")
            self._held[key] = rows
            while len(self._held) > self._months:
                self._held.popitem(last=False)
            return rows


def request_rows(model: LoadedModel, requests: list[ScoreRequest],
                 features: MonthFeatures) -> list[dict[str, float | None]]:
    """Each request as a row of model inputs: a child's stored features for a month, or the
    features given. LookupError for a child not in that month, InputError for bad features."""
    return [_row(model, r, features) for r in requests]


def results(model: LoadedModel, requests: list[ScoreRequest], predicted: pd.DataFrame,
            edges: tuple[float, ...]) -> list[ScoreResult]:
    """The scored rows worded for people: band, certainty, reasons, the model's version."""
    return [
        ScoreResult(child_key=r.child_key, as_of=r.as_of, probability=float(p),
                    band=band(float(p), edges), certainty=certainty(float(p), edges),
                    reasons=list(why), model_version=model.version)
        for r, p, why in zip(requests, predicted["probability"], predicted["reasons"],
                             strict=True)
    ]


def _row(model: LoadedModel, request: ScoreRequest,
         features: MonthFeatures) -> dict[str, float | None]:
    if request.features is not None:
        unknown = sorted(set(request.features) - set(model.features))
        missing = [f for f in model.features if f not in request.features]
        if unknown or missing:
            raise InputError(
                "features: " + "; ".join(
                    part for part in (
                        f"not model inputs: {unknown[:5]}" if unknown else "",
                        f"missing: {missing[:5]}{' ...' if len(missing) > 5 else ''}"
                        if missing else "") if part)
                + f" (model v{model.version} takes {len(model.features)}; see GET /v1/model)")
        return {f: request.features[f] for f in model.features}
    assert request.child_key is not None and request.as_of is not None
    try:
        month = features.month(request.as_of)
    except InputError:
        month = pd.DataFrame()
    if request.child_key not in month.index:
        raise LookupError(f"child_key {request.child_key} is not in the population of "
                          f"{request.as_of}: no features for that child and month")
    row: dict[str, float | None] = month.loc[request.child_key, list(model.features)].to_dict()
    return row
