"""Small person tables with a known truth, for linkage tests and benchmarks.

True children live in households (shared surname and postcode, some twins); each source
system holds noisy copies of some of them, with the mess council systems really have:
typos, nicknames, day/month swaps, moved postcodes, missing UPNs, duplicate identifiers and,
on request, missing names or dates. Tables follow docs/contracts.md (Warehouse -> person
tables). Everything is seeded.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd

from features.linkage.nicknames import FORMAL_TO_NICKNAMES

from .name_pools import BOYS, ENDINGS, GIRLS, SYLLABLES

SYSTEMS = {
    "person_social_care": "la_child_id",
    "person_school": "upn",
    "person_early_help": "eh_id",
    "person_youth_justice": "yj_id",
}
FOLDERS = {
    "person_social_care": "social_care",
    "person_school": "school_census",
    "person_early_help": "early_help",
    "person_youth_justice": "youth_justice",
}


@dataclass(frozen=True)
class Mess:
    """Chance of each kind of error in one copy of a child's details."""

    typo: float = 0.05
    nickname: float = 0.08
    dob_swap: float = 0.02
    dob_typo: float = 0.01
    moved: float = 0.15
    upn_carried: float = 0.6  # social care records that carry the school UPN
    duplicate: float = 0.02  # a second identifier for the same child in one system
    twins: float = 0.02
    missing_name: float = 0.0
    missing_dob: float = 0.0


CLEAN = Mess(typo=0, nickname=0, dob_swap=0, dob_typo=0, moved=0, duplicate=0)


@dataclass(frozen=True)
class Reach:
    """Chance that a child is known to each system."""

    school: float = 0.92
    social_care: float = 0.3
    early_help: float = 0.15
    youth_justice: float = 0.05


@dataclass
class Child:
    child_id: str
    forename: str
    surname: str
    dob: date
    sex: str
    postcode: str
    upn: str | None = None


@dataclass
class World:
    """Person tables (one DataFrame each) and the truth (``id_system``, ``source_id``,
    ``child_id``, ``source``)."""

    tables: dict[str, pd.DataFrame]
    truth: pd.DataFrame
    children: list[Child] = field(default_factory=list)

    def write(self, warehouse: Path, truth_dir: Path | None = None) -> Path:
        warehouse.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(warehouse))
        try:
            for name, frame in self.tables.items():
                con.register("_frame", frame)
                con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM _frame")
                con.unregister("_frame")
        finally:
            con.close()
        if truth_dir is not None:
            truth_dir.mkdir(parents=True, exist_ok=True)
            self.truth.to_parquet(truth_dir / "records.parquet", index=False)
        return warehouse


def _surname_pool(rng: random.Random, n: int) -> list[str]:
    # At most 80% of the possible names: asking for all of them would never finish (a region
    # of 250,000 children asks for more names than the syllables can make).
    n = min(n, int(0.8 * len(SYLLABLES) ** 2 * len(ENDINGS)))
    names = set()
    while len(names) < n:
        names.add(rng.choice(SYLLABLES) + rng.choice(SYLLABLES) + rng.choice(ENDINGS))
    return sorted(names)


def _postcodes(rng: random.Random, n: int) -> list[str]:
    n = min(n, int(0.8 * 20 * 10 * 20**2))  # as above: at most 80% of the possible codes
    codes = set()
    while len(codes) < n:
        district = rng.randint(1, 20)
        sector = rng.randint(0, 9)
        unit = "".join(rng.choices("ABDEFGHJLNPQRSTUWXYZ", k=2))
        codes.add(f"ME{district} {sector}{unit}")
    return sorted(codes)


