"""Concurrent score requests share calls of the model, and each gets its own rows back."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from model.scoring import read_month_features
from serving.batching import Batcher, Scored
from tests.serving.conftest import Champion


class Counting:
    """The champion, counting how many rows each call of the model scores."""

    def __init__(self, champion: Champion, fail: bool = False) -> None:
        self.inner, self.calls, self.fail = champion.model, [], fail

    @property
    def model(self):  # type: ignore[no-untyped-def]
        return self

    @property
    def features(self) -> tuple[str, ...]:
        return self.inner.features

    @property
    def version(self) -> str:
        return self.inner.version

    def score_rows(self, rows: np.ndarray) -> tuple[np.ndarray, list[list[str]]]:
        self.calls.append(len(rows))
        if self.fail:
            raise RuntimeError("the model failed")
        return self.inner.score_rows(rows)


def test_concurrent_requests_share_calls_and_get_their_own_rows(champion: Champion) -> None:
    frame = read_month_features(champion.served.warehouse, champion.served.months[-1]).head(40)
    rows = frame[list(champion.model.features)].to_numpy(dtype=float)
    holder = Counting(champion)
    batcher = Batcher(holder)  # type: ignore[arg-type]

    async def all_at_once() -> list[Scored]:
        return list(await asyncio.gather(*(batcher.predict(row[None, :]) for row in rows)))

    answers = asyncio.run(all_at_once())
    # The pandas path of the logged pyfunc (scikit-learn's own steps where the fast path
    # does not apply) answers the same for the same rows.
    alone = champion.model.predict(frame)
    assert [float(a.probability[0]) for a in answers] == pytest.approx(
        alone["probability"].tolist(), rel=1e-9)
    assert [a.reasons[0] for a in answers] == alone["reasons"].map(list).tolist()
    assert sum(holder.calls) == len(rows) and len(holder.calls) < len(rows)


def test_a_failed_call_fails_its_requests_without_hanging(champion: Champion) -> None:
    frame = read_month_features(champion.served.warehouse, champion.served.months[-1]).head(3)
    batcher = Batcher(Counting(champion, fail=True))  # type: ignore[arg-type]

    async def both() -> list[object]:
        return await asyncio.wait_for(asyncio.gather(
            *(batcher.predict(row[None, :]) for row in frame[list(champion.model.features)]
              .to_numpy(dtype=float)), return_exceptions=True), timeout=30)

    assert all(isinstance(e, RuntimeError) for e in asyncio.run(both()))
