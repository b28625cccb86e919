"""SSDA903 (children looked after) CSVs per year: header, episodes, missing.

Columns exactly as ``formats/SSDA903_schema_2024.yml`` plus a local ``DATE_RECORDED``; codes
only from that specification.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthcouncil.tables import Tables
from synthcouncil.writers.cin_census import _years
from synthcouncil.writers.common import Extract, dmy

FOLDER = "ssda903"
HEADER = ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB", "DATE_RECORDED"]
EPISODES = ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
            "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN", "DATE_RECORDED"]
MISSING = ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END", "DATE_RECORDED"]


def _episode_rows(ext: Extract, t: Tables) -> pd.DataFrame:
    """One row per placement: some periods of care have a change of placement part way."""
    rng = ext.rng(40)
    cla = t.cla.reset_index(drop=True)
    start = cla["start"].to_numpy().astype("datetime64[D]")
    end = cla["end"].to_numpy().astype("datetime64[D]")
    last = np.where(np.isnat(end), ext.world.cal.end, end)
    length = (last - start).astype(np.int64)
    split = (rng.random(len(cla)) < 0.3) & (length > 60)
    cut = start + (length * rng.uniform(0.2, 0.8, len(cla))).astype("timedelta64[D]")
    first = pd.DataFrame({
        "child": cla["child"], "DECOM": start, "RNE": "S", "LS": cla["legal"], "CIN": cla["need"],
        "PLACE": cla["placement"], "DEC": np.where(split, cut, end),
        "REC": np.where(split, "X1", cla["reason"].fillna("")),
        "REASON_PLACE_CHANGE": np.where(split, "CARPL", ""),
    })
    second = pd.DataFrame({
        "child": cla["child"], "DECOM": cut, "RNE": "P", "LS": cla["legal"], "CIN": cla["need"],
        "PLACE": rng.choice(["U4", "U6", "K2", "H5"], len(cla)), "DEC": end,
        "REC": cla["reason"].fillna(""), "REASON_PLACE_CHANGE": "",
    })[split]
    rows = pd.concat([first, second]).sort_values(["child", "DECOM"]).reset_index(drop=True)
    rows.loc[np.isnat(rows["DEC"].to_numpy().astype("datetime64[D]")), "REC"] = ""
    return rows


def write_ssda903(ext: Extract, t: Tables) -> None:
    pop = ext.world.pop
    rows = _episode_rows(ext, t)
    rng = ext.rng(41)
    hide_upn = np.zeros(pop.n, bool)
    if ext.mess is not None:
        hide_upn = ext.rng(42).random(pop.n) < ext.mess.missing_upn_rate
    for year in _years(ext):
        census = np.datetime64(f"{year}-03-31")
        year_start = np.datetime64(f"{year - 1}-04-01")
        dec = rows["DEC"].to_numpy().astype("datetime64[D]")
        ep = rows[(rows["DECOM"].to_numpy() <= census) & (np.isnat(dec) | (dec >= year_start))]
        ep = ep.copy()
        open_at_census = np.isnat(ep["DEC"].to_numpy().astype("datetime64[D]")) | (
            ep["DEC"].to_numpy() > census
        )
        child = ep["child"].to_numpy()
        post = ext.postcode(child, np.full(len(child), ext.world.cal.first))
        frame = pd.DataFrame({
            "CHILD": ext.la_id[child], "DECOM": dmy(ep["DECOM"]), "RNE": ep["RNE"].to_numpy(),
            "LS": ep["LS"].to_numpy(), "CIN": ep["CIN"].to_numpy(), "PLACE": ep["PLACE"].to_numpy(),
            "PLACE_PROVIDER": np.where(ep["PLACE"].to_numpy() == "P1", "", "PR1"),
            "DEC": np.where(open_at_census, "", dmy(ep["DEC"])),
            "REC": np.where(open_at_census, "", ep["REC"].to_numpy()),
            "REASON_PLACE_CHANGE": np.where(open_at_census, "", ep["REASON_PLACE_CHANGE"]),
            "HOME_POST": [p[:-2] for p in post],
            "PL_POST": np.where(rng.random(len(ep)) < 0.7, [p[:-2] for p in post], "ZZ9 1"),
            "URN": np.where(ep["PLACE"].to_numpy() == "K2", "SC123456", ""),
        })
        recorded = ext.recorded(ep["DECOM"].to_numpy(), 43 + year)
        frame["DATE_RECORDED"] = dmy(np.maximum(recorded, year_start))
        ext.write_csv(frame[EPISODES], FOLDER, f"episodes_{year}.csv", 50 + year)

        kids = np.unique(child)
        header = pd.DataFrame({
            "CHILD": ext.la_id[kids], "SEX": np.where(pop.sex[kids] == "M", "1", "2"),
            "DOB": dmy(pop.dob[kids]), "ETHNIC": pop.ethnicity[kids],
            "UPN": np.where((pop.upn[kids] == "") | hide_upn[kids], "UN1", pop.upn[kids]),
            "MOTHER": np.where(pop.sex[kids] == "F", "0", ""), "MC_DOB": "",
            "DATE_RECORDED": dmy(np.full(len(kids), census)),
        })
        ext.write_csv(header[HEADER], FOLDER, f"header_{year}.csv", 60 + year)
        ext.note_ids(FOLDER, "la_child_id", ext.la_id[kids], pop.child_id[kids])

        miss = t.missing[(t.missing["start"] >= year_start) & (t.missing["start"] <= census)]
        mchild = miss["child"].to_numpy()
        missing = pd.DataFrame({
            "CHILD": ext.la_id[mchild], "DOB": dmy(pop.dob[mchild]),
            "MISSING": miss["type"].to_numpy(), "MIS_START": dmy(miss["start"]),
            "MIS_END": dmy(np.minimum(miss["end"].to_numpy(), census)),
        })
        mrec = ext.recorded(miss["start"].to_numpy(), 70 + year)
        missing["DATE_RECORDED"] = dmy(mrec)
        ext.write_csv(missing[ext.kept(mrec)][MISSING], FOLDER, f"missing_{year}.csv", 80 + year)
