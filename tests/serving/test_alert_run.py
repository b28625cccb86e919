"""The monthly alert run: what it stores, where alerts go, and that it is idempotent and safe
(re-run, killed half way, two at once), on SQLite and on PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from serving import warehouse as wh
from serving.alert_run import run_alerts
from serving.store.database import engine_for, session_factory
from serving.store.tables import Alert, AlertRun, AuditEntry, Score
from tests.serving.conftest import ROOT, Champion, settings_for


def _alerts(factory) -> list[tuple[str, date, str, float]]:  # type: ignore[no-untyped-def]
    with factory() as session:
        return sorted(session.execute(select(Alert.child_key, Alert.as_of, Alert.team,
                                             Alert.probability)).tuples().all())


def _count(factory, table) -> int:  # type: ignore[no-untyped-def]
    with factory() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def test_run_scores_the_month_and_opens_alerts_up_to_capacity(
        tmp_path: Path, champion: Champion, database_url: str) -> None:
    settings = settings_for(tmp_path, champion, database_url)
    factory = session_factory(engine_for(settings))
    month = champion.served.months[-1]
    report = run_alerts(settings, champion.served.warehouse, month, champion.model, factory)
    with wh.read_only(champion.served.warehouse) as con:
        population = con.execute("SELECT count(*) FROM feature_matrix WHERE as_of = ?",
                                 [month]).fetchone()[0]  # type: ignore[index]
    assert report.children_scored == population == _count(factory, Score)
    assert report.alerts_opened == settings.model.capacity == _count(factory, Alert)
    with factory() as session:
        alerts = list(session.scalars(select(Alert)))
        top = session.scalars(select(Score.probability).order_by(Score.probability.desc())
                              .limit(settings.model.capacity)).all()
        assert sorted(a.probability for a in alerts) == sorted(top)
        for a in alerts:
            assert a.as_of == month and a.model_version == champion.model.version
            assert a.band and a.reasons and a.status == "open" and a.routed_because
            assert all({"service", "first", "latest", "open_now"} <= set(s) for s in a.services)
        assert session.scalar(select(func.count()).select_from(AuditEntry)
                              .where(AuditEntry.action == "alert_run")) == 1


def test_alerts_go_to_the_service_that_has_the_child_open(champion: Champion) -> None:
    month = champion.served.months[-1]
    with wh.read_only(champion.served.warehouse) as con:
        def key_of(sql: str) -> str:
            return con.execute(
                "SELECT m.child_key FROM master_index m WHERE " + sql + " LIMIT 1"
            ).fetchone()[0]  # type: ignore[index]
        open_cin = key_of("source_id IN (SELECT source_id FROM cin_episodes "
                          "WHERE end_date IS NULL)")
        open_eh = key_of("source_id IN (SELECT source_id FROM early_help_episodes)")
        closed = key_of("source_id IN (SELECT source_id FROM cin_episodes "
                        "WHERE end_date IS NOT NULL)")
        nobody = key_of("source_id NOT IN (SELECT source_id FROM cin_episodes) AND "
                        "source_id NOT IN (SELECT source_id FROM early_help_episodes)")
        keys = [open_cin, open_eh, closed, nobody]
        services = wh.services_known(con, keys, month)
        places = wh.localities(con, keys, month)
        leads = wh.lead_professionals(con, keys, month)
    teams = {k: wh.route(services[k], places.get(k), leads.get(k), "Early help triage").team
             for k in keys}
    assert teams[open_cin] == f"Social work team, {places[open_cin]}"
    assert teams[open_eh] == f"Early help, {places[open_eh]}"
    assert teams[closed] == f"Early help triage, {places[closed]}"
    assert teams[nobody] == f"Early help triage, {places[nobody]}"
    # The closed episode is still known, with its dates, but not open now.
    (known,) = services[closed]
    assert known["first"] == "2018-06-01" and known["open_now"] is False
    assert services[nobody] == []


def test_a_second_run_of_the_month_writes_nothing(
        tmp_path: Path, champion: Champion, database_url: str) -> None:
    settings = settings_for(tmp_path, champion, database_url)
    factory = session_factory(engine_for(settings))
    month = champion.served.months[-1]
    first = run_alerts(settings, champion.served.warehouse, month, champion.model, factory)
    before = (_alerts(factory), _count(factory, Score), _count(factory, AuditEntry))
    again = run_alerts(settings, champion.served.warehouse, month, champion.model, factory)
    assert not first.already_run and again.already_run and again.alerts_opened == 0
    assert (_alerts(factory), _count(factory, Score), _count(factory, AuditEntry)) == before


KILL_MID_WRITE = """
import os, signal, sys
from datetime import date
from pathlib import Path
sys.path.insert(0, {root!r})
from earlyhelp.settings import load_settings
from model.scoring import load_model
import serving.alert_run as run
from serving.store.database import engine_for, session_factory

