"""Loading the feature tables and cutting temporal folds."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from earlyhelp.errors import InputError
from earlyhelp.settings import ModelSettings
from model.data import add_months, final_split, load_model_data, make_folds
from tests.model.builders import SyntheticWorld, build_feature_warehouse


def test_loads_only_matured_labels_with_protected_beside(world: SyntheticWorld) -> None:
    data = load_model_data(world.warehouse, "custody_12m")
    assert data.frame["custody_12m"].notna().all()
    assert data.unlabelled_rows == world.rows - len(data.frame)
    assert int(data.frame["custody_12m"].sum()) == world.positives
    assert "sex" in data.frame.columns and "sex" not in data.features
    assert len(data.fingerprint) == 16


@pytest.mark.parametrize("folds,months,calib", [(2, 3, 3), (3, 2, 2), (1, 6, 4)])
def test_training_labels_mature_before_each_test_fold(
    world: SyntheticWorld, folds: int, months: int, calib: int
) -> None:
    settings = ModelSettings(test_folds=folds, fold_months=months, calibration_months=calib)
    all_months = load_model_data(world.warehouse, "custody_12m").months
    cut = make_folds(all_months, settings)
    assert len(cut) == folds
    for fold in cut:
        first_test = min(fold.test_months)
        for m in (*fold.fit_months, *fold.calibration_months):
            assert add_months(m, settings.label_horizon_months) <= first_test
        assert max(fold.fit_months) < min(fold.calibration_months)
        assert len(fold.test_months) == months
    tested = [m for f in cut for m in f.test_months]
    assert tested == sorted(tested) and len(set(tested)) == len(tested)


def test_too_short_a_history_names_the_settings(world: SyntheticWorld) -> None:
    months = load_model_data(world.warehouse, "custody_12m").months
    with pytest.raises(InputError, match="calibration_months"):
        make_folds(months, ModelSettings(test_folds=4, fold_months=6, calibration_months=6))


def test_final_split_calibrates_on_the_newest_months(world: SyntheticWorld) -> None:
    months = load_model_data(world.warehouse, "custody_12m").months
    fold = final_split(months, ModelSettings(calibration_months=3))
    assert fold.calibration_months == tuple(months[-3:])
    assert max(fold.fit_months) < min(fold.calibration_months)


def _world_with(tmp_path: Path, sql: str) -> Path:
    world = build_feature_warehouse(tmp_path, n_children=50, n_months=24)
    with duckdb.connect(str(world.warehouse)) as con:
        con.execute(sql)
    return world.warehouse


def test_protected_column_in_the_features_is_refused(tmp_path: Path) -> None:
    warehouse = _world_with(tmp_path, "ALTER TABLE feature_matrix ADD COLUMN sex VARCHAR")
    with pytest.raises(InputError, match="protected"):
        load_model_data(warehouse, "custody_12m")


def test_feature_missing_from_registry_is_named(tmp_path: Path) -> None:
    warehouse = _world_with(tmp_path, "ALTER TABLE feature_matrix ADD COLUMN mystery DOUBLE")
    with pytest.raises(InputError, match="mystery"):
        load_model_data(warehouse, "custody_12m")


def test_unknown_label_and_missing_tables_are_named(tmp_path: Path) -> None:
    warehouse = _world_with(tmp_path, "DROP TABLE protected_attributes")
    with pytest.raises(InputError, match="protected_attributes"):
        load_model_data(warehouse, "custody_12m")
    with pytest.raises(InputError, match="not_a_label"):
        load_model_data(build_feature_warehouse(tmp_path / "b", n_children=20).warehouse,
                        "not_a_label")


def test_fit_label_is_loaded_beside_the_evaluated_label(world: SyntheticWorld) -> None:
    both = load_model_data(world.warehouse, "custody_12m", "first_time_entry_12m")
    assert both.target == "first_time_entry_12m" and both.label == "custody_12m"
    frame = both.frame
    # The broader outcome includes every custody case and more.
    assert (frame["first_time_entry_12m"] >= frame["custody_12m"]).all()
    assert frame["first_time_entry_12m"].sum() > 2 * frame["custody_12m"].sum()
    alone = load_model_data(world.warehouse, "custody_12m")
    assert alone.target == "custody_12m" and both.fingerprint != alone.fingerprint
    same = load_model_data(world.warehouse, "custody_12m", "custody_12m")
    assert same.fingerprint == alone.fingerprint
    with pytest.raises(InputError, match=r"model\.fit_label"):
        load_model_data(world.warehouse, "custody_12m", "no_such_label")


def test_features_over_all_history_are_left_out_of_the_model(tmp_path: Path) -> None:
    # noise_00 becomes an "ever" count and noise_01 a status today: the first drifts with the
    # extract's history, the second does not.
    warehouse = _world_with(tmp_path, """
        UPDATE feature_registry SET lookback_months = NULL WHERE feature = 'noise_00';
        UPDATE feature_registry SET lookback_months = 0 WHERE feature = 'noise_01';
        UPDATE feature_registry SET lookback_months = 36 WHERE feature = 'noise_02';""")
    limited = load_model_data(warehouse, "custody_12m", max_lookback_months=24)
    assert "noise_00" not in limited.features and "noise_02" not in limited.features
    assert "noise_01" in limited.features and "noise_00" in limited.all_features
    assert "noise_00" in limited.frame.columns  # still there for the rule baseline
    kinds = dict(zip(limited.features, limited.kinds, strict=True))
    assert kinds["suspensions_violence_6m"] == "count" and kinds["absence_rate_3t"] == "rate"
    everything = load_model_data(warehouse, "custody_12m", max_lookback_months=None)
    assert everything.features == everything.all_features
    assert {"noise_00", "noise_02"} <= set(everything.features)
    with pytest.raises(InputError, match="max_lookback_months"):
        load_model_data(_world_with(tmp_path / "all", "UPDATE feature_registry SET "
                                    "lookback_months = NULL"),
                        "custody_12m", max_lookback_months=24)


def test_registry_from_an_older_version_asks_for_a_rebuild(tmp_path: Path) -> None:
    warehouse = _world_with(tmp_path, "ALTER TABLE feature_registry DROP COLUMN kind")
    with pytest.raises(InputError, match=r"kind.*earlyhelp features"):
        load_model_data(warehouse, "custody_12m")
