"""The audit as one call: ``audit_table`` on checked data, ``run_audit`` from a file to a folder.

``audit_frame`` is the entry for code that already holds a DataFrame (the model step's
evaluation, the governance report): no files involved.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from earlyhelp.reports import write_report
from earlyhelp.stats.groups import CELLS, RATES, confusion_by_group, rates
from earlyhelp.stats.intervals import (
    BOOTSTRAP_TEXT,
    RATE_INTERVALS,
    RATE_METHOD_TEXT,
    RateMethod,
)
from monitoring.audit.confusion import Flags, flag_at_threshold, flag_top_k
from monitoring.audit.disparity import choose_reference, disparities
from monitoring.audit.io import ScoreTable, check_frame, read_scores
from monitoring.audit.report import (
    AuditReport,
    AuditResult,
    GroupMetrics,
    Methods,
    group_note_prefix,
)

SUPPRESSION_TEXT = (
    "In audit.html, counts from 1 to 5 are shown as 'c', with secondary suppression (the next "
    "smallest cell) until no hidden count can be worked out from the totals; a rate or ratio "
    "is shown as 'c' when it would reveal a hidden count; percentages to one decimal place "
    "(DfE convention). audit.json keeps the exact figures for analysts."
)


class AuditSpec(BaseModel):
    """What to audit and how: columns, flag rule, reference groups, interval settings."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str
    score: str
    groups: list[str] = Field(min_length=1)
    threshold: float | None = None
    top_k: int | None = Field(None, ge=1)
    reference: dict[str, str] = Field(default_factory=dict)
    seed: int = Field(20200331, ge=0)
    n_boot: int = Field(2000, ge=100)
    confidence: float = Field(0.95, gt=0, lt=1)
    rate_method: RateMethod = "wilson"
    outcome: str = Field(
        "the outcome", description="plain words for label 1, e.g. 'a custodial sentence'"
    )

    @model_validator(mode="after")
    def _one_rule(self) -> AuditSpec:
        if (self.threshold is None) == (self.top_k is None):
            raise ValueError("give exactly one of --threshold or --top-k")
        if self.threshold is not None and not math.isfinite(self.threshold):
            raise ValueError("--threshold must be a finite number")
        unknown = sorted(set(self.reference) - set(self.groups))
        if unknown:
            raise ValueError(f"--reference names column '{unknown[0]}', which is not a --group")
        if len(set(self.groups)) != len(self.groups):
            raise ValueError("each --group column may be given once")
        return self


class AuditConfig(AuditSpec):
    """An audit of a file, written to a folder."""

    scores: Path
    out: Path

    @model_validator(mode="after")
    def _out_is_a_folder(self) -> AuditConfig:
        if self.out.exists() and not self.out.is_dir():
            raise ValueError(f"--out {self.out} is a file; give a folder for audit.json and "
                             "audit.html")
        return self


def run_audit(config: AuditConfig) -> AuditResult:
    """Read, audit, and write ``audit.json``, ``audit.html`` and ``audit_report.json``."""
    from monitoring.audit.render import render_html

    start = time.perf_counter()
    timings: dict[str, float] = {}
    table = read_scores(config.scores, label=config.label, score=config.score, groups=config.groups)
    timings["read"] = time.perf_counter() - start
    result = audit_table(table, config, source=str(config.scores))
    timings["audit"] = time.perf_counter() - start - timings["read"]
    page = render_html(result, outcome=config.outcome)  # before writing: all or nothing
    config.out.mkdir(parents=True, exist_ok=True)
    json_path = config.out / "audit.json"
    json_path.write_text(result.model_dump_json(indent=2) + "\n", encoding="utf-8")
    html_path = config.out / "audit.html"
    html_path.write_text(page, encoding="utf-8")
    timings["write"] = time.perf_counter() - start - timings["read"] - timings["audit"]
    report = AuditReport(
        source=str(config.scores),
        rows=result.n,
        group_columns=list(config.groups),
        groups_audited=sum(len(v) for v in result.groups.values()),
        degenerate_groups=sum(
            1 for v in result.groups.values() for g in v.values() if _is_degenerate(g)
        ),
        outputs={"json": str(json_path), "html": str(html_path)},
        seconds=round(time.perf_counter() - start, 3),
        timings={k: round(v, 3) for k, v in timings.items()},
    )
    write_report(report, config.out / "audit_report.json")
    return result


