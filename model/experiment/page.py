"""``DIR/worlds.html``: the spread across worlds as plots (PNG, inlined) and the summary table."""

from __future__ import annotations

import base64
import io
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from model.experiment.metrics import flag_share_over_outcome_share
from model.experiment.summary import BLOCKS, FIGURES
from model.report import WorldsReport

NAMES = {"model": "learned model", "index": "vulnerability index",
         "rule": "practitioners' rule", "ceiling": "true risk (ceiling)"}


def _png(fig) -> str:  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _plots(report: WorldsReport) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    worlds = report.worlds
    out = {}
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=100)
    for i, w in enumerate(worlds):
        ax.plot(range(len(BLOCKS)), [getattr(w, b).children_reached_expected for b in BLOCKS],
                color="0.75", lw=0.8, zorder=1, label="one world" if i == 0 else None)
    for j, b in enumerate(BLOCKS):
        ax.scatter([j] * len(worlds), [getattr(w, b).children_reached_expected for w in worlds],
                   zorder=2)
    ax.set_xticks(range(len(BLOCKS)), [NAMES[b] for b in BLOCKS])
    ax.set(ylabel="children reached (expected under the truth)",
           title="Each world's candidates, joined: the comparison is within a world")
    ax.legend()
    out["reached"] = _png(fig)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=100)
    for b in ("model", "index", "rule"):
        ratios = [getattr(w, b).children_reached_expected / w.ceiling.children_reached_expected
                  for w in worlds if w.ceiling.children_reached_expected > 0]
        ax.hist(ratios, bins=10, range=(0, 1.2), alpha=0.5, label=NAMES[b])
    ax.axvline(0.6, color="k", ls="--", lw=0.8, label="bar: 0.6 of the ceiling")
    ax.set(xlabel="children reached (expected) / the ceiling's, per world", ylabel="worlds")
    ax.legend()
    out["ratio"] = _png(fig)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=100)
    for j, b in enumerate(BLOCKS):
        for w in worlds:
            shares = flag_share_over_outcome_share(getattr(w, b))
            for k, (group, value) in enumerate(sorted(shares.items())):
                ax.scatter(j + (k - 0.5) * 0.25, value, color=f"C{k}",
                           label=group if (j, w.seed) == (0, worlds[0].seed) else None)
    ax.axhline(1, color="k", lw=0.8)
    for bound in (1.5, 1 / 1.5):
        ax.axhline(bound, color="k", ls="--", lw=0.8)
    ax.set_xticks(range(len(BLOCKS)), [NAMES[b] for b in BLOCKS])
    ax.set(ylabel="share of flags / share of expected outcomes",
           title="Who is flagged, by sex (dashed: a factor of 1.5)")
    ax.legend()
    out["sex"] = _png(fig)
    plt.close(fig)
    return out


def write_page(report: WorldsReport, path: Path) -> Path:
    env = Environment(loader=PackageLoader("model", "templates"),
                      autoescape=select_autoescape(["html", "j2"]), undefined=StrictUndefined)
    html = env.get_template("experiment.html.j2").render(
        report=report, summary=report.summary, plots=_plots(report), blocks=BLOCKS,
        figures=FIGURES, names=NAMES,
    )
    path.write_text(html, encoding="utf-8")
    return path
