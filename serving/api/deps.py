"""What routes declare they need: the context, a session, the signed-in user, a permission."""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from earlyhelp.settings import Settings
from serving.batching import Batcher
from serving.model_holder import ModelHolder
from serving.scoring import MonthFeatures
from serving.security import ROLE_PERMISSIONS, Permission, Role, VerifiedTokens
from serving.store.tables import User
from serving.store.users import get_user

SESSION_COOKIE = "earlyhelp_session"
oauth2 = OAuth2PasswordBearer(tokenUrl="/v1/auth/token", auto_error=False)


@dataclass(frozen=True)
class Principal:
    """Who is signed in: a snapshot of their user record (no database row is held)."""

    username: str
    full_name: str
    role: str
    teams: tuple[str, ...]
    active: bool

    @property
    def team_list(self) -> list[str]:
        return list(self.teams)

    @classmethod
    def of(cls, user: User) -> Principal:
        return cls(username=user.username, full_name=user.full_name, role=user.role,
                   teams=tuple(user.team_list), active=user.active)


class Principals:
    """Users by name, read from the store at most every ``seconds`` per user (settings:
    ``serving.user_cache_seconds``): signing every request in must not cost a query."""

    def __init__(self, factory: sessionmaker[Session], seconds: float) -> None:
        self._factory, self._seconds = factory, seconds
        self._lock = threading.Lock()
        self._held: dict[str, tuple[float, Principal | None]] = {}

    def cached(self, username: str) -> tuple[bool, Principal | None]:
        """(found, principal) without touching the store."""
        held = self._held.get(username)
        if held is None or time.monotonic() - held[0] > self._seconds:
            return False, None
        return True, held[1]

    def load(self, username: str) -> Principal | None:
        with self._factory() as session:
            user = get_user(session, username=username)
            principal = Principal.of(user) if user is not None else None
        with self._lock:
            self._held[username] = (time.monotonic(), principal)
        return principal

    def forget(self, username: str) -> None:
        """A change to this user made here applies to the next request."""
        with self._lock:
            self._held.pop(username, None)


@dataclass(frozen=True)
class AppContext:
    settings: Settings
    factory: sessionmaker[Session]
    holder: ModelHolder
    warehouse: Path
    features: MonthFeatures
    batcher: Batcher
    principals: Principals
    tokens: VerifiedTokens


async def get_context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


ContextDep = Annotated[AppContext, Depends(get_context)]


def get_session(context: ContextDep) -> Iterator[Session]:
    """One transaction per request: committed when the route returns, rolled back on an
    error. A refused request (4xx) still commits, so its audit entry is kept; routes check
    before they write."""
    session = context.factory()
    try:
        yield session
        session.commit()
    except HTTPException as refused:
        if refused.status_code < 500:
            session.commit()
        raise
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()


# "function": committed before the response is sent. FastAPI's default ends a dependency with
# yield after the response, so a browser following a decision's redirect could read the page
# before the decision was committed (a fresh-clone browser test saw the page without it).
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def _token(request: Request, bearer: str | None) -> str | None:
    return bearer or request.cookies.get(SESSION_COOKIE)


async def get_current_user(request: Request, context: ContextDep,
                           bearer: Annotated[str | None, Depends(oauth2)]) -> Principal:
    """The signed-in user, from a valid token and an active user record (held a few seconds,
    so no request but the first in a while reads the store)."""
    token = _token(request, bearer)
    username = context.tokens.username(token) if token else None
    user = None
    if username:
        found, user = context.principals.cached(username)
        if not found:
            user = await run_in_threadpool(context.principals.load, username)
    if user is None or not user.active:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED,
                            "sign in first: your session is missing, expired or disabled",
                            headers={"WWW-Authenticate": "Bearer"})
    return user


CurrentUser = Annotated[Principal, Depends(get_current_user)]


def allows(user: Principal, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[Role(user.role)]


def require(permission: Permission) -> Callable[[Principal], Awaitable[Principal]]:
    async def check(user: CurrentUser) -> Principal:
        if not allows(user, permission):
            raise HTTPException(status.HTTP_403_FORBIDDEN,
                                f"a {user.role} may not {permission.value.replace('_', ' ')}")
        return user

    return check


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""
