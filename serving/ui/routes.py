"""The practitioners' pages: sign in, my team's queue, a child's alert, decisions, teams.

Server-rendered with Jinja2. The session is the same signed token as the API's, in an
HttpOnly, SameSite=Strict cookie; every form carries a CSRF token that must match a second
cookie (double submit), so another site cannot post a decision in a practitioner's name.
"""

from __future__ import annotations

import secrets
from collections import Counter
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from serving.api.deps import (
    SESSION_COOKIE,
    ContextDep,
    CurrentUser,
    Principal,
    SessionDep,
    allows,
    client_ip,
    require,
)
from serving.api.routes.alerts import open_alert, own_alert
from serving.api.routes.auth import sign_in
from serving.api.schemas import DECISION_WORDS, DecisionKind
from serving.security import Permission
from serving.store import alerts as store
from serving.store.audit import record
from serving.views import alert_summary

CSRF_COOKIE = "earlyhelp_csrf"
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
router = APIRouter(prefix="/ui", include_in_schema=False)
Reader = Annotated[Principal, Depends(require(Permission.read_alerts))]


def _csrf(request: Request) -> str:
    return request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)


def check_csrf(request: Request, csrf: Annotated[str, Form()] = "") -> None:
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not cookie or not secrets.compare_digest(cookie, csrf):
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            "this form has expired or came from another site: open the page "
                            "again and resubmit")


Csrf = Depends(check_csrf)


def _page(request: Request, name: str, user: Principal | None, status_code: int = 200,
          **values: object) -> HTMLResponse:
    token = _csrf(request)
    response = templates.TemplateResponse(request, name, {
        "user": user, "csrf": token,
        "can_manage": user is not None and allows(user, Permission.manage_teams), **values,
    }, status_code=status_code)
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")
    return response


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/ui/") -> HTMLResponse:
    return _page(request, "login.html.j2", None, title="Sign in", next=_safe(next), error="")


@router.post("/login", dependencies=[Csrf])
def login(request: Request, session: SessionDep, context: ContextDep,
          username: Annotated[str, Form(max_length=80)],
          password: Annotated[str, Form(max_length=200)],
          next: Annotated[str, Form()] = "/ui/") -> Response:
    token = sign_in(session, context, request, username, password)
    if token is None:
        return _page(request, "login.html.j2", None, status_code=401, title="Sign in",
                     next=_safe(next), error="Wrong username or password.")
    response = RedirectResponse(_safe(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, token.access_token, max_age=token.expires_in,
                        httponly=True, samesite="strict", secure=request.url.scheme == "https")
    return response


@router.post("/logout", dependencies=[Csrf])
def logout(session: SessionDep, user: CurrentUser, request: Request) -> Response:
    record(session, actor=user.username, action="sign_out", source_ip=client_ip(request))
    response = RedirectResponse("/ui/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/", response_class=HTMLResponse)
def queue(request: Request, session: SessionDep, user: CurrentUser) -> HTMLResponse:
    if not allows(user, Permission.read_alerts):
        return _page(request, "error.html.j2", user, status_code=403, title="No queue",
                     heading="No queue for your role",
                     message=f"A {user.role.replace('_', ' ')} has no children's queue: "
                             "children's records are for their practitioners only.")
    rows, total = store.list_alerts(session, teams=user.team_list, limit=200)
    return _page(request, "queue.html.j2", user, title="My queue",
                 alerts=[alert_summary(a) for a in rows], total=total)


@router.get("/alerts/{alert_id}", response_class=HTMLResponse)
def alert_page(alert_id: int, request: Request, session: SessionDep, context: ContextDep,
               user: Reader) -> HTMLResponse:
    detail = open_alert(session, context, user, alert_id, request, via=" (page)")
    return _page(request, "alert.html.j2", user, title=f"Alert {detail.id}", a=detail,
                 decisions=DECISION_WORDS, can_decide=allows(user, Permission.decide))


@router.post("/alerts/{alert_id}/decision", dependencies=[Csrf])
def decide(alert_id: int, request: Request, session: SessionDep, user: Reader,
           decision: Annotated[DecisionKind, Form()],
           note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    if not allows(user, Permission.decide):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "your role may not record decisions")
    alert = own_alert(session, user, alert_id)
    store.decide(session, alert=alert, decision=decision, note=note, decided_by=user.username)
    record(session, actor=user.username, action="decision", target=f"alert {alert.id}",
           detail=f"{decision} (page)", source_ip=client_ip(request))
    return RedirectResponse(f"/ui/alerts/{alert_id}", status_code=303)


@router.get("/team", response_class=HTMLResponse)
def team(request: Request, session: SessionDep,
         user: Annotated[Principal, Depends(require(Permission.manage_teams))]) -> HTMLResponse:
    teams = []
    for name in user.team_list:
        rows, _ = store.list_alerts(session, teams=[name], limit=10_000)
        months: dict[object, Counter[str]] = {}
        for a in rows:
            kinds = months.setdefault(a.as_of, Counter())
            kinds["_alerts"] += 1
            if a.decisions:
                kinds[a.decisions[-1].decision] += 1
        teams.append({
            "team": name, "open": sum(a.status == "open" for a in rows),
            "decided": sum(a.status == "decided" for a in rows),
            "months": [{"month": m, "alerts": k["_alerts"], "kinds": k}
                       for m, k in sorted(months.items(), reverse=True)],
        })
    return _page(request, "team.html.j2", user, title="My teams", teams=teams,
                 words=DECISION_WORDS)


def _safe(target: str) -> str:
    """Only redirect within the pages (no open redirect)."""
    return target if target.startswith("/ui/") and "//" not in target else "/ui/"
