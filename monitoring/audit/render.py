"""``audit.html``: a plain-English summary, then tables and plots, in one self-contained file.

Everything shown passes through disclosure control (``suppression``); plots leave out what the
tables hide. Plots are matplotlib PNGs embedded as base64, so the page is one file.
"""

from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass

from jinja2 import Environment, PackageLoader, select_autoescape
from matplotlib.figure import Figure

from earlyhelp.stats.disclosure import (
    COUNTS,
    OVERALL,
    Suppression,
    confusion_tables,
    format_count,
    format_percent,
    rate_shown,
)
from earlyhelp.stats.groups import RATES
from monitoring.audit.disparity import BAND
from monitoring.audit.plots import Point, rate_plot, ratio_plot
from monitoring.audit.report import AuditResult, GroupMetrics, group_note_prefix

RATE_WORDS = {
    "tpr": "found: of those who went on to the outcome, share flagged",
    "fnr": "missed: of those who went on to the outcome, share not flagged",
    "fpr": "of those who did not go on to the outcome, share flagged",
    "tnr": "of those who did not go on to the outcome, share not flagged",
    "ppv": "of those flagged, share who went on to the outcome",
    "fdr": "of those flagged, share who did not",
    "npv": "of those not flagged, share who did not go on to the outcome",
    "for": "of those not flagged, share who did",
    "selection_rate": "share of children flagged",
    "prevalence": "share of children who went on to the outcome",
}
PLOTTED = ("fnr", "fpr", "ppv", "selection_rate")
_SEX_WORDS = {"f": "girls", "female": "girls", "girl": "girls", "m": "boys", "male": "boys",
              "boy": "boys"}


@dataclass(frozen=True)
class Cell:
    text: str
    interval: str = ""


@dataclass(frozen=True)
class Row:
    name: str
    cells: list[Cell]
    reference: bool = False


@dataclass(frozen=True)
class Section:
    column: str
    reference: str
    counts: list[Row]
    rates: list[Row]
    ratios: list[Row]
    rates_png: str
    ratios_png: str


