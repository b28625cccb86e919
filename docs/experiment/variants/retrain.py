"""Retrain the kept worlds of an experiment with another fit label (train step only)."""
import json, shutil, sys, time
from pathlib import Path
from concurrent.futures import ProcessPoolExecutor

SRC = Path("/work/exp/run-before-issue10")

def one(args):
    seed, fit_label, out = args
    from earlyhelp.settings import Settings
    from model.experiment.world import world_settings, score_world, _learned
    from model.pipeline import train
    folder = Path(out) / f"world-{seed}"
    done = folder / "world.json"
    if done.exists():
        return done.read_text()
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    src = SRC / f"world-{seed}"
    shutil.copy(src / "warehouse.duckdb", folder / "warehouse.duckdb")
    base = Settings()
    base = base.model_copy(update={"model": base.model.model_copy(update={"fit_label": fit_label})})
    settings = world_settings(base, folder)
    t = time.perf_counter()
    train(settings.warehouse_path, settings, truth=src / "world" / "truth")
    res = score_world(seed, 63000, settings, src / "world" / "truth", time.perf_counter() - t,
                      {"train": round(time.perf_counter() - t, 1)}, _learned(settings))
    done.write_text(res.model_dump_json(indent=2))
    return done.read_text()

if __name__ == "__main__":
    fit_label, out = sys.argv[1], sys.argv[2]
    from model.report import WorldResult, WorldsReport
    from model.experiment.summary import summarise
    jobs = [(s, fit_label, out) for s in range(101, 111)]
    with ProcessPoolExecutor(int(sys.argv[3]) if len(sys.argv) > 3 else 1) as pool:
        worlds = [WorldResult.model_validate_json(r) for r in pool.map(one, jobs)]
    report = WorldsReport(worlds=worlds, summary=summarise(worlds))
    Path(out, "worlds.json").write_text(report.model_dump_json(indent=2))
    s = report.summary
    print(fit_label, "ratio", s.median_ratio_to_ceiling, "learned/index", s.learned_over_index)
    for n in ("model", "index"):
        print(n, {k: v for k, v in getattr(s, n).items() if k in ("children_reached_expected",)})
