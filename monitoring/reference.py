"""The drift reference saved with the champion's training run, and the month to compare with it.

The training run logs a sample of its test months' model inputs and the deployed model's
scores (``model.tracking.DRIFT_REFERENCE``); monitoring downloads it once per run into the
model cache, so later months compare with exactly what the champion was judged on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from earlyhelp.errors import InputError
from earlyhelp.settings import Settings
from model.scoring import LoadedModel, read_month_features, score_frame
from model.tracking import DRIFT_REFERENCE


@dataclass(frozen=True)
class Month:
    """One month's model inputs with the champion's score (``score``) and reasons."""

    as_of: date
    frame: pd.DataFrame  # child_key, as_of, the model's inputs, score, reasons


def load_reference(settings: Settings, model: LoadedModel) -> pd.DataFrame:
    """The reference rows (child_key, as_of, inputs, score) of the model's training run."""
    cache = settings.data_dir / "model_cache" / "drift_reference" / f"{model.run_id}.parquet"
    if not cache.exists():
        _download(settings, model.run_id, cache)
    frame = pd.read_parquet(cache)
    frame["as_of"] = pd.to_datetime(frame["as_of"]).dt.date
    missing = [f for f in model.features if f not in frame.columns]
    if missing:
        raise InputError(
            f"the drift reference of run {model.run_id} lacks input(s) {missing[:5]}: it was "
            "saved by another model version; retrain (`earlyhelp train`) and promote"
        )
    return frame


# Registry kinds that grow with the passage of time alone (months since an event, months known):
# a group's mean leaves its reference months by construction, so only inputs of these kinds
# are watched by group. Features with no look-back window ("ever") grow the same way: they
# count from the extract's first month, so every month adds history (the default world's
# latest month raised `assessments_ever` for children without a disability).
TIME_KINDS = ("months_since", "duration")


def watched_features(warehouse: Path, inputs: Sequence[str]) -> list[str]:
    """The features the check by group watches: the model's inputs, and every other feature of
    the registry except those that grow with time alone (time kinds, and counts "ever" with
    no look-back window)."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = {row[0] for row in con.execute("SHOW TABLES").fetchall()}
        registry = (con.execute("SELECT feature, kind, lookback_months FROM feature_registry"
                                ).fetchall() if "feature_registry" in tables else [])
    others = [f for f, kind, lookback in registry
              if kind not in TIME_KINDS and lookback is not None and f not in inputs]
    return [*inputs, *others]


def with_every_feature(warehouse: Path, reference: pd.DataFrame, features: list[str]
                       ) -> pd.DataFrame:
    """The reference rows with every feature the warehouse holds for the same child and month
    (the saved reference keeps the model's inputs only). A recording change in a feature the
    champion does not read is still a change in the data the board relies on. Rows the
    warehouse no longer holds keep only their inputs."""
    import duckdb

    wanted = [f for f in features if f not in reference.columns]
    if not wanted:
        return reference
    keys = reference[["child_key", "as_of"]].drop_duplicates()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.register("reference_keys", keys)
        extra = con.execute(
            "SELECT f.child_key, f.as_of, " + ", ".join(f'f."{c}"' for c in wanted)
            + " FROM feature_matrix f JOIN reference_keys r "
            "ON f.child_key = r.child_key AND f.as_of = r.as_of").df()
    extra["as_of"] = pd.to_datetime(extra["as_of"]).dt.date
    return reference.merge(extra, on=["child_key", "as_of"], how="left")


def _download(settings: Settings, run_id: str, target: Path) -> None:
    import mlflow

    from model.tracking import connect

    connect(settings)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        local = mlflow.artifacts.download_artifacts(
            run_id=run_id, artifact_path=DRIFT_REFERENCE, dst_path=str(target.parent / run_id))
    except Exception as error:  # MLflow raises several kinds of error for "not there"
        raise InputError(
            f"run {run_id} has no drift reference ({DRIFT_REFERENCE}): it was trained before "
            "monitoring existed; retrain (`earlyhelp train`) and promote the new run "
            f"({type(error).__name__})"
        ) from error
    Path(local).replace(target)


def score_month_inputs(model: LoadedModel, warehouse: Path, as_of: date) -> Month:
    """The month's feature rows (every feature, not only the model's inputs: the check by
    group watches them all) scored by the champion (one read, one predict)."""
    features = read_month_features(warehouse, as_of)
    scored = score_frame(model, features)
    frame = features.copy()
    frame["score"] = scored["probability"].to_numpy()
    frame["reasons"] = scored["reasons"].to_numpy()
    return Month(as_of, frame)
