"""``simulate(continue_from=...)``: independent futures of one state (how the truth is checked
against the simulation itself, bench/truth_continuations.py)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from synthcouncil.calendar import Calendar
from synthcouncil.config import SynthConfig
from synthcouncil.simulate import simulate


def _events(config: SynthConfig, month: int, seed: int) -> pd.DataFrame:
    frame = simulate(config, continue_from=(month, seed)).log.frame("contact")
    return frame.sort_values(["month", "child"]).reset_index(drop=True)


def test_continuations_share_the_past_and_part_after_the_month(tmp_path: Path) -> None:
    config = SynthConfig(out=tmp_path, children=1_500, seed=3)
    month = Calendar.for_window(config.start, config.end).truth_first + 12
    first, again, other = (_events(config, month, s) for s in (1, 1, 2))
    pd.testing.assert_frame_equal(first, again)  # a continuation is reproducible

    def upto(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["month"] <= month].reset_index(drop=True)

    pd.testing.assert_frame_equal(upto(first), upto(other))
    after = [f[f["month"] > month].reset_index(drop=True) for f in (first, other)]
    assert len(after[0]) > 100 and not after[0].equals(after[1])
