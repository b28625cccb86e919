"""The model card (Mitchell et al. sections) as Markdown and HTML, from Jinja2 templates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from jinja2 import Environment, PackageLoader, StrictUndefined

from earlyhelp.stats.disclosure import (
    OVERALL,
    Suppression,
    confusion_cells,
    confusion_tables,
    primary_cells,
    rate_shown,
)
from earlyhelp.stats.groups import RATES
from model.report import CapacityMetrics, EvaluationReport, MetricBlock

SUPPRESSED = "c"


@dataclass(frozen=True)
class CardFacts:
    """What the card says about the data and run, beyond the evaluation."""

    name: str
    run_id: str
    fingerprint: str
    rows: int
    positives: int
    unlabelled: int
    n_features: int
    max_lookback_months: int | None
    months_from: str
    months_to: str
    calibration_months: int
    explanation: str


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _num(value: float | None, digits: int = 3) -> str:
    if value is None:
        return "n/a"
    if value != 0 and abs(value) < 0.01:  # Brier scores of a rare outcome: keep two figures
        return f"{value:.2g}"
    return f"{value:.{digits}f}"


class Published:
    """One candidate's counts as the card may publish them: the overall row and every group
    row suppressed together (DfE convention, secondary suppression), so no hidden count can be
    worked out from the counts, rates or sums shown anywhere on the card."""

    def __init__(self, block: MetricBlock) -> None:
        self.block = block
        self.suppression: Suppression = confusion_tables(
            _cells(block),
            {attribute: {group: _cells(g) for group, g in groups.items()}
             for attribute, groups in block.by_group.items()},
        )

    def count(self, key: tuple[str, str], name: str, value: int) -> str:
        return SUPPRESSED if (*key, name) in self.suppression.hidden else str(value)

    def shown(self, key: tuple[str, str], rate: str) -> bool:
        top, bottom = RATE_CELLS[rate]
        return rate_shown(self.suppression, key, top, bottom)

    def rate(self, key: tuple[str, str], rate: str, metrics: CapacityMetrics,
             field: str | None = None, fmt: str = "pct") -> str:
        if not self.shown(key, rate):
            return SUPPRESSED
        return _with_interval(metrics, field or rate, fmt)


# Each published rate as (numerator cells, denominator cells) of the confusion table.
RATE_CELLS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "recall_at_capacity": RATES["tpr"],
    "precision_at_capacity": RATES["ppv"],
    "fnr": RATES["fnr"],
    "fpr": RATES["fpr"],
    "number_needed_to_flag": (("tp", "fp"), ("tp",)),
    # Not counts over counts, but a group's Brier score is shown only with its outcome count.
    "brier": ((), ("tp", "fn")),
}


def _cells(block: CapacityMetrics) -> dict[str, int]:
    return confusion_cells(block.rows, block.positives, block.flagged, block.true_positives)


def _with_interval(block: CapacityMetrics, name: str, fmt: str = "pct") -> str:
    value = getattr(block, name)
    if value is None:
        return "n/a"
    iv = block.intervals.get(name)
    show = _pct if fmt == "pct" else _num
    if iv is None or iv.low is None:
        return show(value)
    return f"{show(value)} ({show(iv.low)}-{show(iv.high)})"


def _headline(name: str, block: MetricBlock) -> dict[str, str]:
    published, key = Published(block), OVERALL
    nnf = block.number_needed_to_flag
    return {
        "name": name,
        "recall": published.rate(key, "recall_at_capacity", block),
        "precision": published.rate(key, "precision_at_capacity", block),
        "nnf": "n/a" if nnf is None else (
            f"{nnf:.1f}" if published.shown(key, "number_needed_to_flag") else SUPPRESSED),
        # Without ties at the cut-off this equals the recall, so it is hidden with it.
        "random_ties": (_pct(block.recall_at_capacity_random_ties)
                        if published.shown(key, "recall_at_capacity") else SUPPRESSED),
        "pr_auc": _with_interval(block, "pr_auc", "num"),
        "roc_auc": _with_interval(block, "roc_auc", "num"),
        "brier": _with_interval(block, "brier", "num"),
    }


def _new_referrals(name: str, block: MetricBlock) -> dict[str, str]:
    nr = block.new_referrals
    if nr is None:
        return {"name": name, "flagged": "n/a", "children": "n/a", "reached": "n/a"}
    counts = {"flagged": nr.children_flagged, "children": nr.children_with_outcome,
              "reached": nr.children_reached}
    # Three counts with no sum between them: primary suppression is the whole rule here.
    hidden = primary_cells(counts)
    shown = {k: SUPPRESSED if k in hidden else str(v) for k, v in counts.items()}
    if hidden & {"reached", "children"}:
        return {**shown, "name": name}
    iv = nr.share_reached_interval
    share = _pct(nr.share_reached)
    if iv.low is not None and iv.high is not None:
        share += f" ({_pct(iv.low)}-{_pct(iv.high)})"
    return {**shown, "name": name, "reached": f"{nr.children_reached} = {share}"}


def _group_rows(block: MetricBlock) -> dict[str, list[dict[str, str]]]:
    published = Published(block)
    out = {}
    for attribute, groups in block.by_group.items():
        rows = []
        for group, g in groups.items():
            key = (attribute, group)
            rows.append({
                "group": group,
                **{column: published.count(key, cell, getattr(g, field)) for column, cell, field
                   in (("rows", "n", "rows"), ("positives", "positives", "positives"),
                       ("flagged", "flagged", "flagged"))},
                "recall": published.rate(key, "recall_at_capacity", g),
                "fnr": published.rate(key, "fnr", g),
                "fpr": published.rate(key, "fpr", g),
                "brier": published.rate(key, "brier", g, fmt="num"),
            })
        out[attribute] = rows
    return out


def _across_worlds(evaluation: EvaluationReport) -> dict[str, object] | None:
    """The across-world headline, when training was given ``--worlds``."""
    evidence = evaluation.across_worlds
    if evidence is None or not evidence.children_reached_expected:
        return None
    names = {"model": "learned model", "index": "vulnerability index",
             "rule": "practitioners' rule", "ceiling": "true risk (ceiling)"}
    rows = [{"name": names.get(k, k), "median": _num(v.median, 2),
             "low": _num(v.range[0], 2), "high": _num(v.range[1], 2)}
            for k, v in evidence.children_reached_expected.items()]
    ratio = evidence.champion_ratio_to_ceiling
    sexes = {"F": "girls (F)", "M": "boys (M)"}
    by_sex = [{"name": names.get(k, k), "sex": sexes.get(sex, sex), "median": _num(v.median, 1),
               "low": _num(v.range[0], 1), "high": _num(v.range[1], 1)}
              for k, groups in evidence.flag_share_over_outcome_share_by_sex.items()
              for sex, v in sorted(groups.items())]
    return {
        "worlds": evidence.worlds, "truth": evidence.truth, "rows": rows, "by_sex": by_sex,
        "reason": evidence.reason, "source": evidence.source,
        "ratio": _num(ratio.median_ratio, 2) if ratio else "n/a",
        "ratio_low": _num(ratio.interval.low, 2) if ratio else "n/a",
        "ratio_high": _num(ratio.interval.high, 2) if ratio else "n/a",
    }


def context(evaluation: EvaluationReport, facts: CardFacts) -> dict[str, object]:
    blocks = {"deployed: " + evaluation.winner: evaluation.model}
    learned = evaluation.learned_winner
    if learned and learned != evaluation.winner and learned in evaluation.candidates:
        blocks["learned: " + learned] = evaluation.candidates[learned]
    if evaluation.index is not None and evaluation.winner != "index":
        blocks["vulnerability index"] = evaluation.index
    blocks["practitioners' rule"] = evaluation.baseline
    oracle_note = ""
    if evaluation.oracle is not None:
        blocks["true risk (ceiling)"] = evaluation.oracle
        oracle_note = ("The true-risk row scores each child by the synthetic world's own risk: "
                       "no model on recorded data can pass it.")
    return {
        **facts.__dict__,
        "label": evaluation.label,
        "fit_label": evaluation.fit_label or evaluation.label,
        "trained_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "winner": evaluation.winner,
        "candidates": sorted(evaluation.candidates),
        "capacity": evaluation.capacity,
        "tie_rule": evaluation.tie_rule,
        "interval_method": evaluation.interval_method,
        "test_from": str(evaluation.test_months[0]),
        "test_to": str(evaluation.test_months[-1]),
        "headline": [_headline(n, b) for n, b in blocks.items()],
        "new_referrals": [_new_referrals(n, b) for n, b in blocks.items()],
        "baseline_rule": evaluation.baseline_rule,
        "oracle_note": oracle_note,
        "slope": _num(evaluation.model.calibration_slope, 2),
        "intercept": _num(evaluation.model.calibration_intercept, 2),
        "groups": _group_rows(evaluation.model),
        "deployed_because": evaluation.deployed_because,
        "learned_winner": learned,
        "selection_rule": evaluation.selection_rule,
        "validation_from": str(min(evaluation.validation_months, default="n/a")),
        "validation_to": str(max(evaluation.validation_months, default="n/a")),
        "validation": [{"variant": v.variant, "recall": _pct(v.recall_at_capacity),
                        "low": _pct(v.interval.low), "high": _pct(v.interval.high),
                        "chosen": "chosen" if v.chosen else ""}
                       for v in evaluation.validation],
        "across": _across_worlds(evaluation),
    }


def render_card(evaluation: EvaluationReport, facts: CardFacts) -> tuple[str, str]:
    """The card as (Markdown, HTML)."""
    from markdown_it import MarkdownIt

    env = Environment(loader=PackageLoader("model", "templates"), autoescape=False,
                      undefined=StrictUndefined, keep_trailing_newline=True)
    markdown = env.get_template("model_card.md.j2").render(**context(evaluation, facts))
    body = MarkdownIt("commonmark").enable("table").render(markdown)
    html = env.get_template("model_card.html.j2").render(name=facts.name, body=body)
    return markdown, html
