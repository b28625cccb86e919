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
