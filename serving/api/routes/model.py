"""The model in service: version, training date, what it is for and its limits."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from serving.api.deps import ContextDep, require
from serving.api.schemas import ModelInfo
from serving.card import card_sections
from serving.security import Permission

router = APIRouter(prefix="/v1", tags=["model"])


@router.get("/model", response_model=ModelInfo, summary="The model in service",
            dependencies=[Depends(require(Permission.read_model))])
def model_info(context: ContextDep) -> ModelInfo:
    model = context.holder.model
    intended, limits = card_sections(model.card)
    return ModelInfo(name=model.name, version=model.version, alias=model.alias,
                     run_id=model.run_id, trained_at=model.trained_at, source=model.source,
                     features=len(model.features), intended_use=intended, limits=limits)


