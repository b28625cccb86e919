"""Requests scored together: concurrent `/v1/score` calls share one call of the model.

The model's cost on a few rows is mostly per call, so scoring each request alone caps the
service at one call's rate. Here each request's rows join a queue; one worker takes everything
queued when it is free and scores it in one call. Nothing waits for a batch to fill: an idle
service scores a request at once, and a busy one scores everything that arrived during the
previous call. Small calls (the usual case: well under a millisecond) run on the event loop;
large ones in a worker thread, so the loop keeps accepting requests.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from starlette.concurrency import run_in_threadpool

from model.scoring import LoadedModel

MAX_ROWS = 256  # one call: large enough to amortise the fixed cost, small enough to stay quick
INLINE_ROWS = 64  # up to this many rows are scored on the event loop (no thread hand-off)


class HoldsModel(Protocol):
    @property
    def model(self) -> LoadedModel: ...


@dataclass(frozen=True)
class Scored:
    """The model that scored the rows (one reference for the whole call, so a reload never
    splits a batch), and its probability and reasons per row, in order."""

    model: LoadedModel
    probability: np.ndarray
    reasons: list[list[str]]


Item = tuple[np.ndarray, "asyncio.Future[Scored]"]


class Batcher:
    def __init__(self, holder: HoldsModel) -> None:
        self._holder = holder
        self._queue: asyncio.Queue[Item] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._worker: asyncio.Task[None] | None = None

    async def predict(self, rows: np.ndarray) -> Scored:
        """``rows``: one row per child, the model's features in order."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._worker is None or self._worker.done():
            self._loop, self._queue = loop, asyncio.Queue()
            self._worker = loop.create_task(self._work(self._queue))
        assert self._queue is not None
        done: asyncio.Future[Scored] = loop.create_future()
        await self._queue.put((rows, done))
        return await done

    async def _work(self, queue: asyncio.Queue[Item]) -> None:
        while True:
            items = [await queue.get()]
            while not queue.empty() and sum(len(r) for r, _ in items) < MAX_ROWS:
                items.append(queue.get_nowait())
            model = self._holder.model
            matrix = np.vstack([rows for rows, _ in items])
            try:
                if len(matrix) <= INLINE_ROWS:
                    probability, reasons = model.score_rows(matrix)
                else:
                    probability, reasons = await run_in_threadpool(model.score_rows, matrix)
            except Exception as failed:  # each waiting request gets the error, none hangs
                for _, done in items:
                    if not done.done():
                        done.set_exception(failed)
                continue
            start = 0
            for rows, done in items:
                end = start + len(rows)
                if not done.done():
                    done.set_result(Scored(model, probability[start:end], reasons[start:end]))
                start = end
