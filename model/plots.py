"""Evaluation plots as PNG files (matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from model.report import MetricBlock


def _figure():  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt, *plt.subplots(figsize=(6, 4.5), dpi=100)


def pr_curves(y: np.ndarray, scores: dict[str, np.ndarray], path: Path) -> Path:
    from sklearn.metrics import precision_recall_curve

    plt, fig, ax = _figure()
    for name, s in scores.items():
        precision, recall, _ = precision_recall_curve(y, s)
        ax.plot(recall, precision, label=name)
    ax.set(xlabel="recall", ylabel="precision", title="Precision-recall on the test months")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def calibration(blocks: dict[str, MetricBlock], path: Path) -> Path:
    plt, fig, ax = _figure()
    top = 0.0
    for name, block in blocks.items():
        pred = [b.mean_predicted for b in block.calibration_curve]
        obs = [b.observed_rate for b in block.calibration_curve]
        ax.plot(pred, obs, marker="o", label=name)
        top = max(top, *pred, *obs)
    ax.plot([0, top], [0, top], linestyle=":", color="grey", label="perfect")
    ax.set(xlabel="mean predicted probability (decile of score)", ylabel="observed rate",
           title="Calibration on the test months")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def lift_at_capacity(blocks: dict[str, MetricBlock], capacity: int, path: Path) -> Path:
    plt, fig, ax = _figure()
    names = list(blocks)
    recall = [blocks[n].recall_at_capacity or 0.0 for n in names]
    lows = [blocks[n].intervals["recall_at_capacity"].low for n in names]
    highs = [blocks[n].intervals["recall_at_capacity"].high for n in names]
    err = np.array([
        [r - (lo if lo is not None else r) for r, lo in zip(recall, lows, strict=True)],
        [(hi if hi is not None else r) - r for r, hi in zip(recall, highs, strict=True)],
    ])
    ax.bar(names, recall, yerr=err, capsize=6, color="#4c72b0")
    ax.set(ylabel="recall at capacity (95% interval)",
           title=f"Share of custody cases among the top {capacity} flagged a month")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def feature_effects(terms: pd.Series, path: Path) -> Path:
    """Logistic coefficients on standardised features: the change in log-odds per SD."""
    plt, fig, ax = _figure()
    shown = terms.reindex(terms.abs().sort_values().index)[-15:]
    ax.barh(shown.index, shown.to_numpy(), color=np.where(shown > 0, "#c44e52", "#4c72b0"))
    ax.set(xlabel="change in log-odds per standard deviation", title="Feature effects")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