def audit_frame(frame: pd.DataFrame, spec: AuditSpec) -> AuditResult:
    """Audit an in-memory table of scores (rows numbered from 1 in any error)."""
    table = check_frame(frame, label=spec.label, score=spec.score, groups=spec.groups)
    return audit_table(table, spec, source="data frame")


def audit_table(table: ScoreTable, spec: AuditSpec, *, source: str) -> AuditResult:
    """Flag, count by group, and put intervals on every rate and every ratio."""
    notes: list[str] = []
    flags = _flags(table, spec, notes)
    overall_counts = pd.DataFrame(
        [_cells(table.labels, flags.flagged)], index=pd.Index(["All children"]), columns=CELLS
    )
    overall = _group_metrics(overall_counts, spec)["All children"]
    seeds = np.random.SeedSequence(spec.seed).spawn(len(spec.groups))
    groups, refs, ratios, ratio_ci = {}, {}, {}, {}
    for column, seed in zip(spec.groups, seeds, strict=True):
        counts = confusion_by_group(table.labels, flags.flagged, table.groups[column])
        metrics = _group_metrics(counts, spec)
        notes += _degenerate_notes(column, metrics)
        reference = choose_reference(counts, spec.reference.get(column), column)
        found = disparities(
            counts,
            reference,
            {m: _as_array(metrics, m) for m in RATES},
            n_boot=spec.n_boot,
            rng=np.random.default_rng(seed),
            confidence=spec.confidence,
        )
        notes += _disparity_notes(column, reference, metrics, found.defined_share, found.metrics)
        groups[column], refs[column] = metrics, reference
        ratios[column] = {
            value: {m: _finite(found.ratio[i, j]) for j, m in enumerate(found.metrics)}
            for i, value in enumerate(counts.index)
        }
        ratio_ci[column] = {
            value: {
                m: _pair(found.low[i, j], found.high[i, j]) for j, m in enumerate(found.metrics)
            }
            for i, value in enumerate(counts.index)
        }
    return AuditResult(
        n=len(table),
        threshold=spec.threshold,
        top_k=spec.top_k,
        source=source,
        label=spec.label,
        score=spec.score,
        confidence=spec.confidence,
        seed=spec.seed,
        n_boot=spec.n_boot,
        overall=overall,
        groups=groups,
        reference=refs,
        disparities=ratios,
        disparity_ci=ratio_ci,
        methods=Methods(
            flag_rule=flags.rule,
            rate_intervals=RATE_METHOD_TEXT[spec.rate_method],
            disparity_intervals=BOOTSTRAP_TEXT.format(n_boot=spec.n_boot, seed=spec.seed),
            reference_groups=(
                "ratios are to the reference group of each column: the one named with "
                "--reference, or else the largest group (first in sorted order on a tie)"
            ),
            html_suppression=SUPPRESSION_TEXT,
        ),
        notes=notes,
    )


def _flags(table: ScoreTable, spec: AuditSpec, notes: list[str]) -> Flags:
    if spec.top_k is None:
        assert spec.threshold is not None  # guaranteed by AuditSpec
        return flag_at_threshold(table.scores, spec.threshold)
    if spec.top_k >= len(table):
        notes.append(f"--top-k {spec.top_k} is at least the number of rows: every row is flagged")
    return flag_top_k(table.scores, table.labels, spec.top_k)


def _cells(labels: np.ndarray, flagged: np.ndarray) -> list[int]:
    counts = np.bincount(labels.astype(np.int64) * 2 + flagged, minlength=4)
    return [int(counts[3]), int(counts[1]), int(counts[0]), int(counts[2])]  # tp fp tn fn


