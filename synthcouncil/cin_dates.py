"""Day-level dates and codes of children in need work that a council's system would hold.

The simulation runs by month; ``tables`` gives each event a day inside its month. These
functions then keep the days as the DfE's CIN census rules (2022/23) expect of real work:
conferences on working days (rule 8875), a plan that lasts at least a day (8840), episodes of
one child that do not overlap (8820), and closure reasons that agree with the episode (2990:
"closed after assessment" only when nothing followed the assessment). None of them adds or
removes an event: they move days inside the record or choose between codes that mean the same
thing to the model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

NAT = np.datetime64("NaT", "D")
WEEK = np.timedelta64(7, "D")


def working_day(dates: np.ndarray) -> np.ndarray:
    """A Saturday conference moved to the Friday before, a Sunday one to the Monday after."""
    dates = np.asarray(dates, dtype="datetime64[D]")
    sunday = np.is_busday(dates + 1) & ~np.is_busday(dates) & ~np.isnat(dates)
    return np.where(sunday, np.busday_offset(dates, 0, roll="forward"),
                    np.busday_offset(dates, 0, roll="backward"))


def plan_end(start: np.ndarray, end: np.ndarray, last_day: np.datetime64) -> np.ndarray:
    """A plan that ended the day it started ends the next day (still open if that is after
    the extract)."""
    start = np.asarray(start, dtype="datetime64[D]")
    end = np.asarray(end, dtype="datetime64[D]")
    same = end == start
    moved = np.where(same, start + 1, end)
    return np.where(same & (moved > last_day), NAT, moved)


def enquiry_assessments(
    assess: pd.DataFrame, s47: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """An assessment beside each section 47 enquiry that starts more than three months after
    the episode's last assessment was authorised (an enquiry is carried out by undertaking or
    continuing an assessment, Working Together 2018, ch. 1). It records the factors of the
    episode's last assessment: the family it describes is the same."""
    last = assess.sort_values("auth").groupby("ep").tail(1).set_index("ep")
    gap = s47["start"].to_numpy() - s47["ep"].map(last["auth"]).to_numpy()
    due = s47[gap > np.timedelta64(90, "D")]
    new = last.loc[due["ep"]].reset_index()
    new["month"] = due["month"].to_numpy()
    new["start"] = due["start"].to_numpy()
    new["auth"] = new["start"].to_numpy() + rng.integers(10, 41, len(new)).astype("m8[D]")
    return pd.concat([assess, new[assess.columns]], ignore_index=True)


def closure_reasons(
    ref: pd.DataFrame, assess: pd.DataFrame, s47: pd.DataFrame, cp: pd.DataFrame
) -> None:
    """RC8 / RC9 mean "closed after assessment": such a case closes when its assessment is
    authorised. An episode with a section 47 enquiry or a plan, or one that closes more than
    two months after its last assessment, closes as RC7 (services ceased), and so does a
    referral that led to no further action, which had no assessment to close after. In place.
    """
    reason = ref["reason"].to_numpy(dtype=object).copy()
    worked = (ref["ep"].isin(s47["ep"]) | ref["ep"].isin(cp["cin_ep"])).to_numpy()
    last_auth = ref["ep"].map(assess.groupby("ep")["auth"].max()).to_numpy()
    end = ref["end"].to_numpy().astype("datetime64[D]")
    late = ~((end - last_auth.astype("datetime64[D]")) <= np.timedelta64(60, "D"))
    after_assessment = np.isin(reason, ["RC8", "RC9"]) & ~np.isnat(end)
    to_rc7 = after_assessment & (worked | ref["nfa"].to_numpy(bool) | late)
    reason[to_rc7] = "RC7"
    closes = after_assessment & ~to_rc7
    end[closes] = np.maximum(last_auth[closes].astype("datetime64[D]"),
                             ref["date"].to_numpy().astype("datetime64[D]")[closes])
    ref["reason"] = reason
    ref["end"] = end


def separate_episodes(
    ref: pd.DataFrame, assess: pd.DataFrame, s47: pd.DataFrame, cp: pd.DataFrame,
    last_day: np.datetime64,
) -> None:
    """Move a child's episode that starts on or before the previous one's closure to after it.

    A month-level simulation can close one episode and open the next in the same month, and
    the days drawn inside the month can put them in the wrong order. The later episode and
    everything in it move by whole weeks (so working days stay working days). In place.
    """
    for _ in range(10):
        order = ref.sort_values(["child", "date"]).index
        prev_end = ref.loc[order].groupby("child")["end"].shift(1)
        date = ref.loc[order, "date"]
        clash = prev_end.notna() & (date <= prev_end)
        if not clash.any():
            return
        days = (prev_end[clash] - date[clash]).dt.days.to_numpy() + 1
        shift = pd.Series(((days + 6) // 7) * WEEK, index=ref.loc[order][clash.to_numpy()]["ep"])
        _shift(ref, "ep", shift, ("date", "end"), last_day)
        _shift(assess, "ep", shift, ("start", "auth"), last_day)
        _shift(s47, "ep", shift, ("start", "icpc_date"), last_day)
        _shift(cp, "cin_ep", shift, ("start", "end"), last_day)


def _shift(
    frame: pd.DataFrame, key: str, shift: pd.Series, columns: tuple[str, ...],
    last_day: np.datetime64,
) -> None:
    by = frame[key].map(shift)
    moved = by.notna().to_numpy()
    if not moved.any():
        return
    delta = by[moved].to_numpy().astype("timedelta64[D]")
    for col in columns:
        values = frame[col].to_numpy().astype("datetime64[D]")
        new = values[moved] + delta
        if col in ("end", "auth"):  # an end after the extract is not known yet
            new = np.where(new > last_day, NAT, new)
        values[moved] = new
        frame[col] = values
