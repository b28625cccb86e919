"""What every source-system writer shares: identifiers, each system's view of a person, CSVs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from synthcouncil.calendar import format_dates
from synthcouncil.config import MessConfig
from synthcouncil.mess import (
    recorded_dates,
    repeat_rows,
    variant_dobs,
    variant_forenames,
    variant_surnames,
)
from synthcouncil.simulate import World


@dataclass
class Extract:
    """One world being written: its truth, the mess settings, where files go, what was written."""

    world: World
    raw: Path
    counts: dict[str, int]
    records: list[pd.DataFrame]  # (source, id_system, source_id, child_id) per identifier
    la_id: np.ndarray  # LAchildID by child ("" if never known to social care)

    @property
    def mess(self) -> MessConfig | None:
        cfg = self.world.config
        return cfg.mess_config if cfg.mess else None

    def rng(self, salt: int) -> np.random.Generator:
        """A generator of its own per purpose, so one writer's draws never shift another's."""
        return np.random.default_rng([self.world.config.seed, 100 + salt])

    def recorded(self, event: np.ndarray, salt: int) -> np.ndarray:
        return recorded_dates(np.asarray(event, dtype="datetime64[D]"), self.mess, self.rng(salt))

    def write_csv(self, frame: pd.DataFrame, folder: str, name: str, salt: int) -> None:
        path = self.raw / folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        frame = repeat_rows(frame, self.mess, self.rng(salt))
        frame.to_csv(path, index=False)
        self.counts[f"{folder}/{name}"] = len(frame)

    def note_ids(self, source: str, id_system: str, ids: np.ndarray, child: np.ndarray) -> None:
        pairs = pd.DataFrame({"source_id": ids, "child_id": child}).drop_duplicates("source_id")
        pairs.insert(0, "id_system", id_system)
        pairs.insert(0, "source", source)
        self.records.append(pairs)

    def person_view(self, idx: np.ndarray, salt: int) -> pd.DataFrame:
        """How one system holds each child's name and date of birth (mess per system)."""
        pop, rng = self.world.pop, self.rng(salt)
        return pd.DataFrame({
            "child": idx,
            "forename": variant_forenames(pop.forename[idx], self.mess, rng),
            "surname": variant_surnames(pop.surname[idx], self.mess, rng),
            "dob": variant_dobs(pop.dob[idx], self.mess, rng),
            "sex": pop.sex[idx],
        })

    def postcode(self, idx: np.ndarray, month: np.ndarray) -> np.ndarray:
        """The postcode a system holds: as given at its first record (stale after a move)."""
        pop, cal = self.world.pop, self.world.cal
        if self.mess is None or not self.mess.stale_postcode:
            month = np.minimum(pop.leave[idx] - 1, cal.last)
        return pop.postcode_at(np.asarray(month), idx)

    def kept(self, recorded: np.ndarray) -> np.ndarray:
        """Rows entered by the extract date (later entries are not in the extract yet)."""
        return recorded <= self.world.cal.end


def new_ids(prefix: str, n: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """Identifiers in random order (so the order of issue tells nothing about the child)."""
    numbers = rng.choice(10**width - 10 ** (width - 1), n, replace=False) + 10 ** (width - 1)
    return np.array([f"{prefix}{x}" for x in numbers], dtype=object)


def dmy(d: np.ndarray | pd.Series) -> np.ndarray:
    return format_dates(np.asarray(d, dtype="datetime64[D]"))


def first_month(child: np.ndarray, month: np.ndarray) -> pd.Series:
    """Earliest month per child."""
    return pd.Series(month).groupby(child).min()
