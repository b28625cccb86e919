"""Probabilistic links with Splink: train the model on the records themselves, then score.

Training, in Splink's usual order:
1. the prior (probability two random records match) from deterministic rules (same formal
   forename, surname and date of birth) with an assumed recall, see settings.py;
2. u probabilities (how often non-matches agree by chance) from random pairs, seeded;
3. m probabilities (how often true matches agree) counted from known matches: record pairs
   of different identifiers that share a key (LAchildID or UPN). Levels never seen among
   them keep a floor of half a count. Only when there are too few such pairs does m come
   from expectation maximisation, twice, each time blocking on different fields.
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
    TWIN_GUARD_MIN_FORENAME_WEIGHT,
    U_MAX_PAIRS,
    U_PAIRS_PER_RECORD,
    review_floor,
    splink_settings,
)

log = logging.getLogger(__name__)

# Fewer key-linked pairs than this and m comes from expectation maximisation alone.
MIN_LABELLED_PAIRS = 50


@dataclass
class ScoredPairs:
    """Scored record pairs (``unique_id_l``, ``unique_id_r``, ``match_probability``,
    ``match_weight``, ``forenames_differ``) and what the model learned."""

    pairs: pd.DataFrame
    prior: float
    m_source: str = ""
    charts: list[Path] = field(default_factory=list)


def _empty_pairs() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unique_id_l": pd.Series(dtype="int64"),
            "unique_id_r": pd.Series(dtype="int64"),
            "match_probability": pd.Series(dtype="float64"),
            "match_weight": pd.Series(dtype="float64"),
            "forenames_differ": pd.Series(dtype="bool"),
        }
    )


def score_pairs(
    candidates: pd.DataFrame,
    linkage: LinkageSettings,
    *,
    labels: pd.DataFrame | None = None,
    engine: Engine = "duckdb",
    charts_dir: Path | None = None,
) -> ScoredPairs:
    """Train a Splink model on ``candidates`` (one row per distinct record version, with
    ``unique_id`` and ``exact_group``) and score its blocked pairs."""
    if len(candidates) < 2 or candidates["exact_group"].nunique() < 2:
        return ScoredPairs(_empty_pairs(), prior=0.0, m_source="nothing to compare")
    from splink import Linker, block_on

    n_labels = 0 if labels is None else len(labels)
    use_labels = n_labels >= MIN_LABELLED_PAIRS
    m_floor = 0.5 / (n_labels + 1) if use_labels else None
    db_api = make_db_api(engine)
    sdf = db_api.register(candidates, dataset_display_name="persons")
    linker = Linker(sdf, splink_settings(linkage, m_floor), log_level=logging.ERROR)

    training = linker.training
    training.estimate_probability_two_random_records_match(
        [block_on(*PRIOR_RULE_FIELDS)], recall=PRIOR_RULE_RECALL
    )
    # Random pairs grow with the data up to a cap: plenty for the rarest agreement levels.
    training.estimate_u_using_random_sampling(
        max_pairs=min(U_MAX_PAIRS, U_PAIRS_PER_RECORD * len(candidates)),
        seed=linkage.seed,
        num_chunks=1,
    )
    if use_labels:
        # Pairs joined by a shared key are true matches with each system's own mess: m is
        # counted from them directly. (EM on one council's records mistakes same-named
        # siblings for one child with a wrong date of birth.)
        linker.table_management.register_table(labels, "__exact_key_labels", overwrite=True)
        training.estimate_m_from_pairwise_labels("__exact_key_labels")
        m_source = f"{n_labels:,} record pairs that share LAchildID or UPN"
    else:
        for fields in EM_BLOCKING_FIELDS:
            training.estimate_parameters_using_expectation_maximisation(
                block_on(*fields), estimate_without_term_frequencies=True
            )
        m_source = "expectation maximisation (too few key-linked pairs)"

    predictions = linker.inference.predict(
        threshold_match_probability=review_floor(linkage), warning_mode="never"
    )
    frame = predictions.as_pandas_dataframe()
    pairs = frame[["unique_id_l", "unique_id_r", "match_probability", "match_weight"]].assign(
        # the forenames give no real support to a match (different names, not a typo,
        # prefix or nickname): see the twin guard in pipeline.py
        forenames_differ=frame["mw_forename"] < TWIN_GUARD_MIN_FORENAME_WEIGHT
    )
    charts = _save_charts(linker, charts_dir) if charts_dir is not None else []
    prior = float(linker._settings_obj._probability_two_random_records_match)
    return ScoredPairs(pairs.reset_index(drop=True), prior, m_source, charts)


def _save_charts(linker: object, charts_dir: Path) -> list[Path]:
    """Splink's own charts of the trained model as self-contained HTML, and the model."""
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
    # the trained model itself (comparisons, m and u), to read or to reuse
    model = charts_dir / "link_model.json"
    linker.misc.save_model_to_json(str(model), overwrite=True)  # type: ignore[attr-defined]
    return [*out, model]
