"""Render the board's report: matplotlib plots embedded as PNG, Jinja HTML, WeasyPrint PDF."""

from __future__ import annotations

import base64
import io
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from earlyhelp.stats.disclosure import OVERALL
from monitoring.board.build import (
    DECISION_WORDS,
    DECISIONS,
    FAIRNESS_SHOWN,
    RATE_HEADERS,
    RATE_WORDS,
    BoardReport,
)
from monitoring.report import MonitorReport

PLOTTED_GROUPS = ("sex", "ethnicity_group", "age_band", "disability")


def _png(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def drift_plot(monitor: MonitorReport, threshold: float, top: int = 15) -> str:
    columns = sorted(monitor.drift.columns, key=lambda c: -c.distance)[:top]
    if monitor.drift.prediction is not None:
        columns = [monitor.drift.prediction, *columns]
    figure = Figure(figsize=(7, 0.28 * len(columns) + 1))
    ax = figure.subplots()
    names = [c.column for c in columns][::-1]
    values = [c.distance for c in columns][::-1]
    ax.barh(names, values, color=["#b3322c" if v > threshold else "#4a6fa5" for v in values])
    ax.axvline(threshold, color="black", linestyle="--", linewidth=1)
    ax.set_xlabel("drift distance against the training reference (dashed: alarm threshold)")
    ax.tick_params(labelsize=7)
    return _png(figure)


def fairness_plot(report: BoardReport) -> str | None:
    """Selection rate and missed share by group, 95% intervals; only rates the tables show."""
    groups = [g for g in report.monitor.fairness.rolling_12 if g.column in PLOTTED_GROUPS]
    if not groups or report.fairness is None:
        return None
    figure = Figure(figsize=(7.5, 3.2))
    axes = figure.subplots(1, 2, sharey=True)
    # Group values are data: a "$" must not switch matplotlib into maths typesetting.
    labels = [f"{g.column}: {g.group}".replace("$", r"\$") for g in groups]
    for ax, rate in zip(axes, ("selection_rate", "fnr"), strict=True):
        for i, g in enumerate(groups):
            r = g.rates[rate]
            shown = report.fairness_rate((g.column, g.group), rate) not in ("c", "z")
            if shown and r.rate is not None and r.low is not None and r.high is not None:
                ax.errorbar([100 * r.rate], [i], xerr=[[100 * (r.rate - r.low)],
                                                        [100 * (r.high - r.rate)]],
                            fmt="o", color="#4a6fa5", capsize=3)
            else:  # suppressed (c) or undefined (z): say so where the point would be
                ax.text(0.02, i, "not shown (c or z)", va="center", fontsize=7, color="grey",
                        transform=ax.get_yaxis_transform())
        ax.set_title(RATE_HEADERS[rate], fontsize=9)
        ax.set_xlabel("% (95% interval)", fontsize=8)
        ax.set_xlim(left=0, right=100 if rate == "fnr" else None)
        ax.tick_params(labelsize=7)
    axes[0].set_yticks(range(len(labels)), labels)
    axes[0].invert_yaxis()
    return _png(figure)


def history_plot(history: list[MonitorReport]) -> str | None:
    if len(history) < 2:
        return None
    figure = Figure(figsize=(7, 2.4))
    ax = figure.subplots()
    months = [f"{h.as_of:%Y-%m}" for h in history]  # category labels, in order
    ax.bar(months, [len(h.alarms) for h in history], color="#b3322c", label="alarms")
    ax2 = ax.twinx()
    ax2.plot(months, [h.volume.ratio for h in history], color="#4a6fa5", marker="o",
             label="children above the test year's cut-off / capacity")
    ax.set_ylabel("alarms", fontsize=8)
    ax2.set_ylabel("volume / capacity", fontsize=8)
    ax.tick_params(axis="x", labelrotation=45, labelsize=7)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    figure.legend(loc="upper left", fontsize=7)
    return _png(figure)


def render_html(report: BoardReport, history: list[MonitorReport], threshold: float) -> str:
    _quiet()
    report.plots = {"drift": drift_plot(report.monitor, threshold)}
    for name, png in (("fairness", fairness_plot(report)), ("history", history_plot(history))):
        if png is not None:
            report.plots[name] = png
    env = Environment(loader=PackageLoader("monitoring.board", "templates"),
                      autoescape=select_autoescape(["html"]))
    return env.get_template("board.html").render(
        r=report, m=report.monitor, OVERALL=OVERALL, DECISIONS=DECISIONS,
        DECISION_WORDS=DECISION_WORDS, FAIRNESS_SHOWN=FAIRNESS_SHOWN, RATE_WORDS=RATE_WORDS,
        RATE_HEADERS=RATE_HEADERS,
        history=history)


def _quiet() -> None:
    """WeasyPrint logs every layout step and matplotlib its unit guesses at INFO; the command
    says what it wrote."""
    import logging

    for name in ("weasyprint", "fontTools", "matplotlib"):
        logging.getLogger(name).setLevel(logging.WARNING)


def write_pdf(html: str, path: Path) -> None:
    from weasyprint import HTML

    _quiet()

    HTML(string=html).write_pdf(str(path))
