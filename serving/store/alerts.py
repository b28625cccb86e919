"""Reading alerts and recording decisions."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, selectinload

from serving.store.tables import Alert, Decision


def list_alerts(session: Session, *, teams: list[str], team: str | None = None,
                status: str | None = None, month: date | None = None, limit: int = 50,
                offset: int = 0) -> tuple[list[Alert], int]:
    """Alerts of ``teams`` (newest first) and how many match in all."""
    query = select(Alert).where(Alert.team.in_(teams))
    if team is not None:
        query = query.where(Alert.team == team)
    if status is not None:
        query = query.where(Alert.status == status)
    if month is not None:
        query = query.where(Alert.as_of == month)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.options(selectinload(Alert.decisions))
                           .order_by(Alert.as_of.desc(), Alert.probability.desc(), Alert.id)
                           .limit(limit).offset(offset))
    return list(rows), int(total)


def get_alert(session: Session, *, alert_id: int) -> Alert | None:
    return session.scalars(select(Alert).options(selectinload(Alert.decisions))
                           .where(Alert.id == alert_id)).first()


def decide(session: Session, *, alert: Alert, decision: str, note: str,
           decided_by: str) -> Decision:
    """A person's decision on an alert; later decisions are added, never overwrite."""
    made = Decision(alert_id=alert.id, decision=decision, note=note, decided_by=decided_by,
                    decided_at=datetime.now(UTC))
    session.add(made)
    alert.status = "decided"
    session.flush()
    return made


def counts_by_month(session: Session) -> list[tuple[date, int, int, dict[str, int]]]:
    """(month, alerts, alerts decided, latest decision counts) for every month."""
    months = session.execute(
        select(Alert.as_of, func.count(),
               func.sum(case((Alert.status == "decided", 1), else_=0)))
        .group_by(Alert.as_of).order_by(Alert.as_of)).all()
    latest = (select(Decision.alert_id, func.max(Decision.id).label("last"))
              .group_by(Decision.alert_id).subquery())
    kinds = session.execute(
        select(Alert.as_of, Decision.decision, func.count())
        .join(Decision, Decision.alert_id == Alert.id)
        .join(latest, latest.c.last == Decision.id)
        .group_by(Alert.as_of, Decision.decision)).all()
    by_month: dict[date, dict[str, int]] = {}
    for month, kind, n in kinds:
        by_month.setdefault(month, {})[kind] = int(n)
    return [(m, int(n), int(d or 0), by_month.get(m, {})) for m, n, d in months]
