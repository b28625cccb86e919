"""Children's social care: LAchildIDs and the case system's person extract."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthcouncil.tables import Tables
from synthcouncil.writers.common import Extract, dmy, first_month, new_ids


def assign_la_ids(ext: Extract, t: Tables) -> None:
    """Every child with a contact, referral, plan or care episode gets an LAchildID."""
    known = np.unique(np.concatenate([
        t.contacts["child"], t.referrals["child"], t.cp["child"], t.cla["child"],
    ]).astype(np.int64))
    ext.la_id[known] = new_ids("", len(known), 7, ext.rng(1))


def write_social_care(ext: Extract, t: Tables) -> None:
    pop = ext.world.pop
    months = pd.concat([
        t.contacts[["child", "month", "date"]], t.referrals[["child", "month", "date"]],
        t.cla[["child", "month", "start"]].rename(columns={"start": "date"}),
    ]).sort_values(["date", "child"], kind="stable").drop_duplicates("child")
    idx = months["child"].to_numpy()
    first = first_month(months["child"].to_numpy(), months["month"].to_numpy())
    view = ext.person_view(idx, salt=2)
    upn = pop.upn[idx].copy()
    if ext.mess is not None:
        upn[ext.rng(3).random(len(idx)) < ext.mess.missing_upn_rate] = ""
    first_date = months["date"].to_numpy().astype("datetime64[D]")
    window_start = ext.world.cal.month_start(ext.world.cal.first)
    recorded = np.maximum(ext.recorded(first_date, 4), window_start)
    frame = pd.DataFrame({
        "LAchildID": ext.la_id[idx],
        "UPN": upn,
        "Forename": view["forename"],
        "Surname": view["surname"],
        "DateOfBirth": dmy(view["dob"]),
        "Sex": view["sex"],
        "Postcode": ext.postcode(idx, first.loc[idx].to_numpy()),
        "Ethnicity": pop.ethnicity[idx],
        "Disability": pop.disability[idx],
        "Date Recorded": dmy(np.minimum(recorded, ext.world.cal.end)),
    }).sort_values("LAchildID")
    ext.write_csv(frame, "social_care", "children.csv", salt=5)
    ext.note_ids("social_care", "la_child_id", ext.la_id[idx], pop.child_id[idx])
