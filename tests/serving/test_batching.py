"""Concurrent score requests share calls of the model, and each gets its own rows back."""

from __future__ import annotations

import asyncio

import pandas as pd
import pytest

from model.scoring import read_month_features
from serving.batching import Batcher
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

    def predict(self, frame: pd.DataFrame) -> pd.DataFrame:
        self.calls.append(len(frame))
        if self.fail:
            raise RuntimeError("the model failed")
        return self.inner.predict(frame)


def test_concurrent_requests_share_calls_and_get_their_own_rows(champion: Champion) -> None:
    frame = read_month_features(champion.served.warehouse, champion.served.months[-1]).head(40)
    rows = frame[list(champion.model.features)].to_dict("records")
    holder = Counting(champion)
    batcher = Batcher(holder)  # type: ignore[arg-type]

    async def all_at_once() -> list[pd.DataFrame]:
        answers = await asyncio.gather(*(batcher.predict([row]) for row in rows))
        return [predicted for _, predicted in answers]

    answers = asyncio.run(all_at_once())
    alone = champion.model.predict(frame)
    assert [float(a["probability"].iloc[0]) for a in answers] == pytest.approx(
        alone["probability"].tolist(), rel=1e-12)
    assert [list(a["reasons"].iloc[0]) for a in answers] == alone["reasons"].map(list).tolist()
    assert sum(holder.calls) == len(rows) and len(holder.calls) < len(rows)


def test_a_failed_call_fails_its_requests_without_hanging(champion: Champion) -> None:
    frame = read_month_features(champion.served.warehouse, champion.served.months[-1]).head(3)
    batcher = Batcher(Counting(champion, fail=True))  # type: ignore[arg-type]

    async def both() -> list[object]:
        return await asyncio.wait_for(asyncio.gather(
            *(batcher.predict([row]) for row in frame[list(champion.model.features)]
              .to_dict("records")), return_exceptions=True), timeout=30)

    assert all(isinstance(e, RuntimeError) for e in asyncio.run(both()))
