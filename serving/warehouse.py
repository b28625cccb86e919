"""What the warehouse says about a flagged child: which services know them, where the alert
goes, and (for a permitted role only) who they are.

Read-only, and only for the children being alerted or opened, never the whole population.
Everything else the service stores is keyed by pseudonymous ``child_key``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from earlyhelp.errors import InputError

# (service, warehouse table, what a row means, has an end date)
SERVICES: tuple[tuple[str, str, str, bool], ...] = (
    ("Children's social care", "contacts", "contact", False),
    ("Children's social care", "referrals", "referral", False),
    ("Children's social care", "cin_episodes", "child in need episode", True),
    ("Children's social care", "cp_plans", "child protection plan", True),
    ("Children's social care", "cla_episodes", "looked after", True),
    ("Children's social care", "missing_episodes", "missing episode", True),
    ("Early help", "early_help_episodes", "early help episode", True),
    ("School", "exclusions", "suspension or exclusion", False),
)
SOCIAL_CARE_OPEN = ("cin_episodes", "cp_plans", "cla_episodes")


@dataclass(frozen=True)
class Route:
    team: str
    because: str


@contextmanager
def read_only(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    if not warehouse.exists():
        raise InputError(f"{warehouse}: no such warehouse; run `earlyhelp ingest` first")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        yield con
    finally:
        con.close()


def latest_month(warehouse: Path) -> date:
    """The newest month with feature rows: what the monthly run scores when no month is named."""
    with read_only(warehouse) as con:
        if "feature_matrix" not in _present(con):
            raise InputError(f"{warehouse}: no feature_matrix table; run `earlyhelp features`")
        row = con.execute("SELECT max(as_of) FROM feature_matrix").fetchone()
    if row is None or row[0] is None:
        raise InputError(f"{warehouse}: feature_matrix is empty; run `earlyhelp features`")
    value: date = row[0]
    return value


def _sql(text: str) -> str:
    return text.replace("'", "''")


def _present(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {row[0] for row in con.execute("SHOW TABLES").fetchall()}


def _keys(con: duckdb.DuckDBPyConnection, child_keys: Sequence[str]) -> None:
    con.execute("CREATE OR REPLACE TEMP TABLE wanted AS SELECT unnest(?::VARCHAR[]) AS child_key",
                [list(child_keys)])


def services_known(con: duckdb.DuckDBPyConnection, child_keys: Sequence[str],
                   as_of: date) -> dict[str, list[dict[str, object]]]:
    """Per child: each kind of record any service holds by ``as_of``, with first and latest
    dates, how many, and whether one is open on ``as_of``."""
    _keys(con, child_keys)
    present = _present(con)
    out: dict[str, list[dict[str, object]]] = {k: [] for k in child_keys}
    if "master_index" not in present:
        return out
    parts: list[str] = []
    params: list[object] = []
    for service, table, what, has_end in SERVICES:
        if table not in present:
            continue
        open_now = "bool_or(e.end_date IS NULL OR e.end_date > ?)" if has_end else "FALSE"
        parts.append(
            f"SELECT m.child_key, '{_sql(service)}' AS service, '{_sql(what)}' AS what, "
            f"min(e.event_date) AS first, max(e.event_date) AS latest, count(*) AS n, "
            f"{open_now} AS open_now "
            f"FROM {table} e JOIN master_index m USING (id_system, source_id) "
            f"JOIN wanted w ON w.child_key = m.child_key "
            f"WHERE e.recorded_date <= ? AND e.event_date <= ? GROUP BY m.child_key"
        )
        params += [as_of] * (3 if has_end else 2)
    if not parts:
        return out
    rows = con.execute(" UNION ALL ".join(parts) + " ORDER BY 1, 2, 4", params).fetchall()
    for key, service, what, first, latest, n, open_now in rows:
        out[key].append({"service": service, "what": what, "first": first.isoformat(),
                         "latest": latest.isoformat(), "count": int(n),
                         "open_now": bool(open_now)})
    return out


def localities(con: duckdb.DuckDBPyConnection, child_keys: Sequence[str],
               as_of: date) -> dict[str, str]:
    """The locality of each child's most recently recorded postcode by ``as_of``."""
    _keys(con, child_keys)
    present = _present(con)
    people = [t for t in ("person_social_care", "person_school", "person_early_help")
              if t in present]
    if "postcodes" not in present or "master_index" not in present or not people:
        return {}
    union = " UNION ALL ".join(
        f"SELECT id_system, source_id, postcode, recorded_date FROM {t}" for t in people)
    rows = con.execute(
        f"SELECT m.child_key, arg_max(pc.locality, p.recorded_date) FROM ({union}) p "
        "JOIN master_index m USING (id_system, source_id) "
        "JOIN wanted w ON w.child_key = m.child_key "
        "JOIN postcodes pc ON upper(trim(pc.postcode)) = upper(trim(p.postcode)) "
        "WHERE p.recorded_date <= ? GROUP BY m.child_key", [as_of]).fetchall()
    return {key: locality for key, locality in rows if locality}


def lead_professionals(con: duckdb.DuckDBPyConnection, child_keys: Sequence[str],
                       as_of: date) -> dict[str, str]:
    """Each child's lead professional on an early help episode open on ``as_of``."""
    _keys(con, child_keys)
    if not {"early_help_episodes", "master_index"} <= _present(con):
        return {}
    rows = con.execute(
        "SELECT m.child_key, arg_max(e.lead_professional, e.event_date) "
        "FROM early_help_episodes e JOIN master_index m USING (id_system, source_id) "
        "JOIN wanted w ON w.child_key = m.child_key WHERE e.recorded_date <= ? "
        "AND e.event_date <= ? AND (e.end_date IS NULL OR e.end_date > ?) "
        "GROUP BY m.child_key", [as_of, as_of, as_of]).fetchall()
    return {key: lead for key, lead in rows if lead}


def route(services: list[dict[str, object]], locality: str | None, lead: str | None,
          triage_prefix: str) -> Route:
    """Where an alert goes: the service that already has the child open, else triage."""
    place = locality or "locality unknown"
    social_care = [s for s in services if s["service"] == "Children's social care"
                   and s["open_now"] and s["what"] != "missing episode"]
    if social_care:
        return Route(f"Social work team, {place}",
                     f"open to children's social care ({social_care[0]['what']})")
    if lead is not None:
        return Route(f"Early help, {place}",
                     f"open to early help (lead professional: {lead})")
    return Route(f"{triage_prefix}, {place}", "not open to any service: triage for the locality")


@dataclass(frozen=True)
class Identity:
    forename: str
    surname: str
    dob: date | None
    sources: int


def identity(con: duckdb.DuckDBPyConnection, child_key: str) -> Identity | None:
    """Name and date of birth as most recently recorded across the child's linked records."""
    present = _present(con)
    people = [t for t in ("person_social_care", "person_school", "person_early_help",
                          "person_youth_justice") if t in present]
    if not people or "master_index" not in present:
        return None
    union = " UNION ALL ".join(
        f"SELECT id_system, source_id, forename, surname, dob, recorded_date FROM {t}"
        for t in people)
    row = con.execute(
        f"SELECT arg_max(p.forename, p.recorded_date), arg_max(p.surname, p.recorded_date), "
        f"arg_max(p.dob, p.recorded_date), count(*) FROM ({union}) p "
        "JOIN master_index m USING (id_system, source_id) WHERE m.child_key = ?",
        [child_key]).fetchone()
    if row is None or row[3] == 0:
        return None
    return Identity(forename=str(row[0] or ""), surname=str(row[1] or ""), dob=row[2],
                    sources=int(row[3]))
