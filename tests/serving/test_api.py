"""The API: sign-in, tokens, identifiable views audited, decisions, errors, production."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select

from earlyhelp.errors import ConfigError
from serving.security import Role, issue_token
from serving.store.audit import read_log
from serving.store.tables import Alert
from tests.serving.conftest import Champion, add_users, bearer


def _teams(factory) -> list[str]:  # type: ignore[no-untyped-def]
    with factory() as session:
        return list(session.scalars(select(Alert.team).distinct().order_by(Alert.team)))


def test_sign_in_and_failed_sign_in_are_audited(client: TestClient, scored) -> None:  # type: ignore[no-untyped-def]
    factory, _ = scored
    add_users(factory, _teams(factory))
    wrong = client.post("/v1/auth/token", data={"username": "prac", "password": "not-it-at-all"})
    assert wrong.status_code == 401 and wrong.json()["message"] == "wrong username or password"
    bearer(client, "prac")
    with factory() as session:
        actions = [(e.actor, e.action, e.source_ip) for e in read_log(session)]
    assert actions[:2] == [("prac", "sign_in", "testclient"),
                           ("prac", "sign_in_failed", "testclient")]


def test_expired_or_forged_tokens_are_refused(client: TestClient, scored, settings) -> None:  # type: ignore[no-untyped-def]
    factory, _ = scored
    add_users(factory, _teams(factory))
    old = issue_token("prac", Role.practitioner, settings.serving,
                      now=datetime.now(UTC) - timedelta(minutes=settings.serving.token_minutes + 1))
    forged = issue_token("prac", Role.practitioner, settings.serving.model_copy(
        update={"secret_key": SecretStr("another-secret-key-entirely-32-bytes+")}))
    for token in (old, forged, "not-a-token"):
        answer = client.get("/v1/alerts", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 401 and "sign in" in answer.json()["message"]


def test_opening_an_alert_shows_the_name_and_is_audited(client: TestClient, scored,  # type: ignore[no-untyped-def]
                                                        champion: Champion) -> None:
    factory, _ = scored
    teams = _teams(factory)
    add_users(factory, teams)
    auth = bearer(client, "prac")
    first = client.get("/v1/alerts", headers=auth).json()["items"][0]
    assert "forename" not in str(first) and "Planted" not in str(first)  # the queue: no names
    opened = client.get(f"/v1/alerts/{first['id']}", headers=auth).json()
    assert opened["child"]["forename"].startswith("Planted")
    assert opened["reasons"] and opened["probability"] == pytest.approx(first["probability"])
    decided = client.post(f"/v1/alerts/{first['id']}/decision", headers=auth,
                          json={"decision": "refer_early_help", "note": "spoke to school"})
    assert decided.status_code == 201 and decided.json()["decided_by"] == "prac"
    again = client.get(f"/v1/alerts/{first['id']}", headers=auth).json()
    assert again["status"] == "decided"
    assert again["decisions"][-1]["decision"] == "refer_early_help"
    with factory() as session:
        log = [(e.actor, e.action, e.target) for e in read_log(session)]
        stored = " ".join(str(v) for row in session.execute(select(Alert)).scalars()
                          for v in (row.reasons, row.services, row.child_key))
    assert ("prac", "view_child", f"alert {first['id']}") in log
    assert ("prac", "decision", f"alert {first['id']}") in log
    assert not any(name in stored for name in champion.served.world.person_names[:50])


def test_a_decision_is_committed_before_its_answer_is_sent(settings, champion: Champion,  # type: ignore[no-untyped-def]
                                                           scored) -> None:
    """A browser follows the decision's redirect at once: the commit must come first (FastAPI
    ends a dependency with yield after the response unless told otherwise, and a loaded
    machine then showed the alert page without the decision just recorded)."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from serving.app import create_app
    from tests.serving.conftest import FixedHolder

    factory, _ = scored
    add_users(factory, _teams(factory))
    order: list[str] = []

    class ResponseStart:
        def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
            self.app = app

        async def __call__(self, scope, receive, send) -> None:  # type: ignore[no-untyped-def]
            async def sending(message) -> None:  # type: ignore[no-untyped-def]
                if message["type"] == "http.response.start":
                    order.append("response")
                await send(message)
            await self.app(scope, receive, sending)

    def committed(session: Session) -> None:
        order.append("commit")

    app = create_app(settings, holder=FixedHolder(champion.model),  # type: ignore[arg-type]
                     warehouse=champion.served.warehouse)
    app.add_middleware(ResponseStart)
    event.listen(Session, "after_commit", committed)
    try:
        with TestClient(app) as client:
            auth = bearer(client, "prac")
            first = client.get("/v1/alerts", headers=auth).json()["items"][0]
            order.clear()
            decided = client.post(f"/v1/alerts/{first['id']}/decision", headers=auth,
                                  json={"decision": "refer_early_help", "note": "at once"})
    finally:
        event.remove(Session, "after_commit", committed)
    assert decided.status_code == 201
    assert "commit" in order and order.index("commit") < order.index("response"), order