def render_html(result: AuditResult, *, outcome: str = "the outcome") -> str:
    suppression = confusion_tables(
        _counts(result.overall),
        {col: {v: _counts(g) for v, g in by.items()} for col, by in result.groups.items()},
    )
    view = _View(result, suppression)
    env = Environment(
        loader=PackageLoader("monitoring.audit", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("audit.html.j2").render(
        result=result,
        overall_n=format_count(result.n, (*OVERALL, "n") in suppression.hidden),
        outcome=outcome,
        summary=[view.summary(col, outcome) for col in result.groups],
        clearest=view.clearest_differences(),
        sections=[view.section(col) for col in result.groups],
        overall=view.overall_row(),
        count_names=COUNTS,
        rate_names=list(RATES),
        rate_words=RATE_WORDS,
        band=BAND,
        hidden_cells=len(suppression.hidden),
        notes=view.public_notes(),
    )


def _counts(g: GroupMetrics) -> dict[str, int]:
    return {name: getattr(g, name) for name in COUNTS}


class _View:
    """What the page may show of one result, after disclosure control."""

    def __init__(self, result: AuditResult, suppression: Suppression) -> None:
        self.result = result
        self.suppression = suppression

    def public_notes(self) -> list[str]:
        """Notes, less those about a group with a withheld count (they could reveal it)."""
        small = [
            group_note_prefix(col, value) + ":"
            for col, by_value in self.result.groups.items()
            for value in by_value
            if any(self.count_hidden((col, value), n) for n in COUNTS)
        ]
        shown = [n for n in self.result.notes if not any(n.startswith(p) for p in small)]
        if len(shown) < len(self.result.notes):
            shown.append("Notes about groups with withheld counts are in audit.json (analysts "
                         "only).")
        return shown

    def count_hidden(self, key: tuple[str, str], name: str) -> bool:
        return (*key, name) in self.suppression.hidden

    def rate_hidden(self, key: tuple[str, str], metric: str) -> bool:
        top, bottom = RATES[metric]
        return not rate_shown(self.suppression, key, top, bottom)

    def ratio_hidden(self, column: str, value: str, metric: str) -> bool:
        reference = (column, self.result.reference[column])
        return self.rate_hidden((column, value), metric) or self.rate_hidden(reference, metric)

    def rate_cell(self, key: tuple[str, str], g: GroupMetrics, metric: str) -> Cell:
        hidden = self.rate_hidden(key, metric)
        interval = g.ci.get(metric)
        text = format_percent(g.rate(metric), hidden)
        if hidden or interval is None:
            return Cell(text)
        return Cell(text, f"{100 * interval[0]:.1f}–{100 * interval[1]:.1f}%")

    def overall_row(self) -> tuple[Row, Row]:
        g = self.result.overall
        counts = [Cell(format_count(getattr(g, n), self.count_hidden(OVERALL, n))) for n in COUNTS]
        rates = [self.rate_cell(OVERALL, g, m) for m in RATES]
        return Row(OVERALL[1], counts), Row(OVERALL[1], rates)

    def section(self, column: str) -> Section:
        groups = self.result.groups[column]
        reference = self.result.reference[column]
        counts, rates, ratios = [], [], []
        for value, g in groups.items():
            key = (column, value)
            is_ref = value == reference
            counts.append(Row(value, [Cell(format_count(getattr(g, n), self.count_hidden(key, n)))
                                      for n in COUNTS], is_ref))
            rates.append(Row(value, [self.rate_cell(key, g, m) for m in RATES], is_ref))
            ratios.append(Row(value, [self.ratio_cell(column, value, m) for m in RATES], is_ref))
        return Section(
            column=column,
            reference=reference,
            counts=counts,
            rates=rates,
            ratios=ratios,
            rates_png=_png(rate_plot(column, self._rate_points(column), PLOTTED)),
            ratios_png=_png(ratio_plot(column, reference, self._ratio_points(column), PLOTTED,
                                       BAND)),
        )

    def ratio_cell(self, column: str, value: str, metric: str) -> Cell:
        if self.ratio_hidden(column, value, metric):
            return Cell("c")
        ratio = self.result.disparities[column][value][metric]
        interval = self.result.disparity_ci[column][value][metric]
        if ratio is None:
            return Cell("z")
        return Cell(f"{ratio:.2f}", "" if interval is None else
                    f"{interval[0]:.2f}–{interval[1]:.2f}")

    def _rate_points(self, column: str) -> dict[str, dict[str, Point]]:
        points: dict[str, dict[str, Point]] = {}
        for value, g in self.result.groups[column].items():
            points[value] = {}
            for m in PLOTTED:
                rate, interval = g.rate(m), g.ci.get(m)
                if self.rate_hidden((column, value), m):
                    points[value][m] = "c"
                elif rate is None or interval is None:
                    points[value][m] = "z"
                else:
                    points[value][m] = (rate, *interval)
        return points

    def _ratio_points(self, column: str) -> dict[str, dict[str, Point]]:
        points: dict[str, dict[str, Point]] = {}
        for value in self.result.groups[column]:
            points[value] = {}
            for m in PLOTTED:
                ratio = self.result.disparities[column][value][m]
                interval = self.result.disparity_ci[column][value][m]
                if self.ratio_hidden(column, value, m):
                    points[value][m] = "c"
                elif ratio is None or interval is None or ratio <= 0 or interval[0] <= 0:
                    points[value][m] = "z" if ratio is None else f"{ratio:.2f}"
                else:
                    points[value][m] = (ratio, *interval)
        return points

    def summary(self, column: str, outcome: str) -> list[str]:
        """Two sentences per group column: missed among those who went on, flagged among not."""
        return [
            self._sentence(column, "fnr", f"Among children who went on to {outcome}, the tool "
                           "missed"),
            self._sentence(column, "fpr", f"Among children who did not go on to {outcome}, it "
                           "flagged"),
        ]

    def _sentence(self, column: str, metric: str, opening: str) -> str:
        shown: list[tuple[str, float, tuple[float, float]]] = []
        withheld = []
        for value, g in self.result.groups[column].items():
            who = _who(column, value)
            rate, interval = g.rate(metric), g.ci.get(metric)
            if self.rate_hidden((column, value), metric) or rate is None or interval is None:
                withheld.append(who)
            else:
                shown.append((who, rate, interval))
        # "in 10" reads best; rates all under 10% read better "in 100".
        per = 100 if shown and max(rate for _, rate, _ in shown) < 0.1 else 10
        parts = [f"{_per(rate, per)} in {per} {who} (95% interval {_per(low, per)} to "
                 f"{_per(high, per)})" for who, rate, (low, high) in shown]
        text = f"{opening} {_join(parts)}." if parts else f"{opening}: no figure can be shown."
        if withheld:
            text += (f" No figure is shown for {_join(withheld)}: too few children to publish, or "
                     "not defined.")
        return text

    def clearest_differences(self, most: int = 8) -> list[str]:
        """Ratios whose whole interval lies outside the 0.8-1.25 band, furthest first."""
        found: list[tuple[float, str]] = []
        for column, by_value in self.result.disparities.items():
            reference = self.result.reference[column]
            for value, ratios in by_value.items():
                for m in PLOTTED:
                    ratio, interval = ratios[m], self.result.disparity_ci[column][value][m]
                    if (value == reference or ratio is None or interval is None
                            or self.ratio_hidden(column, value, m)):
                        continue
                    if interval[0] > BAND[1] or interval[1] < BAND[0]:
                        # How far outside the band, as a factor; a ratio of 0 is furthest.
                        gap = (interval[0] / BAND[1] if interval[0] > BAND[1]
                               else BAND[0] / interval[1] if interval[1] > 0 else math.inf)
                        found.append((gap, (
                            f"{RATE_WORDS[m].capitalize()}: {_who(column, value)} "
                            f"{ratio:.2f} times {_who(column, reference)} "
                            f"(95% interval {interval[0]:.2f} to {interval[1]:.2f})."
                        )))
        found.sort(key=lambda item: -item[0])
        lines = [text for _, text in found[:most]]
        if len(found) > most:
            lines.append(f"... and {len(found) - most} more in the tables below.")
        return lines


def _who(column: str, value: str) -> str:
    if value == "(missing)":
        return f"children with no {column.replace('_', ' ')} recorded"
    if column.lower() in {"sex", "gender"} and value.lower() in _SEX_WORDS:
        return _SEX_WORDS[value.lower()]
    return f"children with {column.replace('_', ' ')} {value}"


def _per(rate: float, per: int) -> str:
    return f"{per * rate:.1f}".removesuffix(".0")


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _png(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    return base64.b64encode(buffer.getvalue()).decode("ascii")
