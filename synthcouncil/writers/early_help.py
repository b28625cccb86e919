"""The Early Help case system: its own EH_ID (some children registered twice), episodes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthcouncil.tables import Tables
from synthcouncil.writers.common import Extract, dmy, new_ids

FOLDER = "early_help"


def write_early_help(ext: Extract, t: Tables) -> None:
    pop = ext.world.pop
    eh = t.early_help.sort_values(["start", "child"], kind="stable").reset_index(drop=True)
    first = eh.drop_duplicates("child")
    idx = first["child"].to_numpy()
    rng = ext.rng(120)
    ids = new_ids("EH", 2 * len(idx), 7, rng)
    primary = pd.Series(ids[: len(idx)], index=idx)
    duplicate = pd.Series(ids[len(idx):], index=idx)
    twice = np.zeros(len(idx), bool)
    if ext.mess is not None:
        twice = rng.random(len(idx)) < ext.mess.eh_duplicate_rate
    twice_of = pd.Series(twice, index=idx)
    # A child registered twice has each episode filed under one of their two records.
    use_dup = twice_of.loc[eh["child"]].to_numpy() & (rng.random(len(eh)) < 0.5)
    eh_id = np.where(use_dup, duplicate.loc[eh["child"]].to_numpy(),
                     primary.loc[eh["child"]].to_numpy())
    people = pd.concat([
        pd.DataFrame({"child": idx, "EH_ID": primary.to_numpy(), "month": first["month"]}),
        pd.DataFrame({"child": idx[twice], "EH_ID": duplicate.to_numpy()[twice],
                      "month": first["month"].to_numpy()[twice]}),
    ], ignore_index=True)
    view = ext.person_view(people["child"].to_numpy(), salt=121)
    start = eh.groupby(eh_id)["start"].min()
    first_start = start.reindex(people["EH_ID"]).to_numpy().astype("datetime64[D]")
    registered = ext.world.cal.month_start(people["month"].to_numpy())
    first_start = np.where(np.isnat(first_start), registered, first_start)
    recorded_person = np.minimum(ext.recorded(first_start, 122), ext.world.cal.end)
    persons = pd.DataFrame({
        "EH_ID": people["EH_ID"].to_numpy(), "Forename": view["forename"].to_numpy(),
        "Surname": view["surname"].to_numpy(), "DOB": dmy(view["dob"]),
        "Sex": view["sex"].to_numpy(),
        "Postcode": ext.postcode(people["child"].to_numpy(), people["month"].to_numpy()),
        "RecordedDate": dmy(recorded_person),
    }).sort_values("EH_ID")
    ext.write_csv(persons, FOLDER, "eh_persons.csv", 123)
    ext.note_ids(FOLDER, "eh_id", people["EH_ID"].to_numpy(),
                 pop.child_id[people["child"].to_numpy()])

    recorded = ext.recorded(eh["start"].to_numpy(), 124)
    episodes = pd.DataFrame({
        "EH_ID": eh_id, "StartDate": dmy(eh["start"]), "EndDate": dmy(eh["end"]),
        "LeadProfessional": eh["lead"].to_numpy(), "Reason": eh["reason"].to_numpy(),
        "Outcome": np.where(eh["end"].isna(), "", eh["outcome"].fillna("")),
        "RecordedDate": dmy(recorded),
    })
    ext.write_csv(episodes[ext.kept(recorded)], FOLDER, "eh_episodes.csv", 125)
