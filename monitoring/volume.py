"""How many records each source delivered this month, by locality: a team that stops recording.

A service that stops recording (a locality team's system down, a team closed) removes records
before it changes any model input much: a child's 12-month count falls by one twelfth a month.
So the monitor also counts the rows each event table received in the month (by recorded
date), by the locality the child lives in, against the same count in each of the
``volume_baseline_months`` months before it, for every child known to the council (not only
the 10-17 population: a team's whole intake). The baseline is the recent past, not the
model's reference year: the question is whether a team's recording changed suddenly, and a
locality's intake drifts over a year or two (the default world's Southgate early help team
opened 21-29 episodes a month in 2018-19 and 11-20 in 2019; against the reference year its
October's 7 was a false alarm).

Records arrive with a yearly rhythm: the statutory returns re-record what is open at the year
end (children in need episodes in March, assessments carried into April's new collection
year), and schools close in August. Each table's month-of-year factor is estimated from the
council-wide counts of the ``volume_season_months`` before the reference ends (pooled over
localities, so each factor rests on thousands of rows), and every count is divided by its
month's factor before a locality's month is compared with its reference months.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel

from earlyhelp.settings import MonitoringSettings
from monitoring.segments import PERSON_TABLES

# Event tables whose rows arrive as things happen. Left out: attendance (termly returns) and
# the SSDA903 tables, looked-after and missing episodes (an annual return: episodes open at
# the year end arrive again in April, a spike whose size by locality twelve months cannot
# describe; on the unchanged world it raised three false alarms in April); youth justice, the
# outcome the tool tries to prevent, not an input source.
VOLUME_TABLES = ("contacts", "referrals", "assessments", "cin_episodes", "section47",
                 "cp_plans", "early_help_episodes", "exclusions")


class VolumeShift(BaseModel):
    """``reference_*``: the reference months' counts, each brought to this month's place in
    the year (so an April is compared with Aprils)."""

    table: str
    locality: str
    rows: int
    reference_mean: float
    reference_low: int
    reference_high: int
    z: float


def monthly_counts(warehouse: Path, as_of: date, months: Sequence[date]) -> pd.DataFrame:
    """Rows recorded in each month (ending at ``months``) per table and locality, the
    locality being where the child's latest postcode by ``as_of`` lies."""
    import duckdb

    ends = sorted(set(months))
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = {row[0] for row in con.execute("SHOW TABLES").fetchall()}
        if not {"master_index", "postcodes"} <= tables:
            return pd.DataFrame(columns=["table", "locality", "month", "rows"])
        persons = " UNION ALL ".join(
            f"SELECT id_system, source_id, postcode, recorded_date FROM {t}"
            for t in PERSON_TABLES if t in tables)
        con.execute(
            f"CREATE TEMP TABLE child_place AS WITH p AS ({persons}) "
            "SELECT m.child_key, arg_max(upper(replace(p.postcode, ' ', '')), p.recorded_date) "
            "AS pk FROM p JOIN master_index m USING (id_system, source_id) "
            "WHERE p.postcode IS NOT NULL AND trim(p.postcode) <> '' AND p.recorded_date <= ? "
            "GROUP BY m.child_key", [as_of])
        con.execute(
            "CREATE TEMP TABLE key_place AS SELECT m.id_system, m.source_id, r.locality "
            "FROM master_index m JOIN child_place c USING (child_key) JOIN (SELECT "
            "upper(replace(postcode, ' ', '')) AS pk, min(locality) AS locality FROM postcodes "
            "GROUP BY 1) r USING (pk)")
        con.execute("CREATE TEMP TABLE month_ends AS SELECT unnest(?::DATE[]) AS month",
                    [ends])
        parts = [
            f"SELECT '{t}' AS \"table\", k.locality, me.month, count(*) AS rows FROM {t} e "
            "JOIN key_place k USING (id_system, source_id) JOIN month_ends me "
            "ON e.recorded_date <= me.month AND e.recorded_date > me.month - INTERVAL 1 MONTH "
            "GROUP BY ALL"
            for t in VOLUME_TABLES if t in tables]
        frame = con.execute(" UNION ALL ".join(parts)).df() if parts else pd.DataFrame()
    frame["month"] = pd.to_datetime(frame["month"]).dt.date
    return frame


def months_before(as_of: date, months: int) -> list[date]:
    """The ends of the ``months`` months before ``as_of``'s month: a team's recent recording,
    the baseline a sudden change in it is measured against."""
    current = pd.Period(as_of, "M")
    return [(current - i).to_timestamp(how="end").date() for i in range(months, 0, -1)]


