"""The API: sign-in, the role-by-route matrix, scoring, alerts, decisions, errors."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from serving.security import Role

from .conftest import PASSWORD, Served, token

# Every route, and exactly the roles allowed to reach it (docs/serving.md shows this table).
MATRIX: dict[tuple[str, str], set[Role]] = {
    ("GET", "/v1/model"): set(Role),
    ("POST", "/v1/score"): {Role.data_scientist},
    ("POST", "/v1/score/batch"): {Role.data_scientist},
    ("GET", "/v1/alerts"): {Role.practitioner, Role.team_manager},
    ("GET", "/v1/alerts/summary"): {Role.team_manager, Role.data_scientist, Role.governance},
    ("GET", "/v1/alerts/{alert_id}"): {Role.practitioner, Role.team_manager},
    ("POST", "/v1/alerts/{alert_id}/decision"): {Role.practitioner, Role.team_manager},
    ("GET", "/v1/admin/users"): {Role.admin},
    ("POST", "/v1/admin/users"): {Role.admin},
    ("PATCH", "/v1/admin/users/{username}"): {Role.admin},
    ("POST", "/v1/admin/reload"): {Role.admin},
    ("GET", "/v1/audit-log"): {Role.admin},
}


def _first_alert(client: TestClient, served: Served) -> int:
    answer = client.get("/v1/alerts", headers=token(client, "practitioner"))
    assert answer.status_code == 200
    return int(answer.json()["items"][0]["id"])


def _body(method: str, path: str, served: Served) -> dict[str, object] | None:
    if path.startswith("/v1/score/batch"):
        return {"items": [{"child_key": "nobody", "as_of": str(served.as_of)}]}
    if path.startswith("/v1/score"):
        return {"child_key": "nobody", "as_of": str(served.as_of)}
    if path.endswith("/decision"):
        return {"decision": "more_information", "note": "matrix test"}
    if path == "/v1/admin/users":
        return {"username": "new-user", "full_name": "New", "password": "x" * 12,
                "role": "governance"}
    if path.startswith("/v1/admin/users/"):
        return {"active": True}
    return None


def test_every_route_allows_exactly_its_roles(client: TestClient, served: Served) -> None:
    alert_id = _first_alert(client, served)
    tokens = {role: token(client, role.value.replace("_", "-")) for role in Role}
    for (method, template), allowed in MATRIX.items():
        path = template.replace("{alert_id}", str(alert_id)).replace("{username}", "governance")
        for role in Role:
            answer = client.request(method, path, headers=tokens[role],
                                    json=_body(method, template, served))
            refused = answer.status_code in (401, 403)
            assert refused == (role not in allowed), (method, path, role, answer.status_code,
                                                      answer.text)
        anonymous = client.request(method, path, json=_body(method, template, served))
        assert anonymous.status_code == 401, (method, path)


def test_the_matrix_covers_every_api_route(app) -> None:  # type: ignore[no-untyped-def]
    routes = {(method.upper(), path) for path, methods in app.openapi()["paths"].items()
              for method in methods
              if path.startswith("/v1/") and path != "/v1/auth/token"}
    assert routes == set(MATRIX)


def test_wrong_password_is_refused_and_audited(client: TestClient) -> None:
    answer = client.post("/v1/auth/token", data={"username": "practitioner",
                                                 "password": "wrong password!"})
    assert answer.status_code == 401 and "message" in answer.json()
    log = client.get("/v1/audit-log?action=sign_in_failed", headers=token(client, "admin"))
    assert any(e["actor"] == "practitioner" for e in log.json())


def test_expired_or_forged_tokens_are_refused(client: TestClient, served: Served) -> None:
    from datetime import UTC, datetime, timedelta

    from serving.security import issue_token

    old = issue_token("practitioner", Role.practitioner, served.settings.serving,
                      now=datetime.now(UTC) - timedelta(days=1))
    forged = issue_token("practitioner", Role.practitioner,
                         served.settings.serving.model_copy(
                             update={"secret_key": SecretStr("forged-key-of-someone-else")}))
    for bad in (old, forged):
        answer = client.get("/v1/alerts", headers={"Authorization": f"Bearer {bad}"})
        assert answer.status_code == 401


def test_a_practitioner_opens_and_decides_on_own_team_alert_only(
        client: TestClient, served: Served) -> None:
    alert_id = _first_alert(client, served)
    mine = client.get(f"/v1/alerts/{alert_id}", headers=token(client, "practitioner")).json()
    assert mine["team"] == served.teams[0] and mine["reasons"] and mine["certainty"]
    assert mine["child"] is not None and mine["child"]["surname"]
    assert {s["service"] for s in mine["services"]}  # which services know the child
    other = token(client, "other-practitioner")
    assert client.get(f"/v1/alerts/{alert_id}", headers=other).status_code == 404
    refused = client.post(f"/v1/alerts/{alert_id}/decision", headers=other,
                          json={"decision": "not_appropriate"})
    assert refused.status_code == 404
    made = client.post(f"/v1/alerts/{alert_id}/decision", headers=token(client, "practitioner"),
                       json={"decision": "refer_early_help", "note": "home visit agreed"})
    assert made.status_code == 201 and made.json()["decided_by"] == "practitioner"
    after = client.get(f"/v1/alerts/{alert_id}", headers=token(client, "practitioner")).json()
    assert after["status"] == "decided"
    assert after["latest_decision"]["decision_words"] == "Refer to early help"
    log = client.get("/v1/audit-log", headers=token(client, "admin")).json()
    assert {"view_child", "decision"} <= {e["action"] for e in log}


def test_scores_by_key_and_by_features_agree(client: TestClient, served: Served) -> None:
    import duckdb

    with duckdb.connect(str(served.warehouse), read_only=True) as con:
        key = con.execute("SELECT child_key FROM feature_matrix WHERE as_of = ? LIMIT 1",
                          [served.as_of]).fetchone()[0]  # type: ignore[index]
    headers = token(client, "data-scientist")
    by_key = client.post("/v1/score", headers=headers,
                         json={"child_key": key, "as_of": str(served.as_of)}).json()
    model = client.get("/v1/model", headers=headers).json()
    assert 0 <= by_key["probability"] <= 1 and by_key["model_version"] == model["version"]
    batch = client.post("/v1/score/batch", headers=headers, json={"items": [
        {"child_key": key, "as_of": str(served.as_of)}]}).json()
    assert batch["results"][0]["probability"] == pytest.approx(by_key["probability"])


@pytest.mark.parametrize(("body", "field"), [
    ({"child_key": "x"}, "child_key and as_of"),
    ({"child_key": "x", "as_of": "not a date"}, "as_of"),
    ({"features": {"age_years": "old"}}, "features.age_years"),
    ({"features": {"no_such_feature": 1.0}}, "not model inputs"),
])
def test_malformed_input_is_a_4xx_naming_the_field(client: TestClient, body: dict[str, object],
                                                   field: str) -> None:
    answer = client.post("/v1/score", headers=token(client, "data-scientist"), json=body)
    assert 400 <= answer.status_code < 500
    assert field in answer.json()["message"]


def test_unknown_child_is_a_404_with_a_message(client: TestClient, served: Served) -> None:
    answer = client.post("/v1/score", headers=token(client, "data-scientist"),
                         json={"child_key": "C-nobody", "as_of": str(served.as_of)})
    assert answer.status_code == 404 and "C-nobody" in answer.json()["message"]


def test_openapi_declares_every_response_model(app) -> None:  # type: ignore[no-untyped-def]
    schema = app.openapi()
    for path, methods in schema["paths"].items():
        for method, spec in methods.items():
            ok = spec["responses"].get("200") or spec["responses"].get("201")
            assert ok and "content" in ok, (method, path)


def test_users_are_managed_by_admins_and_the_changes_audited(client: TestClient) -> None:
    admin = token(client, "admin")
    made = client.post("/v1/admin/users", headers=admin, json={
        "username": "temp-worker", "full_name": "Temp", "password": PASSWORD,
        "role": "practitioner", "teams": ["Team X"]})
    assert made.status_code == 201
    assert client.patch("/v1/admin/users/temp-worker", headers=admin,
                        json={"active": False}).status_code == 200
    answer = client.post("/v1/auth/token", data={"username": "temp-worker",
                                                 "password": PASSWORD})
    assert answer.status_code == 401
    actions = {e["action"] for e in client.get("/v1/audit-log", headers=admin).json()}
    assert {"user_added", "user_changed"} <= actions


def test_security_headers_on_every_response(client: TestClient) -> None:
    for path in ("/health", "/ui/login"):
        headers = client.get(path).headers
        assert headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
