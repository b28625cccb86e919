"""Across worlds: median and range of every figure, and paired comparisons by world.

Each world holds the same children and months for every candidate, so comparisons are made
within a world (a ratio) and only then summarised across worlds; intervals come from
resampling worlds, each keeping its pair.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydantic import ValidationError

from earlyhelp.errors import InputError
from model.experiment.metrics import flag_share_over_outcome_share
from model.report import (
    AcrossWorlds,
    Interval,
    PairedComparison,
    Spread,
    WorldBlock,
    WorldResult,
    WorldsReport,
    WorldsSummary,
)

BLOCKS = ("model", "index", "rule", "ceiling")
FIGURES = ("children_reached", "children_reached_expected", "tp_expected", "recall_at_capacity")
# A learned model replaces the index only if its median ratio to the index, paired by world,
# is at least this and the interval's lower end is above 1 (issue 11's bar).
LEARNED_MIN_RATIO = 1.2
RESAMPLES = 2000


def spread(values: list[float | None]) -> Spread:
    kept = np.array([v for v in values if v is not None], dtype=float)
    if kept.size == 0:
        return Spread(median=None, range=(None, None))
    return Spread(median=float(np.median(kept)), range=(float(kept.min()), float(kept.max())))


def paired_ratio(numerator: str, denominator: str, worlds: list[WorldResult],
                 seed: int = 11) -> PairedComparison:
    """Median over worlds of numerator/denominator children_reached_expected, with a
    bootstrap interval over worlds."""
    pairs = [(getattr(w, numerator).children_reached_expected,
              getattr(w, denominator).children_reached_expected) for w in worlds]
    ratios = np.array([a / b for a, b in pairs if b > 0])
    if ratios.size == 0:
        return PairedComparison(numerator=numerator, denominator=denominator, worlds=0,
                                median_ratio=None, interval=Interval(low=None, high=None))
    rng = np.random.default_rng(seed)
    draws = np.median(ratios[rng.integers(0, ratios.size, (RESAMPLES, ratios.size))], axis=1)
    low, high = np.quantile(draws, [0.025, 0.975])
    return PairedComparison(numerator=numerator, denominator=denominator, worlds=int(ratios.size),
                            median_ratio=float(np.median(ratios)),
                            interval=Interval(low=float(low), high=float(high)))


def learned_verdict(comparison: PairedComparison) -> tuple[bool, str]:
    ratio, low = comparison.median_ratio, comparison.interval.low
    if ratio is None or low is None:
        return False, "no world had expected children reached by the index to compare with"
    text = (f"across {comparison.worlds} worlds the learned model reached {ratio:.2f} times the "
            f"index's expected children (median of paired per-world ratios; 95% interval "
            f"{low:.2f}-{comparison.interval.high:.2f})")
    if ratio >= LEARNED_MIN_RATIO and low > 1:
        return True, text + f": at least {LEARNED_MIN_RATIO} with the interval above 1"
    return False, text + (f": it must be at least {LEARNED_MIN_RATIO} with the interval above "
                          "1 to replace the index")


def _figures(blocks: list[WorldBlock]) -> dict[str, Spread]:
    return {f: spread([getattr(b, f) for b in blocks]) for f in FIGURES}


def summarise(worlds: list[WorldResult]) -> WorldsSummary:
    """The across-world summary; sets each world's ``champion`` to the across-world choice."""
    learned = paired_ratio("model", "index", worlds)
    learned_wins, reason = learned_verdict(learned)
    champion = "model" if learned_wins else "index"
    for w in worlds:
        w.champion = champion
    to_ceiling = [w.model.children_reached_expected / w.ceiling.children_reached_expected
                  for w in worlds if w.ceiling.children_reached_expected > 0]
    shares: dict[str, dict[str, Spread]] = {}
    for name in BLOCKS:
        per_world = [flag_share_over_outcome_share(getattr(w, name)) for w in worlds]
        groups = sorted({g for r in per_world for g in r})
        shares[name] = {g: spread([r.get(g) for r in per_world]) for g in groups}
    truths = {w.truth for w in worlds}
    return WorldsSummary(
        worlds=len(worlds), truth=truths.pop() if len(truths) == 1 else "mixed",
        champion=champion, **{name: _figures([getattr(w, name) for w in worlds])
                              for name in BLOCKS},
        median_ratio_to_ceiling=float(np.median(to_ceiling)) if to_ceiling else None,
        champion_ratio_to_ceiling=paired_ratio(champion, "ceiling", worlds),
        learned_over_index=learned, learned_is_champion=learned_wins, reason=reason,
        flag_share_over_outcome_share_by_sex=shares,
    )


def evidence_from(path: Path) -> AcrossWorlds:
    """The learned-versus-index verdict of a ``worlds.json``, for ``train --worlds``."""
    if not path.is_file():
        raise InputError(f"{path}: not found; run `earlyhelp experiment` first")
    try:
        summary = WorldsReport.model_validate_json(path.read_text()).summary
    except ValidationError as exc:
        raise InputError(f"{path}: not a worlds.json written by `earlyhelp experiment` "
                         f"({exc.errors()[0]['loc']}: {exc.errors()[0]['msg']})") from None
    return AcrossWorlds(
        source=str(path), learned_over_index=summary.learned_over_index,
        learned_is_champion=summary.learned_is_champion, reason=summary.reason,
        worlds=summary.worlds, truth=summary.truth,
        children_reached_expected={b: getattr(summary, b)["children_reached_expected"]
                                   for b in BLOCKS},
        champion_ratio_to_ceiling=summary.champion_ratio_to_ceiling,
        flag_share_over_outcome_share_by_sex=summary.flag_share_over_outcome_share_by_sex,
    )
