"""Monitoring on whole synthetic worlds: an unchanged world raises no drift alarm in a year of
monthly runs, each scenario raises one within two runs naming what changed, and the board's
report from a small world leaks no small cell.

Worlds of 20,000 children (a third of the default council) keep CI within its time; the
default world's figures come from ``python -m bench.detection`` (docs/monitoring.md). A
recording change leaves the world before its start as it was, so those worlds are monitored
with the champion trained on the unchanged world of the same seed, as in life.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.detection import DRIFT_KINDS, SCENARIOS, names_change  # noqa: E402
from bench.world import build_world, cli, monitor  # noqa: E402

CHILDREN = 20_000
SEED = 20200331
YEAR = [str(m) for m in pd.period_range("2019-04", "2020-03", freq="M")]
# Measured shortfalls (docs/monitoring.md): changes too small in a world of this size to be
# told from a month's noise within two runs. Marked so, not hidden.
NOT_DETECTED: dict[str, str] = {
    "girls-under-recorded": (
        "girls' exploitation is recorded about 15 times a year in the default council (5 in "
        "this one): two months expect 2.5 records, halved 1.25; an unchanged council shows 1 "
        "or none in two months with probability 0.29 (Poisson), so no count can tell"),
    "service-closure": (
        "the closed team (Marsh Green North) recorded 2-16 early help episodes a month in the "
        "2018-19 months of this world (mean 6.4); December shows 2 and January none, a gap of "
        "about 6 rows a month where the volume check needs 10 rows and 4 SD (the default world's "
        "team records about three times as many and is named in run 2: "
        "bench/results/detection_service-closure.json). Before the "
        "'ever' counts left the check by group this test passed on eh_episodes_ever rising in "
        "groups by sex and disability (a count that grows as the extract ages; a closure can "
        "only lower it): a false pass"),
}
# Issue 13's bar: at most one false alarm in twelve monthly runs. Measured 2026-12-05: none in
# this world. Before the recording volume took the 12 months before as its baseline, the
# extract's last month (March 2020) raised one: referrals and CIN episodes of late March come
# from the CIN census alone and are ingested as recorded on the day they happened.
FALSE_ALARM_MONTHS_ALLOWED = 1

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def unchanged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_world(tmp_path_factory.mktemp("unchanged"), children=CHILDREN, seed=SEED)


def test_an_unchanged_world_raises_a_drift_alarm_in_at_most_one_of_twelve_monthly_runs(
        unchanged: Path) -> None:
    drift_alarms = {}
    for month in YEAR:
        report = monitor(unchanged, month)
        drift_alarms[month] = [a["message"] for a in report["alarms"]  # type: ignore[attr-defined]
                               if a["kind"] in DRIFT_KINDS]
        assert report["drift"]["segments"] is not None  # type: ignore[index]
    alarmed = {month: alarms for month, alarms in drift_alarms.items() if alarms}
    assert len(alarmed) <= FALSE_ALARM_MONTHS_ALLOWED, alarmed
    with duckdb.connect(str(unchanged / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM monitor_runs").fetchone()[0] == len(YEAR)


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_each_scenario_raises_an_alarm_naming_it_within_two_runs(
    scenario: str, unchanged: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if scenario in NOT_DETECTED:
        # Not strict: a scenario detected after all must not fail the build, only be noticed.
        request.applymarker(pytest.mark.xfail(reason=NOT_DETECTED[scenario], strict=False))
    start = SCENARIOS[scenario]
    borrowed = None if scenario == "population-shift" else unchanged
    root = build_world(tmp_path / scenario, children=CHILDREN, seed=SEED, scenario=scenario,
                       scenario_start=start, champion_from=borrowed)
    detail = json.loads((root / "world" / "reports" / "synth_report.json").read_text())
    named = []
    for month in (start, str(pd.Period(start, "M") + 1)):
        named += names_change(scenario, monitor(root, month, champion_from=borrowed),
                              detail["scenario"])
    assert named, f"{scenario}: no alarm named the change in two runs"


def test_the_board_report_of_a_small_world_prints_no_count_from_1_to_5(
    unchanged: Path, tmp_path: Path
) -> None:
    month = YEAR[-1]
    if not (unchanged / "reports" / f"monitor_{month}.json").exists():
        monitor(unchanged, month)
    cli("report", "--month", month, "--out", str(tmp_path), "--data-dir", str(unchanged))
    html = (tmp_path / f"board_{month}.html").read_text(encoding="utf-8")
    counts = re.findall(r'<td class="count">([^<]*)</td>', html)
    assert "c" in counts  # a world this small has cells to hide
    for text in counts:
        value = text.replace(",", "")
        assert text == "c" or int(value) == 0 or int(value) >= 6
    assert (tmp_path / f"board_{month}.pdf").read_bytes().startswith(b"%PDF")