def test_bad_input_is_a_4xx_naming_the_field(client: TestClient, scored) -> None:  # type: ignore[no-untyped-def]
    factory, _ = scored
    add_users(factory, _teams(factory))
    auth = bearer(client, "scientist")
    missing = client.post("/v1/score", headers=auth, json={"child_key": "x"})
    assert missing.status_code == 422 and "child_key and as_of" in missing.json()["message"]
    bad_date = client.post("/v1/score", headers=auth,
                           json={"child_key": "x", "as_of": "March"})
    assert bad_date.status_code == 422 and "as_of" in bad_date.json()["message"]
    unknown = client.post("/v1/score", headers=auth, json={"features": {"shoe_size": 9}})
    assert unknown.status_code == 422 and "shoe_size" in unknown.json()["message"]
    nobody = client.post("/v1/score", headers=auth,
                         json={"child_key": "nobody", "as_of": "2020-03-31"})
    assert nobody.status_code == 404 and "nobody" in nobody.json()["message"]
    decide = bearer(client, "prac")
    wrong = client.post("/v1/alerts/1/decision", headers=decide, json={"decision": "arrest"})
    assert wrong.status_code == 422 and "decision" in wrong.json()["message"]


def test_scoring_by_key_matches_the_alert_run(client: TestClient, scored,  # type: ignore[no-untyped-def]
                                              champion: Champion) -> None:
    factory, _ = scored
    add_users(factory, _teams(factory))
    with factory() as session:
        alert = session.scalars(select(Alert).order_by(Alert.probability.desc())).first()
    assert alert is not None
    auth = bearer(client, "scientist")
    one = client.post("/v1/score", headers=auth,
                      json={"child_key": alert.child_key, "as_of": alert.as_of.isoformat()})
    assert one.status_code == 200
    assert one.json()["probability"] == pytest.approx(alert.probability, rel=1e-9)
    assert one.json()["band"] == alert.band and "forename" not in one.text


def test_pages_send_security_headers_and_forms_need_the_csrf_token(client: TestClient) -> None:
    page = client.get("/ui/login")
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    client.cookies.clear()
    forged = client.post("/ui/login", data={"username": "prac", "password": "whatever-it-is",
                                            "csrf": "guessed"}, follow_redirects=False)
    assert forged.status_code == 403


def test_production_refuses_demo_secrets_and_demo_users(tmp_path: Path,
                                                        champion: Champion) -> None:
    from pydantic import ValidationError

    from earlyhelp.settings import load_settings
    from serving.app import create_app
    from serving.demo import ensure_demo_users
    from serving.store.database import engine_for, session_factory, session_scope
    from tests.serving.conftest import FixedHolder, settings_for

    with pytest.raises(ValidationError, match="SECRET_KEY is the local placeholder"):
        load_settings(environment="production", pseudonym_key="a-real-pseudonym-key")
    local = settings_for(tmp_path, champion)
    with session_scope(session_factory(engine_for(local))) as session:
        ensure_demo_users(session, local)
    live = local.model_copy(update={
        "environment": "production", "pseudonym_key": "a-real-pseudonym-key",
        "serving": local.serving.model_copy(update={"secret_key": "a-real-secret-key"})})
    with pytest.raises(ConfigError, match="demo users"):
        create_app(live, holder=FixedHolder(champion.model))  # type: ignore[arg-type]


def test_a_disabled_user_is_refused_at_once_here_and_within_seconds_elsewhere(  # type: ignore[no-untyped-def]
        client: TestClient, scored, settings, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from serving.store.database import session_scope
    from serving.store.users import disable_user

    factory, _ = scored
    add_users(factory, _teams(factory))
    admin, scientist, prac = (bearer(client, name) for name in ("admin", "scientist", "prac"))
    assert client.get("/v1/model", headers=scientist).status_code == 200  # now held
    changed = client.patch("/v1/admin/users/scientist", json={"active": False}, headers=admin)
    assert changed.status_code == 200
    assert client.get("/v1/model", headers=scientist).status_code == 401
    # Disabled elsewhere (the CLI, another worker): held for at most user_cache_seconds.
    assert client.get("/v1/alerts", headers=prac).status_code == 200
    with session_scope(factory) as session:
        disable_user(session, username="prac")
    later = time.monotonic() + settings.serving.user_cache_seconds + 0.1
    monkeypatch.setattr("serving.api.deps.time.monotonic", lambda: later)
    assert client.get("/v1/alerts", headers=prac).status_code == 401
