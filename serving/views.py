"""Store rows to API shapes (a route never returns a table row), shared by the API and pages."""

from __future__ import annotations

from datetime import date

from serving.api.schemas import (
    DECISION_WORDS,
    AlertDetail,
    AlertSummary,
    ChildIdentity,
    DecisionOut,
    ServiceRecord,
)
from serving.store.tables import Alert, Decision
from serving.warehouse import Identity
from serving.wording import certainty


def decision_out(decision: Decision) -> DecisionOut:
    return DecisionOut(id=decision.id, alert_id=decision.alert_id,
                       decision=decision.decision,  # type: ignore[arg-type]
                       decision_words=DECISION_WORDS[decision.decision], note=decision.note,
                       decided_by=decision.decided_by, decided_at=decision.decided_at)


def alert_summary(alert: Alert) -> AlertSummary:
    latest = alert.decisions[-1] if alert.decisions else None
    return AlertSummary(id=alert.id, as_of=alert.as_of, team=alert.team,
                        probability=alert.probability, band=alert.band,
                        reasons=list(alert.reasons), status=alert.status,  # type: ignore[arg-type]
                        realert=alert.realert, created_at=alert.created_at,
                        latest_decision=decision_out(latest) if latest else None)


def alert_detail(alert: Alert, edges: tuple[float, ...], who: Identity | None) -> AlertDetail:
    summary = alert_summary(alert)
    return AlertDetail(
        **summary.model_dump(), child_key=alert.child_key,
        certainty=certainty(alert.probability, edges), routed_because=alert.routed_because,
        services=[ServiceRecord(**{**s, "first": date.fromisoformat(str(s["first"])),
                                   "latest": date.fromisoformat(str(s["latest"]))})
                  for s in alert.services],
        decisions=[decision_out(d) for d in alert.decisions],
        model_name=alert.model_name, model_version=alert.model_version,
        child=ChildIdentity(forename=who.forename, surname=who.surname, dob=who.dob)
        if who else None)
