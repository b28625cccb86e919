"""CIN census XML (one file a collection year): flattened into one table per element kind.

Streams with lxml ``iterparse`` and frees each ``Child`` once read, so a large census does
not sit in memory as a tree. Every row keeps its XML path as ``row_ref``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
from lxml import etree

from earlyhelp.errors import InputError
from features.ingest.cin_sources import CIN_SPECS
from features.ingest.codelists import CIN_FIRST_YEAR, CIN_LAST_YEAR
from features.ingest.readers import BAD_SHAPE, ROW_REF, RawTable

Fields = dict[str, str]
Kids = dict[str, list[etree._Element]]


def read_cin_census(path: Path) -> list[RawTable]:
    rows: dict[str, list[dict[str, str]]] = {name: [] for name in CIN_SPECS}
    year: int | None = None
    try:
        for _, element in etree.iterparse(
            str(path), events=("end",), tag=("{*}Child", "{*}CollectionDetails")
        ):
            if _local(element.tag) == "CollectionDetails":
                year = _collection_year(element)
                continue
            _flatten_child(element, len(rows["cin_child"]) + 1, rows)
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


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[1] if tag.startswith("{") else tag


def _parts(element: etree._Element) -> tuple[Fields, Kids]:
    """An element's children by local name: their texts, and the elements themselves.

    One pass over the children, rather than a search per field name.
    """
    texts: Fields = {}
    kids: Kids = {}
    for child in element:
        if not isinstance(child.tag, str):
            continue  # a comment or processing instruction
        name = _local(child.tag)
        kids.setdefault(name, []).append(child)
        if child.text and name not in texts:
            texts[name] = child.text.strip()
    return texts, kids


def _collection_year(details: etree._Element) -> int | None:
    texts, _ = _parts(details)
    for value in (texts.get("Year", ""), texts.get("ReferenceDate", "")[:4]):
        if value.isdigit():
            return int(value)
    return None


def _year_from_name(path: Path) -> int | None:
    match = re.search(r"(20\d\d)", path.stem)
    return int(match.group(1)) if match else None


def _flatten_child(child: etree._Element, n: int, rows: dict[str, list[dict[str, str]]]) -> None:
    base = f"/Message/Children/Child[{n}]"
    _, kids = _parts(child)
    ids, _ = _parts(kids["ChildIdentifiers"][0]) if "ChildIdentifiers" in kids else ({}, {})
    chars, char_kids = (
        _parts(kids["ChildCharacteristics"][0]) if "ChildCharacteristics" in kids else ({}, {})
    )
    disabilities = [
        (d.text or "").strip()
        for block in char_kids.get("Disabilities", [])
        for d in _parts(block)[1].get("Disability", [])
    ]
    la_id = ids.get("LAchildID", "")
    rows["cin_child"].append(
        {
            ROW_REF: base,
            "LAchildID": la_id,
            "UPN": ids.get("UPN", ""),
            "PersonBirthDate": ids.get("PersonBirthDate", ""),
            "PersonDeathDate": ids.get("PersonDeathDate", ""),
            "GenderCurrent": ids.get("GenderCurrent", ""),
            "Ethnicity": chars.get("Ethnicity", ""),
            "Disability": ",".join(d for d in disabilities if d),
        }
    )
    for i, details in enumerate(kids.get("CINdetails", []), start=1):
        _flatten_details(details, f"{base}/CINdetails[{i}]", la_id, rows)


def _flatten_details(
    details: etree._Element, path: str, la_id: str, rows: dict[str, list[dict[str, str]]]
) -> None:
    texts, kids = _parts(details)
    referral = texts.get("CINreferralDate", "")
    rows["cin_referral"].append(
        {
            ROW_REF: path,
            "LAchildID": la_id,
            "CINreferralDate": referral,
            "ReferralSource": texts.get("ReferralSource", ""),
            "ReferralNFA": texts.get("ReferralNFA", ""),
        }
    )
    rows["cin_episode"].append(
        {
            ROW_REF: path,
            "LAchildID": la_id,
            "CINreferralDate": referral,
            "CINclosureDate": texts.get("CINclosureDate", ""),
            "PrimaryNeedCode": texts.get("PrimaryNeedCode", ""),
            "ReasonForClosure": texts.get("ReasonForClosure", ""),
        }
    )
    for j, assessment in enumerate(kids.get("Assessments", []), start=1):
        _flatten_assessment(assessment, f"{path}/Assessments[{j}]", la_id, rows)
    for j, s47 in enumerate(kids.get("Section47", []), start=1):
        found, _ = _parts(s47)
        rows["cin_section47"].append(
            {
                ROW_REF: f"{path}/Section47[{j}]",
                "LAchildID": la_id,
                "S47ActualStartDate": found.get("S47ActualStartDate", ""),
                "DateOfInitialCPC": found.get("DateOfInitialCPC", ""),
            }
        )
    for j, plan in enumerate(kids.get("ChildProtectionPlans", []), start=1):
        found, _ = _parts(plan)
        rows["cin_cp_plan"].append(
            {
                ROW_REF: f"{path}/ChildProtectionPlans[{j}]",
                "LAchildID": la_id,
                "CPPstartDate": found.get("CPPstartDate", ""),
                "CPPendDate": found.get("CPPendDate", ""),
                "InitialCategoryOfAbuse": found.get("InitialCategoryOfAbuse", ""),
                "LatestCategoryOfAbuse": found.get("LatestCategoryOfAbuse", ""),
            }
        )


def _flatten_assessment(
    assessment: etree._Element, path: str, la_id: str, rows: dict[str, list[dict[str, str]]]
) -> None:
    texts, kids = _parts(assessment)
    start = texts.get("AssessmentActualStartDate", "")
    common = {
        "LAchildID": la_id,
        # Stable across census years, so the same assessment is loaded once.
        "AssessmentID": f"{la_id}/{start}",
        "AssessmentActualStartDate": start,
        "AssessmentAuthorisationDate": texts.get("AssessmentAuthorisationDate", ""),
    }
    rows["cin_assessment"].append({ROW_REF: path, **common})
    for block in kids.get("FactorsIdentifiedAtAssessment", []):
        for k, factor in enumerate(_parts(block)[1].get("AssessmentFactors", []), start=1):
            rows["cin_assessment_factor"].append(
                {
                    ROW_REF: f"{path}/FactorsIdentifiedAtAssessment/AssessmentFactors[{k}]",
                    **common,
                    "AssessmentFactors": (factor.text or "").strip(),
                }
            )


def _frame(name: str, found: list[dict[str, str]]) -> pd.DataFrame:
    columns = [c.source for c in CIN_SPECS[name].columns]
    frame = pd.DataFrame(found, columns=[*columns, ROW_REF], dtype=str)
    frame[BAD_SHAPE] = False
    return frame
