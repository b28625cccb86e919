"""The audit log, read-only: there is no route that changes or removes an entry."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from serving.api.deps import SessionDep, require
from serving.api.schemas import AuditEntryOut, Message
from serving.security import Permission
from serving.store.audit import read_log

router = APIRouter(prefix="/v1", tags=["audit"],
                   responses={401: {"model": Message}, 403: {"model": Message}},
                   dependencies=[Depends(require(Permission.read_audit_log))])


@router.get("/audit-log", response_model=list[AuditEntryOut], summary="Who did what, newest first")
def audit_log(
    session: SessionDep,
    action: Annotated[str | None, Query(max_length=48)] = None,
    actor: Annotated[str | None, Query(max_length=80)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[AuditEntryOut]:
    return [AuditEntryOut.model_validate(e, from_attributes=True)
            for e in read_log(session, action=action, actor=actor, limit=limit, offset=offset)]
