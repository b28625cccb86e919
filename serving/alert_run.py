"""The monthly alert run: score every child in a month, store the scores, open alerts.

One transaction per month writes the run's row, every score and every alert, so the run is
idempotent and safe: a month already run writes nothing new; a run killed half way leaves
nothing behind, and running it again gives exactly what a clean run gives; of two runs for the
same month at once, the second to commit finds the month's row taken and writes nothing.

Who is alerted: the highest probabilities up to capacity, through the product's one selector
(`model.selection`, ties broken by a hash of key and month). A child alerted in the last
`serving.realert_months` months is not alerted again unless the risk rose sharply: to at least
`serving.realert_rise` times the probability at that alert.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import Field
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from earlyhelp.reports import Progress, StepReport, finish, no_progress, start_clock
from earlyhelp.settings import Settings
from model.data import add_months
from model.scoring import LoadedModel, read_month_features
from model.selection import TIE_RULE_TEXT, select_new_referrals, tie_order
from serving import warehouse as wh
from serving.store.audit import record
from serving.store.tables import Alert, AlertRun, Score
from serving.wording import band


class AlertRunReport(StepReport):
    step: str = "score"
    as_of: date
    model_name: str
    model_version: str
    model_source: str
    capacity: int
    tie_rule: str = TIE_RULE_TEXT
    children_scored: int = 0
    alerts_opened: int = 0
    already_run: bool = False
    held_back_recently_alerted: int = 0
    realerts_after_sharp_rise: int = 0
    alerts_by_team: dict[str, int] = Field(default_factory=dict)


def month_end(value: date) -> date:
    return add_months(value, 0)


def _recent_alerts(session: Session, as_of: date, months: int) -> dict[str, float]:
    """Each child alerted in the ``months`` before ``as_of``: the probability at the latest."""
    since = add_months(as_of, -months)
    rows = session.execute(
        select(Alert.child_key, Alert.probability).where(Alert.as_of > since,
                                                         Alert.as_of < as_of)
        .order_by(Alert.as_of)).all()
    return {key: probability for key, probability in rows}


def choose(scored: pd.DataFrame, as_of: date, capacity: int, recent: dict[str, float],
           rise: float) -> tuple[np.ndarray, np.ndarray]:
    """(flagged, realert) masks over ``scored``: the children to alert this month."""
    keys = scored["child_key"]
    last = keys.map(recent).to_numpy(dtype=float)
    was_alerted = ~np.isnan(last)
    sharp_rise = was_alerted & (scored["probability"].to_numpy() >= rise * last)
    flagged = select_new_referrals(
        scored["probability"].to_numpy(), capacity, months=np.zeros(len(scored), dtype=int),
        child=np.arange(len(scored)), tie_break=tie_order(keys, as_of),
        already_flagged=was_alerted & ~sharp_rise)
    return flagged, flagged & sharp_rise


def run_alerts(settings: Settings, warehouse: Path, as_of: date, model: LoadedModel,
               factory: sessionmaker[Session], progress: Progress = no_progress,
               actor: str = "alert run") -> AlertRunReport:
    started = start_clock()
    as_of = month_end(as_of)
    capacity = settings.model.capacity
    report = AlertRunReport(as_of=as_of, model_name=model.name, model_version=model.version,
                            model_source=model.source, capacity=capacity)
    path = settings.reports_dir / f"score_{as_of:%Y-%m}.json"
    with factory() as session:
        if session.get(AlertRun, as_of) is not None:
            report.already_run = True
            finish(report, started, path)
            return report
        recent = _recent_alerts(session, as_of, settings.serving.realert_months)
    progress("scoring the month")
    features = read_month_features(warehouse, as_of)
    scored = pd.concat([features[["child_key"]],
                        model.predict(features, reasons=False)[["probability"]]], axis=1)
    flagged, realert = choose(scored, as_of, capacity, recent, settings.serving.realert_rise)
    chosen = scored[flagged].sort_values("probability", ascending=False)
    progress("wording reasons and routing alerts")
    reasons = model.predict(features.loc[chosen.index], reasons=True)["reasons"]
    alerts = _alert_rows(settings, warehouse, as_of, model, chosen, reasons,
                         set(scored["child_key"][realert]))
    report.children_scored, report.alerts_opened = len(scored), len(alerts)
    report.held_back_recently_alerted = int(
        scored["child_key"].isin(recent).sum() - realert.sum())
    report.realerts_after_sharp_rise = int(realert.sum())
    report.alerts_by_team = pd.Series([a["team"] for a in alerts]).value_counts().to_dict() \
        if alerts else {}
    progress("writing scores and alerts")
    now = datetime.now(UTC)
    try:
        with factory() as session, session.begin():
            session.add(AlertRun(as_of=as_of, model_name=model.name,
                                 model_version=model.version, children_scored=len(scored),
                                 alerts_opened=len(alerts), capacity=capacity,
                                 started_at=now, finished_at=now))
            session.flush()  # the month's row first: a second run stops here
            session.execute(insert(Score), [
                {"child_key": k, "as_of": as_of, "probability": float(p),
                 "model_version": model.version, "scored_at": now}
                for k, p in zip(scored["child_key"], scored["probability"], strict=True)])
            _write_alerts(session, alerts, now)
            record(session, actor=actor, action="alert_run", target=f"{as_of:%Y-%m}",
                   detail=f"{len(alerts)} alerts from {len(scored)} children scored by "
                          f"{model.name} v{model.version} ({model.source})")
    except IntegrityError:
        report.already_run = True
        report.alerts_opened = 0
    finish(report, started, path)
    return report


def _write_alerts(session: Session, alerts: list[dict[str, object]], now: datetime) -> None:
    if alerts:
        session.execute(insert(Alert), [{**a, "created_at": now, "status": "open"}
                                        for a in alerts])


def _alert_rows(settings: Settings, warehouse: Path, as_of: date, model: LoadedModel,
                chosen: pd.DataFrame, reasons: pd.Series,
                realerts: set[str]) -> list[dict[str, object]]:
    keys = chosen["child_key"].tolist()
    with wh.read_only(warehouse) as con:
        services = wh.services_known(con, keys, as_of)
        places = wh.localities(con, keys, as_of)
        leads = wh.lead_professionals(con, keys, as_of)
    rows = []
    for key, probability, why in zip(keys, chosen["probability"], reasons, strict=True):
        route = wh.route(services[key], places.get(key), leads.get(key),
                         settings.serving.triage_team_prefix)
        rows.append({
            "child_key": key, "as_of": as_of, "team": route.team,
            "routed_because": route.because, "probability": float(probability),
            "band": band(float(probability), settings.serving.band_edges),
            "reasons": list(why), "services": services[key], "model_name": model.name,
            "model_version": model.version, "realert": key in realerts,
        })
    return rows
