"""Scoring requests through the one scoring path (``model.scoring``), worded for people."""

from __future__ import annotations

import pandas as pd

from earlyhelp.errors import InputError
from model.scoring import LoadedModel, read_month_features
from serving.api.schemas import ScoreRequest, ScoreResult
from serving.wording import band, certainty


def score_requests(model: LoadedModel, requests: list[ScoreRequest], warehouse,  # type: ignore[no-untyped-def]
                   edges: tuple[float, ...]) -> list[ScoreResult]:
    """Each request scored: a child's stored features for a month, or the features given."""
    rows = [_row(model, r, warehouse) for r in requests]
    frame = pd.DataFrame(rows, columns=list(model.features))
    predicted = model.predict(frame)
    return [
        ScoreResult(child_key=r.child_key, as_of=r.as_of, probability=float(p),
                    band=band(float(p), edges), certainty=certainty(float(p), edges),
                    reasons=list(why), model_version=model.version)
        for r, p, why in zip(requests, predicted["probability"], predicted["reasons"],
                             strict=True)
    ]


def _row(model: LoadedModel, request: ScoreRequest, warehouse) -> dict[str, float | None]:  # type: ignore[no-untyped-def]
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
    found = read_month_features(warehouse, request.as_of, [request.child_key])
    if found.empty:
        raise LookupError(f"child_key {request.child_key} is not in the population of "
                          f"{request.as_of}: no features for that child and month")
    return found.iloc[0][list(model.features)].to_dict()
