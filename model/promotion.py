"""``promote``: run the gate on the registered challenger, log the verdict, move the alias."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from earlyhelp.errors import EarlyHelpError
from earlyhelp.reports import finish, start_clock
from earlyhelp.settings import Settings
from model.gate import overridable, run_gate
from model.report import EvaluationReport, GateVerdict, PromotionReport
from model.tracking import connect


class PromotionRefused(EarlyHelpError):
    exit_code = 4


def _evaluation(run_id: str) -> EvaluationReport:
    import mlflow

    return EvaluationReport.model_validate(
        mlflow.artifacts.load_dict(f"runs:/{run_id}/evaluation.json")
    )


def _alias(client: Any, name: str, alias: str) -> Any | None:
    from mlflow.exceptions import MlflowException

    try:
        return client.get_model_version_by_alias(name, alias)
    except MlflowException:
        return None


def _log_verdict(run_id: str, verdict: GateVerdict, stamp: str) -> None:
    import mlflow

    with mlflow.start_run(run_id=run_id):
        mlflow.log_dict(verdict.model_dump(mode="json"), f"gate/verdict-{stamp}.json")
        # Group names such as "(missing)" hold characters MLflow refuses in metric names.
        mlflow.log_metrics({re.sub(r"[^\w\-. :/]", "_", f"gate.{c.name}.value"): c.value
                            for c in verdict.checks if c.value is not None})
        mlflow.log_metric("gate.passed", float(verdict.passed))
        mlflow.set_tag("gate.passed", str(verdict.passed))


def _refusal(verdict: GateVerdict) -> str:
    lines = [f"{c.name}: {c.detail}" + (f" (short by {c.shortfall:.3f})" if c.shortfall else "")
             for c in verdict.failures]
    text = "the challenger failed the promotion gate:\n  " + "\n  ".join(lines)
    if all(overridable(c) for c in verdict.failures):
        text += ("\nOnly checks a person may weigh failed (who is flagged, or too few outcomes "
                 "to decide): a named person may promote anyway by recording why, with "
                 "--approved-by NAME --override-reason TEXT")
    return text


def _log_override(run_id: str, approver: str, reason: str) -> None:
    import mlflow

    with mlflow.start_run(run_id=run_id):
        mlflow.set_tags({"gate.override_by": approver, "gate.override_reason": reason[:5000]})


def promote(settings: Settings, approved_by: str | None,
            override_reason: str | None = None) -> PromotionReport:
    """Gate the ``challenger``; with a named approver and a pass, make it ``champion``.

    Where only overridable checks failed (who is flagged, or a comparison with too few outcomes
    to decide), a named approver's ``override_reason`` promotes it anyway; the reason is kept
    with the run and the model version.
    """
    from mlflow import MlflowClient

    started = start_clock()
    connect(settings)
    client = MlflowClient()
    name = settings.model.registered_name
    challenger = _alias(client, name, "challenger")
    if challenger is None:
        raise EarlyHelpError(f"no '{name}@challenger' in {settings.resolved_mlflow_uri}; "
                             "run `earlyhelp train` first")
    champion = _alias(client, name, "champion")
    if champion is not None and str(champion.version) == str(challenger.version):
        raise EarlyHelpError(f"version {challenger.version} is already the champion")
    verdict = run_gate(
        _evaluation(challenger.run_id),
        _evaluation(champion.run_id) if champion is not None else None,
        settings.model,
    )
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    _log_verdict(challenger.run_id, verdict, stamp)
    approver = (approved_by or "").strip() or None
    reason = (override_reason or "").strip() or None
    overridden = (not verdict.passed and approver is not None and reason is not None
                  and all(overridable(c) for c in verdict.failures))
    promoted = approver is not None and (verdict.passed or overridden)
    if overridden:
        _log_override(challenger.run_id, str(approver), str(reason))
    if promoted:
        client.set_registered_model_alias(name, "champion", challenger.version)
        tags = {"approved_by": approver, "approved_at": stamp,
                "previous_champion": champion.version if champion else "none"}
        if overridden:
            tags["gate_override_reason"] = reason
        for key, value in tags.items():
            client.set_model_version_tag(name, challenger.version, key, str(value))
    report = PromotionReport(
        registered_name=name, challenger_version=str(challenger.version),
        champion_version=str(champion.version) if champion else None, verdict=verdict,
        approved_by=approver, promoted=promoted, override_reason=reason if overridden else None,
    )
    finish(report, started, settings.reports_dir / "promotion.json")
    if not promoted and not verdict.passed:
        raise PromotionRefused(_refusal(verdict))
    if approver is None:
        raise PromotionRefused("the challenger passed the gate, but promotion needs a named "
                               "approver: rerun with --approved-by NAME")
    return report
