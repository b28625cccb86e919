"""The model a running service scores with, and how it is swapped without dropping requests.

Each request takes the current ``LoadedModel`` once and scores with it to the end, so a reload
(which loads the new model fully before swapping one reference) never touches a request in
flight. If the registry cannot be reached at a reload, the model in use stays.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime

from earlyhelp.settings import Settings
from model.scoring import LoadedModel, load_model


@dataclass(frozen=True)
class ReloadResult:
    changed: bool
    version: str
    source: str
    message: str


class ModelHolder:
    def __init__(self, settings: Settings, alias: str = "champion") -> None:
        self._settings = settings
        self._alias = alias
        self._lock = threading.Lock()
        self._model = load_model(settings, alias)  # NoChampionError: the service cannot start
        self.loaded_at = datetime.now(UTC)

    @property
    def model(self) -> LoadedModel:
        return self._model

    def reload(self) -> ReloadResult:
        with self._lock:
            fresh = load_model(self._settings, self._alias)
            old = self._model
            if fresh.source == "cache" and old.source == "registry":
                return ReloadResult(False, old.version, old.source,
                                    "registry unreachable: kept the model in use")
            changed = (fresh.version, fresh.run_id) != (old.version, old.run_id)
            self._model, self.loaded_at = fresh, datetime.now(UTC)
            return ReloadResult(changed, fresh.version, fresh.source,
                                f"version {old.version} -> {fresh.version}" if changed
                                else f"version {fresh.version} unchanged")
