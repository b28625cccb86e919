"""Passwords, signed tokens and roles: who may do what.

Passwords are hashed with Argon2 (pwdlib). Tokens are JWTs signed with the serving secret,
expiring after ``serving.token_minutes``. The role matrix below is the one place that says
what each role may reach; routes ask for a permission, never for a role by name.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import jwt
from pwdlib import PasswordHash

from earlyhelp.settings import ServingSettings

ALGORITHM = "HS256"
_hasher = PasswordHash.recommended()


class Role(StrEnum):
    practitioner = "practitioner"
    team_manager = "team_manager"
    data_scientist = "data_scientist"
    governance = "governance"
    admin = "admin"


class Permission(StrEnum):
    read_model = "read_model"          # the model's version, card summary and limits
    read_alerts = "read_alerts"        # alerts of one's own teams, identifiable
    decide = "decide"                  # record a decision on one's own team's alert
    manage_teams = "manage_teams"      # workload and decisions across one's teams
    score = "score"                    # pseudonymous scores on request
    read_aggregates = "read_aggregates"  # counts only, small numbers suppressed
    admin_users = "admin_users"
    reload_model = "reload_model"
    read_audit_log = "read_audit_log"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.practitioner: frozenset({Permission.read_model, Permission.read_alerts,
                                  Permission.decide}),
    Role.team_manager: frozenset({Permission.read_model, Permission.read_alerts,
                                  Permission.decide, Permission.manage_teams,
                                  Permission.read_aggregates}),
    Role.data_scientist: frozenset({Permission.read_model, Permission.score,
                                    Permission.read_aggregates}),
    Role.governance: frozenset({Permission.read_model, Permission.read_aggregates}),
    Role.admin: frozenset({Permission.read_model, Permission.admin_users,
                           Permission.reload_model, Permission.read_audit_log}),
}
# Roles that see children's names (through the master index, on an alert's own page).
IDENTIFIABLE_ROLES = frozenset({Role.practitioner, Role.team_manager})


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, hashed: str) -> bool:
    try:
        return _hasher.verify(password, hashed)
    except Exception:  # a malformed stored hash is a failed sign-in, not a crash
        return False


def issue_token(username: str, role: Role, settings: ServingSettings,
                now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    claims = {"sub": username, "role": role.value, "iat": now,
              "exp": now + timedelta(minutes=settings.token_minutes)}
    return jwt.encode(claims, settings.secret_key.get_secret_value(), algorithm=ALGORITHM)


def read_token(token: str, settings: ServingSettings) -> str | None:
    """The username a valid, unexpired token was issued to; None for any other token."""
    try:
        claims = jwt.decode(token, settings.secret_key.get_secret_value(),
                            algorithms=[ALGORITHM], options={"require": ["exp", "sub"]})
    except jwt.PyJWTError:
        return None
    return str(claims["sub"])


class VerifiedTokens:
    """Tokens already verified, with their user and expiry: a client sends the same token on
    every request, and checking its signature costs more than answering a score. Only the
    exact string verified before is trusted, and only until it expires."""

    def __init__(self, settings: ServingSettings, size: int = 4096) -> None:
        self._settings, self._size = settings, size
        self._held: OrderedDict[str, tuple[str, float]] = OrderedDict()
        self._lock = threading.Lock()

    def username(self, token: str) -> str | None:
        held = self._held.get(token)
        if held is not None and time.time() < held[1]:
            return held[0]
        username = read_token(token, self._settings)
        if username is None:
            return None
        expires = float(jwt.decode(token, options={"verify_signature": False})["exp"])
        with self._lock:
            self._held[token] = (username, expires)
            while len(self._held) > self._size:
                self._held.popitem(last=False)
        return username
