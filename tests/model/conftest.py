"""Fixtures for the model tests: one small synthetic feature warehouse, trained once."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# The builders live in tests/model/ and are shared with bench/; import them as
# ``tests.model.builders`` (other test folders have their own ``builders`` module).
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from earlyhelp.settings import Settings, load_settings  # noqa: E402
from tests.model.builders import SyntheticWorld, build_feature_warehouse  # noqa: E402


def small_settings(data_dir: Path, **model: object) -> Settings:
    """Short folds for a 36-month world; few resamples to keep tests fast."""
    base = {"fold_months": 3, "calibration_months": 3, "bootstrap_resamples": 200}
    return load_settings(
        data_dir=data_dir,
        mlflow_tracking_uri=f"sqlite:///{data_dir / 'mlflow.db'}",
        model={**base, **model},
    )


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> SyntheticWorld:
    return build_feature_warehouse(tmp_path_factory.mktemp("world"), n_months=48)


@pytest.fixture(scope="session")
def trained(world: SyntheticWorld, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """One training run with the oracle, shared by the read-only tests."""
    from model.pipeline import train

    settings = small_settings(tmp_path_factory.mktemp("run"))
    report = train(world.warehouse, settings, truth=world.truth)
    return settings, report


@pytest.fixture
def promoted(world: SyntheticWorld, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A training run of its own, for tests that move aliases or log verdicts: the shared
    ``trained`` run stays as training left it."""
    from model.pipeline import train

    settings = small_settings(tmp_path / "run")
    return settings, train(world.warehouse, settings)
