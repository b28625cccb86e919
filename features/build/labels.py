"""Labels: did a youth justice outcome of the given tiers happen in ``(as_of, as_of + horizon]``?

Labels use outcome *dates* (whenever recorded). A label is NULL when its window ends after the
data's end (the newest event date), because the answer is not known yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from earlyhelp.errors import ConfigError
from features.build.codes import sql_list

ALL_TIERS: tuple[str, ...] = ("CR", "YC", "YCC", "RO", "YRO", "DTO", "S250")


@dataclass(frozen=True)
class LabelSpec:
    name: str
    description: str
    tiers: tuple[str, ...]
    horizon_months: int = 12


LABELS: dict[str, LabelSpec] = {
    spec.name: spec
    for spec in (
        LabelSpec("custody_12m",
                  "A custodial sentence (detention and training order or section 250 "
                  "detention) in the next 12 months", ("DTO", "S250")),
        LabelSpec("first_time_entry_12m",
                  "Any youth justice outcome (community resolution upward) in the next "
                  "12 months", ALL_TIERS),
        LabelSpec("court_order_12m",
                  "A court order (referral order, youth rehabilitation order or custody) in "
                  "the next 12 months", ("RO", "YRO", "DTO", "S250")),
    )
}


def resolve_labels(names: tuple[str, ...]) -> tuple[LabelSpec, ...]:
    unknown = [n for n in names if n not in LABELS]
    if unknown:
        raise ConfigError(
            f"unknown label(s) {', '.join(unknown)}; choose from {', '.join(LABELS)}"
        )
    return tuple(LABELS[n] for n in dict.fromkeys(names))


def data_end(con: duckdb.DuckDBPyConnection, event_sources: tuple[str, ...]) -> date | None:
    """The last day the data can see: the newest date any event happened.

    Not the extract date, nor the newest recorded date: an extract taken months after the
    systems' last entry (or an assessment authorised weeks after it) would otherwise pass
    windows that saw nothing as matured, with every label 0.
    """
    newest = " UNION ALL ".join(
        f"SELECT max(event_date) AS d FROM stg_{name}" for name in (*event_sources, "yj")
    )
    row = con.execute(f"SELECT max(d) FROM ({newest})").fetchone()
    return row[0] if row else None


def labels_sql(specs: tuple[LabelSpec, ...], end: date | None) -> str:
    """SQL selecting ``child_key, as_of`` and one 0/1/NULL column per label."""
    horizon = max(s.horizon_months for s in specs)
    end_literal = f"DATE '{end.isoformat()}'" if end else "NULL::DATE"
    columns = []
    for spec in specs:
        window_end = f"last_day(p.as_of + INTERVAL {spec.horizon_months} MONTH)"
        hit = (f"count(y.child_key) FILTER (WHERE y.tier IN {sql_list(spec.tiers)} "
               f"AND y.event_date <= {window_end}) > 0")
        columns.append(
            f"CASE WHEN {end_literal} IS NULL OR {window_end} > {end_literal} THEN NULL "
            f"ELSE CAST({hit} AS INTEGER) END AS {spec.name}"
        )
    return (
        f"SELECT p.child_key, p.as_of, {', '.join(columns)} FROM population p "
        "LEFT JOIN stg_yj y ON y.child_key = p.child_key AND y.event_date > p.as_of "
        f"AND y.event_date <= last_day(p.as_of + INTERVAL {horizon} MONTH) "
        "GROUP BY p.child_key, p.as_of"
    )
