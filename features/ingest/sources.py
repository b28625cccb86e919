"""Every table ingest knows, declared in one place.

A ``TableSpec`` says which raw columns a table has, how each is checked (type, code list,
required) and which warehouse column it fills. Detection, validation and loading all read
these specs; nothing else hard-codes a raw column name (except the CIN XML reader, which
names its own element paths).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Literal

Kind = Literal["text", "date", "int", "code", "bool"]

UK_DATE = "%d/%m/%Y"
ISO_DATE = "%Y-%m-%d"

_SEX_MFU: Mapping[str, str | None] = MappingProxyType({"M": "M", "F": "F", "U": None})
_SEX_CIN: Mapping[str, str | None] = MappingProxyType({"1": "M", "2": "F", "0": None, "9": None})
_SEX_903: Mapping[str, str | None] = MappingProxyType({"1": "M", "2": "F"})
_YES_NO: Mapping[str, bool] = MappingProxyType({"Yes": True, "No": False})
_CIN_BOOL: Mapping[str, bool] = MappingProxyType(
    {"true": True, "TRUE": True, "1": True, "false": False, "FALSE": False, "0": False}
)


@dataclass(frozen=True)
class Column:
    source: str
    target: str | None = None  # warehouse column; None: checked but not stored
    kind: Kind = "text"
    required: bool = False
    codes: str | None = None  # name of a code list in codelists.CodeLists
    mapping: Mapping[str, object] | None = None  # checked code -> stored value
    optional: bool = False  # the column may be absent from the file
    multi: bool = False  # several codes joined by commas (CIN disabilities)


@dataclass(frozen=True)
class DatedCode:
    """A code valid only for events on or after ``valid_from`` (judged on ``date_column``)."""

    column: str
    code: str
    valid_from: date
    date_column: str


@dataclass(frozen=True)
class TableSpec:
    name: str
    target: str  # warehouse table
    columns: tuple[Column, ...]
    id_system: str | None = None
    id_column: str | None = None
    recorded: str | None = None  # raw column holding the recorded date
    # (raw column, days): recorded date when ``recorded`` is blank (CIN census rules).
    recorded_fallback: tuple[str, int] | None = None
    date_format: str = UK_DATE
    dob: str | None = None  # checked against the earliest plausible birth date
    death: str | None = None
    spans: tuple[tuple[str, str], ...] = ()  # (start, end) raw columns; end >= start
    copies: Mapping[str, str] = field(default_factory=dict)  # target column <- target column
    dated_codes: tuple[DatedCode, ...] = ()
    # (part, part, whole): part + part must not exceed whole (attendance sessions).
    within_total: tuple[str, str, str] | None = None
    positive: tuple[str, ...] = ()  # int columns that must be >= 0

    def column(self, source: str) -> Column:
        return next(c for c in self.columns if c.source == source)

    @property
    def detect_columns(self) -> frozenset[str]:
        return frozenset(c.source for c in self.columns if not c.optional)


def _c(source: str, target: str | None = None, kind: Kind = "text", **kw: object) -> Column:
    return Column(source, target, kind, **kw)  # type: ignore[arg-type]


def _annex_a(name: str, target: str, own: tuple[Column, ...], **kw: object) -> TableSpec:
    common = (
        _c("Child Unique ID", required=True),
        _c("Gender", kind="code", codes="annex_a_gender"),
        _c("Ethnicity", kind="code", codes="ethnicitytype"),
        _c("Date of Birth", kind="date", required=True),
        _c("Age", optional=True),
    )
    recorded = _c("Date Recorded", "recorded_date", "date", optional=True)
    return TableSpec(
        name=name,
        target=target,
        columns=(*common, *own, recorded),
        id_system="la_child_id",
        id_column="Child Unique ID",
        recorded="Date Recorded",
        dob="Date of Birth",
        **kw,  # type: ignore[arg-type]
    )


ANNEX_A = (
    _annex_a(
        "annex_a_list_1",
        "contacts",
        (
            _c("Date of Contact", "event_date", "date", required=True),
            _c("Contact Source", "contact_source", "code", codes="referralsourcetype"),
        ),
    ),
    _annex_a(
        "annex_a_list_2",
        "early_help_episodes",
        (
            _c("Assessment Start Date", "event_date", "date", required=True),
            _c("Assessment Completion Date", "end_date", "date"),
            _c("Organisation Completing Assessment", "lead_professional"),
        ),
        spans=(("Assessment Start Date", "Assessment Completion Date"),),
    ),
    _annex_a(
        "annex_a_list_3",
        "referrals",
        (
            _c("Date of Referral", "event_date", "date", required=True),
            _c("Referral Source", "referral_source", "code", codes="referralsourcetype"),
            _c("Referral NFA", "nfa", "bool", codes="yes_no", mapping=_YES_NO),
            _c("Number of Referrals in Last 12 Months", kind="int", optional=True),
            _c("Allocated Team", optional=True),
        ),
        positive=("Number of Referrals in Last 12 Months",),
    ),
    _annex_a(
        "annex_a_list_6",
        "cin_episodes",
        (
            _c("Disability", kind="code", codes="disabilitytype", optional=True),
            _c("Case Status", optional=True),
            _c("Date of Latest Referral", "event_date", "date", required=True),
            _c("Date of Latest Assessment", kind="date"),
            _c("Allocated Team", optional=True),
        ),
    ),
    _annex_a(
        "annex_a_list_7",
        "cp_plans",
        (
            _c("Child Protection Plan Start Date", "event_date", "date", required=True),
            _c("Initial Category of Abuse", "initial_category", "code", codes="categoryofabuse"),
            _c("Latest Category of Abuse", "latest_category", "code", codes="categoryofabuse"),
            _c("Child Protection Plan End Date", "end_date", "date"),
            _c("Allocated Team", optional=True),
        ),
        spans=(("Child Protection Plan Start Date", "Child Protection Plan End Date"),),
    ),
    _annex_a(
        "annex_a_list_8",
        "cla_episodes",
        (
            _c("Date Started to be Looked After", "event_date", "date", required=True),
            _c("Legal Status", "legal_status", "code", codes="903_legal_status"),
            _c("Placement Type", "placement", "code", codes="903_placement"),
            _c("Date Ceased to be Looked After", "end_date", "date"),
            _c("Reason Ceased", "reason_ended", "code", codes="903_reason_ended"),
            _c("Allocated Team", optional=True),
        ),
        spans=(("Date Started to be Looked After", "Date Ceased to be Looked After"),),
    ),
)

SOCIAL_CARE_PERSONS = TableSpec(
    name="social_care_children",
    target="person_social_care",
    columns=(
        _c("LAchildID", required=True),
        _c("UPN", "upn"),
        _c("Forename", "forename"),
        _c("Surname", "surname"),
        _c("DateOfBirth", "dob", "date", required=True),
        _c("Sex", "sex", "code", codes="sex_mfu", mapping=_SEX_MFU),
        _c("Postcode", "postcode"),
        _c("Ethnicity", "ethnicity", "code", codes="ethnicitytype"),
        _c("Disability", "disability", "code", codes="disabilitytype"),
        _c("Date Recorded", "recorded_date", "date", optional=True),
    ),
    id_system="la_child_id",
    id_column="LAchildID",
    recorded="Date Recorded",
    dob="DateOfBirth",
    copies={"la_child_id": "source_id"},
)

_903_RECORDED = _c("DATE_RECORDED", "recorded_date", "date", optional=True)

SSDA903 = (
    TableSpec(
        name="ssda903_header",
        target="person_social_care",
        columns=(
            _c("CHILD", required=True),
            _c("SEX", "sex", "code", required=True, codes="903_sex", mapping=_SEX_903),
            _c("DOB", "dob", "date", required=True),
            _c("ETHNIC", "ethnicity", "code", required=True, codes="ethnicitytype"),
            _c("UPN", "upn"),
            _c("MOTHER", optional=True),
            _c("MC_DOB", kind="date", optional=True),
            _903_RECORDED,
        ),
        id_system="la_child_id",
        id_column="CHILD",
        recorded="DATE_RECORDED",
        dob="DOB",
        copies={"la_child_id": "source_id"},
    ),
    TableSpec(
        name="ssda903_episodes",
        target="cla_episodes",
        columns=(
            _c("CHILD", required=True),
            _c("DECOM", "event_date", "date", required=True),
            _c("RNE", "reason_new_episode", "code", required=True, codes="903_reason_new_episode"),
            _c("LS", "legal_status", "code", required=True, codes="903_legal_status"),
            _c("CIN", kind="code", codes="903_cin", optional=True),
            _c("PLACE", "placement", "code", required=True, codes="903_placement"),
            _c("PLACE_PROVIDER", optional=True),
            _c("DEC", "end_date", "date"),
            _c("REC", "reason_ended", "code", codes="903_reason_ended"),
            _c("REASON_PLACE_CHANGE", optional=True),
            _c("HOME_POST", optional=True),
            _c("PL_POST", optional=True),
            _c("URN", optional=True),
            _903_RECORDED,
        ),
        id_system="la_child_id",
        id_column="CHILD",
        recorded="DATE_RECORDED",
        spans=(("DECOM", "DEC"),),
    ),
    TableSpec(
        name="ssda903_missing",
        target="missing_episodes",
        columns=(
            _c("CHILD", required=True),
            _c("DOB", kind="date", optional=True),
            _c("MISSING", "missing_type", "code", required=True, codes="903_missing_type"),
            _c("MIS_START", "event_date", "date", required=True),
            _c("MIS_END", "end_date", "date"),
            _903_RECORDED,
        ),
        id_system="la_child_id",
        id_column="CHILD",
        recorded="DATE_RECORDED",
        dob="DOB",
        spans=(("MIS_START", "MIS_END"),),
    ),
)

_RECORDED = _c("RecordedDate", "recorded_date", "date", optional=True)

SCHOOL = (
    TableSpec(
        name="school_pupils",
        target="person_school",
        columns=(
            _c("UPN", required=True),
            _c("Forename", "forename"),
            _c("Surname", "surname"),
            _c("DOB", "dob", "date", required=True),
            _c("Sex", "sex", "code", codes="sex_mf", mapping=_SEX_MFU),
            _c("Postcode", "postcode"),
            _c("SENProvision", "sen_provision", "code", codes="sen_provision"),
            _c("SchoolURN", "school_urn"),
            _RECORDED,
        ),
        id_system="upn",
        id_column="UPN",
        recorded="RecordedDate",
        dob="DOB",
        copies={"upn": "source_id"},
    ),
    TableSpec(
        name="school_attendance",
        target="attendance",
        columns=(
            _c("UPN", required=True),
            _c("AcademicYear", "academic_year", required=True),
            _c("Term", "term", "code", required=True, codes="term"),
            _c("TermEndDate", "event_date", "date", required=True),
            _c("SessionsPossible", "sessions_possible", "int", required=True),
            _c("SessionsAuthorisedAbsence", "sessions_authorised", "int", required=True),
            _c("SessionsUnauthorisedAbsence", "sessions_unauthorised", "int", required=True),
            _RECORDED,
        ),
        id_system="upn",
        id_column="UPN",
        recorded="RecordedDate",
        positive=("SessionsPossible", "SessionsAuthorisedAbsence", "SessionsUnauthorisedAbsence"),
        within_total=(
            "SessionsAuthorisedAbsence",
            "SessionsUnauthorisedAbsence",
            "SessionsPossible",
        ),
    ),
    TableSpec(
        name="school_exclusions",
        target="exclusions",
        columns=(
            _c("UPN", required=True),
            _c("Category", "category", "code", required=True, codes="exclusion_category"),
            _c("StartDate", "event_date", "date", required=True),
            _c("Sessions", "sessions", "int"),
            _c("ReasonCode", "reason_code", "code", required=True, codes="exclusion_reason"),
            _RECORDED,
        ),
        id_system="upn",
        id_column="UPN",
        recorded="RecordedDate",
        positive=("Sessions",),
        # "OW" (offensive weapon) exists from the 2020/21 academic year.
        dated_codes=(DatedCode("ReasonCode", "OW", date(2020, 9, 1), "StartDate"),),
    ),
)

YOUTH_JUSTICE = (
    TableSpec(
        name="yj_children",
        target="person_youth_justice",
        columns=(
            _c("YJ_ID", required=True),
            _c("Forename", "forename"),
            _c("Surname", "surname"),
            _c("DOB", "dob", "date", required=True),
            _c("Sex", "sex", "code", codes="sex_mf", mapping=_SEX_MFU),
            _c("Postcode", "postcode"),
            _c("Ethnicity", "ethnicity", "code", codes="ethnicitytype"),
            _RECORDED,
        ),
        id_system="yj_id",
        id_column="YJ_ID",
        recorded="RecordedDate",
        dob="DOB",
    ),
    TableSpec(
        name="yj_outcomes",
        target="yj_outcomes",
        columns=(
            _c("YJ_ID", required=True),
            _c("OutcomeDate", "event_date", "date", required=True),
            _c("Tier", "tier", "code", required=True, codes="yj_tier"),
            _c("OffenceType", "offence_type"),
            _RECORDED,
        ),
        id_system="yj_id",
        id_column="YJ_ID",
        recorded="RecordedDate",
    ),
)

EARLY_HELP = (
    TableSpec(
        name="eh_persons",
        target="person_early_help",
        columns=(
            _c("EH_ID", required=True),
            _c("Forename", "forename"),
            _c("Surname", "surname"),
            _c("DOB", "dob", "date", required=True),
            _c("Sex", "sex", "code", codes="sex_mf", mapping=_SEX_MFU),
            _c("Postcode", "postcode"),
            _RECORDED,
        ),
        id_system="eh_id",
        id_column="EH_ID",
        recorded="RecordedDate",
        dob="DOB",
    ),
    TableSpec(
        name="eh_episodes",
        target="early_help_episodes",
        columns=(
            _c("EH_ID", required=True),
            _c("StartDate", "event_date", "date", required=True),
            _c("EndDate", "end_date", "date"),
            _c("LeadProfessional", "lead_professional"),
            _c("Reason", "reason"),
            _c("Outcome", "outcome"),
            _RECORDED,
        ),
        id_system="eh_id",
        id_column="EH_ID",
        recorded="RecordedDate",
        spans=(("StartDate", "EndDate"),),
    ),
)

POSTCODES = TableSpec(
    name="reference_postcodes",
    target="postcodes",
    columns=(
        _c("Postcode", "postcode", required=True),
        _c("Locality", "locality"),
        _c("IMDDecile", "imd_decile", "int", required=True),
    ),
)

# CIN census XML: the reader flattens each element kind into rows with these columns.
_CIN_ID = _c("LAchildID", required=True)

CIN_CENSUS = (
    TableSpec(
        name="cin_child",
        target="person_social_care",
        columns=(
            _CIN_ID,
            _c("UPN", "upn"),
            _c("PersonBirthDate", "dob", "date"),
            _c("PersonDeathDate", kind="date"),
            _c("GenderCurrent", "sex", "code", required=True, codes="gendertype", mapping=_SEX_CIN),
            _c("Ethnicity", "ethnicity", "code", required=True, codes="ethnicitytype"),
            _c("Disability", "disability", "code", codes="disabilitytype", multi=True),
        ),
        id_system="la_child_id",
        id_column="LAchildID",
        date_format=ISO_DATE,
        dob="PersonBirthDate",
        death="PersonDeathDate",
        copies={"la_child_id": "source_id"},
    ),
    TableSpec(
        name="cin_referral",
        target="referrals",
        columns=(
            _CIN_ID,
            _c("CINreferralDate", "event_date", "date", required=True),
            _c(
                "ReferralSource",
                "referral_source",
                "code",
                required=True,
                codes="referralsourcetype",
            ),
            _c("ReferralNFA", "nfa", "bool", required=True, codes="yesnotype", mapping=_CIN_BOOL),
        ),
        id_system="la_child_id",
        id_column="LAchildID",
        recorded="CINreferralDate",
        date_format=ISO_DATE,
    ),
    TableSpec(
        name="cin_episode",
        target="cin_episodes",
        columns=(
            _CIN_ID,
            _c("CINreferralDate", "event_date", "date", required=True),
            _c("CINclosureDate", "end_date", "date"),
            _c("PrimaryNeedCode", "primary_need", "code", codes="primaryneedcodetype"),
            _c("ReasonForClosure", "reason_for_closure", "code", codes="reasonforclosuretype"),
        ),
        id_system="la_child_id",
        id_column="LAchildID",
        recorded="CINreferralDate",
        date_format=ISO_DATE,
        spans=(("CINreferralDate", "CINclosureDate"),),
    ),
    TableSpec(
        name="cin_assessment",
        target="assessments",
        columns=(
            _CIN_ID,
            _c("AssessmentID", "assessment_id", required=True),
            _c("AssessmentActualStartDate", "event_date", "date", required=True),
            _c("AssessmentAuthorisationDate", "end_date", "date"),
        ),
        id_system="la_child_id",
        id_column="LAchildID",
        recorded="AssessmentAuthorisationDate",
        recorded_fallback=("AssessmentActualStartDate", 35),
        date_format=ISO_DATE,
        spans=(("AssessmentActualStartDate", "AssessmentAuthorisationDate"),),
    ),
    TableSpec(
        name="cin_assessment_factor",
        target="assessment_factors",
        columns=(
            _CIN_ID,
            _c("AssessmentID", "assessment_id", required=True),
            _c("AssessmentActualStartDate", "event_date", "date", required=True),
            _c("AssessmentAuthorisationDate", kind="date"),
            _c(
                "AssessmentFactors",
                "factor_code",
                "code",
                required=True,
                codes="assessmentfactorstype",
            ),
        ),
        id_system="la_child_id",
        id_column="LAchildID",
        recorded="AssessmentAuthorisationDate",
        recorded_fallback=("AssessmentActualStartDate", 35),
        date_format=ISO_DATE,
    ),
    TableSpec(
        name="cin_section47",
        target="section47",
        columns=(
            _CIN_ID,
            _c("S47ActualStartDate", "event_date", "date", required=True),
            _c("DateOfInitialCPC", "icpc_date", "date"),
        ),
        id_system="la_child_id",
        id_column="LAchildID",
        recorded="DateOfInitialCPC",
        recorded_fallback=("S47ActualStartDate", 0),
        date_format=ISO_DATE,
        spans=(("S47ActualStartDate", "DateOfInitialCPC"),),
    ),
    TableSpec(
        name="cin_cp_plan",
        target="cp_plans",
        columns=(
            _CIN_ID,
            _c("CPPstartDate", "event_date", "date", required=True),
            _c("CPPendDate", "end_date", "date"),
            _c(
                "InitialCategoryOfAbuse",
                "initial_category",
                "code",
                required=True,
                codes="categoryofabuse",
            ),
            _c(
                "LatestCategoryOfAbuse",
                "latest_category",
                "code",
                required=True,
                codes="categoryofabuse",
            ),
        ),
        id_system="la_child_id",
        id_column="LAchildID",
        recorded="CPPstartDate",
        date_format=ISO_DATE,
        spans=(("CPPstartDate", "CPPendDate"),),
    ),
)

# Tables recognised from a CSV or spreadsheet header.
TABULAR_SPECS: tuple[TableSpec, ...] = (
    *ANNEX_A,
    SOCIAL_CARE_PERSONS,
    *SSDA903,
    *SCHOOL,
    *YOUTH_JUSTICE,
    *EARLY_HELP,
    POSTCODES,
)
CIN_SPECS: dict[str, TableSpec] = {spec.name: spec for spec in CIN_CENSUS}

EARLIEST_DOB = date(1990, 1, 1)
EARLIEST_DATE = date(1900, 1, 1)
