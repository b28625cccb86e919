"""The server starts on its local copy of the champion and confirms it with the registry."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from fastapi.testclient import TestClient

from serving.app import create_app
from serving.model_holder import ModelHolder
from tests.serving.conftest import Champion, settings_for


def _settled(holder: ModelHolder) -> None:
    deadline = time.monotonic() + 60
    while holder.checking and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not holder.checking


def test_starts_on_the_local_copy_then_takes_the_registrys_answer(
        tmp_path: Path, champion: Champion) -> None:
    shutil.copytree(champion.cache_dir / "model_cache", tmp_path / "model_cache")
    holder = ModelHolder(settings_for(tmp_path, champion), local_first=True)
    assert holder.model.source == "cache"  # ready before the registry has answered
    _settled(holder)
    assert (holder.model.source, holder.model.version) == ("registry", champion.model.version)


def test_an_unreachable_registry_leaves_the_local_copy_serving_and_ready_says_so(
        tmp_path: Path, champion: Champion) -> None:
    shutil.copytree(champion.cache_dir / "model_cache", tmp_path / "model_cache")
    settings = settings_for(tmp_path, champion).model_copy(update={
        "mlflow_tracking_uri": f"sqlite:///{tmp_path / 'no-such-folder' / 'mlflow.db'}"})
    holder = ModelHolder(settings, local_first=True)
    _settled(holder)
    assert (holder.model.source, holder.model.version) == ("cache", champion.model.version)
    with TestClient(create_app(settings, holder=holder,
                               warehouse=champion.served.warehouse)) as client:
        ready = client.get("/ready")
    assert ready.status_code == 200 and ready.json()["model_source"] == "cache"
    assert "could not be reached" in ready.json()["note"]


def test_an_admin_reload_takes_a_moved_alias_without_failing_requests_in_flight(
        tmp_path: Path, champion: Champion, scored) -> None:  # type: ignore[no-untyped-def]
    """The alias moves to a new version; requests keep arriving while an admin reloads; every
    one is answered, each by one whole model, and later ones by the new version."""
    from concurrent.futures import ThreadPoolExecutor

    import mlflow

    from serving.store.audit import read_log
    from tests.serving.conftest import add_users, bearer

    # A registry of this test's own (the session's champion stays where it is).
    shutil.copy(champion.cache_dir / "mlflow.db", tmp_path / "mlflow.db")
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    settings = settings_for(tmp_path, champion).model_copy(update={"mlflow_tracking_uri": uri})
    holder = ModelHolder(settings)
    factory, _ = scored
    add_users(factory, ["Early help triage, North", "Early help triage, South"])
    mlflow.set_tracking_uri(uri)
    client = mlflow.MlflowClient()
    name = settings.model.registered_name
    current = client.get_model_version_by_alias(name, "champion")
    moved = client.create_model_version(name, source=current.source, run_id=current.run_id)
    client.set_registered_model_alias(name, "champion", moved.version)

    # The same store as `scored` wrote (settings_for puts it in tmp_path).
    app = create_app(settings, holder=holder, warehouse=champion.served.warehouse)
    row = {f: 0.0 for f in champion.model.features}
    with TestClient(app) as api:
        scientist, admin = bearer(api, "scientist"), bearer(api, "admin")

        def score(_: int) -> tuple[int, str]:
            answer = api.post("/v1/score", json={"features": row}, headers=scientist)
            return answer.status_code, answer.json().get("model_version", "")

        with ThreadPoolExecutor(4) as pool:
            before = pool.map(score, range(40))
            reloaded = api.post("/v1/admin/reload", headers=admin)
            after = list(pool.map(score, range(40)))
        answers = [*before, *after]
    assert reloaded.status_code == 200 and reloaded.json()["changed"] is True
    assert reloaded.json()["model_version"] == str(moved.version)
    assert all(status == 200 for status, _ in answers)
    assert {v for _, v in answers} <= {str(current.version), str(moved.version)}
    assert all(v == str(moved.version) for _, v in after)
    with factory() as session:
        assert next(e.action for e in read_log(session)) == "model_reload"
