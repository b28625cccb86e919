"""A small council run through ingest, link and features, a small registered champion, one
month's alert run, and users of every role: what the serving tests stand on.

The champion is registered here (a logistic regression on a few features, logged as the
product's pyfunc) so the serving tests do not depend on the full training step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest
from fastapi.testclient import TestClient

from earlyhelp.settings import Settings, load_settings
from serving.security import Role

PASSWORD = "correct horse battery"
FEATURES = ("suspensions_12m", "cin_open_now", "cla_now", "missing_24m", "age_years",
            "unauthorised_rate_last_term", "factor_exploitation_24m")


@dataclass(frozen=True)
class Served:
    settings: Settings
    warehouse: Path
    as_of: date
    teams: list[str]


def register_champion(settings: Settings, warehouse: Path) -> None:
    """Fit a small explainable pipeline on the warehouse and register it as champion."""
    import mlflow
    from mlflow import MlflowClient
    from mlflow.models import infer_signature
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.compose import ColumnTransformer
    from sklearn.frozen import FrozenEstimator
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    from model.pyfunc import RiskModel
    from model.tracking import connect, use_experiment

    with duckdb.connect(str(warehouse), read_only=True) as con:
        present = {r[0] for r in con.execute("DESCRIBE feature_matrix").fetchall()}
        features = [f for f in FEATURES if f in present]
        frame = con.execute(
            f"SELECT {', '.join(features)}, coalesce(l.first_time_entry_12m, 0) AS y "
            "FROM feature_matrix f JOIN labels l USING (child_key, as_of)").df()
        registry = con.execute("SELECT * FROM feature_registry").df()
    # Shaped as the product's models are: features, then a calibrated logistic regression.
    prepare = ColumnTransformer([("num", Pipeline([
        ("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]),
        features)]).fit(frame[features])
    X = prepare.transform(frame[features])
    fitted = LogisticRegression(max_iter=500).fit(X, frame["y"])
    calibrated = CalibratedClassifierCV(FrozenEstimator(fitted), method="sigmoid").fit(
        X, frame["y"])
    pipeline = Pipeline([("features", prepare), ("classifier", calibrated)])
    connect(settings)
    use_experiment(settings, settings.model.label)  # not the experiment another test set
    name = settings.model.registered_name
    python_model = RiskModel(pipeline, features, registry)
    example = frame[features].head(5).astype("float64")
    with mlflow.start_run():
        mlflow.log_text("# Model card\n\n## Intended use\nTest model.\n\n## Caveats and "
                        "recommendations\n- A test model.\n", "model_card/model_card.md")
        info = mlflow.pyfunc.log_model(
            name="model", python_model=python_model, input_example=example,
            signature=infer_signature(example, python_model.predict(None, example)),
            pip_requirements=["mlflow"], registered_model_name=name)
    MlflowClient().set_registered_model_alias(name, "champion",
                                              str(info.registered_model_version))


@pytest.fixture(scope="session")
def served(small_world: Path, tmp_path_factory: pytest.TempPathFactory) -> Served:
    from features.build.pipeline import build_features
    from features.ingest import ingest
    from features.linkage.pipeline import link
    from model.scoring import load_model
    from serving.alert_run import run_alerts
    from serving.store.database import engine_for, session_factory

    root = tmp_path_factory.mktemp("served")
    settings = load_settings(data_dir=root, mlflow_tracking_uri=f"sqlite:///{root / 'ml.db'}",
                             database_url=f"sqlite:///{root / 'serving.db'}")
    warehouse = root / "warehouse.duckdb"
    ingest(small_world / "raw", warehouse, settings)
    link(warehouse, settings)
    report = build_features(warehouse, settings)
    register_champion(settings, warehouse)
    as_of = report.as_of_end
    factory = session_factory(engine_for(settings))
    run_alerts(settings, warehouse, as_of, load_model(settings), factory)
    with factory() as session:
        from sqlalchemy import select

        from serving.store.tables import Alert
        teams = sorted({t for (t,) in session.execute(select(Alert.team))})
    return Served(settings, warehouse, as_of, teams)


@pytest.fixture(scope="session")
def app(served: Served):  # type: ignore[no-untyped-def]
    from serving.app import create_app
    from serving.store.database import session_scope
    from serving.store.users import add_user

    application = create_app(served.settings, warehouse=served.warehouse)
    with session_scope(application.state.context.factory) as session:
        for role in Role:
            teams = served.teams[:1] if role in (Role.practitioner, Role.team_manager) else []
            add_user(session, username=role.value.replace("_", "-"), full_name=role.value,
                     password=PASSWORD, role=role, teams=teams)
        add_user(session, username="other-practitioner", full_name="Other team",
                 password=PASSWORD, role=Role.practitioner, teams=["Another team"])
    return application


@pytest.fixture
def client(app) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(app)


def token(client: TestClient, username: str) -> dict[str, str]:
    answer = client.post("/v1/auth/token", data={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}
