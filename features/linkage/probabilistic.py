"""Probabilistic links with Splink: train the model on the records themselves, then score.

Training, in Splink's usual order:
1. the prior (probability two random records match) from deterministic rules (same formal
   forename, surname and date of birth) with an assumed recall, see settings.py;
2. u probabilities (how often non-matches agree by chance) from random pairs, seeded;
3. m probabilities (how often true matches agree) by expectation maximisation, twice, each
   time blocking on different fields so every comparison gets estimated.
Prediction then scores every blocked pair and keeps those at or above the bottom of the
clerical-review band; the match threshold is applied later, when clustering.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from earlyhelp.settings import LinkageSettings
from features.linkage.backends import Engine, make_db_api
from features.linkage.settings import (
    EM_BLOCKING_FIELDS,
    PRIOR_RULE_FIELDS,
    PRIOR_RULE_RECALL,
    U_MAX_PAIRS,
    review_floor,
    splink_settings,
)

log = logging.getLogger(__name__)


@dataclass
class ScoredPairs:
    """Scored record pairs (``unique_id_l``, ``unique_id_r``, ``match_probability``,
    ``match_weight``) and what the model learned."""

    pairs: pd.DataFrame
    prior: float
    charts: list[Path] = field(default_factory=list)


def _empty_pairs() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unique_id_l": pd.Series(dtype="int64"),
            "unique_id_r": pd.Series(dtype="int64"),
            "match_probability": pd.Series(dtype="float64"),
            "match_weight": pd.Series(dtype="float64"),
        }
    )


def score_pairs(
    candidates: pd.DataFrame,
    linkage: LinkageSettings,
    *,
    engine: Engine = "duckdb",
    charts_dir: Path | None = None,
) -> ScoredPairs:
    """Train a Splink model on ``candidates`` (one row per distinct record version, with
    ``unique_id`` and ``exact_group``) and score its blocked pairs."""
    if len(candidates) < 2 or candidates["exact_group"].nunique() < 2:
        return ScoredPairs(_empty_pairs(), prior=0.0)
    from splink import Linker, block_on

    db_api = make_db_api(engine)
    sdf = db_api.register(candidates, dataset_display_name="persons")
    linker = Linker(sdf, splink_settings(linkage), log_level=logging.ERROR)

    training = linker.training
    training.estimate_probability_two_random_records_match(
        [block_on(*PRIOR_RULE_FIELDS)], recall=PRIOR_RULE_RECALL
    )
    # Enough random pairs for stable u on small worlds without wasting time on big ones.
    n = len(candidates)
    training.estimate_u_using_random_sampling(
        max_pairs=min(U_MAX_PAIRS, max(1e5, n * (n - 1) / 2)), seed=linkage.seed
    )
    for fields in EM_BLOCKING_FIELDS:
        training.estimate_parameters_using_expectation_maximisation(
            block_on(*fields), estimate_without_term_frequencies=True
        )

    predictions = linker.inference.predict(
        threshold_match_probability=review_floor(linkage), warning_mode="never"
    )
    pairs = predictions.as_pandas_dataframe()[
        ["unique_id_l", "unique_id_r", "match_probability", "match_weight"]
    ]
    charts = _save_charts(linker, charts_dir) if charts_dir is not None else []
    prior = float(linker._settings_obj._probability_two_random_records_match)
    return ScoredPairs(pairs.reset_index(drop=True), prior=prior, charts=charts)


def _save_charts(linker: object, charts_dir: Path) -> list[Path]:
    """Splink's own charts of the trained model, saved as self-contained HTML."""
    charts_dir.mkdir(parents=True, exist_ok=True)
    visuals = linker.visualisations  # type: ignore[attr-defined]
    out = []
    for name, make in (
        ("link_match_weights.html", visuals.match_weights_chart),
        ("link_m_u_parameters.html", visuals.m_u_parameters_chart),
    ):
        path = charts_dir / name
        make().save(str(path), inline=True)
        out.append(path)
    return out
