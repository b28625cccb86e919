"""The store's tables. Keys of children are pseudonymous ``child_key``s only: names and dates
of birth are never stored here; the pages look them up in the warehouse when a permitted role
opens an alert."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    # Teams a practitioner or manager works for, separated by "|" (few, short, read whole).
    teams: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    @property
    def team_list(self) -> list[str]:
        return [t for t in self.teams.split("|") if t]


class AlertRun(Base):
    """One row per scored month: its presence means the month's scores and alerts are in.

    The run writes this row, every score and every alert in one transaction, so a run killed
    half way leaves nothing and a second run for the month finds the row and writes nothing.
    """

    __tablename__ = "alert_runs"

    as_of: Mapped[date] = mapped_column(Date, primary_key=True)
    model_name: Mapped[str] = mapped_column(String(120))
    model_version: Mapped[str] = mapped_column(String(32))
    children_scored: Mapped[int] = mapped_column(Integer)
    alerts_opened: Mapped[int] = mapped_column(Integer)
    capacity: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Score(Base):
    __tablename__ = "scores"
    __table_args__ = (UniqueConstraint("child_key", "as_of"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    child_key: Mapped[str] = mapped_column(String(64), index=True)
    as_of: Mapped[date] = mapped_column(Date, ForeignKey("alert_runs.as_of"), index=True)
    probability: Mapped[float] = mapped_column(Float)
    model_version: Mapped[str] = mapped_column(String(32))
    scored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Alert(Base):
    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("child_key", "as_of"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    child_key: Mapped[str] = mapped_column(String(64), index=True)
    as_of: Mapped[date] = mapped_column(Date, ForeignKey("alert_runs.as_of"), index=True)
    team: Mapped[str] = mapped_column(String(200), index=True)
    routed_because: Mapped[str] = mapped_column(Text)
    probability: Mapped[float] = mapped_column(Float)
    band: Mapped[str] = mapped_column(String(40))
    reasons: Mapped[list[str]] = mapped_column(JSON)
    services: Mapped[list[dict[str, object]]] = mapped_column(JSON)
    # Alerted again within the re-alert window because the risk rose sharply.
    realert: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="open")
    model_name: Mapped[str] = mapped_column(String(120))
    model_version: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    decisions: Mapped[list[Decision]] = relationship(
        back_populates="alert", order_by="Decision.decided_at")


class Decision(Base):
    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    decision: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str] = mapped_column(String(80))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    alert: Mapped[Alert] = relationship(back_populates="decisions")


class AuditEntry(Base):
    """Append-only: no code path updates or deletes a row, and the database refuses to."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(48), index=True)
    target: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    source_ip: Mapped[str] = mapped_column(String(64), default="")