def _group_metrics(counts: pd.DataFrame, spec: AuditSpec) -> dict[str, GroupMetrics]:
    cells = {c: counts[c].to_numpy() for c in CELLS}
    point = rates(cells)
    interval = RATE_INTERVALS[spec.rate_method]
    bounds = {}
    for name, (top, bottom) in RATES.items():
        k = sum(cells[c] for c in top)
        n = sum(cells[c] for c in bottom)
        bounds[name] = interval(k, n, spec.confidence)
    out = {}
    for i, value in enumerate(counts.index):
        tp, fp, tn, fn = (int(cells[c][i]) for c in CELLS)
        size = tp + fp + tn + fn
        # A group of one is reported by its counts only: a rate about one child is no rate.
        shown = {m: (None if size < 2 else _finite(point[m][i])) for m in RATES}
        out[str(value)] = GroupMetrics(
            n=size,
            positives=tp + fn,
            flagged=tp + fp,
            tp=tp,
            fp=fp,
            tn=tn,
            fn=fn,
            tpr=shown["tpr"],
            fpr=shown["fpr"],
            fnr=shown["fnr"],
            tnr=shown["tnr"],
            ppv=shown["ppv"],
            npv=shown["npv"],
            fdr=shown["fdr"],
            for_=shown["for"],
            selection_rate=shown["selection_rate"],
            prevalence=shown["prevalence"],
            ci={
                m: None if shown[m] is None else _pair(bounds[m][0][i], bounds[m][1][i])
                for m in RATES
            },
        )
    return out


def _as_array(metrics: dict[str, GroupMetrics], name: str) -> np.ndarray:
    return np.array([np.nan if (r := g.rate(name)) is None else r for g in metrics.values()])


def _is_degenerate(g: GroupMetrics) -> bool:
    return g.n < 2 or g.positives in (0, g.n) or g.flagged in (0, g.n)


def _degenerate_notes(column: str, metrics: dict[str, GroupMetrics]) -> list[str]:
    notes = []
    for value, g in metrics.items():
        where = group_note_prefix(column, value)
        if g.n < 2:
            notes.append(f"{where}: one member, so every rate and ratio is null")
            continue
        if g.positives == 0:
            notes.append(f"{where}: no positives (no child went on to the outcome), so tpr "
                         "and fnr are null")
        if g.positives == g.n:
            notes.append(f"{where}: no negatives (every child went on to the outcome), so fpr "
                         "and tnr are null")
        if g.flagged == 0:
            notes.append(f"{where}: nobody flagged, so ppv and fdr are null")
        if g.flagged == g.n:
            notes.append(f"{where}: everything flagged, so npv and for are null")
    return notes


def _disparity_notes(
    column: str,
    reference: str,
    metrics: dict[str, GroupMetrics],
    defined_share: np.ndarray,
    names: tuple[str, ...],
) -> list[str]:
    notes = []
    ref = metrics[reference]
    zero = [m for m in names if ref.rate(m) == 0]
    if zero:
        notes.append(f"{group_note_prefix(column, reference)}: the reference group has a "
                     f"rate of 0 for {', '.join(zero)}, so ratios to it are null")
    undefined = [m for m in names if ref.rate(m) is None]
    if undefined:
        notes.append(f"{group_note_prefix(column, reference)}: the reference group's "
                     f"{', '.join(undefined)} is not defined, so ratios to it are null")
    for i, value in enumerate(metrics):
        thin = [m for j, m in enumerate(names) if 0 < defined_share[i, j] < 0.95
                and metrics[value].rate(m) is not None and ref.rate(m)]
        if thin:
            notes.append(
                f"{group_note_prefix(column, value)}: the ratio of {', '.join(thin)} was "
                "undefined in more than 5% of bootstrap resamples (a count that is often 0); "
                "the interval uses the resamples where it was defined and is less reliable"
            )
    return notes


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _pair(low: float, high: float) -> tuple[float, float] | None:
    a, b = _finite(low), _finite(high)
    return None if a is None or b is None else (a, b)
