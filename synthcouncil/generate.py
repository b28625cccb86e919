"""``generate``: simulate a council, write its raw extracts, the truth and the step report."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import numpy as np

from earlyhelp.reports import timed, write_report
from synthcouncil.calendar import Calendar
from synthcouncil.calibration import calibration
from synthcouncil.config import SynthConfig, WorldPaths
from synthcouncil.report import SynthReport
from synthcouncil.rollout import Rollouts, exact_months
from synthcouncil.scenarios import change_tables, describe
from synthcouncil.shapes import custody_shapes
from synthcouncil.simulate import simulate
from synthcouncil.tables import build_tables
from synthcouncil.truth import truth_summary, write_truth
from synthcouncil.writers import write_raw

Progress = Callable[[str, int, int], None]


def generate(config: SynthConfig, progress: Progress | None = None) -> WorldPaths:
    """Build one synthetic world under ``config.out``; the same config gives the same bytes."""
    paths = WorldPaths(config.out)
    report = SynthReport(seed=config.seed, config=config.model_dump(mode="json"))
    start = time.perf_counter()

    def months(done: int, total: int) -> None:
        if progress is not None:
            progress("simulating months", done, total)

    cal = Calendar.for_window(config.start, config.end)
    with Rollouts(exact_months(cal, config.truth_months), config.truth_replicates,
                  config.seed, workers=config.truth_workers) as rollouts:
        with timed(report, "simulate"):
            world = simulate(config, on_month=months, on_state=rollouts)
        with timed(report, "tables"):
            tables = change_tables(config.scenario, world, build_tables(world))
        _step(progress, "writing raw extracts")
        with timed(report, "raw"):
            counts, records = write_raw(world, tables, paths.raw)
        _step(progress, "waiting for the truth's roll-outs")
        with timed(report, "truth_wait"):
            rollouts.collect()
    _step(progress, "writing truth")
    with timed(report, "truth"):
        counts |= write_truth(world, records, paths.truth, rollouts.results)
        report.truth = truth_summary(world, rollouts)
        figures = calibration(world, tables)
        (paths.truth / "calibration.json").write_text(json.dumps(figures, indent=2) + "\n")
        report.shapes = custody_shapes(world, tables)
    report.children_simulated = world.pop.n
    report.scenario = describe(config.scenario, world.pop)
    report.counts = counts
    report.calibration_means = {
        key: round(float(np.mean(list(v.values()))), 4) for key, v in figures.items() if v
    }
    report.seconds = round(time.perf_counter() - start, 2)
    write_report(report, paths.report)
    return paths


def _step(progress: Progress | None, what: str) -> None:
    if progress is not None:
        progress(what, 0, 1)
