"""Every raw file of docs/contracts.md exists with exactly the contract's columns."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

COMMON_A = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age"]
CONTRACT: dict[str, list[str]] = {
    "annex_a/list_1_contacts.csv": [*COMMON_A, "Date of Contact", "Contact Source",
                                    "Date Recorded"],
    "annex_a/list_2_early_help.csv": [*COMMON_A, "Assessment Start Date",
                                      "Assessment Completion Date",
                                      "Organisation Completing Assessment", "Date Recorded"],
    "annex_a/list_3_referrals.csv": [*COMMON_A, "Date of Referral", "Referral Source",
                                     "Referral NFA", "Number of Referrals in Last 12 Months",
                                     "Allocated Team", "Date Recorded"],
    "annex_a/list_6_children_in_need.csv": [*COMMON_A, "Disability", "Case Status",
                                            "Date of Latest Referral",
                                            "Date of Latest Assessment", "Allocated Team",
                                            "Date Recorded"],
    "annex_a/list_7_child_protection.csv": [*COMMON_A, "Child Protection Plan Start Date",
                                            "Initial Category of Abuse",
                                            "Latest Category of Abuse",
                                            "Child Protection Plan End Date", "Allocated Team",
                                            "Date Recorded"],
    "annex_a/list_8_looked_after.csv": [*COMMON_A, "Date Started to be Looked After",
                                        "Legal Status", "Placement Type",
                                        "Date Ceased to be Looked After", "Reason Ceased",
                                        "Allocated Team", "Date Recorded"],
    "social_care/children.csv": ["LAchildID", "UPN", "Forename", "Surname", "DateOfBirth",
                                 "Sex", "Postcode", "Ethnicity", "Disability", "Date Recorded"],
    "school_census/pupils.csv": ["UPN", "Forename", "Surname", "DOB", "Sex", "Postcode",
                                 "Ethnicity", "FSMEligible", "FirstLanguage",
                                 "SENProvision", "SchoolURN", "CensusDate", "RecordedDate"],
    "school_census/attendance.csv": ["UPN", "AcademicYear", "Term", "TermEndDate",
                                     "SessionsPossible", "SessionsAuthorisedAbsence",
                                     "SessionsUnauthorisedAbsence", "RecordedDate"],
    "school_census/exclusions.csv": ["UPN", "Category", "StartDate", "Sessions", "ReasonCode",
                                     "RecordedDate"],
    "youth_justice/yj_children.csv": ["YJ_ID", "Forename", "Surname", "DOB", "Sex", "Postcode",
                                      "Ethnicity", "RecordedDate"],
    "youth_justice/yj_outcomes.csv": ["YJ_ID", "OutcomeDate", "Tier", "OffenceType",
                                      "RecordedDate"],
    "early_help/eh_persons.csv": ["EH_ID", "Forename", "Surname", "DOB", "Sex", "Postcode",
                                  "RecordedDate"],
    "early_help/eh_episodes.csv": ["EH_ID", "StartDate", "EndDate", "LeadProfessional",
                                   "Reason", "Outcome", "RecordedDate"],
    "reference/postcodes.csv": ["Postcode", "Locality", "IMDDecile"],
}
RECORDED = {"Date Recorded", "RecordedDate"}


def read(world: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(world / "raw" / name, dtype=str, keep_default_na=False)


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_file_has_the_contract_columns_and_rows(small_world: Path, name: str) -> None:
    frame = read(small_world, name)
    assert list(frame.columns) == CONTRACT[name]
    assert len(frame) > 0


@pytest.mark.parametrize("name", sorted(n for n, cols in CONTRACT.items() if RECORDED & set(cols)))
def test_recorded_dates_are_real_dates_within_the_extract(small_world: Path, name: str) -> None:
    frame = read(small_world, name)
    column = next(c for c in frame.columns if c in RECORDED)
    recorded = pd.to_datetime(frame[column], format="%d/%m/%Y")
    assert recorded.max() <= pd.Timestamp("2020-03-31")


def test_codes_are_from_the_contract_lists(small_world: Path) -> None:
    tiers = set(read(small_world, "youth_justice/yj_outcomes.csv")["Tier"])
    assert tiers <= {"CR", "YC", "YCC", "RO", "YRO", "DTO", "S250"}
    assert {"CR", "YC"} <= tiers
    exclusions = read(small_world, "school_census/exclusions.csv")
    assert set(exclusions["Category"]) == {"SUSP", "PERM"}
    assert set(exclusions["ReasonCode"]) <= {"PP", "PA", "VP", "VA", "BU", "RA", "SM", "DA",
                                             "DM", "TH", "PD", "OT", "OW"}
    pupils = read(small_world, "school_census/pupils.csv")
    assert set(pupils["SENProvision"]) <= {"N", "K", "E"}
    assert set(pupils["FSMEligible"]) == {"Yes", "No"}
    assert set(pupils["FirstLanguage"]) <= {"ENG", "OTH", "NOT"}
    assert set(read(small_world, "annex_a/list_1_contacts.csv")["Gender"]) <= {
        "Male", "Female", "Unknown"}
    terms = read(small_world, "school_census/attendance.csv")["Term"]
    assert set(terms) == {"AUT", "SPR", "SUM"}


def test_school_census_characteristics_at_englands_rates(small_world: Path) -> None:
    """Every January census: free school meals at England's rate that year (DfE), ethnicity
    recorded for nearly every pupil, first language other than English for a minority."""
    pupils = read(small_world, "school_census/pupils.csv")
    fsm = (pupils["FSMEligible"] == "Yes").groupby(pupils["CensusDate"].str[-4:]).mean()
    assert abs(fsm["2019"] - 0.154) < 0.02 and abs(fsm["2020"] - 0.173) < 0.02
    assert fsm["2020"] > fsm["2018"]  # rising again after 2018
    assert pupils["Ethnicity"].isin(["REFU", "NOBT"]).mean() < 0.05
    assert 0.02 < (pupils["FirstLanguage"] == "OTH").mean() < 0.3
