"""Each group's rates as ratios to a reference group's, with bootstrap intervals."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from earlyhelp.errors import InputError
from earlyhelp.stats.groups import CELLS, RATES, rates
from earlyhelp.stats.intervals import percentile_interval, resample_counts

# The 4/5ths rule's band, and its mirror for rates where higher is worse.
BAND = (0.8, 1.25)


@dataclass(frozen=True)
class Disparities:
    """Arrays of shape (groups, metrics), NaN where a ratio is undefined."""

    metrics: tuple[str, ...]
    ratio: np.ndarray
    low: np.ndarray
    high: np.ndarray
    defined_share: np.ndarray  # share of bootstrap resamples where the ratio was defined


def choose_reference(counts: pd.DataFrame, named: str | None, column: str) -> str:
    """The named group, or else the largest (first in sorted order on a tie)."""
    if named is not None:
        if named not in counts.index:
            raise InputError(
                f"--reference {column}={named}: no such value in column '{column}'; its values "
                "are: " + ", ".join(f"'{v}'" for v in counts.index)
            )
        return named
    sizes = counts[list(CELLS)].sum(axis=1)
    return str(sizes.idxmax())


def disparities(
    counts: pd.DataFrame,
    reference: str,
    point_rates: dict[str, np.ndarray],
    *,
    n_boot: int,
    rng: np.random.Generator,
    confidence: float = 0.95,
) -> Disparities:
    """Ratios of ``point_rates`` to the reference row's, with percentile bootstrap intervals.

    ``point_rates`` holds each group's rate, NaN where it is undefined or withheld (a group of
    one): such a group's ratios stay undefined whatever the resamples say.
    """
    metrics = tuple(RATES)
    ref = int(np.flatnonzero(counts.index == reference)[0])
    point = np.column_stack([point_rates[m] for m in metrics])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = point / point[ref]
    ratio[~np.isfinite(ratio)] = np.nan

    draws = resample_counts(counts[list(CELLS)].to_numpy(), n_boot, rng)
    drawn_rates = rates({c: draws[..., i] for i, c in enumerate(CELLS)})
    drawn = np.stack([drawn_rates[m] for m in metrics], axis=-1)  # (boot, groups, metrics)
    with np.errstate(divide="ignore", invalid="ignore"):
        drawn_ratio = drawn / drawn[:, ref : ref + 1, :]
    low, high, share = percentile_interval(drawn_ratio, confidence)
    undefined = np.isnan(ratio)
    low[undefined], high[undefined] = np.nan, np.nan
    return Disparities(metrics, ratio, low, high, share)
