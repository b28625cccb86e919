"""Calibration over five seeds: DATA.md's targets hold as means, each seed's five-year means stay
in range, and the exact truth's expected custody child-months match the realised count.

Worlds are simulated at the default size without writing the raw extracts (calibration and
the truth read the simulation itself), so five take a few minutes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from synthcouncil.calendar import Calendar
from synthcouncil.calibration import SEED_TARGETS, TARGETS, calibration
from synthcouncil.config import SynthConfig
from synthcouncil.offending import CUSTODY_TIERS
from synthcouncil.rollout import HORIZON, Rollouts, exact_months
from synthcouncil.simulate import World, simulate
from synthcouncil.tables import build_tables

pytestmark = pytest.mark.slow

SEEDS = (1, 2, 3, 4, 5)
# Counts a single world must keep inside DATA.md's ranges as five-year means.
PER_SEED = ("custodial_sentences", "custody_rate_per_1000_10_17", "first_time_entrants")
ALL_TARGETS = {**TARGETS, **SEED_TARGETS}


@dataclass
class SeedRun:
    world: World
    figures: dict[str, dict[str, float]]
    rollouts: Rollouts


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> list[SeedRun]:
    out = []
    for seed in SEEDS:
        config = SynthConfig(out=tmp_path_factory.mktemp(f"seed{seed}"), seed=seed)
        cal = Calendar.for_window(config.start, config.end)
        # The test year only (the truth's calibration bar is about it).
        rollouts = Rollouts(exact_months(cal, HORIZON), config.truth_replicates, seed)
        world = simulate(config, on_state=rollouts)
        out.append(SeedRun(world, calibration(world, build_tables(world)), rollouts))
    return out


def _means(runs: list[SeedRun], figure: str) -> list[float]:
    return [float(np.mean(list(r.figures[figure].values()))) for r in runs]


@pytest.mark.parametrize("figure", sorted(ALL_TARGETS))
def test_mean_over_seeds_is_within_target(runs: list[SeedRun], figure: str) -> None:
    mean = float(np.mean(_means(runs, figure)))
    low, high = ALL_TARGETS[figure]
    assert low <= mean <= high, f"{figure}: {mean:.3f} over {len(runs)} seeds not in {low}-{high}"


@pytest.mark.parametrize("figure", PER_SEED)
def test_each_seed_stays_in_range(runs: list[SeedRun], figure: str) -> None:
    """Each world's five-year mean is in DATA.md's range up to its own Poisson noise.

    DATA.md's custody ranges (9-15 a year, 0.35-0.55 per 1,000) are 1.7-1.9 Poisson
    standard deviations of a five-year mean either side of 12, so a world as random as
    Poisson falls outside one of them about one time in ten (worlds differ 1.4 times more:
    bench/results/seed_spread.json); the bar is two standard deviations (outside it, the
    world itself is off). The notes report which seeds are outside.
    """
    low, high = TARGETS[figure]
    for run, mean in zip(runs, _means(runs, figure), strict=True):
        count = float(np.mean(list(run.figures[
            "first_time_entrants" if figure == "first_time_entrants" else "custodial_sentences"
        ].values())))
        sd = mean / np.sqrt(len(run.figures[figure]) * count)
        assert low - 2 * sd <= mean <= high + 2 * sd, f"{figure}: {mean:.3f} (sd {sd:.3f})"


def test_custody_falls_over_the_window_as_in_england(runs: list[SeedRun]) -> None:
    years = list(runs[0].figures["custodial_sentences"])
    by_year = [np.mean([r.figures["custodial_sentences"][y] for r in runs]) for y in years]
    assert by_year[0] > by_year[-1]
    assert np.polyfit(np.arange(len(by_year)), by_year, 1)[0] < 0
    assert 9 <= by_year[years.index("2018-19")] <= 15  # the seed document's year: 12


def test_exact_truth_expects_the_realised_custody_child_months(runs: list[SeedRun]) -> None:
    """Sum of the truth over the test year against custody child-months that happened.

    A custodial sentence credits up to 12 child-months, so the realised count is noisy: the
    tolerance is twice its standard deviation (sentences as Poisson, each with its months).
    """
    expected = realised = variance = 0.0
    for run in runs:
        yj = run.world.log.frame("yj")
        custody = yj[yj["tier"].isin(CUSTODY_TIERS) & yj["present"].astype(bool)]
        for m, month in run.rollouts.results.items():
            expected += float(month.risk.sum())
            ahead = custody[(custody["month"] > m) & (custody["month"] <= m + HORIZON)]
            realised += float(np.isin(month.child, ahead["child"].to_numpy()).sum())
        credited = custody.groupby("child")["month"].min()
        months = sorted(run.rollouts.results)
        per_child = [
            sum(1 for m in months if m < first <= m + HORIZON) for first in credited
        ]
        variance += float(np.sum(np.square(per_child)))
    assert realised > 0
    assert abs(expected - realised) <= 2 * np.sqrt(variance), (expected, realised)
