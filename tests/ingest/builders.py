"""Small raw extracts written by hand, for ingest tests (valid by default; tests spoil them)."""

from __future__ import annotations

import csv
from pathlib import Path

from features.ingest.sources import TABULAR_SPECS

EXTRACT_DATE = "2024-03-31"

SPECS = {spec.name: spec for spec in TABULAR_SPECS}

_ANNEX_COMMON = {
    "Child Unique ID": "LA0001",
    "Gender": "Male",
    "Ethnicity": "WBRI",
    "Date of Birth": "14/02/2008",
    "Age": "16",
    "Date Recorded": "20/05/2021",
}

VALID: dict[str, dict[str, str]] = {
    "annex_a_list_1": {
        **_ANNEX_COMMON,
        "Date of Contact": "10/05/2021",
        "Contact Source": "2A",
    },
    "annex_a_list_2": {
        **_ANNEX_COMMON,
        "Assessment Start Date": "01/05/2021",
        "Assessment Completion Date": "15/05/2021",
        "Organisation Completing Assessment": "Early Help Hub",
    },
    "annex_a_list_3": {
        **_ANNEX_COMMON,
        "Date of Referral": "12/05/2021",
        "Referral Source": "6",
        "Referral NFA": "No",
        "Number of Referrals in Last 12 Months": "1",
        "Allocated Team": "North",
    },
    "annex_a_list_6": {
        **_ANNEX_COMMON,
        "Disability": "NONE",
        "Case Status": "Open",
        "Date of Latest Referral": "12/05/2021",
        "Date of Latest Assessment": "20/05/2021",
        "Allocated Team": "North",
    },
    "annex_a_list_7": {
        **_ANNEX_COMMON,
        "Child Protection Plan Start Date": "01/06/2021",
        "Initial Category of Abuse": "NEG",
        "Latest Category of Abuse": "EMO",
        "Child Protection Plan End Date": "01/12/2021",
        "Allocated Team": "North",
    },
    "annex_a_list_8": {
        **_ANNEX_COMMON,
        "Date Started to be Looked After": "01/07/2021",
        "Legal Status": "C2",
        "Placement Type": "U1",
        "Date Ceased to be Looked After": "",
        "Reason Ceased": "",
        "Allocated Team": "North",
    },
    "social_care_children": {
        "LAchildID": "LA0001",
        "UPN": "A123456789012",
        "Forename": "Sam",
        "Surname": "Jones",
        "DateOfBirth": "14/02/2008",
        "Sex": "M",
        "Postcode": "ME1 1AA",
        "Ethnicity": "WBRI",
        "Disability": "NONE",
        "Date Recorded": "01/04/2019",
    },
    "ssda903_header": {
        "CHILD": "LA0001",
        "SEX": "1",
        "DOB": "14/02/2008",
        "ETHNIC": "WBRI",
        "UPN": "A123456789012",
        "MOTHER": "",
        "MC_DOB": "",
        "DATE_RECORDED": "02/07/2021",
    },
    "ssda903_episodes": {
        "CHILD": "LA0001",
        "DECOM": "01/07/2021",
        "RNE": "S",
        "LS": "C2",
        "CIN": "N1",
        "PLACE": "U1",
        "PLACE_PROVIDER": "PR1",
        "DEC": "01/09/2021",
        "REC": "E13",
        "REASON_PLACE_CHANGE": "",
        "HOME_POST": "ME1 1AA",
        "PL_POST": "ME2 2BB",
        "URN": "SC123456",
        "DATE_RECORDED": "03/07/2021",
    },
    "ssda903_missing": {
        "CHILD": "LA0001",
        "DOB": "14/02/2008",
        "MISSING": "M",
        "MIS_START": "05/08/2021",
        "MIS_END": "06/08/2021",
        "DATE_RECORDED": "07/08/2021",
    },
    "school_pupils": {
        "UPN": "A123456789012",
        "Forename": "Sam",
        "Surname": "Jones",
        "DOB": "14/02/2008",
        "Sex": "M",
        "Postcode": "ME1 1AA",
        "SENProvision": "N",
        "SchoolURN": "118000",
        "RecordedDate": "05/09/2019",
    },
    "school_attendance": {
        "UPN": "A123456789012",
        "AcademicYear": "2020/21",
        "Term": "AUT",
        "TermEndDate": "18/12/2020",
        "SessionsPossible": "140",
        "SessionsAuthorisedAbsence": "6",
        "SessionsUnauthorisedAbsence": "10",
        "RecordedDate": "08/01/2021",
    },
    "school_exclusions": {
        "UPN": "A123456789012",
        "Category": "SUSP",
        "StartDate": "12/03/2021",
        "Sessions": "4",
        "ReasonCode": "PA",
        "RecordedDate": "15/03/2021",
    },
    "yj_children": {
        "YJ_ID": "YJ0001",
        "Forename": "Samuel",
        "Surname": "Jones",
        "DOB": "14/02/2008",
        "Sex": "M",
        "Postcode": "ME1 1AA",
        "Ethnicity": "WBRI",
        "RecordedDate": "01/02/2023",
    },
    "yj_outcomes": {
        "YJ_ID": "YJ0001",
        "OutcomeDate": "20/01/2023",
        "Tier": "YC",
        "OffenceType": "theft",
        "RecordedDate": "01/02/2023",
    },
    "eh_persons": {
        "EH_ID": "EH0001",
        "Forename": "Sam",
        "Surname": "Jones",
        "DOB": "14/02/2008",
        "Sex": "M",
        "Postcode": "ME1 1AA",
        "RecordedDate": "01/03/2020",
    },
    "eh_episodes": {
        "EH_ID": "EH0001",
        "StartDate": "01/03/2020",
        "EndDate": "01/09/2020",
        "LeadProfessional": "Family worker",
        "Reason": "school attendance",
        "Outcome": "closed: needs met",
        "RecordedDate": "05/03/2020",
    },
    "reference_postcodes": {"Postcode": "ME1 1AA", "Locality": "Chatham", "IMDDecile": "2"},
}

