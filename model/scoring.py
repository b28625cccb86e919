"""Score children with a registered model: one path for the alert run, the API and monitoring.

``load_model`` fetches the model holding an alias (``champion`` by default) from the MLflow
registry and keeps a local copy under ``data_dir/model_cache``, so a service can go on scoring
with the last good model while the registry is unreachable (``source`` says which was used).
``LoadedModel.predict`` calls the logged pyfunc's own ``predict``: calibrated probability and
plain-English reasons, exactly what the training run logged and evaluated.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from earlyhelp.errors import InputError, NoChampionError
from earlyhelp.settings import Settings

CACHE_META = "earlyhelp_model.json"
CARD = "model_card.md"


@dataclass(frozen=True)
class LoadedModel:
    """A registered model ready to score, and where it came from."""

    name: str
    version: str
    alias: str
    run_id: str
    trained_at: datetime | None
    features: tuple[str, ...]
    source: Literal["registry", "cache"]
    python_model: Any = field(repr=False, compare=False)
    # The training run's model card (Markdown), kept with the local copy; "" if it had none.
    card: str = field(default="", repr=False, compare=False)

    def predict(self, features: pd.DataFrame, *, reasons: bool = True) -> pd.DataFrame:
        """``probability`` and ``reasons`` (list of str; empty with ``reasons=False``) per row;
        the index is kept.

        Calls the logged pyfunc's ``predict`` directly: MLflow's schema check costs more than
        the model on one row, and the columns are checked here instead.
        """
        missing = [f for f in self.features if f not in features.columns]
        if missing:
            raise InputError(
                f"model {self.name} v{self.version} needs feature(s) {missing[:5]}"
                f"{' ...' if len(missing) > 5 else ''}; build them with `earlyhelp features`"
            )
        frame = features[list(self.features)].astype("float64")
        out: pd.DataFrame = self.python_model.predict(None, frame, params={"reasons": reasons})
        return out


    def score_rows(self, rows: np.ndarray, *, reasons: bool = True
                   ) -> tuple[np.ndarray, list[list[str]]]:
        """The same for a matrix whose columns are ``features`` in order, without pandas: the
        API scores a few rows at a time, where building frames costs more than the model."""
        if rows.ndim != 2 or rows.shape[1] != len(self.features):
            raise InputError(f"model {self.name} v{self.version} takes {len(self.features)} "
                             f"features per row, not {rows.shape[-1]}")
        out: tuple[np.ndarray, list[list[str]]] = self.python_model.score(rows, reasons=reasons)
        return out


def _cache_dir(settings: Settings, alias: str) -> Path:
    return settings.data_dir / "model_cache" / settings.model.registered_name / alias


def _from_local(path: Path, meta: dict[str, Any], source: Literal["registry", "cache"]
                ) -> LoadedModel:
    import mlflow

    pyfunc = mlflow.pyfunc.load_model(str(path / "model"))
    trained = meta.get("trained_at")
    return LoadedModel(
        name=meta["name"], version=str(meta["version"]), alias=meta["alias"],
        run_id=meta["run_id"], trained_at=datetime.fromisoformat(trained) if trained else None,
        features=tuple(pyfunc.metadata.get_input_schema().input_names()), source=source,
        python_model=pyfunc.unwrap_python_model(),
        card=(path / CARD).read_text(encoding="utf-8") if (path / CARD).exists() else "",
    )


def _download(settings: Settings, alias: str, target: Path) -> dict[str, Any]:
    """Copy the alias's model version into ``target`` (atomically) and return its facts."""
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    import mlflow
    from mlflow import MlflowClient

    from model.tracking import connect

    connect(settings)
    name = settings.model.registered_name
    client = MlflowClient()
    version = client.get_model_version_by_alias(name, alias)
    run = client.get_run(str(version.run_id))
    meta = {
        "name": name, "version": str(version.version), "alias": alias,
        "run_id": str(version.run_id),
        "trained_at": datetime.fromtimestamp(run.info.start_time / 1000, UTC).isoformat(),
    }
    staging = target.with_name(target.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    mlflow.artifacts.download_artifacts(artifact_uri=f"models:/{name}@{alias}",
                                        dst_path=str(staging / "model"))
    try:
        card = mlflow.artifacts.load_text(f"runs:/{version.run_id}/model_card/model_card.md")
        (staging / CARD).write_text(card, encoding="utf-8")
    except Exception:  # a model logged without a card still serves; /v1/model says so
        pass
    (staging / CACHE_META).write_text(json.dumps(meta, indent=2), encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return meta


def load_local(settings: Settings, alias: str = "champion") -> LoadedModel | None:
    """The local copy of the model last loaded for ``alias``, without asking the registry
    (None if there is none): a service starts on it and checks the registry after."""
    target = _cache_dir(settings, alias)
    cached = target / CACHE_META
    if not cached.exists():
        return None
    return _from_local(target, json.loads(cached.read_text(encoding="utf-8")), "cache")


def load_model(settings: Settings, alias: str = "champion") -> LoadedModel:
    """The model holding ``alias``: from the registry (refreshing the local copy), else the
    local copy of the last one loaded; ``NoChampionError`` if there is neither."""
    target = _cache_dir(settings, alias)
    try:
        meta = _download(settings, alias, target)
        return _from_local(target, meta, "registry")
    except Exception as error:  # the registry down, or no version holds the alias
        cached = target / CACHE_META
        if cached.exists():
            return _from_local(target, json.loads(cached.read_text(encoding="utf-8")), "cache")
        raise NoChampionError(
            f"no model holds the alias '{alias}' of {settings.model.registered_name} in the "
            f"registry at {settings.resolved_mlflow_uri}, and there is no local copy in "
            f"{target}: train one (`earlyhelp train`) and promote it (`earlyhelp promote`) "
            f"first ({type(error).__name__}: {error})"
        ) from error


def read_month_features(warehouse: Path, as_of: date,
                        child_keys: Sequence[str] | None = None) -> pd.DataFrame:
    """The ``feature_matrix`` rows of month ``as_of`` (optionally only some children)."""
    import duckdb

    if not warehouse.exists():
        raise InputError(f"{warehouse}: no such warehouse; run `earlyhelp ingest` first")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = {row[0] for row in con.execute("SHOW TABLES").fetchall()}
        if "feature_matrix" not in tables:
            raise InputError(f"{warehouse}: no feature_matrix; run `earlyhelp features` first")
        query = "SELECT * FROM feature_matrix WHERE as_of = ?"
        params: list[Any] = [as_of]
        if child_keys is not None:
            query += " AND child_key IN (SELECT unnest(?))"
            params.append(list(child_keys))
        frame = con.execute(query + " ORDER BY child_key", params).df()
    if frame.empty and child_keys is None:
        raise InputError(
            f"{warehouse}: feature_matrix has no rows for {as_of}; build that month with "
            f"`earlyhelp features --as-of {as_of:%Y-%m}`"
        )
    frame["as_of"] = pd.to_datetime(frame["as_of"]).dt.date
    return frame


def score_frame(model: LoadedModel, features: pd.DataFrame) -> pd.DataFrame:
    """``child_key``, ``as_of``, ``probability``, ``reasons`` for feature rows."""
    predicted = model.predict(features)
    return pd.concat([features[["child_key", "as_of"]], predicted], axis=1)


def score_month(model: LoadedModel, warehouse: Path, as_of: date) -> pd.DataFrame:
    """Every child in the population of month ``as_of``, scored."""
    return score_frame(model, read_month_features(warehouse, as_of))
