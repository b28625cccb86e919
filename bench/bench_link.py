"""Benchmark the link step: the default world end to end, and growth with region size.

1. The generator's default world (about 63,000 children): generate, ingest, then link with
   the truth; target under 60 s for the link on 2 cores, pairwise precision >= 0.995 and
   recall >= 0.98.
2. Person tables from the linkage test builder (tests/linkage/builders.py) at 31,250 to
   250,000 children, the same kinds of mess: generating and ingesting a whole region takes
   longer than the link itself, so scaling is measured on the builder's tables. Target: a
   250,000-child region in under 5 minutes, and time growing no faster than n log n (the
   largest size may take at most 1.25 times the n log n extrapolation from the smallest).
3. The generator's own 250,000-child region (generate, ingest, link with the truth): the same
   targets as the default world's quality and the region's time, on the real extracts.

Each measurement runs in its own process so memory figures are its own.
"""

from __future__ import annotations

import json
import math
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = (31_250, 62_500, 125_000, 250_000)
DEFAULT_TARGET_SECONDS = 60.0
REGION_TARGET_SECONDS = 300.0
GROWTH_SLACK = 1.25


def _peak_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _default_world(workdir: Path, children: int | None = None) -> dict:
    from earlyhelp.settings import Settings
    from features.ingest.pipeline import ingest
    from features.linkage.pipeline import link
    from synthcouncil import SynthConfig, generate

    settings = Settings(data_dir=workdir)
    start = time.perf_counter()
    config = SynthConfig(out=workdir / "world", **({"children": children} if children else {}))
    root = generate(config).root
    generated = time.perf_counter() - start
    warehouse = workdir / "warehouse.duckdb"
    ingest(root / "raw", warehouse, settings)
    ingested = time.perf_counter() - start - generated
    report = link(warehouse, settings, truth=root / "truth")
    return _figures(report) | {
        "children": config.children,
        "generate_seconds": round(generated, 1),
        "ingest_seconds": round(ingested, 1),
    }


def _builder_world(workdir: Path, children: int) -> dict:
    sys.path.insert(0, str(ROOT / "tests"))
    from linkage.builders import build_world

    from earlyhelp.settings import Settings
    from features.linkage.pipeline import link

    start = time.perf_counter()
    warehouse = build_world(children, seed=1).write(
        workdir / "warehouse.duckdb", workdir / "truth"
    )
    built = time.perf_counter() - start
    report = link(warehouse, Settings(data_dir=workdir), truth=workdir / "truth")
    return _figures(report) | {"children": children, "build_seconds": round(built, 1)}


def _figures(report: object) -> dict:
    data = report.model_dump(mode="json")  # type: ignore[attr-defined]
    quality = data.get("quality") or {}
    return {
        "link_seconds": data["seconds"],
        "stage_seconds": data["timings"],
        "n_records": data["n_records"],
        "n_identifiers": data["n_identifiers"],
        "n_clusters": data["n_clusters"],
        "review_pairs": data["review_pairs"],
        "pairwise_precision": quality.get("pairwise_precision"),
        "pairwise_recall": quality.get("pairwise_recall"),
        "pairwise_f1": quality.get("pairwise_f1"),
        "wrongly_merged_children": quality.get("wrongly_merged_children"),
        "wrongly_split_children": quality.get("wrongly_split_children"),
        "peak_rss_mib": _peak_mib(),
    }


def _measure(workdir: Path, *args: str) -> dict:
    workdir.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_link", str(workdir), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return {"error": done.stderr[-2000:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(workdir: Path) -> dict:
    default = _measure(workdir / "default", "default")
    region_world = _measure(workdir / "region", "default", str(SIZES[-1]))
    scaling = [_measure(workdir / f"n{n}", "builder", str(n)) for n in SIZES]
    ok = [s for s in scaling if "link_seconds" in s]
    growth_ok = False
    if len(ok) >= 2:
        small, large = ok[0], ok[-1]
        ratio = large["children"] / small["children"]
        nlogn = ratio * math.log(large["children"]) / math.log(small["children"])
        observed = large["link_seconds"] / small["link_seconds"]
        growth_ok = observed <= GROWTH_SLACK * nlogn
        growth = {"observed_ratio": round(observed, 2), "n_log_n_ratio": round(nlogn, 2)}
    else:
        growth = {}
    largest = ok[-1] if ok else {}
    default_ok = (
        default.get("link_seconds", math.inf) < DEFAULT_TARGET_SECONDS
        and (default.get("pairwise_precision") or 0) >= 0.995
        and (default.get("pairwise_recall") or 0) >= 0.98
    )
    region_ok = (
        largest.get("children") == SIZES[-1]
        and largest.get("link_seconds", math.inf) < REGION_TARGET_SECONDS
        and region_world.get("link_seconds", math.inf) < REGION_TARGET_SECONDS
        and (region_world.get("pairwise_precision") or 0) >= 0.995
        and (region_world.get("pairwise_recall") or 0) >= 0.98
    )
    return {
        "default_world": default,
        "region_world": region_world,
        "scaling": scaling,
        "growth": growth,
        "targets": {
            "default_link_seconds": DEFAULT_TARGET_SECONDS,
            "region_link_seconds": REGION_TARGET_SECONDS,
            "precision": 0.995,
            "recall": 0.98,
        },
        "checks": {"default": default_ok, "region": region_ok, "growth": growth_ok},
        "passed": default_ok and region_ok and growth_ok,
    }


def _main(argv: list[str]) -> None:
    workdir, kind, *rest = argv
    result = (
        _default_world(Path(workdir), int(rest[0]) if rest else None)
        if kind == "default"
        else _builder_world(Path(workdir), int(rest[0]))
    )
    print(json.dumps(result))


if __name__ == "__main__":
    _main(sys.argv[1:])
