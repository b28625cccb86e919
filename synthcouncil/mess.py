"""Realistic faults in how systems record a child: every rate lives in ``MessConfig``.

With mess off every function returns the truth unchanged (and records are entered the day the
event happened), so tests can separate the process from the recording.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthcouncil.config import MessConfig
from synthcouncil.names import NICKNAMES

_VOWELS = "aeiou"


def variant_forenames(
    names: np.ndarray, mess: MessConfig | None, rng: np.random.Generator
) -> np.ndarray:
    """Nicknames and typos in forenames, as one system holds them."""
    if mess is None:
        return names.copy()
    out = names.copy()
    nick = rng.random(len(out)) < mess.nickname_rate
    for i in np.flatnonzero(nick):
        options = NICKNAMES.get(out[i])
        if options:
            out[i] = options[rng.integers(0, len(options))]
    return _typos(out, mess.typo_rate, rng)


def variant_surnames(
    names: np.ndarray, mess: MessConfig | None, rng: np.random.Generator
) -> np.ndarray:
    if mess is None:
        return names.copy()
    return _typos(names.copy(), mess.typo_rate, rng)


def _typos(names: np.ndarray, rate: float, rng: np.random.Generator) -> np.ndarray:
    for i in np.flatnonzero(rng.random(len(names)) < rate):
        names[i] = _one_typo(str(names[i]), rng)
    return names


def _one_typo(name: str, rng: np.random.Generator) -> str:
    if len(name) < 3:
        return name
    pos = int(rng.integers(1, len(name) - 1))
    kind = int(rng.integers(0, 4))
    if kind == 0:  # transposed letters
        return name[:pos] + name[pos + 1] + name[pos] + name[pos + 2 :]
    if kind == 1:  # dropped letter
        return name[:pos] + name[pos + 1 :]
    if kind == 2:  # doubled letter
        return name[:pos] + name[pos] + name[pos:]
    return name[:pos] + _VOWELS[int(rng.integers(0, 5))] + name[pos + 1 :]


def variant_dobs(dob: np.ndarray, mess: MessConfig | None, rng: np.random.Generator) -> np.ndarray:
    """Day and month swapped (where that is still a date) for a few records."""
    if mess is None:
        return dob.copy()
    ts = pd.DatetimeIndex(dob)
    swap = (rng.random(len(dob)) < mess.dob_swap_rate) & (ts.day <= 12) & (ts.day != ts.month)
    swapped = pd.to_datetime(
        pd.DataFrame({"year": ts.year, "month": ts.day, "day": ts.month.where(swap, 1)}),
        errors="coerce",
    ).to_numpy().astype("datetime64[D]")
    return np.where(swap, swapped, dob)


def recorded_dates(
    event: np.ndarray, mess: MessConfig | None, rng: np.random.Generator
) -> np.ndarray:
    """When each event was entered: days to weeks later, with a tail of months."""
    if mess is None:
        return event.copy()
    n = len(event)
    lag = rng.lognormal(np.log(max(mess.median_lag_days, 0.1)), 0.9, n)
    tail = rng.random(n) < mess.late_tail_rate
    lag = np.where(tail, rng.integers(30, 183, n), lag)
    return event + np.round(lag).astype("timedelta64[D]")


def repeat_rows(
    frame: pd.DataFrame, mess: MessConfig | None, rng: np.random.Generator
) -> pd.DataFrame:
    """A few exact repeated rows (an extract joined twice, a double click)."""
    if mess is None or frame.empty:
        return frame
    extra = frame[rng.random(len(frame)) < mess.repeated_row_rate]
    return pd.concat([frame, extra]).sort_index(kind="stable").reset_index(drop=True)
