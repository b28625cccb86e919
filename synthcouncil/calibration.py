"""The world's own population figures per financial year, to compare with DATA.md's targets.

Computed from the simulation's truth (what really happened to children living here), never
from a model or from linkage, so calibrating against them tunes the world's marginals only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthcouncil.offending import CUSTODY_TIERS, FORMAL_TIERS
from synthcouncil.simulate import World
from synthcouncil.tables import Tables

TARGETS: dict[str, tuple[float, float]] = {
    "custodial_sentences": (9, 15),
    "custody_no_prior_yj_share": (0.65, 0.85),
    "first_time_entrants": (110, 180),
    "custody_rate_per_1000_10_17": (0.35, 0.55),
    "reoffending_rate": (0.28, 0.42),
    "cin_rate_per_10000": (330 * 0.75, 330 * 1.25),
    "cpp_rate_per_10000": (44 * 0.75, 44 * 1.25),
    "cla_rate_per_10000": (67 * 0.75, 67 * 1.25),
}
"""Ranges one world's mean over financial years must fall in (DATA.md)."""

SEED_TARGETS: dict[str, tuple[float, float]] = {
    "girls_share_custody": (0.03, 0.08),
    "girls_share_first_time_entrants": (0.14, 0.22),
    "girls_share_suspensions": (0.25, 0.31),
    "girls_share_permanent_exclusions": (0.20, 0.28),
    "girls_share_cin": (0.40, 0.48),
    # ONS May 2022 shares (42%, 18%, 53%, 72%) with 0.15 either side: shapes, not exact
    # targets (the ONS cohort is followed to age 23-24).
    "custody_prior_cin_share": (0.27, 0.57),
    "custody_prior_looked_after_share": (0.03, 0.33),
    "custody_prior_persistent_absence_share": (0.38, 0.68),
    "custody_prior_suspension_share": (0.57, 0.87),
}
"""Ranges for the mean over five worlds (SOURCES.md): a world has about a dozen custodial
sentences and a few dozen permanent exclusions a year, so one world's share is too noisy to
hold to a published figure (tests/synth/test_seeds.py)."""


def financial_years(world: World) -> list[int]:
    """Financial years (by starting calendar year) wholly inside the window."""
    cal = world.cal
    first = cal.month_start(cal.truth_first).astype("datetime64[M]").astype(int)
    y0 = first // 12 + 1970 - (first % 12 < 3)
    years = []
    y = int(y0)
    while np.datetime64(f"{y + 1}-03-31") <= cal.end:
        years.append(y)
        y += 1
    return years


def _label(y: int) -> str:
    return f"{y}-{(y + 1) % 100:02d}"


def calibration(world: World, t: Tables) -> dict[str, dict[str, float]]:
    cal, pop = world.cal, world.pop
    yj = world.log.frame("yj")
    yj = yj[yj["present"]].copy()
    yj["fy"] = _fy_index(world, yj["month"].to_numpy())
    out: dict[str, dict[str, float]] = {
        k: {} for k in [*TARGETS, *SEED_TARGETS, "persistent_absence_rate"]
    }
    formal = yj[yj["tier"].isin(FORMAL_TIERS)].sort_values("month").drop_duplicates("child")
    exclusions = world.log.frame("exclusion")
    exclusions["fy"] = _fy_index(world, exclusions["month"].to_numpy())
    attendance_history = world.attendance
    for y in financial_years(world):
        fy = _label(y)
        months = np.arange(cal.truth_first, cal.last + 1)
        in_year = _fy_index(world, months) == y
        aged = _present_aged(world, in_year, 10)
        custody = yj[(yj["fy"] == y) & yj["tier"].isin(CUSTODY_TIERS)]
        n_custody = len(custody)
        out["custodial_sentences"][fy] = n_custody
        out["custody_no_prior_yj_share"][fy] = _share(custody["prior"] == 0)
        out["girls_share_custody"][fy] = _share(pop.girl[custody["child"].to_numpy()])
        out["first_time_entrants"][fy] = int((formal["fy"] == y).sum())
        out["girls_share_first_time_entrants"][fy] = _share(
            pop.girl[formal.loc[formal["fy"] == y, "child"].to_numpy()]
        )
        for key, share in prior_record_shares(world, custody, attendance_history).items():
            out[key][fy] = share
        for category, key in (("SUSP", "suspensions"), ("PERM", "permanent_exclusions")):
            rows = exclusions[(exclusions["fy"] == y) & (exclusions["category"] == category)]
            out[f"girls_share_{key}"][fy] = _share(pop.girl[rows["child"].to_numpy()])
        out["custody_rate_per_1000_10_17"][fy] = round(1000 * n_custody / aged, 4)
        out["reoffending_rate"][fy] = _reoffending(yj, y)
        census = np.datetime64(f"{y + 1}-03-31")
        m = int(cal.month_of(np.array([census]))[0]) - cal.truth_first
        children = int(world.present[:, m].sum())
        cin_open = _open_children(t.referrals[~t.referrals["nfa"]].rename(
            columns={"date": "start"}), census)
        out["cin_rate_per_10000"][fy] = _rate(len(cin_open), children)
        out["girls_share_cin"][fy] = _share(pop.girl[cin_open])
        out["cpp_rate_per_10000"][fy] = _rate(_open(t.cp, census), children)
        out["cla_rate_per_10000"][fy] = _rate(_open(t.cla, census), children)
    start = cal.month_start(cal.truth_first)
    out["persistent_absence_rate"] = persistent_absence(
        t.attendance[t.attendance["term_end"].to_numpy() > start]
    )
    return out


