"""Scoring through a registered model: registry, local copy, no model, one month's rows."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import mlflow
import pandas as pd
import pytest

from earlyhelp.errors import InputError, NoChampionError
from model.scoring import load_model, read_month_features, score_frame, score_month
from tests.model.builders import SyntheticWorld
from tests.model.conftest import small_settings


def _latest_month(world: SyntheticWorld) -> date:
    with duckdb.connect(str(world.warehouse), read_only=True) as con:
        return con.execute("SELECT max(as_of) FROM feature_matrix").fetchone()[0]  # type: ignore[index]


def test_loaded_model_scores_as_the_logged_pyfunc_does(trained, world: SyntheticWorld) -> None:  # type: ignore[no-untyped-def]
    settings, report = trained
    model = load_model(settings, alias="challenger")
    assert (model.version, model.run_id, model.source) == (report.model_version, report.run_id,
                                                           "registry")
    assert model.trained_at is not None and model.features
    month = _latest_month(world)
    scored = score_month(model, world.warehouse, month)
    rows = read_month_features(world.warehouse, month)
    assert len(scored) == len(rows) > 0 and set(scored["as_of"]) == {month}
    mlflow.set_tracking_uri(settings.resolved_mlflow_uri)
    name = settings.model.registered_name
    plain = mlflow.pyfunc.load_model(f"models:/{name}@challenger").predict(
        rows[list(model.features)].astype("float64"))
    pd.testing.assert_series_equal(scored["probability"].reset_index(drop=True),
                                   plain["probability"].reset_index(drop=True))
    assert scored["reasons"].map(len).sum() > 0


def test_local_copy_serves_when_the_registry_has_no_model(trained, world: SyntheticWorld,  # type: ignore[no-untyped-def]
                                                          tmp_path: Path) -> None:
    settings, report = trained
    load_model(settings, alias="challenger")  # refreshes the local copy
    # Same data folder (so the same local copy) but a registry that knows no model.
    elsewhere = settings.model_copy(update={
        "mlflow_tracking_uri": f"sqlite:///{tmp_path / 'empty.db'}"})
    model = load_model(elsewhere, alias="challenger")
    assert model.source == "cache" and model.version == report.model_version
    rows = read_month_features(world.warehouse, _latest_month(world)).head(10)
    assert score_frame(model, rows)["probability"].between(0, 1).all()


def test_no_model_and_no_copy_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(NoChampionError, match="earlyhelp promote"):
        load_model(small_settings(tmp_path), alias="champion")


def test_missing_features_and_months_say_what_to_do(trained, world: SyntheticWorld) -> None:  # type: ignore[no-untyped-def]
    settings, _ = trained
    model = load_model(settings, alias="challenger")
    rows = read_month_features(world.warehouse, _latest_month(world)).head(3)
    with pytest.raises(InputError, match="earlyhelp features"):
        model.predict(rows.drop(columns=[model.features[0]]))
    with pytest.raises(InputError, match="--as-of 1990-01"):
        read_month_features(world.warehouse, date(1990, 1, 31))
