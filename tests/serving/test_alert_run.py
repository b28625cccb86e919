"""The monthly alert run: capacity, routing, idempotence, a killed run, two runs at once."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import date

import pandas as pd
from sqlalchemy import func, select

from earlyhelp.settings import Settings
from model.scoring import load_model
from serving.alert_run import choose, run_alerts
from serving.store.database import engine_for, session_factory
from serving.store.tables import Alert, AlertRun, AuditEntry, Score

from .conftest import Served


def _fresh(served: Served, tmp_path, name: str) -> Settings:  # type: ignore[no-untyped-def]
    return served.settings.model_copy(update={
        "database_url": f"sqlite:///{tmp_path / name}.db", "data_dir": tmp_path})


def _alerts(settings: Settings) -> list[tuple[str, str, float]]:
    factory = session_factory(engine_for(settings))
    with factory() as session:
        return sorted((a.child_key, a.team, round(a.probability, 12))
                      for a in session.scalars(select(Alert)))


def test_a_run_scores_everyone_and_alerts_up_to_capacity(served: Served) -> None:
    factory = session_factory(engine_for(served.settings))
    with factory() as session:
        run = session.get(AlertRun, served.as_of)
        scores = session.scalar(select(func.count()).select_from(Score))
        alerts = list(session.scalars(select(Alert)))
    assert run is not None and scores == run.children_scored > 100
    assert len(alerts) == served.settings.model.capacity == run.alerts_opened
    lowest_alerted = min(a.probability for a in alerts)
    with factory() as session:
        above = session.scalar(select(func.count()).select_from(Score).where(
            Score.probability > lowest_alerted))
    assert above is not None and above < len(alerts)  # nobody unalerted scored higher
    for alert in alerts:
        assert alert.reasons and alert.band and alert.model_version
        assert alert.team and alert.routed_because
        if alert.team.startswith("Social work team"):
            assert any(s["open_now"] and s["service"] == "Children's social care"
                       for s in alert.services)


def test_running_a_month_again_opens_nothing_new(served: Served) -> None:
    before = _alerts(served.settings)
    factory = session_factory(engine_for(served.settings))
    again = run_alerts(served.settings, served.warehouse, served.as_of,
                       load_model(served.settings), factory)
    assert again.already_run and again.alerts_opened == 0
    assert _alerts(served.settings) == before


KILL = """
import os, sys
from datetime import date
from earlyhelp.settings import Settings
from model.scoring import load_model
from serving import alert_run
from serving.store.database import engine_for, session_factory
settings = Settings.model_validate_json(sys.argv[1])
real = alert_run._write_alerts
def write_then_die(*args, **kwargs):
    real(*args, **kwargs)
    os._exit(9)  # killed after writing scores and alerts, before the commit
alert_run._write_alerts = write_then_die
alert_run.run_alerts(settings, settings.warehouse_path, date.fromisoformat(sys.argv[2]),
                     load_model(settings), session_factory(engine_for(settings)))
"""


def test_a_run_killed_half_way_leaves_nothing_and_a_rerun_matches_a_clean_run(
        served: Served, tmp_path) -> None:  # type: ignore[no-untyped-def]
    killed = _fresh(served, tmp_path, "killed").model_copy(
        update={"data_dir": served.warehouse.parent})
    died = subprocess.run([sys.executable, "-c", KILL, killed.model_dump_json(),
                           str(served.as_of)], capture_output=True, text=True, check=False)
    assert died.returncode == 9, died.stderr[-2000:]
    assert _alerts(killed) == []  # nothing half-written
    factory = session_factory(engine_for(killed))
    run_alerts(killed, served.warehouse, served.as_of, load_model(served.settings), factory)
    assert _alerts(killed) == _alerts(served.settings)


def test_two_runs_at_once_write_the_month_once(served: Served, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = _fresh(served, tmp_path, "twice")
    model = load_model(served.settings)
    factory = session_factory(engine_for(settings))
    reports = []

    def run() -> None:
        reports.append(run_alerts(settings, served.warehouse, served.as_of, model, factory))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.already_run for r in reports) == [False, True]
    assert len(_alerts(settings)) == settings.model.capacity
    with factory() as session:
        runs = session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "alert_run"))
    assert runs == 1


def test_recently_alerted_children_wait_unless_their_risk_rose_sharply() -> None:
    scored = pd.DataFrame({"child_key": ["a", "b", "c", "d"],
                           "probability": [0.30, 0.20, 0.10, 0.05]})
    # a was alerted at 0.25 (now 0.30: not a sharp rise); b at 0.05 (now 0.20: four-fold).
    flagged, realert = choose(scored, date(2020, 3, 31), 2, {"a": 0.25, "b": 0.05}, rise=2.0)
    assert flagged.tolist() == [False, True, True, False]
    assert realert.tolist() == [False, True, False, False]
