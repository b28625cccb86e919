"""Small hand-built warehouses in the contract's shape (docs/contracts.md, Warehouse, Linkage).

A test names a few children, places events by hand and writes a DuckDB file, so every expected
feature value can be worked out on paper.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from earlyhelp.pseudonym import pseudonymise

KEY = "test-pseudonym-key"
PROVENANCE = {"file": "VARCHAR", "row_ref": "VARCHAR", "extract_date": "DATE"}
IDS = {"id_system": "VARCHAR", "source_id": "VARCHAR"}
EVENT_BASE = {**IDS, "event_date": "DATE", "recorded_date": "DATE"}
PERSON = {
    "record_id": "VARCHAR", **IDS, "forename": "VARCHAR", "surname": "VARCHAR", "dob": "DATE",
    "sex": "VARCHAR", "postcode": "VARCHAR", "upn": "VARCHAR", "la_child_id": "VARCHAR",
    "ethnicity": "VARCHAR", "disability": "VARCHAR", "recorded_date": "DATE", **PROVENANCE,
}
# The school census pupil rows carry the census date and the characteristics it records.
PERSON_OWN: dict[str, dict[str, str]] = {
    "person_school": {"event_date": "DATE", "fsm_eligible": "BOOLEAN",
                      "first_language": "VARCHAR"},
}
EVENT_OWN: dict[str, dict[str, str]] = {
    "contacts": {"contact_source": "VARCHAR"},
    "referrals": {"referral_source": "VARCHAR", "nfa": "BOOLEAN"},
    "assessments": {"end_date": "DATE", "assessment_id": "VARCHAR"},
    "assessment_factors": {"assessment_id": "VARCHAR", "factor_code": "VARCHAR"},
    "cin_episodes": {"end_date": "DATE", "primary_need": "VARCHAR",
                     "reason_for_closure": "VARCHAR"},
    "section47": {"icpc_date": "DATE"},
    "cp_plans": {"end_date": "DATE", "initial_category": "VARCHAR",
                 "latest_category": "VARCHAR"},
    "cla_episodes": {"end_date": "DATE", "legal_status": "VARCHAR",
                     "reason_new_episode": "VARCHAR", "placement": "VARCHAR",
                     "reason_ended": "VARCHAR"},
    "missing_episodes": {"end_date": "DATE", "missing_type": "VARCHAR"},
    "early_help_episodes": {"end_date": "DATE", "reason": "VARCHAR", "outcome": "VARCHAR",
                            "lead_professional": "VARCHAR"},
    "attendance": {"academic_year": "VARCHAR", "term": "VARCHAR",
                   "sessions_possible": "INTEGER", "sessions_authorised": "INTEGER",
                   "sessions_unauthorised": "INTEGER"},
    "exclusions": {"category": "VARCHAR", "reason_code": "VARCHAR", "sessions": "INTEGER"},
    "yj_outcomes": {"tier": "VARCHAR", "offence_type": "VARCHAR"},
}
SYSTEM_OF = {
    **{t: "la_child_id" for t in EVENT_OWN},
    "early_help_episodes": "eh_id",
    "attendance": "upn",
    "exclusions": "upn",
    "yj_outcomes": "yj_id",
}
PERSON_TABLE_OF = {
    "la_child_id": "person_social_care",
    "upn": "person_school",
    "eh_id": "person_early_help",
    "yj_id": "person_youth_justice",
}
POSTCODES = {"postcode": "VARCHAR", "locality": "VARCHAR", "imd_decile": "INTEGER"}


def child_key(name: str) -> str:
    """The pseudonymous key the builder gives the child called ``name``."""
    return pseudonymise(f"M-{name}", KEY)


@dataclass
class WarehouseBuilder:
    """Collects persons and events, then writes them as a contract-shaped warehouse."""

    extract_date: date = date(2024, 3, 31)
    persons: list[dict[str, Any]] = field(default_factory=list)
    events: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    identifiers: dict[tuple[str, str], str] = field(default_factory=dict)
    postcodes: list[dict[str, Any]] = field(default_factory=list)

    def child(
        self, name: str, dob: date, known: date, *, sex: str | None = "M",
        ethnicity: str | None = "WBRI", disability: str | None = "NONE",
        postcode: str | None = "ME1 1AA", system: str = "la_child_id",
    ) -> str:
        """Add a person record (recorded on ``known``); return the child's key."""
        self.person(name, system, dob=dob, recorded=known, sex=sex, ethnicity=ethnicity,
                    disability=disability, postcode=postcode)
        return child_key(name)

    def person(
        self, name: str, system: str, *, dob: date | None, recorded: date,
        sex: str | None = "M", ethnicity: str | None = None, disability: str | None = None,
        postcode: str | None = None, **own: Any,
    ) -> None:
        source_id = self._identifier(name, system)
        self.persons.append({
            "table": PERSON_TABLE_OF[system], "record_id": f"R{len(self.persons)}",
            "id_system": system, "source_id": source_id, "forename": "Test",
            "surname": f"Child{name}", "dob": dob, "sex": sex, "postcode": postcode,
            "upn": source_id if system == "upn" else None,
            "la_child_id": source_id if system == "la_child_id" else None,
            "ethnicity": ethnicity, "disability": disability, "recorded_date": recorded,
            "file": f"{system}.csv", "row_ref": str(len(self.persons) + 2),
            "extract_date": self.extract_date, **own,
        })

    def event(
        self, table: str, name: str, event_date: date, recorded: date | None = None,
        **own: Any,
    ) -> None:
        """Add an event; recorded a week after the event unless ``recorded`` says otherwise."""
        system = SYSTEM_OF[table]
        row = {column: None for column in EVENT_OWN[table]}
        row.update(own)
        row.update({
            "id_system": system, "source_id": self._identifier(name, system),
            "event_date": event_date,
            "recorded_date": recorded or event_date + timedelta(days=7),
            "file": f"{table}.csv", "row_ref": str(len(self.events[table]) + 2),
            "extract_date": self.extract_date,
        })
        self.events[table].append(row)

    def postcode(self, postcode: str, imd_decile: int) -> None:
        self.postcodes.append({"postcode": postcode, "locality": "Town",
                               "imd_decile": imd_decile})

    def _identifier(self, name: str, system: str) -> str:
        key = (name, system)
        if key not in self.identifiers:
            self.identifiers[key] = f"{system[:2].upper()}-{name}"
        return self.identifiers[key]

    def write(self, path: Path) -> Path:
        """Write every contract table (empty where nothing was added) to ``path``."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with duckdb.connect(str(path)) as con:
            con.execute("BEGIN TRANSACTION")
            for table in PERSON_TABLE_OF.values():
                rows = [
                    {k: v for k, v in p.items() if k != "table"}
                    for p in self.persons if p["table"] == table
                ]
                _write(con, table, {**PERSON, **PERSON_OWN.get(table, {})}, rows)
            for table, own in EVENT_OWN.items():
                _write(con, table, {**EVENT_BASE, **own, **PROVENANCE}, self.events[table])
            _write(con, "postcodes", {**POSTCODES, **PROVENANCE},
                   [{**p, "file": "postcodes.csv", "row_ref": "2",
                     "extract_date": self.extract_date} for p in self.postcodes])
            index = [
                {"id_system": system, "source_id": source_id, "master_id": f"M-{name}",
                 "child_key": child_key(name), "link_method": "deterministic"}
                for (name, system), source_id in self.identifiers.items()
            ]
            _write(con, "master_index",
                   {**IDS, "master_id": "VARCHAR", "child_key": "VARCHAR",
                    "link_method": "VARCHAR"}, index)
            con.execute("COMMIT")
        return path


def _write(
    con: duckdb.DuckDBPyConnection, table: str, columns: dict[str, str],
    rows: list[dict[str, Any]],
) -> None:
    ddl = ", ".join(f"{name} {kind}" for name, kind in columns.items())
    con.execute(f"CREATE OR REPLACE TABLE {table} ({ddl})")
    if rows:
        frame = pd.DataFrame([{c: r.get(c) for c in columns} for r in rows], dtype=object)
        con.register("rows_df", frame)
        casts = ", ".join(f"CAST(\"{c}\" AS {k}) AS {c}" for c, k in columns.items())
        con.execute(f"INSERT INTO {table} SELECT {casts} FROM rows_df")
        con.unregister("rows_df")


@dataclass
class Built:
    """A built warehouse and its features report, with lookups for assertions."""

    path: Path
    report: Any

    def table(self, name: str) -> pd.DataFrame:
        with duckdb.connect(str(self.path), read_only=True) as con:
            return con.execute(f"SELECT * FROM {name} ORDER BY ALL").df()

    def row(self, table: str, name: str, as_of: date) -> dict[str, Any] | None:
        """The row of ``table`` for the child called ``name`` at ``as_of`` (None if absent)."""
        with duckdb.connect(str(self.path), read_only=True) as con:
            frame = con.execute(
                f"SELECT * FROM {table} WHERE child_key = ? AND as_of = ?",
                [child_key(name), as_of],
            ).df()
        return None if frame.empty else frame.iloc[0].to_dict()

    def value(self, feature: str, name: str, as_of: date) -> Any:
        row = self.row("feature_matrix", name, as_of)
        assert row is not None, f"child {name} is not in the population at {as_of}"
        return row[feature]


def build(
    builder: WarehouseBuilder, folder: Path, start: date, end: date,
    labels: tuple[str, ...] | None = None,
) -> Built:
    from earlyhelp.settings import Settings
    from features.build.pipeline import build_features

    path = builder.write(folder / "warehouse.duckdb")
    report = build_features(path, Settings(data_dir=path.parent), start=start, end=end,
                            label_names=labels)
    return Built(path, report)
