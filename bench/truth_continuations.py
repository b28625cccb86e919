"""Is the exact truth the simulation's own chance? Roll-outs against real continuations.

``python -m bench.truth_continuations [--children N] [--seed S] [--runs K]`` builds one world K
times. The runs are identical up to the last month the truth covers (March 2019 in the default
window) and continue from there with a generator of their own (``simulate(continue_from=...)``),
so each is an independent future of one state. The custody the continuations realise in the
next 12 months among the children the roll-outs cover, averaged over the runs, is what the
roll-outs' sum must match. Unlike the realised count of one world per seed, this takes the
world's own luck out of the comparison: only the continuations' noise is left, and it shrinks
with K. Writes ``bench/results/truth_continuations.json`` (about 4.5 s a run at 20,000 children).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
from rich.progress import track

from synthcouncil.calendar import Calendar
from synthcouncil.config import SynthConfig
from synthcouncil.offending import CUSTODY_TIERS
from synthcouncil.rollout import HORIZON, Rollouts, exact_months
from synthcouncil.simulate import World, simulate

OUT = Path(__file__).parent / "results" / "truth_continuations.json"


def realised(world: World, children: np.ndarray, month: int) -> int:
    """Children of ``children`` with a custodial sentence (while living here) in the 12
    months after ``month``."""
    yj = world.log.frame("yj")
    ahead = yj[yj["tier"].isin(CUSTODY_TIERS) & yj["present"].astype(bool)
               & (yj["month"] > month) & (yj["month"] <= month + HORIZON)]
    return int(np.isin(children, ahead["child"].to_numpy()).sum())


def run(children: int, seed: int, runs: int, replicates: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        config = SynthConfig(out=Path(tmp), seed=seed, children=children)
        cal = Calendar.for_window(config.start, config.end)
        month = max(exact_months(cal, HORIZON))
        rollouts = Rollouts(frozenset({month}), replicates, seed)
        started = time.perf_counter()
        counts = []
        for k in track(range(runs), description=f"{runs} continuations"):
            world = simulate(config, on_state=rollouts if k == 0 else None,
                             continue_from=(month, seed * 1_000_003 + k))
            truth = rollouts.results[month]
            counts.append(realised(world, truth.child, month))
    expected = float(truth.risk.sum())
    mean = float(np.mean(counts))
    stderr = float(np.std(counts, ddof=1) / np.sqrt(len(counts)))
    return {
        "children": children, "seed": seed, "month": str(cal.month_start(month))[:7],
        "rolled_out_children": len(truth.child), "replicates": replicates,
        "expected": round(expected, 3),
        "expected_stderr": round(float(np.sqrt(np.sum(truth.stderr ** 2))), 3),
        "continuations": runs, "realised_mean": round(mean, 3),
        "realised_stderr": round(stderr, 3),
        "expected_over_realised": round(expected / mean, 3) if mean else None,
        "z": round((expected - mean) / stderr, 2) if stderr else None,
        "realised_counts": counts,
        "seconds": round(time.perf_counter() - started, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--replicates", type=int, default=64,
                        help="roll-outs per child (the world's default is 8; more, so the "
                        "roll-outs' own noise is negligible here)")
    args = parser.parse_args()
    result = run(args.children, args.seed, args.runs, args.replicates)
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(OUT)


if __name__ == "__main__":
    main()
