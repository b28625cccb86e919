"""CIN census XML, one file per collection year, valid against the DfE 2024 schema."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from itertools import groupby
from typing import Any

import numpy as np
import pandas as pd
from lxml import etree

from synthcouncil.calendar import format_dates
from synthcouncil.population import LA_CODE
from synthcouncil.tables import Tables
from synthcouncil.writers.common import Extract

FOLDER = "cin_census"
CCE_FROM_YEAR = 2022  # factor 24A (child criminal exploitation) exists from this collection


def _sub(parent: etree._Element, tag: str, text: object | None = None) -> etree._Element:
    el = etree.SubElement(parent, tag)
    if text is not None:
        el.text = str(text)
    return el


Rows = dict[int, list[dict[str, Any]]]


def _iso_dates(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Dates as ISO strings ('' when missing): XML wants them so, and they compare in order."""
    out = frame.copy()
    for col in columns:
        out[col] = format_dates(out[col].to_numpy(), "%Y-%m-%d")
    return out


def _grouped(frame: pd.DataFrame, key: str) -> Rows:
    out: Rows = defaultdict(list)
    for row in frame.to_dict("records"):
        out[int(row[key])].append(row)
    return out


def _years(ext: Extract) -> Iterator[int]:
    cal = ext.world.cal
    first = int(str(cal.month_start(cal.first))[:4]) + 1
    last = int(str(cal.end)[:4])
    for year in range(first, last + 1):
        if np.datetime64(f"{year}-03-31") <= cal.end:
            yield year


def write_cin_census(ext: Extract, t: Tables) -> None:
    pop = ext.world.pop
    factor_cols = [c for c in t.assessments.columns if c.startswith("f_")]
    hide_upn = np.zeros(pop.n, bool)
    if ext.mess is not None:
        hide_upn = ext.rng(30).random(pop.n) < ext.mess.missing_upn_rate
    rng = ext.rng(31)
    referrals = _iso_dates(t.referrals, ["date", "end"])
    assessments = _iso_dates(t.assessments, ["start", "auth"])
    s47s = _iso_dates(t.s47, ["start", "icpc_date"])
    # Initial conference target: 15 working days after the enquiry starts.
    s47s["target"] = format_dates(np.busday_offset(
        t.s47["start"].to_numpy().astype("datetime64[D]"), 15, roll="forward"), "%Y-%m-%d")
    plans = _iso_dates(t.cp, ["start", "end"])
    for year in _years(ext):
        census, year_start = f"{year}-03-31", f"{year - 1}-04-01"
        ref = referrals
        keep = (ref["date"] <= census) & ((ref["end"] == "") | (ref["end"] >= year_start))
        ref = ref[keep].sort_values(["child", "date"])
        assess = _grouped(_in_year(assessments, "start", "auth", census, year_start), "ep")
        s47 = _grouped(_in_year(s47s, "start", "icpc_date", census, year_start), "ep")
        cp = _grouped(_in_year(plans, "start", "end", census, year_start, span=True), "cin_ep")
        root = etree.Element("Message")
        _header(root, year)
        children = _sub(root, "Children")
        records = ref.to_dict("records")
        for c, episodes in groupby(records, key=lambda r: int(r["child"])):
            el = _sub(children, "Child")
            ids = _sub(el, "ChildIdentifiers")
            _sub(ids, "LAchildID", ext.la_id[c])
            if pop.upn[c] and not hide_upn[c]:
                _sub(ids, "UPN", pop.upn[c])
            else:
                _sub(ids, "UPNunknown", "UN5" if pop.upn[c] else "UN1")
            _sub(ids, "PersonBirthDate", str(pop.dob[c]))
            _sub(ids, "GenderCurrent", "1" if pop.sex[c] == "M" else "2")
            chars = _sub(el, "ChildCharacteristics")
            _sub(chars, "Ethnicity", pop.ethnicity[c])
            _sub(_sub(chars, "Disabilities"), "Disability", pop.disability[c])
            for ep in episodes:
                _episode(el, ep, census, year, assess, s47, cp, factor_cols, rng)
        path = ext.raw / FOLDER / f"cin_census_{year}.xml"
        path.parent.mkdir(parents=True, exist_ok=True)
        etree.ElementTree(root).write(
            str(path), xml_declaration=True, encoding="utf-8", pretty_print=True
        )
        ext.counts[f"{FOLDER}/{path.name}"] = len(children)
        ext.note_ids(FOLDER, "la_child_id", ext.la_id[ref["child"].to_numpy()],
                     pop.child_id[ref["child"].to_numpy()])


