"""The audit log: who did what, when, from where. Only ``record`` writes; nothing updates or
deletes (and the database's triggers refuse to)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from serving.store.tables import AuditEntry


def record(session: Session, *, actor: str, action: str, target: str = "", detail: str = "",
           source_ip: str = "") -> AuditEntry:
    entry = AuditEntry(at=datetime.now(UTC), actor=actor, action=action, target=target,
                       detail=detail, source_ip=source_ip)
    session.add(entry)
    return entry


def read_log(session: Session, *, action: str | None = None, actor: str | None = None,
             limit: int = 100, offset: int = 0) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if action:
        query = query.where(AuditEntry.action == action)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    return list(session.scalars(query.limit(limit).offset(offset)))
