"""Does monitoring see what it must? Each scenario world against its alarms; unchanged worlds
for false alarms. ``python -m bench.detection [--children N]`` writes
``bench/results/detection.json`` (about 25 minutes on 2 cores for the default world).

For each scenario a world is built with the change from its start month (the champion is
trained on the months before, as in life) and monitored in the start month and the month
after; an alarm counts as detection when it names what changed (the features or the group).
Unchanged worlds of two seeds are monitored for the 12 months after the test year.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import pandas as pd

from bench.world import build_world, built, monitor

# Start months: each change can first show in the data in its start month (a termly
# attendance return lands in the month after the term ends, so recording-change starts in
# December and its first changed return is recorded in January; arrivals are seen at the
# January school census).
SCENARIOS = {
    "recording-change": "2019-12",
    "girls-under-recorded": "2019-12",
    "population-shift": "2020-01",
    "service-closure": "2019-12",
}
UNCHANGED_MONTHS = [str(m) for m in pd.period_range("2019-04", "2020-03", freq="M")]
SEEDS = (20200331, 7)
DRIFT_KINDS = ("data_drift", "prediction_drift", "segment_shift", "recording_volume")


def names_change(scenario: str, report: dict[str, object], detail: dict[str, object]) -> list[str]:
    """The alarms of a month that name the scenario's change (its features or its group)."""
    expected = {
        "recording-change": (f"school={detail.get('school_urn')}", ("unauthorised",)),
        "girls-under-recorded": ("sex=F", ("exploitation", "gangs")),
        "population-shift": (f"locality={detail.get('locality')}", ("age",)),
        "service-closure": (f"locality={detail.get('locality')}", ("eh_", "early_help")),
    }[scenario]
    group, stems = expected
    hits = []
    for alarm in report["alarms"]:  # type: ignore[attr-defined]
        named_group = group in alarm["groups"]
        named_feature = any(s in f for f in alarm["features"] for s in stems)
        if named_group or named_feature:
            hits.append(alarm["message"])
    return hits


def run(children: int | None, workdir: Path, only: list[str] | None = None,
        out: Path | None = None) -> dict[str, object]:
    """Every scenario (or ``only`` these, with no unchanged year) and the unchanged years."""
    results: dict[str, object] = {"children": children or 63_000, "scenarios": {},
                                  "unchanged": {}}
    path = out or OUT
    base = workdir / f"unchanged-{SEEDS[0]}"
    if not built(base):
        build_world(base, children=children, seed=SEEDS[0])
    for scenario, start in SCENARIOS.items():
        if only and scenario not in only:
            continue
        # A recording change leaves the world before the start as it was, so the champion is
        # the one trained on the unchanged world of the same seed; an influx changes who lives
        # there from the first month, so that world trains its own.
        borrowed = None if scenario == "population-shift" else base
        root = build_world(workdir / scenario, children=children, seed=SEEDS[0],
                           scenario=scenario, scenario_start=start, champion_from=borrowed)
        detail = json.loads((root / "world" / "reports" / "synth_report.json").read_text())
        months = [start, f"{pd.Period(start, 'M') + 1}"]
        runs = []
        for i, month in enumerate(months, start=1):
            report = monitor(root, month, champion_from=borrowed)
            hits = names_change(scenario, report, detail["scenario"])
            runs.append({"month": month, "run": i, "naming_alarms": hits,
                         "all_alarms": [a["message"] for a in report["alarms"]],  # type: ignore[attr-defined]
                         "seconds": report["seconds"]})
        first = next((r["run"] for r in runs if r["naming_alarms"]), None)
        results["scenarios"][scenario] = {  # type: ignore[index]
            "start": start, "detail": detail["scenario"], "detected_in_run": first,
            "runs": runs}
        _save(results, path)
    if only:
        return results
    for seed in SEEDS:
        results["unchanged"][str(seed)] = unchanged_year(workdir, children, seed)  # type: ignore[index]
        _save(results, path)
    return results


def unchanged_year(workdir: Path, children: int | None, seed: int) -> dict[str, object]:
    """Monitor the 12 months after the test year of an unchanged world."""
    root = workdir / f"unchanged-{seed}"
    if not built(root):
        build_world(root, children=children, seed=seed)
    runs = []
    for month in UNCHANGED_MONTHS:
        report = monitor(root, month)
        alarms: list[dict[str, object]] = report["alarms"]  # type: ignore[assignment]
        drift = [a for a in alarms if a["kind"] in DRIFT_KINDS]
        runs.append({"month": month, "drift_alarms": [a["message"] for a in drift],
                     "other_alarms": [a["message"] for a in alarms if a not in drift],
                     "seconds": report["seconds"]})
    return {"runs_with_drift_alarm": sum(bool(r["drift_alarms"]) for r in runs),
            "runs_with_any_alarm": sum(bool(r["drift_alarms"] or r["other_alarms"])
                                       for r in runs),
            "runs": runs}


OUT = Path(__file__).parent / "results" / "detection.json"


def _save(results: dict[str, object], path: Path = OUT) -> None:
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=None)
    parser.add_argument("--workdir", type=Path, default=None,
                        help="Keep the worlds here (a built world is reused); default: a "
                        "temporary folder")
    parser.add_argument("--unchanged-only", type=int, default=None, metavar="SEED",
                        help="Only monitor the unchanged world of this seed for a year "
                        "(results in detection_unchanged_SEED.json), e.g. beside a run of the "
                        "scenarios")
    parser.add_argument("--scenario", action="append", choices=list(SCENARIOS), default=None,
                        help="Only this scenario (repeatable; results in "
                        "detection_<scenario>.json, no unchanged year)")
    args = parser.parse_args()
    if args.unchanged_only is not None and args.workdir is not None:
        result = unchanged_year(args.workdir, args.children, args.unchanged_only)
        path = OUT.with_name(f"detection_unchanged_{args.unchanged_only}.json")
        path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(path)
        return
    out = OUT.with_name(f"detection_{'_'.join(args.scenario)}.json") if args.scenario else OUT
    if args.workdir is not None:
        run(args.children, args.workdir, args.scenario, out)
    else:
        with tempfile.TemporaryDirectory(prefix="detection-") as tmp:
            run(args.children, Path(tmp), args.scenario, out)
    print(out)


if __name__ == "__main__":
    main()
