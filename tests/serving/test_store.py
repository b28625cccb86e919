"""The store on SQLite and PostgreSQL: migrations, users, and the append-only audit log."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete, inspect, text, update
from sqlalchemy.exc import DatabaseError

from earlyhelp.errors import InputError
from earlyhelp.settings import load_settings
from serving.security import Role, verify_password
from serving.store.audit import read_log, record
from serving.store.database import engine_for, make_engine, migrate, session_factory, session_scope
from serving.store.tables import AuditEntry
from serving.store.users import add_user, disable_user, get_user, list_users, set_role

CONTRACT = {  # docs/contracts.md: what monitoring reads
    "scores": {"child_key", "as_of", "probability", "model_version", "scored_at"},
    "alerts": {"id", "child_key", "as_of", "team", "probability", "band", "status",
               "model_version", "created_at"},
    "decisions": {"id", "alert_id", "decision", "note", "decided_by", "decided_at"},
    "audit_log": {"id", "at", "actor", "action", "target", "detail", "source_ip"},
}


def _factory(tmp_path: Path, database_url: str):  # type: ignore[no-untyped-def]
    return session_factory(engine_for(load_settings(data_dir=tmp_path,
                                                    database_url=database_url)))


def test_migrations_build_the_contracted_tables_and_run_twice(tmp_path: Path,
                                                              database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    migrate(engine)  # already at head: nothing to do, no error
    found = inspect(engine)
    for table, columns in CONTRACT.items():
        assert columns <= {c["name"] for c in found.get_columns(table)}, table
    engine.dispose()


def test_users_are_added_hashed_changed_and_disabled(tmp_path: Path, database_url: str) -> None:
    factory = _factory(tmp_path, database_url)
    with session_scope(factory) as session:
        add_user(session, username="asha", full_name="Asha", password="a-long-password",
                 role=Role.practitioner, teams=["Early help, North"])
    with session_scope(factory) as session:
        user = get_user(session, username="asha")
        assert user is not None and user.password_hash != "a-long-password"
        assert verify_password("a-long-password", user.password_hash)
        assert not verify_password("a-wrong-password", user.password_hash)
        set_role(session, username="asha", role=Role.team_manager,
                 teams=["Early help, North", "Early help, South"])
    with session_scope(factory) as session:
        disable_user(session, username="asha")
    with factory() as session:
        (user,) = list_users(session)
        assert (user.role, user.team_list, user.active) == (
            "team_manager", ["Early help, North", "Early help, South"], False)
    with pytest.raises(InputError, match="12 characters"), session_scope(factory) as session:
        add_user(session, username="short", full_name="S", password="short",
                 role=Role.admin, teams=[])
    with pytest.raises(InputError, match="no team"), session_scope(factory) as session:
        add_user(session, username="gov", full_name="G", password="a-long-password",
                 role=Role.governance, teams=["Early help, North"])


def test_the_audit_log_refuses_updates_and_deletes(tmp_path: Path, database_url: str) -> None:
    factory = _factory(tmp_path, database_url)
    with session_scope(factory) as session:
        record(session, actor="asha", action="sign_in", source_ip="127.0.0.1")
        record(session, actor="asha", action="view_child", target="alert 1")
    attempts = [
        update(AuditEntry).values(actor="someone else"),
        delete(AuditEntry),
        text("UPDATE audit_log SET detail = 'changed'"),
        text("DELETE FROM audit_log WHERE action = 'view_child'"),
    ]
    for attempt in attempts:
        with pytest.raises(DatabaseError, match="append-only"), \
                session_scope(factory) as session:
            session.execute(attempt)
    with factory() as session:
        kept = [(e.actor, e.action) for e in read_log(session)]
    assert kept == [("asha", "view_child"), ("asha", "sign_in")]


def test_no_code_path_changes_the_audit_log() -> None:
    """Only ``record`` writes the table; nothing in serving/ updates or deletes it."""
    root = Path(__file__).resolve().parents[2] / "serving"
    for path in root.rglob("*.py"):
        source = path.read_text()
        for needle in ("update(AuditEntry", "delete(AuditEntry", "UPDATE audit_log",
                       "DELETE FROM audit_log"):
            assert needle not in source, f"{path}: {needle}"
