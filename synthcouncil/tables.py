"""Turn the simulation's monthly event log into dated, consistent tables (still truth).

Each table gets day-level dates inside its month, kept in order (assessment after referral,
closure after everything inside the episode), and is cut to what an extract taken at the end
of the window could hold. Writers then only format these tables into each system's layout.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from synthcouncil.calendar import Calendar
from synthcouncil.cin_dates import (
    closure_reasons,
    enquiry_assessments,
    plan_end,
    separate_episodes,
    working_day,
)
from synthcouncil.events import episodes
from synthcouncil.simulate import World

NAT = np.datetime64("NaT", "D")
# SSDA903 placement codes: foster care with relatives or friends (U1 long term, U3 other) and
# with other carers (U4 long term, U6 other), children's homes (K2), with parents (P1),
# semi-independent living (H5, from 16), residential school (S1). Shares by age at entry,
# after the DfE's national tables (Children looked after in England including adoptions,
# year ending 31 March 2022: about 70% in foster care, 7% with parents, 16% in children's
# homes, secure units and semi-independent living, which are mostly teenagers').
PLACEMENTS = np.array(["U1", "U3", "U4", "U6", "K2", "P1", "H5", "S1"], dtype=object)
PLACEMENT_SHARES_BY_AGE = np.array([  # rows: under 5, 5-9, 10-15, 16-17
    [0.08, 0.22, 0.12, 0.48, 0.00, 0.10, 0.00, 0.00],
    [0.12, 0.18, 0.25, 0.30, 0.04, 0.08, 0.00, 0.03],
    [0.10, 0.12, 0.25, 0.25, 0.17, 0.06, 0.00, 0.05],
    [0.06, 0.06, 0.18, 0.18, 0.14, 0.04, 0.32, 0.02],
])
REMAND_SHARE = 0.4  # custodial sentences preceded by remand to youth detention


@dataclass
class Tables:
    contacts: pd.DataFrame
    referrals: pd.DataFrame  # one row per CIN episode (referral)
    assessments: pd.DataFrame
    s47: pd.DataFrame
    cp: pd.DataFrame
    cla: pd.DataFrame
    missing: pd.DataFrame
    early_help: pd.DataFrame
    exclusions: pd.DataFrame
    yj: pd.DataFrame  # every outcome while present, history before the window included
    attendance: pd.DataFrame


def build_tables(world: World) -> Tables:
    rng = np.random.default_rng([world.config.seed, 1])
    cal, log = world.cal, world.log

    def day(months: pd.Series) -> np.ndarray:
        return cal.random_day(months.to_numpy(), rng)

    def after(base: np.ndarray, lo: int, hi: int) -> np.ndarray:
        return base + rng.integers(lo, hi + 1, len(base)).astype("timedelta64[D]")

    contacts = log.frame("contact")
    contacts["date"] = day(contacts["month"])

    ref = episodes(log, "cin")
    ref["date"] = day(ref["month"])
    assess = log.frame("assessment").merge(ref[["ep", "date"]], on="ep")
    assess["start"] = after(assess.pop("date").to_numpy(), 0, 7)
    assess["auth"] = after(assess["start"].to_numpy(), 5, 45)
    s47 = log.frame("s47").merge(ref[["ep", "date"]], on="ep")
    s47["start"] = np.maximum(day(s47["month"]), s47.pop("date").to_numpy())
    icpc = np.where(s47["icpc"], after(s47["start"].to_numpy(), 5, 15), NAT)
    s47["icpc_date"] = working_day(icpc)
    assess = enquiry_assessments(assess, s47, np.random.default_rng([world.config.seed, 2]))
    cp = episodes(log, "cp")
    first_icpc = s47[s47["plan"]].groupby(["child", "month"])["icpc_date"].min()
    cp = cp.join(first_icpc, on=["child", "month"])
    cp["start"] = cp.pop("icpc_date").fillna(pd.Series(day(cp["month"]))).to_numpy()
    cp["end"] = plan_end(cp["start"].to_numpy(), _end(cp, rng, cal), cal.end)
    cp["latest"] = np.where(rng.random(len(cp)) < 0.85, cp["category"], "MUL")

    # A CIN episode closes after everything inside it.
    inner = pd.concat([
        assess[["ep", "auth"]].rename(columns={"auth": "d"}),
        s47[["ep", "icpc_date"]].rename(columns={"icpc_date": "d"}),
        cp[["cin_ep", "end"]].rename(columns={"cin_ep": "ep", "end": "d"}),
    ]).groupby("ep")["d"].max()
    ref["end"] = _end(ref, rng, cal)
    ref.loc[ref["nfa"], "end"] = ref.loc[ref["nfa"], "date"]
    latest_inner = ref["ep"].map(inner).to_numpy().astype("datetime64[D]")
    has_end = ~np.isnat(ref["end"].to_numpy())
    ref["end"] = np.where(has_end, np.fmax(ref["end"].to_numpy(), latest_inner), NAT)
    ref["end"] = np.where(ref["end"].to_numpy() > cal.end, NAT, ref["end"].to_numpy())
    closure_reasons(ref, assess, s47, cp)
    separate_episodes(ref, assess, s47, cp, cal.end)

    cla = episodes(log, "cla")
    cla["start"] = day(cla["month"])
    cla["end"] = _end(cla, rng, cal)
    cla["placement"] = placements(
        cla["start"].to_numpy() - world.pop.dob[cla["child"].to_numpy()], cla["legal"], rng)
    exclusions = log.frame("exclusion")
    exclusions["date"] = day(exclusions["month"])
    yj = log.frame("yj")
    yj["date"] = day(yj["month"])
    cla = pd.concat([cla, _remands(yj, cal, rng)], ignore_index=True)
    missing = log.frame("missing")
    missing = missing.loc[missing.index.repeat(missing["count"])].reset_index(drop=True)
    missing["start"] = day(missing["month"])
    missing["end"] = after(missing["start"].to_numpy(), 0, 4)
    missing["type"] = np.where(rng.random(len(missing)) < 0.8, "M", "A")

    eh = episodes(log, "eh")
    eh["start"] = day(eh["month"])
    eh["end"] = _end(eh, rng, cal)

    first, last = cal.first, cal.last
    since = cal.month_start(first)
    return Tables(
        contacts=_points(contacts, first, last),
        referrals=_spans(ref, first, last, since),
        # An assessment is in the window if it started or was authorised in it.
        assessments=assess[((assess["month"] >= first) | (assess["auth"] >= since))
                           & (assess["month"] <= last)].reset_index(drop=True),
        # An enquiry is in the window if it started or held its conference in it.
        s47=s47[((s47["month"] >= first) | (s47["icpc_date"] >= since))
                & (s47["month"] <= last)].reset_index(drop=True),
        cp=_spans(cp, first, last, since),
        cla=_spans(cla, first, last, since),
        missing=_points(missing, first, last),
        early_help=_spans(eh, first, last, since),
        exclusions=_points(exclusions, first, last),
        yj=yj[yj["present"] & (yj["month"] <= last)].reset_index(drop=True),
        attendance=_from(world.attendance, cal.month_start(first)),
    )


def placements(age: np.ndarray, legal: pd.Series, rng: np.random.Generator) -> np.ndarray:
    """A placement type per entry, by age band (one uniform draw each, as ``rng.choice``
    takes). A child accommodated by agreement (V2) is not placed with parents (903 rule 378)."""
    years = np.asarray(age).astype("timedelta64[D]").astype(np.int64) / 365.25
    band = np.digitize(years, [5, 10, 16])
    cdf = PLACEMENT_SHARES_BY_AGE.cumsum(axis=1)
    pick = (rng.random(len(band))[:, None] >= cdf[band]).sum(axis=1)
    code = PLACEMENTS[np.minimum(pick, len(PLACEMENTS) - 1)]
    return np.where((code == "P1") & (legal.to_numpy() == "V2"), "U3", code)


def _remands(yj: pd.DataFrame, cal: Calendar, rng: np.random.Generator) -> pd.DataFrame:
    """Remand to youth detention before some custodial sentences: the child is looked after
    (legal status J1) until sentenced (reason ended E9). A consequence of offending, recorded
    in SSDA903: the leakage trap DATA.md warns about."""
    custody = yj[yj["present"] & yj["tier"].isin(["DTO", "S250"])]
    custody = custody[rng.random(len(custody)) < REMAND_SHARE]
    end = custody["date"].to_numpy().astype("datetime64[D]")
    start = end - rng.integers(20, 91, len(custody)).astype("timedelta64[D]")
    return pd.DataFrame({
        "child": custody["child"].to_numpy(), "month": cal.month_of(start).astype(np.int32),
        "ep": -1 - np.arange(len(custody)), "legal": "J1", "need": "N6",
        "end_month": custody["month"].to_numpy(), "reason": "E9", "start": start,
        "end": np.where(end <= cal.end, end, NAT), "placement": "K1",
    })


def _end(frame: pd.DataFrame, rng: np.random.Generator, cal: Calendar) -> np.ndarray:
    """End date in the closing month, never before the start; NaT while open at the extract."""
    ended = frame["end_month"].to_numpy() >= 0
    months = np.where(ended, frame["end_month"].to_numpy(), 0)
    end = cal.random_day(months, rng)
    start = frame["start"].to_numpy() if "start" in frame else frame["date"].to_numpy()
    end = np.maximum(end, start)
    return np.where(ended & (end <= cal.end), end, NAT)


def _from(attendance: pd.DataFrame, start: np.ndarray) -> pd.DataFrame:
    """Terms ending inside the extracts (the simulation keeps school history from before)."""
    keep = attendance["term_end"].to_numpy() >= start
    return attendance[keep].reset_index(drop=True)


def _points(frame: pd.DataFrame, first: int, last: int) -> pd.DataFrame:
    keep = (frame["month"] >= first) & (frame["month"] <= last)
    return frame[keep].reset_index(drop=True)


def _spans(frame: pd.DataFrame, first: int, last: int, since: np.ndarray) -> pd.DataFrame:
    """Episodes that overlap the window (started by its end, not ended before it). An episode
    whose month ended before the window can still close inside it on the day (it closes after
    the assessment inside it, authorised in the window's first days): it is in the window."""
    end_month = frame["end_month"].to_numpy()
    ends_in = (frame["end"] >= since).to_numpy()
    keep = (frame["month"] <= last) & ((end_month < 0) | (end_month >= first) | ends_in)
    return frame[keep].reset_index(drop=True)
