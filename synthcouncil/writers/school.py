"""School census extracts keyed by UPN: pupils (one row per pupil per January census, with
the characteristics schools return: ethnicity, free school meals eligibility, SEN provision
and first language), attendance by term, suspensions and permanent exclusions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthcouncil import pupils as chars
from synthcouncil.calendar import age_years
from synthcouncil.tables import Tables
from synthcouncil.writers.common import Extract, dmy

FOLDER = "school_census"
OFFENSIVE_WEAPON_FROM = 2020  # reason code OW exists from academic year 2020/21


def write_school(ext: Extract, t: Tables) -> None:
    _write_pupils(ext)
    _write_attendance(ext, t)
    _write_exclusions(ext, t)


def _write_pupils(ext: Extract) -> None:
    pop, cal = ext.world.pop, ext.world.cal
    on_roll = np.flatnonzero(pop.upn != "")
    view = ext.person_view(on_roll, salt=90).set_index("child")
    sen = np.where(pop.behaviour_trait[on_roll] > 1.6, "K", "N")
    sen = np.where(np.isin(pop.disability[on_roll], ["LD", "AUT", "COMM"]), "E", sen)
    sen = pd.Series(sen, index=on_roll)
    ethnicity = chars.recorded_ethnicity(pop, ext.rng(97))
    language = chars.first_language(pop, ext.rng(98))
    propensity = chars.fsm_propensity(pop, ext.rng(99))
    fsm_rng = ext.rng(100)
    frames = []
    year = int(str(cal.month_start(cal.first))[:4])
    while np.datetime64(f"{year}-01-18") <= cal.end:
        census = np.datetime64(f"{year}-01-18")
        month = int(cal.month_of(np.array([census]))[0])
        age_aug = age_years(pop.dob[on_roll], np.datetime64(f"{year - 1}-08-31"))
        there = (
            (month >= pop.arrive[on_roll]) & (month < pop.leave[on_roll])
            & (age_aug >= 4) & (age_aug <= 15) & (month >= cal.first)
        )
        idx = on_roll[there]
        urn = np.where(age_aug[there] <= 10, pop.primary_urn[idx], pop.secondary_urn[idx])
        frames.append(pd.DataFrame({
            "UPN": pop.upn[idx], "Forename": view.loc[idx, "forename"].to_numpy(),
            "Surname": view.loc[idx, "surname"].to_numpy(), "DOB": dmy(view.loc[idx, "dob"]),
            "Sex": pop.sex[idx],
            "Postcode": pop.postcode_at(np.full(len(idx), month), idx),
            "Ethnicity": ethnicity[idx],
            "FSMEligible": np.where(
                chars.fsm_eligible(propensity[idx], year, fsm_rng), "Yes", "No"
            ),
            "FirstLanguage": language[idx],
            "SENProvision": sen.loc[idx].to_numpy(), "SchoolURN": urn,
            "CensusDate": dmy(np.full(len(idx), census)),
            "RecordedDate": dmy(np.full(len(idx), census)),
        }))
        year += 1
    pupils = pd.concat(frames, ignore_index=True)
    ext.write_csv(pupils, FOLDER, "pupils.csv", salt=91)
    upns = pupils["UPN"].to_numpy()
    ext.note_ids(FOLDER, "upn", upns, _child_of_upn(ext, upns))


def _child_of_upn(ext: Extract, upns: np.ndarray) -> np.ndarray:
    pop = ext.world.pop
    lookup = pd.Series(pop.child_id, index=pop.upn)
    return lookup.loc[upns].to_numpy()


def _write_attendance(ext: Extract, t: Tables) -> None:
    a = t.attendance
    pop = ext.world.pop
    end = a["term_end"].to_numpy().astype("datetime64[D]")
    recorded = end + ext.rng(92).integers(14, 43, len(a)).astype("timedelta64[D]")
    if ext.mess is None:
        recorded = end
    frame = pd.DataFrame({
        "UPN": pop.upn[a["child"].to_numpy()],
        "AcademicYear": [f"{y}/{(y + 1) % 100:02d}" for y in a["academic"]],
        "Term": a["term"].to_numpy(), "TermEndDate": dmy(end),
        "SessionsPossible": a["possible"].to_numpy(),
        "SessionsAuthorisedAbsence": a["authorised"].to_numpy(),
        "SessionsUnauthorisedAbsence": a["unauthorised"].to_numpy(),
        "RecordedDate": dmy(recorded),
    })
    ext.write_csv(frame[ext.kept(recorded)], FOLDER, "attendance.csv", salt=93)


def _write_exclusions(ext: Extract, t: Tables) -> None:
    e = t.exclusions
    pop = ext.world.pop
    date = e["date"].to_numpy().astype("datetime64[D]")
    recorded = ext.recorded(date, 94)
    academic = date.astype("datetime64[Y]").astype(np.int64) + 1970 - (
        date.astype("datetime64[M]").astype(np.int64) % 12 < 8
    )
    reason = e["reason"].to_numpy()
    weapon = (academic >= OFFENSIVE_WEAPON_FROM) & (reason == "PA") & (
        ext.rng(95).random(len(e)) < 0.3
    )
    frame = pd.DataFrame({
        "UPN": pop.upn[e["child"].to_numpy()], "Category": e["category"].to_numpy(),
        "StartDate": dmy(date), "Sessions": e["sessions"].to_numpy(),
        "ReasonCode": np.where(weapon, "OW", reason), "RecordedDate": dmy(recorded),
    })
    ext.write_csv(frame[ext.kept(recorded)], FOLDER, "exclusions.csv", salt=96)
