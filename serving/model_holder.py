"""The model a running service scores with, and how it is swapped without dropping requests.

Each request takes the current ``LoadedModel`` once and scores with it to the end, so a reload
(which loads the new model fully before swapping one reference) never touches a request in
flight. If the registry cannot be reached at a reload, the model in use stays.

With ``local_first`` (the server), a service that has a local copy of the champion starts on
it at once and asks the registry in a background thread: the registry's answer (seconds) no
longer delays readiness, and a moved alias is picked up exactly as an admin reload would.
"""

from __future__ import annotations

import gc
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

from earlyhelp.settings import Settings
from model.scoring import LoadedModel, load_local, load_model


@dataclass(frozen=True)
class ReloadResult:
    changed: bool
    version: str
    source: str
    message: str


class ModelHolder:
    def __init__(self, settings: Settings, alias: str = "champion", *,
                 local_first: bool = False) -> None:
        self._settings = settings
        self._alias = alias
        self._lock = threading.Lock()
        local = load_local(settings, alias) if local_first else None
        # NoChampionError from the registry when there is no local copy: cannot start.
        self._model = local or load_model(settings, alias)
        self.loaded_at = datetime.now(UTC)
        self.checking = local is not None
        if self.checking:
            threading.Thread(target=self._confirm, name="registry-check", daemon=True).start()

    def _confirm(self) -> None:
        try:
            self.reload()
        except Exception:  # the local copy keeps serving; /ready says which
            pass
        finally:
            self.checking = False

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
            # The model lives until the next reload: out of the collector's sight (see
            # `earlyhelp serve`), so full collections stay short while it serves.
            gc.collect()
            gc.freeze()
            return ReloadResult(changed, fresh.version, fresh.source,
                                f"version {old.version} -> {fresh.version}" if changed
                                else f"version {fresh.version} unchanged")
