"""Scores on request, pseudonymous: the same pyfunc path as the monthly alert run."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, status

from earlyhelp.errors import InputError
from serving.api.deps import ContextDep
from serving.api.deps import require as needs
from serving.api.schemas import (
    BatchScoreRequest,
    BatchScoreResult,
    Message,
    ScoreRequest,
    ScoreResult,
)
from serving.scoring import score_requests
from serving.security import Permission

router = APIRouter(prefix="/v1/score", tags=["score"],
                   dependencies=[Depends(needs(Permission.score))],
                   responses={401: {"model": Message}, 403: {"model": Message},
                              404: {"model": Message}, 422: {"model": Message}})


def _score(context: ContextDep, items: list[ScoreRequest]) -> list[ScoreResult]:
    try:
        return score_requests(context.holder.model, items, context.features,
                              context.settings.serving.band_edges)
    except LookupError as missing:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(missing)) from None
    except InputError as bad:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(bad)) from None


@router.post("", response_model=ScoreResult, summary="Score one child")
def score_one(request: ScoreRequest, context: ContextDep) -> ScoreResult:
    return _score(context, [request])[0]


@router.post("/batch", response_model=BatchScoreResult, summary="Score up to 1,000 children")
def score_batch(request: BatchScoreRequest, context: ContextDep) -> BatchScoreResult:
    return BatchScoreResult(results=_score(context, request.items))
