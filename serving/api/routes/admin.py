"""Administration: users and model reloads. Admins see no child's record."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status

from earlyhelp.errors import EarlyHelpError, InputError
from serving.api.deps import ContextDep, Principal, SessionDep, client_ip, require
from serving.api.schemas import Message, ReloadOut, UserIn, UserOut, UserUpdate
from serving.security import Permission, Role
from serving.store import users as store
from serving.store.audit import record
from serving.store.tables import User

router = APIRouter(prefix="/v1/admin", tags=["admin"],
                   responses={401: {"model": Message}, 403: {"model": Message}})
Admin = Annotated[Principal, Depends(require(Permission.admin_users))]
Reloader = Annotated[Principal, Depends(require(Permission.reload_model))]


def user_out(user: User) -> UserOut:
    return UserOut(username=user.username, full_name=user.full_name, role=Role(user.role),
                   teams=user.team_list, active=user.active, created_at=user.created_at)


@router.get("/users", response_model=list[UserOut], summary="Every user")
def list_users(session: SessionDep, admin: Admin) -> list[UserOut]:
    return [user_out(u) for u in store.list_users(session)]


@router.post("/users", response_model=UserOut, status_code=201,
             responses={422: {"model": Message}}, summary="Add a user")
def add_user(body: UserIn, session: SessionDep, admin: Admin, request: Request) -> UserOut:
    try:
        user = store.add_user(session, username=body.username, full_name=body.full_name,
                              password=body.password, role=body.role, teams=body.teams)
    except InputError as bad:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(bad)) from None
    record(session, actor=admin.username, action="user_added", target=user.username,
           detail=f"{user.role} {user.team_list}", source_ip=client_ip(request))
    return user_out(user)


@router.patch("/users/{username}", response_model=UserOut,
              responses={404: {"model": Message}, 422: {"model": Message}},
              summary="Change a user's role, teams or whether they may sign in")
def update_user(username: str, body: UserUpdate, session: SessionDep, context: ContextDep,
                admin: Admin, request: Request) -> UserOut:
    user = store.get_user(session, username=username)
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no user '{username}'")
    try:
        if body.role is not None or body.teams is not None:
            store.set_role(session, username=username, role=body.role or Role(user.role),
                           teams=body.teams)
        if body.active is False:
            store.disable_user(session, username=username)
        elif body.active:
            user.active = True
    except InputError as bad:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(bad)) from None
    record(session, actor=admin.username, action="user_changed", target=username,
           detail=body.model_dump_json(exclude_none=True), source_ip=client_ip(request))
    session.commit()
    # After the commit: a request in between cannot put the old record back in the cache.
    context.principals.forget(username)
    return user_out(user)


@router.post("/reload", response_model=ReloadOut, summary="Load the model holding the alias now")
def reload(context: ContextDep, session: SessionDep, admin: Reloader,
           request: Request) -> ReloadOut:
    try:
        result = context.holder.reload()
    except EarlyHelpError as failed:
        record(session, actor=admin.username, action="model_reload_failed", detail=str(failed),
               source_ip=client_ip(request))
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE,
                            f"reload failed; still serving the model in use: {failed}") from None
    record(session, actor=admin.username, action="model_reload", detail=result.message,
           source_ip=client_ip(request))
    return ReloadOut(changed=result.changed, model_version=result.version,
                     model_source=result.source, message=result.message)
