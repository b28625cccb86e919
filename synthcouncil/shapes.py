"""Marginal patterns to compare with ONS linked data: what was known about children before
their custodial sentence, against children never given a youth justice outcome."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthcouncil.offending import CUSTODY_TIERS
from synthcouncil.simulate import World
from synthcouncil.tables import Tables


def custody_shapes(world: World, t: Tables) -> dict[str, float]:
    cal = world.cal
    yj = t.yj[t.yj["month"] >= cal.truth_first]
    custody = yj[yj["tier"].isin(CUSTODY_TIERS)].sort_values("date").drop_duplicates("child")
    when = pd.Series(custody["date"].to_numpy(), index=custody["child"].to_numpy())

    def before(frame: pd.DataFrame, date_col: str) -> float:
        rows = frame[frame["child"].isin(when.index)]
        earlier = rows[rows[date_col].to_numpy() < when.loc[rows["child"]].to_numpy()]
        return round(float(earlier["child"].nunique() / max(len(when), 1)), 3)

    absence = t.attendance.groupby(["child", "academic"])[
        ["possible", "authorised", "unauthorised"]
    ].sum()
    rate = (absence["authorised"] + absence["unauthorised"]) / absence["possible"]
    persistent = set(rate[rate >= 0.1].index.get_level_values("child"))
    suspended = set(t.exclusions["child"])
    ages = (cal.month_end(cal.last) - world.pop.dob).astype(np.int64) / 365.25
    teen = np.flatnonzero(world.present.any(axis=1) & (ages >= 11) & (ages < 23))
    never = np.setdiff1d(teen, t.yj["child"].to_numpy())
    custody_kids = when.index.to_numpy()
    cin = t.referrals[~t.referrals["nfa"]]
    any_record = pd.concat([
        t.contacts[["child", "date"]],
        t.early_help[["child", "start"]].set_axis(["child", "date"], axis=1),
        t.exclusions[["child", "date"]], t.yj[["child", "date"]],
    ])
    return {
        "children_sentenced_to_custody": float(len(when)),
        "custody_share_children_in_need": before(cin, "date"),
        # Remand (J1) is a consequence of the offence, not history: left out.
        "custody_share_looked_after": before(t.cla[t.cla["legal"] != "J1"], "start"),
        "custody_share_persistently_absent": _in(custody_kids, persistent),
        "custody_share_suspended": _in(custody_kids, suspended),
        "never_convicted_share_persistently_absent": _in(never, persistent),
        "never_convicted_share_suspended": _in(never, suspended),
        # Sentenced with nothing at all recorded before: no contact, early help, exclusion or
        # youth justice outcome (attendance aside).
        "custody_share_no_earlier_record": round(1 - before(any_record, "date"), 3),
    }


def _in(children: np.ndarray, members: set[int]) -> float:
    if len(children) == 0:
        return 0.0
    return round(float(np.isin(children, list(members)).mean()), 3)
