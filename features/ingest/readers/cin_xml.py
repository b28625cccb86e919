"""CIN census XML (one file a collection year): flattened into one table per element kind.

Streams with lxml ``iterparse`` and frees each ``Child`` once read, so a large census does
not sit in memory as a tree. Every row keeps its XML path as ``row_ref``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from lxml import etree

from earlyhelp.errors import InputError
from features.ingest.codelists import CIN_FIRST_YEAR, CIN_LAST_YEAR
from features.ingest.readers import BAD_SHAPE, ROW_REF, RawTable
from features.ingest.sources import CIN_SPECS

Text = Callable[[etree._Element, str], str]


def read_cin_census(path: Path) -> list[RawTable]:
    rows: dict[str, list[dict[str, str]]] = {name: [] for name in CIN_SPECS}
    year: int | None = None
    try:
        for _, element in etree.iterparse(str(path), events=("end",), recover=False):
            local = etree.QName(element).localname
            if local == "CollectionDetails":
                year = _collection_year(element)
            elif local == "Child":
                ns = etree.QName(element).namespace
                _flatten_child(element, len(rows["cin_child"]) + 1, _finder(ns), rows)
                element.clear(keep_tail=False)
                while element.getprevious() is not None:
                    del element.getparent()[0]
    except etree.XMLSyntaxError as exc:
        raise InputError(
            f"{path}: malformed or truncated XML ({exc.msg}, line {exc.lineno}); "
            "ask for the census file to be exported again"
        ) from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read XML ({exc})") from None
    year = year or _year_from_name(path)
    if year is None:
        raise InputError(
            f"{path}: cannot tell the census year (no Header/CollectionDetails/Year and no year "
            "in the file name)"
        )
    if not CIN_FIRST_YEAR <= year <= CIN_LAST_YEAR:
        raise InputError(f"{path}: census year {year} is outside {CIN_FIRST_YEAR}-{CIN_LAST_YEAR}")
    if not rows["cin_child"]:
        raise InputError(f"{path}: no <Child> elements; is this a CIN census file?")
    return [
        RawTable(spec=CIN_SPECS[name], frame=_frame(name, found), part=name, year=year)
        for name, found in rows.items()
    ]


def _finder(namespace: str | None) -> Text:
    prefix = f"{{{namespace}}}" if namespace else ""

    def text(element: etree._Element, name: str) -> str:
        value = element.findtext(prefix + name)
        return value.strip() if value else ""

    return text


def _collection_year(details: etree._Element) -> int | None:
    text = _finder(etree.QName(details).namespace)
    for value in (text(details, "Year"), text(details, "ReferenceDate")[:4]):
        if value.isdigit():
            return int(value)
    return None


def _year_from_name(path: Path) -> int | None:
    match = re.search(r"(20\d\d)", path.stem)
    return int(match.group(1)) if match else None


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [e for e in element if etree.QName(e).localname == name]


def _flatten_child(
    child: etree._Element, n: int, text: Text, rows: dict[str, list[dict[str, str]]]
) -> None:
    base = f"/Message/Children/Child[{n}]"
    ids = (_children(child, "ChildIdentifiers") or [child])[0]
    chars = (_children(child, "ChildCharacteristics") or [child])[0]
    la_id = text(ids, "LAchildID")
    disabilities = [
        (d.text or "").strip()
        for block in _children(chars, "Disabilities")
        for d in _children(block, "Disability")
    ]
    rows["cin_child"].append(
        {
            ROW_REF: base,
            "LAchildID": la_id,
            "UPN": text(ids, "UPN"),
            "PersonBirthDate": text(ids, "PersonBirthDate"),
            "PersonDeathDate": text(ids, "PersonDeathDate"),
            "GenderCurrent": text(ids, "GenderCurrent"),
            "Ethnicity": text(chars, "Ethnicity"),
            "Disability": ",".join(d for d in disabilities if d),
        }
    )
    for i, details in enumerate(_children(child, "CINdetails"), start=1):
        _flatten_details(details, f"{base}/CINdetails[{i}]", la_id, text, rows)


def _flatten_details(
    details: etree._Element,
    path: str,
    la_id: str,
    text: Text,
    rows: dict[str, list[dict[str, str]]],
) -> None:
    referral = text(details, "CINreferralDate")
    rows["cin_referral"].append(
        {
            ROW_REF: path,
            "LAchildID": la_id,
            "CINreferralDate": referral,
            "ReferralSource": text(details, "ReferralSource"),
            "ReferralNFA": text(details, "ReferralNFA"),
        }
    )
    rows["cin_episode"].append(
        {
            ROW_REF: path,
            "LAchildID": la_id,
            "CINreferralDate": referral,
            "CINclosureDate": text(details, "CINclosureDate"),
            "PrimaryNeedCode": text(details, "PrimaryNeedCode"),
            "ReasonForClosure": text(details, "ReasonForClosure"),
        }
    )
    for j, assessment in enumerate(_children(details, "Assessments"), start=1):
        start = text(assessment, "AssessmentActualStartDate")
        common = {
            "LAchildID": la_id,
            # Stable across census years, so the same assessment is loaded once.
            "AssessmentID": f"{la_id}/{start}",
            "AssessmentActualStartDate": start,
            "AssessmentAuthorisationDate": text(assessment, "AssessmentAuthorisationDate"),
        }
        a_path = f"{path}/Assessments[{j}]"
        rows["cin_assessment"].append({ROW_REF: a_path, **common})
        for block in _children(assessment, "FactorsIdentifiedAtAssessment"):
            for k, factor in enumerate(_children(block, "AssessmentFactors"), start=1):
                rows["cin_assessment_factor"].append(
                    {
                        ROW_REF: f"{a_path}/FactorsIdentifiedAtAssessment/AssessmentFactors[{k}]",
                        **common,
                        "AssessmentFactors": (factor.text or "").strip(),
                    }
                )
    for j, s47 in enumerate(_children(details, "Section47"), start=1):
        rows["cin_section47"].append(
            {
                ROW_REF: f"{path}/Section47[{j}]",
                "LAchildID": la_id,
                "S47ActualStartDate": text(s47, "S47ActualStartDate"),
                "DateOfInitialCPC": text(s47, "DateOfInitialCPC"),
            }
        )
    for j, plan in enumerate(_children(details, "ChildProtectionPlans"), start=1):
        rows["cin_cp_plan"].append(
            {
                ROW_REF: f"{path}/ChildProtectionPlans[{j}]",
                "LAchildID": la_id,
                "CPPstartDate": text(plan, "CPPstartDate"),
                "CPPendDate": text(plan, "CPPendDate"),
                "InitialCategoryOfAbuse": text(plan, "InitialCategoryOfAbuse"),
                "LatestCategoryOfAbuse": text(plan, "LatestCategoryOfAbuse"),
            }
        )


def _frame(name: str, found: list[dict[str, str]]) -> pd.DataFrame:
    columns = [c.source for c in CIN_SPECS[name].columns]
    frame = pd.DataFrame(found, columns=[*columns, ROW_REF], dtype=str)
    frame[BAD_SHAPE] = False
    return frame
