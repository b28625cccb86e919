"""The audit's output shapes: ``audit.json`` (exact figures for analysts) and the step report.

Undefined figures are ``None`` (JSON ``null``) with a note saying why; NaN and Infinity never
reach the JSON.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_serializer
from pydantic.functional_serializers import SerializerFunctionWrapHandler

from earlyhelp.reports import StepReport

Interval = tuple[float, float]


def group_note_prefix(column: str, value: str) -> str:
    """How a note about one group starts, so a page can hold back notes about small groups."""
    return f"{column} = {value}"


class GroupMetrics(BaseModel):
    """One group's confusion counts, rates (None where undefined) and their 95% intervals."""

    model_config = ConfigDict(
        populate_by_name=True, serialize_by_alias=True, ser_json_inf_nan="null"
    )

    n: int
    positives: int
    flagged: int
    tp: int
    fp: int
    tn: int
    fn: int
    tpr: float | None
    fpr: float | None
    fnr: float | None
    tnr: float | None
    ppv: float | None
    npv: float | None
    fdr: float | None
    for_: float | None = Field(alias="for")
    selection_rate: float | None
    prevalence: float | None
    ci: dict[str, Interval | None]

    def rate(self, name: str) -> float | None:
        value: float | None = getattr(self, "for_" if name == "for" else name)
        return value


class Methods(BaseModel):
    flag_rule: str
    rate_intervals: str
    disparity_intervals: str
    reference_groups: str
    html_suppression: str


class AuditResult(BaseModel):
    """The whole audit: the JSON shape of ``audit.json``."""

    model_config = ConfigDict(serialize_by_alias=True, ser_json_inf_nan="null")

    n: int
    threshold: float | None = None
    top_k: int | None = None
    source: str
    label: str
    score: str
    confidence: float
    seed: int
    n_boot: int
    overall: GroupMetrics
    groups: dict[str, dict[str, GroupMetrics]]
    reference: dict[str, str] = Field(description="the reference group of each group column")
    disparities: dict[str, dict[str, dict[str, float | None]]] = Field(
        description="each group's rate divided by the reference group's rate"
    )
    disparity_ci: dict[str, dict[str, dict[str, Interval | None]]]
    methods: Methods
    notes: list[str]

    @model_serializer(mode="wrap")
    def _one_rule(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Write ``threshold`` or ``top_k``, whichever rule was used, not both."""
        data: dict[str, Any] = handler(self)
        for key in ("threshold", "top_k"):
            if data.get(key) is None:
                data.pop(key, None)
        return data


class AuditReport(StepReport):
    """The step report written beside ``audit.json``."""

    step: str = "audit"
    source: str
    rows: int
    group_columns: list[str]
    groups_audited: int
    degenerate_groups: int
    outputs: dict[str, str]