FILE_NAMES = {
    "annex_a_list_1": "annex_a/list_1_contacts.csv",
    "annex_a_list_2": "annex_a/list_2_early_help.csv",
    "annex_a_list_3": "annex_a/list_3_referrals.csv",
    "annex_a_list_6": "annex_a/list_6_children_in_need.csv",
    "annex_a_list_7": "annex_a/list_7_child_protection.csv",
    "annex_a_list_8": "annex_a/list_8_looked_after.csv",
    "social_care_children": "social_care/children.csv",
    "ssda903_header": "ssda903/header_2021.csv",
    "ssda903_episodes": "ssda903/episodes_2021.csv",
    "ssda903_missing": "ssda903/missing_2021.csv",
    "school_pupils": "school_census/pupils.csv",
    "school_attendance": "school_census/attendance.csv",
    "school_exclusions": "school_census/exclusions.csv",
    "yj_children": "youth_justice/yj_children.csv",
    "yj_outcomes": "youth_justice/yj_outcomes.csv",
    "eh_persons": "early_help/eh_persons.csv",
    "eh_episodes": "early_help/eh_episodes.csv",
    "reference_postcodes": "reference/postcodes.csv",
}


def row(table: str, **changes: str) -> dict[str, str]:
    """A valid row of ``table`` with ``changes`` (keys as raw column names, spaces as _)."""
    base = dict(VALID[table])
    for key, value in changes.items():
        name = key if key in base else key.replace("_", " ")
        if name not in base:
            raise KeyError(f"{table} has no column {key!r}")
        base[name] = value
    return base


def write_csv(path: Path, rows: list[dict[str, str]], header: list[str] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    header = header or list(rows[0])
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_table(raw: Path, table: str, rows: list[dict[str, str]] | None = None) -> Path:
    return write_csv(raw / FILE_NAMES[table], rows or [VALID[table]])


def cin_child_xml(
    la_id: str = "LA0001",
    *,
    dob: str = "2008-02-14",
    death: str = "",
    gender: str = "1",
    ethnicity: str = "WBRI",
    referral: str = "2021-05-12",
    source: str = "6",
    factors: tuple[str, ...] = ("14A",),
    assessment_start: str = "2021-05-13",
    authorised: str = "2021-06-10",
    closure: str = "",
) -> str:
    death_xml = f"<PersonDeathDate>{death}</PersonDeathDate>" if death else ""
    closure_xml = (
        f"<CINclosureDate>{closure}</CINclosureDate><ReasonForClosure>RC1</ReasonForClosure>"
        if closure
        else ""
    )
    factor_xml = "".join(f"<AssessmentFactors>{f}</AssessmentFactors>" for f in factors)
    return (
        "<Child><ChildIdentifiers>"
        f"<LAchildID>{la_id}</LAchildID><UPN>A123456789012</UPN>"
        f"<PersonBirthDate>{dob}</PersonBirthDate><GenderCurrent>{gender}</GenderCurrent>"
        f"{death_xml}</ChildIdentifiers>"
        f"<ChildCharacteristics><Ethnicity>{ethnicity}</Ethnicity>"
        "<Disabilities><Disability>NONE</Disability></Disabilities></ChildCharacteristics>"
        f"<CINdetails><CINreferralDate>{referral}</CINreferralDate>"
        f"<ReferralSource>{source}</ReferralSource><PrimaryNeedCode>N1</PrimaryNeedCode>"
        f"{closure_xml}"
        f"<Assessments><AssessmentActualStartDate>{assessment_start}</AssessmentActualStartDate>"
        f"<AssessmentAuthorisationDate>{authorised}</AssessmentAuthorisationDate>"
        f"<FactorsIdentifiedAtAssessment>{factor_xml}</FactorsIdentifiedAtAssessment>"
        "</Assessments>"
        "<Section47><S47ActualStartDate>2021-05-20</S47ActualStartDate>"
        "<DateOfInitialCPC>2021-06-01</DateOfInitialCPC><ICPCnotRequired>false</ICPCnotRequired>"
        "</Section47>"
        "<ReferralNFA>false</ReferralNFA>"
        "<ChildProtectionPlans><CPPstartDate>2021-06-01</CPPstartDate>"
        "<InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse>"
        "<LatestCategoryOfAbuse>NEG</LatestCategoryOfAbuse>"
        "<NumberOfPreviousCPP>1</NumberOfPreviousCPP></ChildProtectionPlans>"
        "</CINdetails></Child>"
    )


def write_cin(raw: Path, year: int, children: list[str] | None = None) -> Path:
    path = raw / "cin_census" / f"cin_census_{year}.xml"
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "".join(children if children is not None else [cin_child_xml()])
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?><Message><Header><CollectionDetails>'
        f"<Collection>CIN</Collection><Year>{year}</Year>"
        f"<ReferenceDate>{year}-03-31</ReferenceDate></CollectionDetails></Header>"
        f"<Children>{body}</Children></Message>",
        encoding="utf-8",
    )
    return path


def write_world(raw: Path) -> Path:
    """One valid file of every kind the contract names."""
    for table in VALID:
        write_table(raw, table)
    write_cin(raw, 2022)
    return raw
