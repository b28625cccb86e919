"""What routes declare they need: the context, a session, the signed-in user, a permission."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session, sessionmaker

from earlyhelp.settings import Settings
from serving.batching import Batcher
from serving.model_holder import ModelHolder
from serving.scoring import MonthFeatures
from serving.security import ROLE_PERMISSIONS, Permission, Role, read_token
from serving.store.tables import User
from serving.store.users import get_user

SESSION_COOKIE = "earlyhelp_session"
oauth2 = OAuth2PasswordBearer(tokenUrl="/v1/auth/token", auto_error=False)


@dataclass(frozen=True)
class AppContext:
    settings: Settings
    factory: sessionmaker[Session]
    holder: ModelHolder
    warehouse: Path
    features: MonthFeatures
    batcher: Batcher


def get_context(request: Request) -> AppContext:
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


SessionDep = Annotated[Session, Depends(get_session)]


def _token(request: Request, bearer: str | None) -> str | None:
    return bearer or request.cookies.get(SESSION_COOKIE)


def get_current_user(request: Request, context: ContextDep, session: SessionDep,
                     bearer: Annotated[str | None, Depends(oauth2)]) -> User:
    token = _token(request, bearer)
    username = read_token(token, context.settings.serving) if token else None
    user = get_user(session, username=username) if username else None
    if user is None or not user.active:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED,
                            "sign in first: your session is missing, expired or disabled",
                            headers={"WWW-Authenticate": "Bearer"})
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def allows(user: User, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[Role(user.role)]


def require(permission: Permission) -> Callable[[User], User]:
    def check(user: CurrentUser) -> User:
        if not allows(user, permission):
            raise HTTPException(status.HTTP_403_FORBIDDEN,
                                f"a {user.role} may not {permission.value.replace('_', ' ')}")
        return user

    return check


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""
