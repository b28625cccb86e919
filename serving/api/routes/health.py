"""Liveness and readiness: no sign-in, for load balancers and `make demo`."""

from __future__ import annotations

from fastapi import APIRouter

from serving.api.deps import ContextDep
from serving.api.schemas import Health, Ready

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health, summary="The process is up")
def health() -> Health:
    return Health()


@router.get("/ready", response_model=Ready, summary="A model is loaded and scoring")
def ready(context: ContextDep) -> Ready:
    model = context.holder.model
    if model.source == "registry":
        note = "serving the model from the registry"
    elif getattr(context.holder, "checking", False):
        note = ("serving the local copy of the champion while the registry is asked whether "
                "a newer one holds the alias")
    else:
        note = ("the registry could not be reached at the last load: serving the local copy "
                "of the last good model")
    return Ready(model_name=model.name, model_version=model.version, model_source=model.source,
                 note=note, loaded_at=context.holder.loaded_at)