def _header(root: etree._Element, year: int) -> None:
    header = _sub(root, "Header")
    details = _sub(header, "CollectionDetails")
    _sub(details, "Collection", "CIN")
    _sub(details, "Year", year)
    _sub(details, "ReferenceDate", f"{year}-03-31")
    source = _sub(header, "Source")
    _sub(source, "SourceLevel", "L")
    _sub(source, "LEA", LA_CODE)
    _sub(source, "SoftwareCode", "synthcouncil")
    _sub(source, "Release", "1")
    _sub(source, "SerialNo", "001")
    _sub(source, "DateTime", f"{year}-05-01T09:00:00")


def _in_year(
    frame: pd.DataFrame, start: str, end: str, census: str, year_start: str, span: bool = False
) -> pd.DataFrame:
    """What one year's return holds (the DfE guidance): work started by the reference date
    and finished in the collection year, or unfinished at its end and started in it (rules
    8696, 8715, 8736, 8740); a plan (``span``) open at any point in the year (8930). Work
    finished in an earlier year was in that year's return."""
    started = frame[start] <= census
    open_at_end = (frame[end] == "") | (frame[end] > census)
    if span:
        return frame[started & (open_at_end | (frame[end] >= year_start))]
    finished_in_year = (frame[end] >= year_start) & (frame[end] <= census)
    return frame[started & (finished_in_year | (open_at_end & (frame[start] >= year_start)))]


def _done(value: str, census: str) -> bool:
    return value != "" and value <= census


# When the simulation's assessment recorded none of its factors, the practitioner records
# "21 no factors identified" only where the case closed after assessment (rule 8873); a case
# kept open records the factor that its primary need names.
NEED_FACTOR = {"N1": "16A", "N2": "6A", "N3": "6B", "N4": "4B", "N5": "3B", "N6": "14A",
               "N7": "4B", "N8": "8B", "N9": "21"}


def _no_factor(ep: dict[str, Any], census: str) -> str:
    closed_after_assessment = _done(ep["end"], census) and ep["reason"] in ("RC8", "RC9")
    return "21" if closed_after_assessment else NEED_FACTOR.get(str(ep["need"]), "21")


def _episode(
    child_el: etree._Element, ep: dict[str, Any], census: str, year: int, assess: Rows,
    s47: Rows, cp: Rows, factor_cols: list[str], rng: np.random.Generator,
) -> None:
    ep_id = int(ep["ep"])
    el = _sub(child_el, "CINdetails")
    _sub(el, "CINreferralDate", ep["date"])
    _sub(el, "ReferralSource", ep["source"])
    _sub(el, "PrimaryNeedCode", ep["need"])
    if _done(ep["end"], census):
        _sub(el, "CINclosureDate", ep["end"])
        _sub(el, "ReasonForClosure", ep["reason"])
    # The conference is recorded on its section 47 enquiry; the CINdetails-level date is for
    # a conference with no enquiry in the episode, and giving both breaks rule 2884.
    for a in assess.get(ep_id, []):
        ael = _sub(el, "Assessments")
        _sub(ael, "AssessmentActualStartDate", a["start"])
        if not _done(a["auth"], census):
            continue  # factors are recorded when the assessment is authorised (rule 8614)
        _sub(ael, "AssessmentAuthorisationDate", a["auth"])
        codes = [c[2:] for c in factor_cols if a[c]] or [_no_factor(ep, census)]
        if year >= CCE_FROM_YEAR:
            codes = [("24A" if c == "13A" and rng.random() < 0.7 else c) for c in codes]
        factors = _sub(ael, "FactorsIdentifiedAtAssessment")
        for code in codes:
            _sub(factors, "AssessmentFactors", code)
    for s in s47.get(ep_id, []):
        sel = _sub(el, "Section47")
        _sub(sel, "S47ActualStartDate", s["start"])
        _sub(sel, "InitialCPCtarget", s["target"])
        if _done(s["icpc_date"], census):
            _sub(sel, "DateOfInitialCPC", s["icpc_date"])
        _sub(sel, "ICPCnotRequired", "false" if s["icpc"] else "true")
    _sub(el, "ReferralNFA", "true" if ep["nfa"] else "false")
    for p in cp.get(ep_id, []):
        pel = _sub(el, "ChildProtectionPlans")
        _sub(pel, "CPPstartDate", p["start"])
        if _done(p["end"], census):
            _sub(pel, "CPPendDate", p["end"])
        _sub(pel, "InitialCategoryOfAbuse", p["category"])
        _sub(pel, "LatestCategoryOfAbuse", p["latest"])
        # The schema asks for a positive integer; this plan is counted with the earlier ones.
        _sub(pel, "NumberOfPreviousCPP", int(p["previous"]) + 1)
