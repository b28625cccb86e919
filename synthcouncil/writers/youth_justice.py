"""The youth justice case system: its own YJ_ID, the child as it holds them, every outcome."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthcouncil.tables import Tables
from synthcouncil.writers.common import Extract, dmy, new_ids

FOLDER = "youth_justice"


def write_youth_justice(ext: Extract, t: Tables) -> None:
    pop = ext.world.pop
    yj = t.yj.sort_values(["date", "child"], kind="stable")
    first = yj.drop_duplicates("child")
    idx = first["child"].to_numpy()
    yj_id = np.full(pop.n, "", dtype=object)
    yj_id[idx] = new_ids("YJ", len(idx), 6, ext.rng(110))
    view = ext.person_view(idx, salt=111)
    recorded_first = ext.recorded(first["date"].to_numpy(), 112)
    children = pd.DataFrame({
        "YJ_ID": yj_id[idx], "Forename": view["forename"], "Surname": view["surname"],
        "DOB": dmy(view["dob"]), "Sex": view["sex"],
        "Postcode": ext.postcode(idx, first["month"].to_numpy()),
        "Ethnicity": pop.ethnicity[idx], "RecordedDate": dmy(recorded_first),
    })
    kept = ext.kept(recorded_first)
    ext.write_csv(children[kept].sort_values("YJ_ID"), FOLDER, "yj_children.csv", 113)
    ext.note_ids(FOLDER, "yj_id", yj_id[idx[kept]], pop.child_id[idx[kept]])

    recorded = ext.recorded(yj["date"].to_numpy(), 114)
    outcomes = pd.DataFrame({
        "YJ_ID": yj_id[yj["child"].to_numpy()], "OutcomeDate": dmy(yj["date"]),
        "Tier": yj["tier"].to_numpy(), "OffenceType": yj["offence"].to_numpy(),
        "RecordedDate": dmy(recorded),
    })
    has_person = np.isin(yj["child"].to_numpy(), idx[kept])
    ext.write_csv(outcomes[ext.kept(recorded) & has_person], FOLDER, "yj_outcomes.csv", 115)
