"""Dot-and-interval plots of rates and of ratios by group (matplotlib, no pyplot state)."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

# A point is (value, low, high), or a short text shown instead ("c" suppressed, "z" undefined).
Point = tuple[float, float, float] | str

_TITLES = {
    "fnr": "Missed (fnr)",
    "fpr": "Flagged, did not go on (fpr)",
    "ppv": "Flagged who went on (ppv)",
    "selection_rate": "Share flagged",
    "tpr": "Found (tpr)",
}


def rate_plot(column: str, points: dict[str, dict[str, Point]], metrics: tuple[str, ...]) -> Figure:
    """One panel per metric: each group's rate (%) with its 95% interval."""
    figure, axes = _panels(column, points, metrics)
    for ax, metric in zip(axes, metrics, strict=True):
        highs = [p[2] for by in points.values() if not isinstance(p := by[metric], str)]
        # Zoom in on small rates (a 2% selection rate is a dot on the axis at 0-100%).
        right = min(100.0, max(10.0, math.ceil(max(highs, default=1.0) * 12) * 10))
        for y, value in enumerate(points):
            point = points[value][metric]
            if isinstance(point, str):
                ax.text(right / 100, y, point, va="center", ha="left", color="#555555")
                continue
            rate, low, high = (100 * v for v in point)
            ax.errorbar(rate, y, xerr=[[rate - low], [high - rate]], fmt="o", color="#1d4e89",
                        ecolor="#6b8fb8", capsize=3)
        ax.set_xlim(0, right)
        ax.set_xlabel("% with 95% interval")
    return figure


def ratio_plot(
    column: str,
    reference: str,
    points: dict[str, dict[str, Point]],
    metrics: tuple[str, ...],
    band: tuple[float, float],
) -> Figure:
    """One panel per metric: each group's ratio to the reference, log scale, with the band."""
    figure, axes = _panels(f"{column} (ratio to {reference})", points, metrics)
    drawn = [p for by in points.values() for p in by.values() if not isinstance(p, str)]
    left = min([0.25, *(p[1] * 0.9 for p in drawn)])
    right = max([4.0, *(p[2] * 1.1 for p in drawn)])
    for ax, metric in zip(axes, metrics, strict=True):
        ax.set_xscale("log")
        ax.axvspan(*band, color="#dcebdc", zorder=0)
        ax.axvline(1.0, color="#888888", lw=0.8, zorder=1)
        for y, value in enumerate(points):
            point = points[value][metric]
            if isinstance(point, str):
                ax.text(left * 1.08, y, point, va="center", ha="left", color="#555555")
                continue
            ratio, low, high = point
            ax.errorbar(ratio, y, xerr=[[ratio - low], [high - ratio]], fmt="o",
                        color="#8a3b12" if low > band[1] or high < band[0] else "#1d4e89",
                        ecolor="#b08a74", capsize=3, zorder=2)
        ax.set_xlim(left, right)
        ticks = [t for t in (0.25, 0.5, 0.8, 1.25, 2, 4) if left <= t <= right]
        ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
        ax.minorticks_off()
        ax.set_xlabel("ratio with 95% interval")
    return figure


def _panels(
    title: str, points: dict[str, dict[str, Point]], metrics: tuple[str, ...]
) -> tuple[Figure, np.ndarray]:
    rows = len(points)
    figure = Figure(figsize=(3.0 * len(metrics), 0.9 + 0.32 * rows), layout="constrained")
    axes = figure.subplots(1, len(metrics), sharey=True, squeeze=False)[0]
    for ax, metric in zip(axes, metrics, strict=True):
        ax.set_title(_TITLES.get(metric, metric), fontsize=10)
        # Group values are data: a "$" must not switch matplotlib into maths typesetting.
        ax.set_yticks(range(rows), [str(p).replace("$", r"\$") for p in points], fontsize=9)
        ax.set_ylim(rows - 0.5, -0.5)
        ax.grid(axis="x", color="#eeeeee")
    figure.suptitle(title, fontsize=11)
    return figure, axes
