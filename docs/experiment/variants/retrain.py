"""Retrain the kept worlds of an experiment with another fit (the train step only).

    python docs/experiment/variants/retrain.py --worlds DIR --fit-label court_order_12m --out DIR
    python docs/experiment/variants/retrain.py --worlds DIR --outcome-weight 10 --out DIR

``--worlds`` is an ``earlyhelp experiment`` folder (its world-<seed>/ folders keep their
warehouse and truth); each world's warehouse is copied, trained with the learned candidates
fitted to ``--fit-label`` (still calibrated to and judged on custody), or with custody's
positives counted ``--outcome-weight`` times in the fit (``model.outcome_weight``), scored as
the experiment scores it, and summarised into ``OUT/worlds.json``. A world already retrained
is kept.
"""

from __future__ import annotations

import argparse
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from earlyhelp.settings import Settings
from model.experiment.summary import summarise
from model.experiment.world import RESULT, score_world, world_settings
from model.pipeline import train
from model.report import EvaluationReport, WorldResult, WorldsReport


def retrain(source: Path, out: Path, fit_label: str, outcome_weight: float = 1.0
            ) -> WorldResult:
    done = out / RESULT
    if done.exists():
        return WorldResult.model_validate_json(done.read_text())
    kept = WorldResult.model_validate_json((source / RESULT).read_text())
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    shutil.copy(source / "warehouse.duckdb", out / "warehouse.duckdb")
    base = Settings()
    base = base.model_copy(update={"model": base.model.model_copy(
        update={"fit_label": fit_label, "outcome_weight": outcome_weight})})
    settings = world_settings(base, out)
    truth = source / "world" / "truth"
    began = time.perf_counter()
    train(settings.warehouse_path, settings, truth=truth)
    seconds = round(time.perf_counter() - began, 1)
    learned = EvaluationReport.model_validate_json(
        (settings.reports_dir / "evaluation.json").read_text()).learned_winner
    result = score_world(kept.seed, kept.children, settings, truth, seconds,
                         {"train": seconds}, learned)
    done.write_text(result.model_dump_json(indent=2))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--worlds", type=Path, required=True)
    parser.add_argument("--fit-label", default="first_time_entry_12m")
    parser.add_argument("--outcome-weight", type=float, default=1.0)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    sources = sorted(p for p in args.worlds.glob("world-*") if (p / RESULT).exists())
    with ProcessPoolExecutor(args.workers) as pool:
        futures = [pool.submit(retrain, s, args.out / s.name, args.fit_label,
                               args.outcome_weight) for s in sources]
        worlds = [f.result() for f in futures]
    report = WorldsReport(worlds=worlds, summary=summarise(worlds))
    (args.out / "worlds.json").write_text(report.model_dump_json(indent=2))
    print(args.out / "worlds.json")


if __name__ == "__main__":
    main()
