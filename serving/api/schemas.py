"""Shapes the API reads and returns: separate from the store's tables, each with an example."""

from __future__ import annotations

from datetime import date, datetime
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from serving.security import Role

DecisionKind = Literal["refer_early_help", "already_supported", "not_appropriate",
                       "more_information"]
DECISION_WORDS: dict[str, str] = {
    "refer_early_help": "Refer to early help",
    "already_supported": "Already supported",
    "not_appropriate": "Not appropriate",
    "more_information": "Needs more information",
}
T = TypeVar("T")


class Message(BaseModel):
    """Every error: a sentence saying what went wrong and what to do."""

    message: str
    errors: list[dict[str, object]] = Field(default_factory=list)

    model_config = ConfigDict(json_schema_extra={"example": {
        "message": "alert 7 is not in your teams' queues"}})


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    role: Role


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Ready(BaseModel):
    status: Literal["ready"] = "ready"
    model_name: str
    model_version: str
    model_source: Literal["registry", "cache"]
    note: str
    loaded_at: datetime


class ModelInfo(BaseModel):
    name: str
    version: str
    alias: str
    run_id: str
    trained_at: datetime | None
    source: Literal["registry", "cache"]
    features: int
    intended_use: str
    limits: list[str]


class ScoreRequest(BaseModel):
    """One child by pseudonymous key and month, or a row of features."""

    child_key: str | None = Field(None, max_length=64)
    as_of: date | None = None
    features: dict[str, float | None] | None = None

    model_config = ConfigDict(json_schema_extra={"example": {
        "child_key": "C20afdc3c579e4cf6", "as_of": "2020-03-31"}})

    @model_validator(mode="after")
    def _one_way(self) -> ScoreRequest:
        by_key = self.child_key is not None and self.as_of is not None
        if by_key == (self.features is not None):
            raise ValueError("give either child_key and as_of, or features (not both)")
        return self


class ScoreResult(BaseModel):
    child_key: str | None
    as_of: date | None
    probability: float
    band: str
    certainty: str
    reasons: list[str]
    model_version: str


class BatchScoreRequest(BaseModel):
    items: list[ScoreRequest] = Field(min_length=1, max_length=1000)


class BatchScoreResult(BaseModel):
    results: list[ScoreResult]


class DecisionIn(BaseModel):
    decision: DecisionKind
    note: str = Field("", max_length=2000)

    model_config = ConfigDict(json_schema_extra={"example": {
        "decision": "refer_early_help", "note": "Family agreed to a home visit."}})


class DecisionOut(BaseModel):
    id: int
    alert_id: int
    decision: DecisionKind
    decision_words: str
    note: str
    decided_by: str
    decided_at: datetime


class ServiceRecord(BaseModel):
    service: str
    what: str
    first: date
    latest: date
    count: int
    open_now: bool


class ChildIdentity(BaseModel):
    forename: str
    surname: str
    dob: date | None


class AlertSummary(BaseModel):
    id: int
    as_of: date
    team: str
    probability: float
    band: str
    reasons: list[str]
    status: Literal["open", "decided"]
    realert: bool
    created_at: datetime
    latest_decision: DecisionOut | None


class AlertDetail(AlertSummary):
    child_key: str
    certainty: str
    routed_because: str
    services: list[ServiceRecord]
    decisions: list[DecisionOut]
    model_name: str
    model_version: str
    child: ChildIdentity | None


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class AlertCounts(BaseModel):
    """Alerts and decisions by month: counts from 1 to 5 are shown as "c"."""

    month: date
    alerts: str
    decided: str
    by_decision: dict[str, str]


class UserIn(BaseModel):
    username: str = Field(min_length=2, max_length=80, pattern=r"^[a-z0-9._-]+$")
    full_name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=12, max_length=200)
    role: Role
    teams: list[str] = Field(default_factory=list)


class UserUpdate(BaseModel):
    role: Role | None = None
    teams: list[str] | None = None
    active: bool | None = None


class UserOut(BaseModel):
    username: str
    full_name: str
    role: Role
    teams: list[str]
    active: bool
    created_at: datetime


class ReloadOut(BaseModel):
    changed: bool
    model_version: str
    model_source: str
    message: str


class AuditEntryOut(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    target: str
    detail: str
    source_ip: str
