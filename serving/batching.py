"""Requests scored together: concurrent `/v1/score` calls share one call of the model.

The champion's pyfunc costs about the same for one row as for a few dozen (its fixed cost is
per call: column checks, the pipeline's transformers), so scoring each request alone caps the
service at one call's rate. Here each request's rows join a queue; one worker takes everything
queued when it is free and scores it in one call, in a worker thread so the event loop keeps
accepting requests. Nothing waits for a batch to fill: an idle service scores a request at
once, and a busy one scores everything that arrived during the previous call.
"""

from __future__ import annotations

import asyncio
from typing import Protocol

import pandas as pd
from starlette.concurrency import run_in_threadpool

from model.scoring import LoadedModel

MAX_ROWS = 256  # one call: large enough to amortise the fixed cost, small enough to stay quick


class HoldsModel(Protocol):
    @property
    def model(self) -> LoadedModel: ...


Rows = list[dict[str, float | None]]
Item = tuple[Rows, "asyncio.Future[tuple[LoadedModel, pd.DataFrame]]"]


class Batcher:
    def __init__(self, holder: HoldsModel) -> None:
        self._holder = holder
        self._queue: asyncio.Queue[Item] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._worker: asyncio.Task[None] | None = None

    async def predict(self, rows: Rows) -> tuple[LoadedModel, pd.DataFrame]:
        """The model that scored ``rows`` (one reference for the whole call, so a reload never
        splits a batch) and its ``probability`` and ``reasons`` for them, in order."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._worker is None or self._worker.done():
            self._loop, self._queue = loop, asyncio.Queue()
            self._worker = loop.create_task(self._work(self._queue))
        assert self._queue is not None
        done: asyncio.Future[tuple[LoadedModel, pd.DataFrame]] = loop.create_future()
        await self._queue.put((rows, done))
        return await done

    async def _work(self, queue: asyncio.Queue[Item]) -> None:
        while True:
            items = [await queue.get()]
            while not queue.empty() and sum(len(r) for r, _ in items) < MAX_ROWS:
                items.append(queue.get_nowait())
            model = self._holder.model
            frame = pd.DataFrame([row for rows, _ in items for row in rows],
                                 columns=list(model.features))
            try:
                predicted = await run_in_threadpool(model.predict, frame)
            except Exception as failed:  # each waiting request gets the error, none hangs
                for _, done in items:
                    if not done.done():
                        done.set_exception(failed)
                continue
            start = 0
            for rows, done in items:
                if not done.done():
                    done.set_result((model, predicted.iloc[start:start + len(rows)]))
                start += len(rows)