def make_children(n: int, rng: random.Random, mess: Mess) -> list[Child]:
    """True children in households: siblings share surname and postcode; some are twins."""
    surnames = _surname_pool(rng, max(50, n // 6))
    weights = [1 / (i + 1) ** 0.7 for i in range(len(surnames))]  # a few common surnames
    postcodes = _postcodes(rng, max(30, n // 12))
    children: list[Child] = []
    while len(children) < n:
        surname = rng.choices(surnames, weights)[0]
        postcode = rng.choice(postcodes)
        base = date(2004, 1, 1) + timedelta(days=rng.randrange(16 * 365))
        for k in range(rng.choice([1, 1, 2, 2, 3])):
            # ``twins`` is the share of all children; about half are later siblings
            twin = k > 0 and rng.random() < mess.twins * 2
            dob = base if twin else base + timedelta(days=rng.randint(300, 2500) * k)
            sex = rng.choice("MF")
            # siblings get different forenames, as they do in life
            taken = {c.forename for c in children[len(children) - k :]} if k else set()
            forename = rng.choice([f for f in (BOYS if sex == "M" else GIRLS) if f not in taken])
            cid = f"CH{len(children):07d}"
            children.append(Child(cid, forename, surname, dob, sex, postcode))
            if len(children) == n:
                break
    return children


def _typo(name: str, rng: random.Random) -> str:
    if len(name) < 3:
        return name
    i = rng.randrange(1, len(name) - 1)
    kind = rng.choice(["sub", "del", "swap"])
    if kind == "sub":
        return name[:i] + rng.choice(string.ascii_uppercase) + name[i + 1 :]
    if kind == "del":
        return name[:i] + name[i + 1 :]
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def noisy_copy(child: Child, rng: random.Random, mess: Mess, postcodes: list[str]) -> dict:
    forename, surname, dob, postcode = child.forename, child.surname, child.dob, child.postcode
    nicks = FORMAL_TO_NICKNAMES.get(forename)
    if nicks and rng.random() < mess.nickname:
        forename = rng.choice(nicks)
    if rng.random() < mess.typo:
        if rng.random() < 0.5:
            forename = _typo(forename, rng)
        else:
            surname = _typo(surname, rng)
    if rng.random() < mess.dob_swap and dob.day <= 12 and dob.day != dob.month:
        dob = date(dob.year, dob.day, dob.month)
    elif rng.random() < mess.dob_typo:
        dob = dob.replace(day=min(28, max(1, dob.day + rng.choice([-1, 1, 10, -10]))))
    if rng.random() < mess.moved:
        postcode = rng.choice(postcodes)
    record: dict = {
        "forename": forename.title(),
        "surname": surname.title(),
        "dob": dob,
        "sex": child.sex,
        "postcode": postcode,
    }
    if rng.random() < mess.missing_name:
        record["forename"] = record["surname"] = None
    if rng.random() < mess.missing_dob:
        record["dob"] = None
    return record


class _Builder:
    def __init__(self, rng: random.Random, mess: Mess, postcodes: list[str]) -> None:
        self.rng, self.mess, self.postcodes = rng, mess, postcodes
        self.rows: dict[str, list[dict]] = {t: [] for t in SYSTEMS}
        self.truth: list[tuple[str, str, str, str]] = []
        self.counter = 0

    def add(self, table: str, source_id: str, child: Child, **extra: object) -> None:
        self.counter += 1
        named = extra.pop("named", True)
        record = noisy_copy(child, self.rng, self.mess, self.postcodes)
        if not named:  # Annex A / CIN / 903 rows: no names, no postcode
            record.update(forename=None, surname=None, postcode=None, dob=child.dob)
        system = SYSTEMS[table]
        self.rows[table].append(
            {
                "record_id": f"R{self.counter:08d}",
                "id_system": system,
                "source_id": source_id,
                **record,
                "upn": extra.get("upn"),
                "la_child_id": source_id if system == "la_child_id" else None,
                "ethnicity": "WBRI",
                "disability": "NONE",
                "recorded_date": date(2024, 3, 31) - timedelta(days=self.rng.randrange(2000)),
                "file": f"{FOLDERS[table]}/extract.csv",
                "row_ref": str(len(self.rows[table]) + 2),
                "extract_date": date(2024, 3, 31),
            }
        )
        key = (FOLDERS[table], system, source_id, child.child_id)
        if not self.truth or self.truth[-1] != key:
            self.truth.append(key)


def build_world(
    n_children: int, *, seed: int = 7, mess: Mess = Mess(), reach: Reach = Reach()
) -> World:
    """Generate children and their records in the four person tables."""
    rng = random.Random(seed)
    children = make_children(n_children, rng, mess)
    postcodes = sorted({c.postcode for c in children})
    b = _Builder(rng, mess, postcodes)
    ids = {t: 0 for t in SYSTEMS}

    def new_id(table: str) -> str:
        ids[table] += 1
        prefix = {
            "person_social_care": "LA",
            "person_school": "U",
            "person_early_help": "EH",
            "person_youth_justice": "YJ",
        }[table]
        if table == "person_school":  # a UPN: a letter and twelve digits
            return f"{'ABCDEFGHJKLMNPQRTUVWXYZ'[ids[table] % 23]}{ids[table]:012d}"
        return f"{prefix}{ids[table]:07d}"

    for child in children:
        if rng.random() < reach.school:
            child.upn = new_id("person_school")
            for _ in range(rng.choice([1, 1, 2])):  # re-extracts under the same UPN
                b.add("person_school", child.upn, child, upn=child.upn)
            if rng.random() < mess.duplicate:
                dup = new_id("person_school")
                b.add("person_school", dup, child, upn=dup)
        if rng.random() < reach.social_care:
            for _ in range(1 + (rng.random() < mess.duplicate)):
                la = new_id("person_social_care")
                upn = child.upn if child.upn and rng.random() < mess.upn_carried else None
                b.add("person_social_care", la, child, upn=upn)
                for _ in range(rng.randint(0, 2)):
                    b.add("person_social_care", la, child, upn=upn, named=False)
        for table, p in (
            ("person_early_help", reach.early_help),
            ("person_youth_justice", reach.youth_justice),
        ):
            if rng.random() < p:
                for _ in range(1 + (rng.random() < mess.duplicate)):
                    b.add(table, new_id(table), child)
    tables = {
        t: pd.DataFrame(rows, columns=_COLUMNS).astype({"dob": "datetime64[s]"})
        for t, rows in b.rows.items()
    }
    truth = pd.DataFrame(b.truth, columns=["source", "id_system", "source_id", "child_id"])
    return World(tables, truth.drop_duplicates(), children)


_COLUMNS = [
    "record_id",
    "id_system",
    "source_id",
    "forename",
    "surname",
    "dob",
    "sex",
    "postcode",
    "upn",
    "la_child_id",
    "ethnicity",
    "disability",
    "recorded_date",
    "file",
    "row_ref",
    "extract_date",
]
