"""Ofsted Annex A lists 1, 2, 3, 6, 7 and 8 as CSV, keyed by LAchildID (no names)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthcouncil.calendar import age_years
from synthcouncil.tables import NAT, Tables
from synthcouncil.writers.common import Extract, dmy

FOLDER = "annex_a"
GENDER = {"M": "Male", "F": "Female"}
EH_ORGS = {
    "Family Support Worker": "Early Help Service", "School": "School",
    "Health Visitor": "Health", "Youth Worker": "Youth Service",
}


def _common(ext: Extract, child: np.ndarray, on: np.ndarray) -> pd.DataFrame:
    pop = ext.world.pop
    return pd.DataFrame({
        "Child Unique ID": ext.la_id[child],
        "Gender": pd.Series(pop.sex[child]).map(GENDER).fillna("Unknown").to_numpy(),
        "Ethnicity": pop.ethnicity[child],
        "Date of Birth": dmy(pop.dob[child]),
        "Age": age_years(pop.dob[child], np.asarray(on, dtype="datetime64[D]")),
    })


def _team(ext: Extract, child: np.ndarray, kind: str) -> np.ndarray:
    area = np.array(["North", "South", "East"], dtype=object)[ext.world.pop.locality[child] % 3]
    return np.char.add(f"{kind} ", area.astype(str)).astype(object)


def _write(ext: Extract, frame: pd.DataFrame, recorded: np.ndarray, name: str, salt: int) -> None:
    frame["Date Recorded"] = dmy(recorded)
    kept = ext.kept(recorded)
    ext.write_csv(frame[kept], FOLDER, name, salt)
    ids = frame.loc[kept, "Child Unique ID"].to_numpy()
    ext.note_ids(FOLDER, "la_child_id", ids, _child_of(ext, ids))


def _child_of(ext: Extract, la_ids: np.ndarray) -> np.ndarray:
    known = np.flatnonzero(ext.la_id != "")
    lookup = pd.Series(ext.world.pop.child_id[known], index=ext.la_id[known])
    return lookup.loc[la_ids].to_numpy()


def write_annex_a(ext: Extract, t: Tables) -> None:
    c = t.contacts
    frame = _common(ext, c["child"].to_numpy(), c["date"].to_numpy())
    frame["Date of Contact"] = dmy(c["date"])
    frame["Contact Source"] = c["source"].to_numpy()
    _write(ext, frame, ext.recorded(c["date"].to_numpy(), 10), "list_1_contacts.csv", 11)

    eh = t.early_help[ext.la_id[t.early_help["child"].to_numpy()] != ""]
    start = eh["start"].to_numpy().astype("datetime64[D]")
    done = start + ext.rng(12).integers(10, 41, len(eh)).astype("timedelta64[D]")
    frame = _common(ext, eh["child"].to_numpy(), start)
    frame["Assessment Start Date"] = dmy(start)
    frame["Assessment Completion Date"] = dmy(np.where(done <= ext.world.cal.end, done, NAT))
    frame["Organisation Completing Assessment"] = eh["lead"].map(EH_ORGS).to_numpy()
    _write(ext, frame, ext.recorded(start, 13), "list_2_early_help.csv", 14)

    r = t.referrals.sort_values(["child", "date"])
    child, date = r["child"].to_numpy(), r["date"].to_numpy().astype("datetime64[D]")
    frame = _common(ext, child, date)
    frame["Date of Referral"] = dmy(date)
    frame["Referral Source"] = r["source"].to_numpy()
    frame["Referral NFA"] = np.where(r["nfa"], "Yes", "No")
    frame["Number of Referrals in Last 12 Months"] = _referrals_last_year(child, date)
    frame["Allocated Team"] = _team(ext, child, "Assessment Team")
    _write(ext, frame, ext.recorded(date, 15), "list_3_referrals.csv", 16)

    _write_cin_list(ext, t)
    _write_cp_list(ext, t)
    _write_cla_list(ext, t)


def _referrals_last_year(child: np.ndarray, date: np.ndarray) -> np.ndarray:
    """For rows sorted by child and date: referrals of the child in the 365 days to this one."""
    days = date.astype("datetime64[D]").astype(np.int64)
    key = child.astype(np.int64) * 1_000_000 + days
    earliest = np.searchsorted(key, key - 364, side="left")
    return np.arange(len(key)) - earliest + 1


def _write_cin_list(ext: Extract, t: Tables) -> None:
    r = t.referrals.sort_values(["child", "date"])
    latest = r.groupby("child").agg(date=("date", "max"), end=("end", "last"))
    last_assessment = t.assessments.groupby("child")["start"].max()
    child = latest.index.to_numpy()
    end = ext.world.cal.end
    cla_open = t.cla.loc[t.cla["end"].isna(), "child"]
    cp_open = t.cp.loc[t.cp["end"].isna(), "child"]
    status = np.where(
        np.isin(child, cla_open), "Looked after child",
        np.where(np.isin(child, cp_open), "Child protection plan",
                 np.where(latest["end"].isna(), "Child in need plan", "Closed episode")),
    )
    frame = _common(ext, child, np.full(len(child), end))
    frame["Disability"] = ext.world.pop.disability[child]
    frame["Case Status"] = status
    frame["Date of Latest Referral"] = dmy(latest["date"])
    frame["Date of Latest Assessment"] = dmy(last_assessment.reindex(child).to_numpy())
    frame["Allocated Team"] = _team(ext, child, "Child in Need Team")
    recorded = ext.recorded(latest["date"].to_numpy(), 17)
    _write(ext, frame, np.minimum(recorded, end), "list_6_children_in_need.csv", 18)


def _write_cp_list(ext: Extract, t: Tables) -> None:
    cp = t.cp
    start = cp["start"].to_numpy().astype("datetime64[D]")
    frame = _common(ext, cp["child"].to_numpy(), start)
    frame["Child Protection Plan Start Date"] = dmy(start)
    frame["Initial Category of Abuse"] = cp["category"].to_numpy()
    frame["Latest Category of Abuse"] = cp["latest"].to_numpy()
    frame["Child Protection Plan End Date"] = dmy(cp["end"])
    frame["Allocated Team"] = _team(ext, cp["child"].to_numpy(), "Child Protection Team")
    _write(ext, frame, ext.recorded(start, 19), "list_7_child_protection.csv", 20)


def _write_cla_list(ext: Extract, t: Tables) -> None:
    cla = t.cla
    start = cla["start"].to_numpy().astype("datetime64[D]")
    frame = _common(ext, cla["child"].to_numpy(), start)
    frame["Date Started to be Looked After"] = dmy(start)
    frame["Legal Status"] = cla["legal"].to_numpy()
    frame["Placement Type"] = cla["placement"].to_numpy()
    frame["Date Ceased to be Looked After"] = dmy(cla["end"])
    frame["Reason Ceased"] = np.where(cla["end"].isna(), "", cla["reason"].fillna(""))
    frame["Allocated Team"] = _team(ext, cla["child"].to_numpy(), "Children in Care Team")
    _write(ext, frame, ext.recorded(start, 21), "list_8_looked_after.csv", 22)
