"""Users: add, list, disable, change role; passwords only ever stored hashed."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from earlyhelp.errors import InputError
from serving.security import Role, hash_password
from serving.store.tables import User

TEAMLESS = frozenset({Role.data_scientist, Role.governance, Role.admin})


def get_user(session: Session, *, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == username)).first()


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def add_user(session: Session, *, username: str, full_name: str, password: str, role: Role,
             teams: list[str]) -> User:
    if get_user(session, username=username) is not None:
        raise InputError(f"user '{username}' already exists; use `earlyhelp users set-role`")
    if len(password) < 12:
        raise InputError("a password needs at least 12 characters")
    _check_teams(role, teams)
    user = User(username=username, full_name=full_name, password_hash=hash_password(password),
                role=role.value, teams="|".join(teams), active=True,
                created_at=datetime.now(UTC))
    session.add(user)
    session.flush()
    return user


def set_role(session: Session, *, username: str, role: Role,
             teams: list[str] | None = None) -> User:
    user = _existing(session, username)
    new_teams = user.team_list if teams is None else teams
    _check_teams(role, new_teams)
    user.role, user.teams = role.value, "|".join(new_teams)
    return user


def disable_user(session: Session, *, username: str) -> User:
    user = _existing(session, username)
    user.active = False
    return user


def _existing(session: Session, username: str) -> User:
    user = get_user(session, username=username)
    if user is None:
        raise InputError(f"no user '{username}'; `earlyhelp users list` shows who there is")
    return user


def _check_teams(role: Role, teams: list[str]) -> None:
    if role in TEAMLESS and teams:
        raise InputError(f"a {role.value} sees no team's children: give no --team")
    if role not in TEAMLESS and not teams:
        raise InputError(f"a {role.value} needs at least one --team")
