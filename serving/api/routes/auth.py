"""Sign-in: the OAuth2 password flow, issuing a signed token that expires."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from serving.api.deps import ContextDep, SessionDep, client_ip
from serving.api.schemas import Message, Token
from serving.security import Role, issue_token, verify_password
from serving.store.audit import record
from serving.store.users import get_user

router = APIRouter(prefix="/v1/auth", tags=["auth"])


def sign_in(session: SessionDep, context: ContextDep, request: Request, username: str,
            password: str) -> Token | None:
    """The token for a right password of an active user, else None; both are audited."""
    user = get_user(session, username=username)
    ok = user is not None and user.active and verify_password(password, user.password_hash)
    record(session, actor=username[:80], action="sign_in" if ok else "sign_in_failed",
           source_ip=client_ip(request))
    if not ok or user is None:
        return None
    settings = context.settings.serving
    return Token(access_token=issue_token(user.username, Role(user.role), settings),
                 expires_in=settings.token_minutes * 60, role=Role(user.role))


@router.post("/token", response_model=Token, summary="Sign in",
             responses={401: {"model": Message}})
def token(session: SessionDep, context: ContextDep, request: Request,
          form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Token:
    issued = sign_in(session, context, request, form.username, form.password)
    if issued is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong username or password",
                            headers={"WWW-Authenticate": "Bearer"})
    return issued