def _fy_index(world: World, month: np.ndarray) -> np.ndarray:
    absolute = world.cal.month_start(month).astype("datetime64[M]").astype(np.int64)
    return absolute // 12 + 1970 - (absolute % 12 < 3)


def _present_aged(world: World, in_year: np.ndarray, min_age: int) -> float:
    """Mean number of children aged min_age-17 living here over the year's months."""
    cal, pop = world.cal, world.pop
    counts = []
    for j in np.flatnonzero(in_year):
        age = (cal.month_end(cal.truth_first + int(j)) - pop.dob).astype(np.int64) / 365.25
        counts.append(int((world.present[:, j] & (age >= min_age)).sum()))
    return float(np.mean(counts))


def _share(mask: pd.Series | np.ndarray) -> float:
    arr = np.asarray(mask)
    return round(float(arr.mean()), 4) if len(arr) else 0.0


def _rate(count: int, children: int) -> float:
    return round(10_000 * count / max(children, 1), 2)


def _reoffending(yj: pd.DataFrame, y: int) -> float:
    """Share of children with an outcome in the year who had another within 12 months."""
    index = yj[yj["fy"] == y].sort_values("month").drop_duplicates("child")
    later = yj.merge(index[["child", "month"]], on="child", suffixes=("", "_index"))
    gap = later["month"] - later["month_index"]
    again = later[(gap > 0) & (gap <= 12)]["child"].unique()
    return _share(index["child"].isin(again))


def _open_children(frame: pd.DataFrame, census: np.datetime64) -> np.ndarray:
    start = frame["start"].to_numpy().astype("datetime64[D]")
    end = frame["end"].to_numpy().astype("datetime64[D]")
    is_open = (start <= census) & (np.isnat(end) | (end > census))
    return np.unique(frame.loc[is_open, "child"].to_numpy())


def _open(frame: pd.DataFrame, census: np.datetime64) -> int:
    return len(_open_children(frame, census))


def prior_record_shares(
    world: World, custody: pd.DataFrame, attendance: pd.DataFrame
) -> dict[str, float]:
    """Of the custodial sentences given, the share whose child had before the sentence's
    month: a child in need episode (assessed), a period of care (remand aside), a school year
    with 10%+ of sessions missed, a suspension. From the simulation's own log, history before
    the extracts included, as the ONS linked data follows children through school (May 2022)."""
    if custody.empty:
        return {f"custody_prior_{k}_share": 0.0 for k in _PRIOR}
    log = world.log
    cin = log.frame("cin")
    events = {
        "cin": cin.loc[~cin["nfa"].astype(bool), ["child", "month"]] if len(cin) else cin,
        "looked_after": log.frame("cla")[["child", "month"]],
        "suspension": log.frame("exclusion")[["child", "month"]],
        "persistent_absence": _persistent_terms(world, attendance),
    }
    sentences = custody[["child", "month"]].reset_index(drop=True)
    out = {}
    for key in _PRIOR:
        first = events[key].groupby("child")["month"].min()
        before = sentences["child"].map(first).to_numpy(dtype=float) < sentences["month"]
        out[f"custody_prior_{key}_share"] = _share(before)
    return out


_PRIOR = ("cin", "looked_after", "persistent_absence", "suspension")


def _persistent_terms(world: World, attendance: pd.DataFrame) -> pd.DataFrame:
    """(child, month) of the end of each school year in which the child was persistently
    absent (the year counts once its last term ends)."""
    a = attendance.groupby(["child", "academic"]).agg(
        possible=("possible", "sum"), absent=("authorised", "sum"),
        unauth=("unauthorised", "sum"), end=("term_end", "max"),
    ).reset_index()
    a = a[(a["absent"] + a["unauth"]) >= 0.1 * a["possible"]]
    end = a["end"].to_numpy().astype("datetime64[D]")
    return pd.DataFrame({"child": a["child"].to_numpy(), "month": world.cal.month_of(end)})


def persistent_absence(attendance: pd.DataFrame) -> dict[str, float]:
    """Per academic year with at least two terms: share of pupils missing 10%+ of sessions."""
    a = attendance.groupby(["academic", "child"]).agg(
        possible=("possible", "sum"), absent=("authorised", "sum"),
        unauth=("unauthorised", "sum"), terms=("term", "count"),
    )
    a["rate"] = (a["absent"] + a["unauth"]) / a["possible"]
    out = {}
    for year, group in a.groupby(level="academic"):
        if group["terms"].max() >= 2:
            out[_label(int(year))] = round(float((group["rate"] >= 0.1).mean()), 4)
    return out