def season_months(reference_months: Sequence[date], months: int) -> list[date]:
    """The ``months`` month ends up to the last reference month: the history the month-of-year
    factors are estimated from (never the month being monitored)."""
    return months_before((pd.Period(max(reference_months), "M") + 1).start_time.date(), months)


def seasonal_factors(counts: pd.DataFrame, history: Sequence[date]) -> pd.DataFrame:
    """Each table's rows in each calendar month over its mean month (council-wide, over the
    ``history`` months; 1 where a calendar month is missing from them). Index: table;
    columns: 1..12."""
    months = pd.DataFrame({"month": list(history)})
    totals = (counts[counts["month"].isin(set(history))]
              .groupby(["table", "month"], as_index=False)["rows"].sum())
    factors = {}
    for table, rows in totals.groupby("table"):
        full = months.merge(rows[["month", "rows"]], on="month", how="left").fillna(0.0)
        full["calendar"] = [m.month for m in full["month"]]
        overall = float(full["rows"].mean())
        by_month = full.groupby("calendar")["rows"].mean()
        factors[table] = {c: (float(by_month.get(c, overall)) / overall if overall > 0 else 1.0)
                          for c in range(1, 13)}
    frame = pd.DataFrame.from_dict(factors, orient="index", columns=list(range(1, 13)))
    # A calendar month with no rows in any year (no factor to divide by) counts as ordinary.
    return frame.where(frame > 0, 1.0)


def volume_shifts(counts: pd.DataFrame, as_of: date, reference_months: Sequence[date],
                  settings: MonitoringSettings,
                  factors: pd.DataFrame | None = None) -> list[VolumeShift]:
    """Table-locality pairs whose rows this month, with each month's yearly rhythm taken out
    (``factors`` from ``seasonal_factors``; none: no rhythm), left every reference month's by
    more than ``volume_sigma`` deviations and by at least ``segment_min_shift`` rows.

    Deviations are measured on the variance-stabilised (Anscombe) scale, the larger of the
    months' spread and Poisson's: a drop towards zero is rarer than a rise of the same size,
    and a team that stops recording is the change this check exists for."""
    if counts.empty:
        return []
    grid = counts.pivot_table(index=["table", "locality"], columns="month", values="rows",
                              aggfunc="sum", fill_value=0)
    for month in [*reference_months, as_of]:
        if month not in grid.columns:
            grid[month] = 0
    tables = grid.index.get_level_values("table")

    def factor(month: date) -> np.ndarray:
        if factors is None:
            return np.ones(len(grid))
        column = factors[month.month] if month.month in factors.columns else None
        return np.array([float(column.get(t, 1.0)) if column is not None else 1.0
                         for t in tables])

    expected_factor = factor(as_of)
    # Every month brought to this month's place in the year, then to Anscombe's scale.
    ref_rows = np.column_stack([grid[m].to_numpy(dtype=float) / factor(m) * expected_factor
                                for m in reference_months])
    now_raw = grid[as_of].to_numpy(dtype=float)
    ref, now = _anscombe(ref_rows), _anscombe(now_raw)
    spread = ref.std(axis=1, ddof=1)
    z = (now - ref.mean(axis=1)) / np.maximum(spread, 1.0)  # 1: Poisson's SD on this scale
    expected = ref_rows.mean(axis=1)  # this month's count if nothing had changed
    hit = (((now < ref.min(axis=1)) | (now > ref.max(axis=1)))
           & (np.abs(z) > settings.volume_sigma)
           & (np.abs(now_raw - expected) >= settings.segment_min_shift))
    out = [VolumeShift(table=str(t), locality=str(loc), rows=int(now_raw[i]),
                       reference_mean=round(float(expected[i]), 2),
                       reference_low=round(float(ref_rows[i].min())),
                       reference_high=round(float(ref_rows[i].max())),
                       z=round(float(z[i]), 2))
           for i, (t, loc) in enumerate(grid.index) if hit[i]]
    return sorted(out, key=lambda s: -abs(s.z))


def _anscombe(rows: np.ndarray) -> np.ndarray:
    """2 sqrt(x + 3/8): a Poisson count's standard deviation is about 1 on this scale whatever
    its mean, so a team falling silent (16 rows a month to 1) is as far out as it is unlikely;
    on the raw scale, with an SD taken from the months' spread, it was 3.3 deviations."""
    return 2.0 * np.sqrt(np.maximum(rows, 0.0) + 0.375)
