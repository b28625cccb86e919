"""Alerts: each team's queue, one child's alert (identifiable, audited), decisions, counts."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status

from earlyhelp.stats.disclosure import primary_cells
from serving import warehouse as wh
from serving.api.deps import ContextDep, Principal, SessionDep, client_ip, require
from serving.api.schemas import (
    AlertCounts,
    AlertDetail,
    AlertSummary,
    DecisionIn,
    DecisionOut,
    Message,
    Page,
)
from serving.security import Permission
from serving.store import alerts as store
from serving.store.audit import record
from serving.store.tables import Alert
from serving.views import alert_detail, alert_summary, decision_out

router = APIRouter(prefix="/v1/alerts", tags=["alerts"],
                   responses={401: {"model": Message}, 403: {"model": Message}})
Reader = Annotated[Principal, Depends(require(Permission.read_alerts))]
Decider = Annotated[Principal, Depends(require(Permission.decide))]
Aggregates = Annotated[Principal, Depends(require(Permission.read_aggregates))]


@router.get("", response_model=Page[AlertSummary], summary="My teams' alerts, newest first")
def list_alerts(
    session: SessionDep, user: Reader,
    team: Annotated[str | None, Query(max_length=200)] = None,
    status_: Annotated[Literal["open", "decided"] | None, Query(alias="status")] = None,
    month: Annotated[date | None, Query(description="an as-of month end")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[AlertSummary]:
    rows, total = store.list_alerts(session, teams=user.team_list, team=team, status=status_,
                                    month=month, limit=limit, offset=offset)
    return Page[AlertSummary](items=[alert_summary(a) for a in rows], total=total,
                              limit=limit, offset=offset)


@router.get("/summary", response_model=list[AlertCounts],
            summary="Alerts and decisions by month (counts 1-5 shown as c)")
def summary(session: SessionDep, user: Aggregates) -> list[AlertCounts]:
    out = []
    for month, n, decided, kinds in store.counts_by_month(session):
        cells = {"alerts": n, "decided": decided, **{f"k:{k}": v for k, v in kinds.items()}}
        hidden = primary_cells(cells)
        # The decided count and the kinds add up: hide one more if exactly one is hidden.
        kind_keys = [k for k in cells if k.startswith("k:")]
        if len(hidden & {*kind_keys, "decided"}) == 1:
            visible = sorted((k for k in [*kind_keys, "decided"] if k not in hidden),
                             key=lambda k: cells[k])
            hidden |= set(visible[:1])
        shown = {k: "c" if k in hidden else str(v) for k, v in cells.items()}
        out.append(AlertCounts(month=month, alerts=shown["alerts"], decided=shown["decided"],
                               by_decision={k[2:]: shown[k] for k in kind_keys}))
    return out


def own_alert(session: SessionDep, user: Principal, alert_id: int) -> Alert:
    alert = store.get_alert(session, alert_id=alert_id)
    if alert is None or alert.team not in user.team_list:
        # The same answer whether the alert exists or belongs to another team.
        raise HTTPException(status.HTTP_404_NOT_FOUND,
                            f"alert {alert_id} is not in your teams' queues")
    return alert


def open_alert(session: SessionDep, context: ContextDep, user: Principal, alert_id: int,
               request: Request, via: str) -> AlertDetail:
    """One of the user's teams' alerts with the child's name and date of birth, looked up
    through the master index now; the view is audited."""
    alert = own_alert(session, user, alert_id)
    with wh.read_only(context.warehouse) as con:
        who = wh.identity(con, alert.child_key)
    record(session, actor=user.username, action="view_child", target=f"alert {alert.id}",
           detail=f"child {alert.child_key}{via}", source_ip=client_ip(request))
    return alert_detail(alert, context.settings.serving.band_edges, who)


@router.get("/{alert_id}", response_model=AlertDetail, responses={404: {"model": Message}},
            summary="One child's alert, with name and date of birth (audited)")
def get_alert(alert_id: int, session: SessionDep, context: ContextDep, user: Reader,
              request: Request) -> AlertDetail:
    return open_alert(session, context, user, alert_id, request, via="")


@router.post("/{alert_id}/decision", response_model=DecisionOut, status_code=201,
             responses={404: {"model": Message}}, summary="Record what was decided")
def post_decision(alert_id: int, body: DecisionIn, session: SessionDep, user: Decider,
                  request: Request) -> DecisionOut:
    alert = own_alert(session, user, alert_id)
    made = store.decide(session, alert=alert, decision=body.decision, note=body.note,
                        decided_by=user.username)
    record(session, actor=user.username, action="decision", target=f"alert {alert.id}",
           detail=body.decision, source_ip=client_ip(request))
    return decision_out(made)
