"""Fixtures for the serving tests: one small world with a champion, trained once per session;
every test gets its own store (a SQLite file in its tmp_path, or its own PostgreSQL database)."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from earlyhelp.settings import Settings, load_settings  # noqa: E402
from model.scoring import LoadedModel  # noqa: E402
from tests.serving.builders import ServedWorld, build_served_world  # noqa: E402

PASSWORD = "correct-horse-battery"
POSTGRES = os.environ.get("EARLYHELP_TEST_POSTGRES_URL")


@dataclass(frozen=True)
class Champion:
    served: ServedWorld
    mlflow_uri: str
    model: LoadedModel
    cache_dir: Path


@pytest.fixture(scope="session")
def champion(tmp_path_factory: pytest.TempPathFactory) -> Champion:
    """A small world, one training run, its model promoted to champion by alias."""
    import mlflow

    from model.pipeline import train
    from model.scoring import load_model

    root = tmp_path_factory.mktemp("served")
    served = build_served_world(root / "world")
    run = root / "run"
    uri = f"sqlite:///{run / 'mlflow.db'}"
    settings = load_settings(data_dir=run, mlflow_tracking_uri=uri, model={
        "fold_months": 3, "calibration_months": 3, "bootstrap_resamples": 100})
    report = train(served.warehouse, settings)
    mlflow.set_tracking_uri(uri)
    mlflow.MlflowClient().set_registered_model_alias(
        settings.model.registered_name, "champion", report.model_version)
    return Champion(served=served, mlflow_uri=uri, model=load_model(settings), cache_dir=run)


def settings_for(data_dir: Path, champion: Champion, database_url: str | None = None,
                 **serving: object) -> Settings:
    return load_settings(data_dir=data_dir, mlflow_tracking_uri=champion.mlflow_uri,
                         database_url=database_url or f"sqlite:///{data_dir / 'serving.db'}",
                         environment="test", serving=serving)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The store on SQLite, and on PostgreSQL when EARLYHELP_TEST_POSTGRES_URL names a server
    (`.ci/run` starts one): a fresh database for each test, dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'serving.db'}"
        return
    if not POSTGRES:
        pytest.skip("EARLYHELP_TEST_POSTGRES_URL is not set (.ci/run starts PostgreSQL)")
    from sqlalchemy import create_engine, text

    name = f"earlyhelp_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES.replace("postgresql://", "postgresql+psycopg://", 1),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as con:
        con.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as con:
            con.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def settings(tmp_path: Path, champion: Champion) -> Settings:
    return settings_for(tmp_path, champion)


@pytest.fixture
def scored(settings: Settings, champion: Champion):  # type: ignore[no-untyped-def]
    """The store after the alert run for the world's latest month."""
    from serving.alert_run import run_alerts
    from serving.store.database import engine_for, session_factory

    factory = session_factory(engine_for(settings))
    report = run_alerts(settings, champion.served.warehouse, champion.served.months[-1],
                        champion.model, factory)
    return factory, report


class FixedHolder:
    """The session's champion, without a registry call per test."""

    def __init__(self, model: LoadedModel) -> None:
        from datetime import UTC, datetime

        self.model = model
        self.loaded_at = datetime.now(UTC)

    def reload(self):  # type: ignore[no-untyped-def]
        from serving.model_holder import ReloadResult

        return ReloadResult(False, self.model.version, self.model.source, "unchanged")


@pytest.fixture
def client(settings: Settings, champion: Champion, scored) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    from serving.app import create_app

    app = create_app(settings, holder=FixedHolder(champion.model),  # type: ignore[arg-type]
                     warehouse=champion.served.warehouse)
    with TestClient(app) as test_client:
        yield test_client


def add_users(factory, teams: list[str]) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """One user per role (a practitioner of each of two teams); returns username -> role."""
    from serving.security import Role
    from serving.store.database import session_scope
    from serving.store.users import add_user

    wanted = {
        "prac": (Role.practitioner, teams[:1]), "other": (Role.practitioner, teams[1:2]),
        "manager": (Role.team_manager, teams[:2]), "scientist": (Role.data_scientist, []),
        "board": (Role.governance, []), "admin": (Role.admin, []),
    }
    with session_scope(factory) as session:
        for name, (role, its) in wanted.items():
            add_user(session, username=name, full_name=f"Test {name}", password=PASSWORD,
                     role=role, teams=its)
    return {name: role.value for name, (role, _) in wanted.items()}


def bearer(client: TestClient, username: str) -> dict[str, str]:
    answer = client.post("/v1/auth/token", data={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}
