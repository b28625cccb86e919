"""The monthly time grid of a simulation, and fast date helpers on numpy ``datetime64[D]``.

The simulation starts early enough (``BURN_IN_MONTHS`` before the window) for the oldest child
in the window to have a youth justice history from age 10, and runs ``FOLLOW_UP_MONTHS`` past
the window so that reoffending in the last year can be measured (those months are never written
to the raw extracts).

The extracts begin ``HISTORY_MONTHS`` before the window (the months the truth and calibration
cover, and the months ``earlyhelp features`` builds by default), so a 24-month look-back is
whole from the window's first month and every pupil is on a January census by then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

BURN_IN_MONTHS = 96
FOLLOW_UP_MONTHS = 12
HISTORY_MONTHS = 24


@dataclass(frozen=True)
class Calendar:
    sim_start: np.datetime64  # first month, datetime64[M]
    n_months: int
    first: int  # index of the extracts' first month (HISTORY_MONTHS before the window)
    last: int  # index of the window's (and the extracts') last month (inclusive)
    truth_first: int  # index of the window's first month: truth and calibration start here
    end: np.datetime64  # last day of the window, datetime64[D]

    @classmethod
    def for_window(cls, start: date, end: date) -> Calendar:
        start_m = np.datetime64(start, "M")
        end_m = np.datetime64(end, "M")
        window = int((end_m - start_m).astype(int)) + 1
        return cls(
            sim_start=start_m - BURN_IN_MONTHS,
            n_months=BURN_IN_MONTHS + window + FOLLOW_UP_MONTHS,
            first=BURN_IN_MONTHS - HISTORY_MONTHS,
            last=BURN_IN_MONTHS + window - 1,
            end=np.datetime64(end, "D"),
            truth_first=BURN_IN_MONTHS,
        )

    def month_start(self, m: int | np.ndarray) -> np.ndarray:
        return (self.sim_start + np.asarray(m)).astype("datetime64[D]")

    def month_end(self, m: int | np.ndarray) -> np.ndarray:
        return (self.sim_start + np.asarray(m) + 1).astype("datetime64[D]") - 1

    def month_of(self, d: np.ndarray) -> np.ndarray:
        """Month index of each date (may be negative or beyond the grid)."""
        return (d.astype("datetime64[M]") - self.sim_start).astype(np.int64)

    def random_day(self, m: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """A uniformly random day within each month index."""
        start = self.month_start(m)
        length = (self.month_end(m) - start).astype(np.int64) + 1
        return start + (rng.random(len(start)) * length).astype(np.int64)

    def financial_year(self, d: np.ndarray) -> np.ndarray:
        """Financial year label ('2018-19') of each date."""
        years = d.astype("datetime64[Y]").astype(np.int64) + 1970
        months = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
        fy = years - (months < 4)
        return np.array([f"{y}-{(y + 1) % 100:02d}" for y in fy], dtype=object)


def age_years(dob: np.ndarray, on: np.ndarray | np.datetime64) -> np.ndarray:
    """Whole years of age on a date (vectorised; birthdays compared by month and day)."""
    on_arr = np.broadcast_to(np.asarray(on, dtype="datetime64[D]"), dob.shape)
    dob_m = dob.astype("datetime64[M]").astype(np.int64)
    on_m = on_arr.astype("datetime64[M]").astype(np.int64)
    dob_day = (dob - dob.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64)
    on_day = (on_arr - on_arr.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64)
    months = on_m - dob_m - (on_day < dob_day)
    return months // 12


def format_dates(d: np.ndarray | pd.Series, fmt: str = "%d/%m/%Y") -> np.ndarray:
    """Format many dates fast: each distinct day is formatted once. NaT becomes ''."""
    arr = np.asarray(d, dtype="datetime64[D]")
    uniq, inverse = np.unique(arr, return_inverse=True)
    labels = np.array(
        ["" if d is None else d.strftime(fmt) for d in uniq.astype(object)], dtype=object
    )
    return labels[inverse.reshape(arr.shape)]