settings = load_settings(data_dir={data!r}, mlflow_tracking_uri={uri!r},
                         database_url={db!r}, environment="test")
original = run._write_alerts
def write_then_die(session, alerts, now):
    original(session, alerts, now)
    session.flush()  # the scores and alerts are in the open transaction: now the process dies
    os.kill(os.getpid(), signal.SIGKILL)
run._write_alerts = write_then_die
run.run_alerts(settings, Path({warehouse!r}), date.fromisoformat({month!r}), load_model(settings),
               session_factory(engine_for(settings)))
"""


def test_a_run_killed_half_way_then_run_again_ends_as_a_clean_run(
        tmp_path: Path, champion: Champion, database_url: str) -> None:
    month = champion.served.months[-1]
    settings = settings_for(tmp_path / "killed", champion, database_url)
    script = KILL_MID_WRITE.format(
        root=str(ROOT), data=str(tmp_path / "killed"), uri=champion.mlflow_uri,
        db=settings.resolved_database_url, warehouse=str(champion.served.warehouse),
        month=month.isoformat())
    died = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300, check=False)
    assert died.returncode == -9, died.stderr[-2000:]
    factory = session_factory(engine_for(settings))
    assert _count(factory, Score) == _count(factory, Alert) == _count(factory, AlertRun) == 0
    rerun = run_alerts(settings, champion.served.warehouse, month, champion.model, factory)
    clean_settings = settings_for(tmp_path / "clean", champion)
    clean = session_factory(engine_for(clean_settings))
    run_alerts(clean_settings, champion.served.warehouse, month, champion.model, clean)
    assert not rerun.already_run and _alerts(factory) == _alerts(clean)
    assert len(_alerts(factory)) == settings.model.capacity


def test_two_runs_of_one_month_at_once_write_once(
        tmp_path: Path, champion: Champion, database_url: str,
        monkeypatch: pytest.MonkeyPatch) -> None:

    settings = settings_for(tmp_path, champion, database_url)
    factory = session_factory(engine_for(settings))
    month = champion.served.months[-1]
    # Both runs pass the "already run?" check before either writes.
    both_scored = threading.Barrier(2, timeout=60)

    def progress(stage: str) -> None:
        if stage == "writing scores and alerts":
            both_scored.wait()

    reports = []

    def one() -> None:
        reports.append(run_alerts(settings, champion.served.warehouse, month,
                                  champion.model, factory, progress))

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(r.already_run for r in reports) == [False, True]
    assert _count(factory, AlertRun) == 1
    assert _count(factory, Alert) == settings.model.capacity
    assert _count(factory, Score) == reports[0].children_scored == reports[1].children_scored


def test_a_recently_alerted_child_is_alerted_again_only_after_a_sharp_rise(
        tmp_path: Path, champion: Champion) -> None:
    settings = settings_for(tmp_path, champion)
    factory = session_factory(engine_for(settings))
    months = champion.served.months[-4:]
    reports = [run_alerts(settings, champion.served.warehouse, m, champion.model, factory)
               for m in months]
    with factory() as session:
        rows = session.execute(select(Alert.child_key, Alert.as_of, Alert.probability,
                                      Alert.realert).order_by(Alert.as_of)).all()
    last: dict[str, float] = {}
    realerts = 0
    for key, _, probability, realert in rows:
        if key in last:  # within the 6-month window: only after the risk at least doubled
            assert realert and probability >= settings.serving.realert_rise * last[key]
            realerts += 1
        else:
            assert not realert
        last[key] = probability
    # The same children stay near the top month after month, so the window does hold some back.
    assert sum(r.held_back_recently_alerted for r in reports) > 0
    assert sum(r.realerts_after_sharp_rise for r in reports) == realerts
    assert all(r.alerts_opened == settings.model.capacity for r in reports)
