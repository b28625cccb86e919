"""Demo sign-ins for `make demo`: one user per role, with known passwords. Never in
production: the settings refuse `serving.demo_users` there, and the app refuses to start in
production while any `demo-` user can sign in."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from earlyhelp.errors import ConfigError
from earlyhelp.settings import Settings
from serving.security import Role
from serving.store.tables import Alert, User
from serving.store.users import add_user, get_user

PREFIX = "demo-"


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: Role
    teams: list[str]


def busiest_teams(session: Session, n: int) -> list[str]:
    rows = session.execute(select(Alert.team, func.count()).group_by(Alert.team)
                           .order_by(func.count().desc(), Alert.team).limit(n)).all()
    return [team for team, _ in rows] or ["Early help triage, demo locality"]


def ensure_demo_users(session: Session, settings: Settings) -> list[DemoUser]:
    if settings.environment == "production":
        raise ConfigError("demo users are refused in production")
    teams = busiest_teams(session, 3)
    wanted = [
        DemoUser(f"{PREFIX}practitioner", "practitioner-demo-pass", Role.practitioner, teams[:1]),
        DemoUser(f"{PREFIX}manager", "manager-demo-pass-1", Role.team_manager, teams),
        DemoUser(f"{PREFIX}scientist", "scientist-demo-pass", Role.data_scientist, []),
        DemoUser(f"{PREFIX}governance", "governance-demo-pass", Role.governance, []),
        DemoUser(f"{PREFIX}admin", "admin-demo-pass-1234", Role.admin, []),
    ]
    for user in wanted:
        if get_user(session, username=user.username) is None:
            add_user(session, username=user.username, full_name=f"Demo {user.role.value}",
                     password=user.password, role=user.role, teams=user.teams)
    return wanted


def demo_users_active(session: Session) -> list[str]:
    return list(session.scalars(select(User.username).where(
        User.username.startswith(PREFIX), User.active)))
