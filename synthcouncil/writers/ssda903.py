"""SSDA903 (children looked after) CSVs per year: header, episodes, missing.

Columns exactly as ``formats/SSDA903_schema_2024.yml`` plus a local ``DATE_RECORDED``; codes
only from that specification. Each period of care is one or more episodes: a new episode
starts when the placement changes (RNE P), when the legal status changes (L: an interim care
order becoming a full care order, or accommodation by agreement becoming a care order), or
both (T). Each year's return holds the episodes open at some point in the year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthcouncil.places import COUNCIL_CODE
from synthcouncil.tables import PLACEMENT_SHARES_BY_AGE, PLACEMENTS, Tables
from synthcouncil.writers.cin_census import _years
from synthcouncil.writers.common import Extract, dmy
from synthcouncil.writers.placements import FOSTER, Providers, place

FOLDER = "ssda903"
LA_CODE_903 = COUNCIL_CODE  # the validators' "own LA" for in/out of area (postcodes are Medway's)
HEADER = ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB", "DATE_RECORDED"]
EPISODES = ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
            "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN", "DATE_RECORDED"]
MISSING = ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END", "DATE_RECORDED"]
# Reasons for a change of placement: the generator's shares, ordered as the DfE's national
# tables rank them (change to or carrying out the care plan most often, then carers' requests).
CHANGE_REASONS = np.array(["CARPL", "CREQB", "CREQO", "OTHER", "CHILD", "PLACE", "CLOSE",
                           "LAREQ", "STAND", "ALLEG", "APPRR"], dtype=object)
CHANGE_SHARES = np.array([0.36, 0.15, 0.1, 0.1, 0.07, 0.06, 0.05, 0.04, 0.03, 0.02, 0.02])
# Category of need "family stress" (the simulation's N4) as England records it for children
# looked after: acute stress, dysfunction, parental illness or disability, absent parenting.
STRESS_NEEDS = np.array(["N4", "N5", "N3", "N8", "N7"], dtype=object)
STRESS_SHARES = np.array([0.27, 0.45, 0.1, 0.17, 0.01])


def _age_placement(age_days: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    band = np.digitize(age_days / 365.25, [5, 10, 16])
    cdf = PLACEMENT_SHARES_BY_AGE.cumsum(axis=1)
    pick = (rng.random(len(band))[:, None] >= cdf[band]).sum(axis=1)
    return PLACEMENTS[np.minimum(pick, len(PLACEMENTS) - 1)]


def _episode_rows(ext: Extract, t: Tables) -> pd.DataFrame:
    """Episodes of every period of care: a start, then legal and placement changes."""
    rng = ext.rng(40)
    pop, cal = ext.world.pop, ext.world.cal
    cla = _sequential(t.cla)
    start = cla["start"].to_numpy().astype("datetime64[D]")
    end = cla["end"].to_numpy().astype("datetime64[D]")
    last = np.where(np.isnat(end), cal.end, end)
    length = (last - start).astype(np.int64)
    n = len(cla)
    need = cla["need"].to_numpy(dtype=object).copy()
    stress = need == "N4"
    need[stress] = rng.choice(STRESS_NEEDS, int(stress.sum()), p=STRESS_SHARES)
    need[stress & pop.disabled[cla["child"].to_numpy()] & (rng.random(n) < 0.3)] = "N2"
    legal = cla["legal"].to_numpy(dtype=object)
    # An interim care order (C1) becomes a full care order (C2) after about 6-10 months; a
    # fifth of children accommodated by agreement (V2) come under a care order later.
    legal_at = start + rng.integers(150, 300, n).astype("timedelta64[D]")
    legal_change = ((legal == "C1") | ((legal == "V2") & (rng.random(n) < 0.2))) & (
        legal_at < last)
    # Moves: about a third of periods longer than two months; none during a remand (J1).
    moves = np.where((length > 60) & (legal != "J1"),
                     rng.choice([0, 1, 2], n, p=[0.62, 0.27, 0.11]), 0)
    move_at = [start + (length * np.sort(rng.uniform(0.1, 0.9, (n, 2)), axis=1)[:, k])
               .astype("timedelta64[D]") for k in range(2)]
    events = [pd.DataFrame({"period": np.arange(n), "date": start, "kind": "S"})]
    events.append(pd.DataFrame({"period": np.flatnonzero(legal_change),
                                "date": legal_at[legal_change], "kind": "L"}))
    for k in range(2):
        moved = moves > k
        events.append(pd.DataFrame({"period": np.flatnonzero(moved), "date": move_at[k][moved],
                                    "kind": "P"}))
    ev = pd.concat(events).sort_values(["period", "date", "kind"], kind="stable")
    ev = ev.drop_duplicates(["period", "date"], keep="last").reset_index(drop=True)
    p = ev["period"].to_numpy()
    child = cla["child"].to_numpy()[p]
    kind = ev["kind"].to_numpy()
    age = (ev["date"].to_numpy().astype("datetime64[D]") - pop.dob[child]).astype(np.int64)
    first = kind == "S"
    place_code = np.where(first, cla["placement"].to_numpy()[p], _age_placement(age, rng))
    place_code = np.where(kind == "L", "", place_code)  # same placement: filled below
    ls = np.where(first, legal[p], np.where(kind == "L", "C2", ""))
    rows = pd.DataFrame({"period": p, "child": child, "DECOM": ev["date"].to_numpy(),
                         "kind": kind, "PLACE": place_code, "LS": ls, "CIN": need[p]})
    # Carry the legal status and the placement forward within the period.
    for col in ("PLACE", "LS"):
        rows[col] = rows[col].replace("", np.nan).groupby(rows["period"]).ffill()
    # Accommodation by agreement is never a placement with parents (903 rule 378).
    rows.loc[rows["PLACE"].eq("P1") & rows["LS"].eq("V2"), "PLACE"] = "U3"
    legal_changed = rows["kind"].eq("L") | (
        rows["LS"].ne(rows.groupby("period")["LS"].shift()) & ~rows["kind"].eq("S"))
    rows["RNE"] = np.where(rows["kind"].eq("S"), "S",
                           np.where(rows["kind"].eq("L"), "L",
                                    np.where(legal_changed, "T", "P")))
    nxt = rows.groupby("period")["DECOM"].shift(-1)
    period_end = end[p]
    rows["DEC"] = np.where(nxt.notna(), nxt.to_numpy().astype("datetime64[D]"), period_end)
    is_last = nxt.isna().to_numpy()
    rows["REC"] = np.where(is_last, cla["reason"].fillna("").to_numpy()[p], "X1")
    changes = ~is_last & (rows.groupby("period")["kind"].shift(-1).to_numpy() != "L")
    rows["REASON_PLACE_CHANGE"] = np.where(
        changes, rng.choice(CHANGE_REASONS, len(rows), p=CHANGE_SHARES), "")
    rows.loc[np.isnat(rows["DEC"].to_numpy().astype("datetime64[D]")), "REC"] = ""
    # E45 / E46 (staying with former foster carers) only after a foster placement (rule 516).
    rows.loc[rows["REC"].isin(["E45", "E46"]) & ~rows["PLACE"].isin(FOSTER), "REC"] = "E8"
    # A placement is one set of provider, URN and postcode, kept across a legal change.
    home = ext.postcode(rows["child"].to_numpy(), np.full(len(rows), cal.first))
    placed = place(rows["PLACE"].to_numpy(), home, Providers.build(ext.rng(44)), rng)
    for col in placed:
        rows[col] = placed[col].where(~rows["kind"].eq("L").to_numpy())
        rows[col] = rows[col].groupby(rows["period"]).ffill()
    rows["HOME_POST"] = home
    return rows.sort_values(["child", "DECOM"]).reset_index(drop=True)


def _sequential(cla: pd.DataFrame) -> pd.DataFrame:
    """A child's periods of care one after another.

    Days drawn inside a month can put a period's start on or before the end of the child's
    previous one: it starts the day after instead. A remand (J1) that falls inside a period of
    care under another order is left out of the return (its episodes would need the order's
    legal status; 903 rules 142, 431, 501).
    """
    cla = cla.sort_values(["child", "start"]).reset_index(drop=True)
    start = cla["start"].to_numpy().astype("datetime64[D]")
    end = cla["end"].to_numpy().astype("datetime64[D]")
    prev_end = pd.Series(end).groupby(cla["child"]).shift().to_numpy().astype("datetime64[D]")
    prev_open = (pd.Series(np.isnat(end)).groupby(cla["child"]).shift().fillna(False)
                 .to_numpy(bool))
    same_child = cla["child"].eq(cla["child"].shift()).to_numpy()
    clash = same_child & (prev_open | (start <= prev_end))
    moved = np.where(clash & ~np.isnat(prev_end), prev_end + 1, start)
    fits = np.isnat(end) | (moved <= end)
    keep = ~clash | ((cla["legal"].to_numpy() != "J1") & ~prev_open & fits)
    cla["start"] = moved
    return cla[keep].reset_index(drop=True)


def _upn(pop_upn: np.ndarray, hidden: np.ndarray, dob: np.ndarray, year: int) -> np.ndarray:
    """UN1 (under school age, no UPN yet) only for children under 4 on 31 August before the
    year (903 rule 209); a school-age child whose UPN the council lacks is UN5."""
    school_age = dob + 4 * 365 <= np.datetime64(f"{year - 2}-08-31")
    unknown = (pop_upn == "") | hidden
    return np.where(unknown, np.where(school_age, "UN5", "UN1"), pop_upn)


def write_ssda903(ext: Extract, t: Tables) -> None:
    pop = ext.world.pop
    rows = _episode_rows(ext, t)
    hide_upn = np.zeros(pop.n, bool)
    if ext.mess is not None:
        hide_upn = ext.rng(42).random(pop.n) < ext.mess.missing_upn_rate
    for year in _years(ext):
        census = np.datetime64(f"{year}-03-31")
        year_start = np.datetime64(f"{year - 1}-04-01")
        dec = rows["DEC"].to_numpy().astype("datetime64[D]")
        ep = rows[(rows["DECOM"].to_numpy() <= census) & (np.isnat(dec) | (dec >= year_start))]
        open_at_census = np.isnat(ep["DEC"].to_numpy().astype("datetime64[D]")) | (
            ep["DEC"].to_numpy() > census
        )
        child = ep["child"].to_numpy()
        frame = pd.DataFrame({
            "CHILD": ext.la_id[child], "DECOM": dmy(ep["DECOM"]), "RNE": ep["RNE"].to_numpy(),
            "LS": ep["LS"].to_numpy(), "CIN": ep["CIN"].to_numpy(), "PLACE": ep["PLACE"].to_numpy(),
            "PLACE_PROVIDER": ep["PLACE_PROVIDER"].to_numpy(),
            "DEC": np.where(open_at_census, "", dmy(ep["DEC"])),
            "REC": np.where(open_at_census, "", ep["REC"].to_numpy()),
            "REASON_PLACE_CHANGE": np.where(open_at_census, "", ep["REASON_PLACE_CHANGE"]),
            "HOME_POST": ep["HOME_POST"].to_numpy(), "PL_POST": ep["PL_POST"].to_numpy(),
            "URN": ep["URN"].to_numpy(),
        })
        recorded = ext.recorded(ep["DECOM"].to_numpy(), 43 + year)
        frame["DATE_RECORDED"] = dmy(np.maximum(recorded, year_start))
        ext.write_csv(frame[EPISODES], FOLDER, f"episodes_{year}.csv", 50 + year)

        kids = np.unique(child)
        header = pd.DataFrame({
            "CHILD": ext.la_id[kids], "SEX": np.where(pop.sex[kids] == "M", "1", "2"),
            "DOB": dmy(pop.dob[kids]), "ETHNIC": pop.ethnicity[kids],
            "UPN": _upn(pop.upn[kids], hide_upn[kids], pop.dob[kids], year),
            "MOTHER": np.where(pop.sex[kids] == "F", "0", ""), "MC_DOB": "",
            "DATE_RECORDED": dmy(np.full(len(kids), census)),
        })
        ext.write_csv(header[HEADER], FOLDER, f"header_{year}.csv", 60 + year)
        ext.note_ids(FOLDER, "la_child_id", ext.la_id[kids], pop.child_id[kids])

        miss = _in_care(t.missing, rows)
        miss = miss[(miss["start"] >= year_start) & (miss["start"] <= census)]
        mchild = miss["child"].to_numpy()
        missing = pd.DataFrame({
            "CHILD": ext.la_id[mchild], "DOB": dmy(pop.dob[mchild]),
            "MISSING": miss["type"].to_numpy(), "MIS_START": dmy(miss["start"]),
            "MIS_END": dmy(np.minimum(miss["end"].to_numpy(), census)),
        })
        mrec = ext.recorded(miss["start"].to_numpy(), 70 + year)
        missing["DATE_RECORDED"] = dmy(mrec)
        ext.write_csv(missing[ext.kept(mrec)][MISSING], FOLDER, f"missing_{year}.csv", 80 + year)


def _in_care(missing: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """Missing periods inside the period of care they were recorded in, one after another.

    The simulation records missing by month; its days are drawn inside the month, so a period
    can fall before the day care began or after the day it ended, or overlap the last one
    (903 rules 574, 577, 578, 581): each is moved inside its care period and after the one
    before, and kept only if it still fits.
    """
    periods = rows.groupby("period").agg(child=("child", "first"), begin=("DECOM", "min"),
                                         finish=("DEC", lambda d: d.iloc[-1]))
    periods["finish"] = periods["finish"].fillna(pd.Timestamp.max.normalize())
    m = missing.reset_index(drop=True).assign(row=lambda f: np.arange(len(f)))
    m = m.merge(periods, on="child")
    m = m[(m["start"] <= m["finish"]) & (m["end"] >= m["begin"])]
    m = m.sort_values("row").drop_duplicates("row")
    length = m["end"] - m["start"]
    m["start"] = m[["start", "begin"]].max(axis=1)
    m = m.sort_values(["child", "start"])
    prev_end = m.groupby("child")["end"].shift()
    m["start"] = np.where(prev_end.notna() & (m["start"] <= prev_end),
                          prev_end + pd.Timedelta(days=1), m["start"])
    m["end"] = m["start"] + length.loc[m.index]
    m["end"] = m[["end", "finish"]].min(axis=1)
    return m[m["start"] <= m["end"]].reset_index(drop=True)
