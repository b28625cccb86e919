"""Scores on request, pseudonymous: the same pyfunc path as the monthly alert run."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, status
from starlette.concurrency import run_in_threadpool

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
from serving.scoring import request_rows, results
from serving.security import Permission

router = APIRouter(prefix="/v1/score", tags=["score"],
                   dependencies=[Depends(needs(Permission.score))],
                   responses={401: {"model": Message}, 403: {"model": Message},
                              404: {"model": Message}, 422: {"model": Message}})


async def _score(context: ContextDep, items: list[ScoreRequest]) -> list[ScoreResult]:
    """Rows built on the event loop when no warehouse read is needed (features given, or the
    month already in memory), else in a worker thread; then scored with whatever else is
    waiting, in one call of the model (serving.batching)."""
    model = context.holder.model
    needs_read = any(r.features is None and context.features.held(r.as_of) is None  # type: ignore[arg-type]
                     for r in items)
    try:
        rows = (await run_in_threadpool(request_rows, model, items, context.features)
                if needs_read else request_rows(model, items, context.features))
    except LookupError as missing:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(missing)) from None
    except InputError as bad:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(bad)) from None
    scored = await context.batcher.predict(rows)
    return results(items, scored, context.settings.serving.band_edges)


@router.post("", response_model=ScoreResult, summary="Score one child")
async def score_one(request: ScoreRequest, context: ContextDep) -> ScoreResult:
    return (await _score(context, [request]))[0]


@router.post("/batch", response_model=BatchScoreResult, summary="Score up to 1,000 children")
async def score_batch(request: BatchScoreRequest, context: ContextDep) -> BatchScoreResult:
    return BatchScoreResult(results=await _score(context, request.items))
