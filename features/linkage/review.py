"""Clerical review: uncertain pairs go to a person; their decisions are kept and applied.

Pairs scored in ``[review_low, review_high)`` are written side by side to the warehouse table
``clerical_review`` and to ``reports/clerical_review.csv``, with empty ``decision``,
``reviewer`` and ``decided_at`` columns. A reviewer fills those in (``match`` or
``non_match``) and the file is imported with ``earlyhelp link --decisions FILE``. Decisions
live in the warehouse table ``link_decisions`` and are applied on every later run: a match
joins the two records' clusters, a non-match removes the scored link between them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from earlyhelp.errors import InputError
from features.linkage.records import REQUIRED_COLUMNS

DECISION_COLUMNS: tuple[str, ...] = (
    "record_id_l",
    "record_id_r",
    "decision",
    "reviewer",
    "decided_at",
)
DECISIONS = ("match", "non_match")
# What a reviewer compares side by side: the identifying columns of a person record.
SIDE_COLUMNS: tuple[str, ...] = REQUIRED_COLUMNS[: REQUIRED_COLUMNS.index("postcode") + 1]


def ensure_decisions_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """CREATE TABLE IF NOT EXISTS link_decisions (
            record_id_l VARCHAR, record_id_r VARCHAR, decision VARCHAR, reviewer VARCHAR,
            decided_at TIMESTAMP, imported_at TIMESTAMP)"""
    )


def read_decisions_file(path: Path) -> pd.DataFrame:
    """Read and check a decisions CSV; rows with no decision yet are skipped."""
    if not path.is_file():
        raise InputError(f"decisions file {path} does not exist")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in DECISION_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(
            f"decisions file {path} lacks column(s) {', '.join(missing)}; "
            f"expected {', '.join(DECISION_COLUMNS)}"
        )
    frame = frame[list(DECISION_COLUMNS)].apply(lambda col: col.str.strip())
    frame = frame[frame["decision"] != ""]
    for index, row in frame.iterrows():
        line = int(str(index)) + 2  # header is line 1
        if row["decision"] not in DECISIONS:
            raise InputError(
                f"{path} line {line}, field decision: {row['decision']!r} is not one of "
                f"{', '.join(DECISIONS)}"
            )
        for col in ("record_id_l", "record_id_r", "reviewer"):
            if not row[col]:
                raise InputError(f"{path} line {line}, field {col}: empty")
        if pd.isna(pd.to_datetime(row["decided_at"], errors="coerce", utc=True)):
            raise InputError(
                f"{path} line {line}, field decided_at: {row['decided_at']!r} is not a date-time "
                "(use ISO format, e.g. 2026-11-27T14:05:00)"
            )
    frame["decided_at"] = pd.to_datetime(frame["decided_at"], utc=True).dt.tz_localize(None)
    return frame.reset_index(drop=True)


def import_decisions(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """Append the decisions in ``path`` to ``link_decisions``; return how many."""
    frame = read_decisions_file(path)
    ensure_decisions_table(con)
    frame["imported_at"] = datetime.now(UTC).replace(tzinfo=None)
    con.register("_incoming_decisions", frame)
    con.execute("INSERT INTO link_decisions SELECT * FROM _incoming_decisions")
    con.unregister("_incoming_decisions")
    return len(frame)


def current_decisions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The latest decision for each unordered record pair."""
    ensure_decisions_table(con)
    return con.execute(
        """
        SELECT least(record_id_l, record_id_r) AS record_id_l,
               greatest(record_id_l, record_id_r) AS record_id_r,
               arg_max(decision, (decided_at, imported_at)) AS decision
        FROM link_decisions GROUP BY 1, 2 ORDER BY 1, 2
        """
    ).df()


def write_review(con: duckdb.DuckDBPyConnection, pairs: pd.DataFrame, csv_path: Path) -> int:
    """Write uncertain pairs (``record_id_l``, ``record_id_r``, ``match_probability``,
    ``match_weight``) with both records side by side; return how many."""
    con.register("_review_pairs", pairs)
    side = ", ".join(f"{{s}}.{c} AS {c}_{{x}}" for c in SIDE_COLUMNS[1:])
    frame = con.execute(
        f"""
        SELECT round(p.match_probability, 4) AS match_probability,
               round(p.match_weight, 2) AS match_weight,
               p.record_id_l, {side.format(s="l", x="l")},
               p.record_id_r, {side.format(s="r", x="r")},
               CAST(NULL AS VARCHAR) AS decision, CAST(NULL AS VARCHAR) AS reviewer,
               CAST(NULL AS VARCHAR) AS decided_at
        FROM _review_pairs p
        JOIN link_records l ON l.record_id = p.record_id_l
        JOIN link_records r ON r.record_id = p.record_id_r
        ORDER BY p.match_probability DESC, p.record_id_l, p.record_id_r
        """
    ).df()
    con.unregister("_review_pairs")
    con.register("_review_frame", frame)
    con.execute("CREATE OR REPLACE TABLE clerical_review AS SELECT * FROM _review_frame")
    con.unregister("_review_frame")
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(csv_path, index=False)
    return len(frame)
