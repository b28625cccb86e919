"""Every route, every role: the routes each role reaches are exactly the docs' matrix."""

from __future__ import annotations

import re

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from serving.app import ROUTERS
from serving.security import Role
from tests.serving.conftest import PASSWORD, ROOT, add_users, bearer

DOC = ROOT / "docs" / "serving.md"
COLUMNS = ("anonymous", "practitioner", "team_manager", "data_scientist", "governance", "admin")
USER_OF = {"practitioner": "prac", "team_manager": "manager", "data_scientist": "scientist",
           "governance": "board", "admin": "admin"}


def documented() -> dict[str, dict[str, bool]]:
    rows = {}
    for line in DOC.read_text().splitlines():
        found = re.match(r"\| `([A-Z]+ [^`]+)` \|(.*)\|\s*$", line)
        if found:
            cells = [c.strip() for c in found.group(2).split("|")]
            assert len(cells) == len(COLUMNS), line
            rows[found.group(1)] = {col: cell != "no" for col, cell in
                                    zip(COLUMNS, cells, strict=True)}
    return rows


def _call(client: TestClient, method: str, path: str, token: str | None, alert_id: int,
          n: int) -> int:
    url = path.replace("{alert_id}", str(alert_id)).replace("{username}", "board")
    headers = {"Authorization": f"Bearer {token}"} if token and not path.startswith("/ui") \
        else {}
    client.cookies.clear()
    client.cookies.set("earlyhelp_csrf", "same-on-both")
    if token and path.startswith("/ui"):
        client.cookies.set("earlyhelp_session", token)
    form = {"csrf": "same-on-both"}
    body: dict[str, object] = {
        "POST /v1/auth/token": {"data": {"username": "prac", "password": PASSWORD}},
        "POST /v1/score": {"json": {"features": {}}},
        "POST /v1/score/batch": {"json": {"items": []}},
        "POST /v1/alerts/{alert_id}/decision": {"json": {"decision": "more_information"}},
        "POST /v1/admin/users": {"json": {
            "username": f"new{n}", "full_name": "New person", "password": PASSWORD * 2,
            "role": "governance", "teams": []}},
        "PATCH /v1/admin/users/{username}": {"json": {"active": True}},
        "POST /ui/login": {"data": {**form, "username": "prac", "password": PASSWORD}},
        "POST /ui/logout": {"data": form},
        "POST /ui/alerts/{alert_id}/decision": {"data": {**form, "decision": "not_appropriate"}},
    }.get(f"{method} {path}", {})
    answer = client.request(method, url, headers=headers, follow_redirects=False,
                            **body)  # type: ignore[arg-type]
    return answer.status_code if not answer.headers.get("location", "").startswith(
        "/ui/login?next=") else 401


def test_each_role_reaches_exactly_the_documented_routes(client: TestClient, scored) -> None:  # type: ignore[no-untyped-def]
    factory, _ = scored
    from sqlalchemy import select

    from serving.store.tables import Alert

    with factory() as session:
        teams = list(session.scalars(select(Alert.team).distinct().order_by(Alert.team)))
    add_users(factory, teams)
    with factory() as session:
        alert_id = session.scalars(select(Alert.id).where(Alert.team == teams[0])).first()
    tokens = {role: bearer(client, name)["Authorization"].removeprefix("Bearer ")
              for role, name in USER_OF.items()}
    routes = {f"{m} {r.path}" for router in ROUTERS for r in router.routes
              if isinstance(r, APIRoute) for m in r.methods}
    expected = documented()
    assert routes == set(expected), "routes and docs/serving.md's matrix differ"
    seen: dict[str, dict[str, bool]] = {}
    n = 0
    for route in sorted(routes):
        method, path = route.split(" ", 1)
        seen[route] = {}
        for column in COLUMNS:
            n += 1
            status = _call(client, method, path, tokens.get(column), alert_id, n)
            assert status < 500, (route, column, status)
            seen[route][column] = status not in (401, 403)
    assert seen == expected
    assert set(USER_OF) == {r.value for r in Role}


def test_another_teams_alert_is_not_found_for_a_practitioner(client: TestClient, scored) -> None:  # type: ignore[no-untyped-def]
    factory, _ = scored
    from sqlalchemy import select

    from serving.store.tables import Alert

    with factory() as session:
        teams = list(session.scalars(select(Alert.team).distinct().order_by(Alert.team)))
        theirs = session.scalars(select(Alert.id).where(Alert.team == teams[1])).first()
        ours = session.scalars(select(Alert.id).where(Alert.team == teams[0])).first()
    add_users(factory, teams)
    auth = bearer(client, "prac")
    assert client.get(f"/v1/alerts/{ours}", headers=auth).status_code == 200
    refused = client.get(f"/v1/alerts/{theirs}", headers=auth)
    assert refused.status_code == 404 and "not in your teams" in refused.json()["message"]
    assert client.post(f"/v1/alerts/{theirs}/decision", headers=auth,
                       json={"decision": "not_appropriate"}).status_code == 404
    listed = client.get("/v1/alerts", headers=auth).json()
    assert listed["total"] > 0 and {a["team"] for a in listed["items"]} == {teams[0]}
