"""Every tabular table ingest knows (CSV and spreadsheet extracts), declared in one place; the
CIN census XML tables are in ``cin_sources``.

A ``TableSpec`` (``specs``) says which raw columns a table has, how each is checked (type,
code list, required) and which warehouse column it fills. Detection, validation and loading all
read these specs; nothing else hard-codes a raw column name (except the CIN XML reader, which
names its own element paths).
"""

from __future__ import annotations

from datetime import date

from features.ingest.specs import (
    SEX_903,
    SEX_MFU,
    YES_NO,
    Column,
    DatedCode,
    TableSpec,
    col,
)


def _annex_a(name: str, target: str, own: tuple[Column, ...], **kw: object) -> TableSpec:
    common = (
        col("Child Unique ID", required=True),
        col("Gender", kind="code", codes="annex_a_gender"),
        col("Ethnicity", kind="code", codes="ethnicitytype"),
        col("Date of Birth", kind="date", required=True),
        col("Age", optional=True),
    )
    recorded = col("Date Recorded", "recorded_date", "date", optional=True)
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
            col("Date of Contact", "event_date", "date", required=True),
            col("Contact Source", "contact_source", "code", codes="referralsourcetype"),
        ),
    ),
    _annex_a(
        "annex_a_list_2",
        "early_help_episodes",
        (
            col("Assessment Start Date", "event_date", "date", required=True),
            col("Assessment Completion Date", "end_date", "date"),
            col("Organisation Completing Assessment", "lead_professional"),
        ),
        spans=(("Assessment Start Date", "Assessment Completion Date"),),
    ),
    _annex_a(
        "annex_a_list_3",
        "referrals",
        (
            col("Date of Referral", "event_date", "date", required=True),
            col("Referral Source", "referral_source", "code", codes="referralsourcetype"),
            col("Referral NFA", "nfa", "bool", codes="yes_no", mapping=YES_NO),
            col("Number of Referrals in Last 12 Months", kind="int", optional=True),
            col("Allocated Team", optional=True),
        ),
        positive=("Number of Referrals in Last 12 Months",),
    ),
    _annex_a(
        "annex_a_list_6",
        "cin_episodes",
        (
            col("Disability", kind="code", codes="disabilitytype", optional=True),
            col("Case Status", optional=True),
            col("Date of Latest Referral", "event_date", "date", required=True),
            col("Date of Latest Assessment", kind="date"),
            col("Allocated Team", optional=True),
        ),
    ),
    _annex_a(
        "annex_a_list_7",
        "cp_plans",
        (
            col("Child Protection Plan Start Date", "event_date", "date", required=True),
            col("Initial Category of Abuse", "initial_category", "code", codes="categoryofabuse"),
            col("Latest Category of Abuse", "latest_category", "code", codes="categoryofabuse"),
            col("Child Protection Plan End Date", "end_date", "date"),
            col("Allocated Team", optional=True),
        ),
        spans=(("Child Protection Plan Start Date", "Child Protection Plan End Date"),),
    ),
    _annex_a(
        "annex_a_list_8",
        "cla_episodes",
        (
            col("Date Started to be Looked After", "event_date", "date", required=True),
            col("Legal Status", "legal_status", "code", codes="903_legal_status"),
            col("Placement Type", "placement", "code", codes="903_placement"),
            col("Date Ceased to be Looked After", "end_date", "date"),
            col("Reason Ceased", "reason_ended", "code", codes="903_reason_ended"),
            col("Allocated Team", optional=True),
        ),
        spans=(("Date Started to be Looked After", "Date Ceased to be Looked After"),),
    ),
)

SOCIAL_CARE_PERSONS = TableSpec(
    name="social_care_children",
    target="person_social_care",
    columns=(
        col("LAchildID", required=True),
        col("UPN", "upn"),
        col("Forename", "forename"),
        col("Surname", "surname"),
        col("DateOfBirth", "dob", "date", required=True),
        col("Sex", "sex", "code", codes="sex_mfu", mapping=SEX_MFU),
        col("Postcode", "postcode"),
        col("Ethnicity", "ethnicity", "code", codes="ethnicitytype"),
        col("Disability", "disability", "code", codes="disabilitytype"),
        col("Date Recorded", "recorded_date", "date", optional=True),
    ),
    id_system="la_child_id",
    id_column="LAchildID",
    recorded="Date Recorded",
    dob="DateOfBirth",
    copies={"la_child_id": "source_id"},
)

_903_RECORDED = col("DATE_RECORDED", "recorded_date", "date", optional=True)

SSDA903 = (
    TableSpec(
        name="ssda903_header",
        target="person_social_care",
        columns=(
            col("CHILD", required=True),
            col("SEX", "sex", "code", required=True, codes="903_sex", mapping=SEX_903),
            col("DOB", "dob", "date", required=True),
            col("ETHNIC", "ethnicity", "code", required=True, codes="ethnicitytype"),
            col("UPN", "upn"),
            col("MOTHER", optional=True),
            col("MC_DOB", kind="date", optional=True),
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
            col("CHILD", required=True),
            col("DECOM", "event_date", "date", required=True),
            col("RNE", "reason_new_episode", "code", required=True, codes="903_reason_new_episode"),
            col("LS", "legal_status", "code", required=True, codes="903_legal_status"),
            col("CIN", kind="code", codes="903_cin", optional=True),
            col("PLACE", "placement", "code", required=True, codes="903_placement"),
            col("PLACE_PROVIDER", optional=True),
            col("DEC", "end_date", "date"),
            col("REC", "reason_ended", "code", codes="903_reason_ended"),
            col("REASON_PLACE_CHANGE", optional=True),
            col("HOME_POST", optional=True),
            col("PL_POST", optional=True),
            col("URN", optional=True),
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
            col("CHILD", required=True),
            col("DOB", kind="date", optional=True),
            col("MISSING", "missing_type", "code", required=True, codes="903_missing_type"),
            col("MIS_START", "event_date", "date", required=True),
            col("MIS_END", "end_date", "date"),
            _903_RECORDED,
        ),
        id_system="la_child_id",
        id_column="CHILD",
        recorded="DATE_RECORDED",
        dob="DOB",
        spans=(("MIS_START", "MIS_END"),),
    ),
)

_RECORDED = col("RecordedDate", "recorded_date", "date", optional=True)

SCHOOL = (
    TableSpec(
        name="school_pupils",
        target="person_school",
        columns=(
            col("UPN", required=True),
            col("Forename", "forename"),
            col("Surname", "surname"),
            col("DOB", "dob", "date", required=True),
            col("Sex", "sex", "code", codes="sex_mf", mapping=SEX_MFU),
            col("Postcode", "postcode"),
            col("SENProvision", "sen_provision", "code", codes="sen_provision"),
            col("SchoolURN", "school_urn"),
            # The census's pupil characteristics; optional, so older extracts still load.
            col("Ethnicity", "ethnicity", "code", codes="ethnicitytype", optional=True),
            col("FSMEligible", "fsm_eligible", "bool", codes="yes_no", mapping=YES_NO,
                optional=True),
            col("FirstLanguage", "first_language", "code", codes="first_language",
                optional=True),
            col("CensusDate", "event_date", "date", optional=True),
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
            col("UPN", required=True),
            col("AcademicYear", "academic_year", required=True),
            col("Term", "term", "code", required=True, codes="term"),
            col("TermEndDate", "event_date", "date", required=True),
            col("SessionsPossible", "sessions_possible", "int", required=True),
            col("SessionsAuthorisedAbsence", "sessions_authorised", "int", required=True),
            col("SessionsUnauthorisedAbsence", "sessions_unauthorised", "int", required=True),
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
            col("UPN", required=True),
            col("Category", "category", "code", required=True, codes="exclusion_category"),
            col("StartDate", "event_date", "date", required=True),
            col("Sessions", "sessions", "int"),
            col("ReasonCode", "reason_code", "code", required=True, codes="exclusion_reason"),
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
            col("YJ_ID", required=True),
            col("Forename", "forename"),
            col("Surname", "surname"),
            col("DOB", "dob", "date", required=True),
            col("Sex", "sex", "code", codes="sex_mf", mapping=SEX_MFU),
            col("Postcode", "postcode"),
            col("Ethnicity", "ethnicity", "code", codes="ethnicitytype"),
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
            col("YJ_ID", required=True),
            col("OutcomeDate", "event_date", "date", required=True),
            col("Tier", "tier", "code", required=True, codes="yj_tier"),
            col("OffenceType", "offence_type"),
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
            col("EH_ID", required=True),
            col("Forename", "forename"),
            col("Surname", "surname"),
            col("DOB", "dob", "date", required=True),
            col("Sex", "sex", "code", codes="sex_mf", mapping=SEX_MFU),
            col("Postcode", "postcode"),
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
            col("EH_ID", required=True),
            col("StartDate", "event_date", "date", required=True),
            col("EndDate", "end_date", "date"),
            col("LeadProfessional", "lead_professional"),
            col("Reason", "reason"),
            col("Outcome", "outcome"),
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
        col("Postcode", "postcode", required=True),
        col("Locality", "locality"),
        col("IMDDecile", "imd_decile", "int", required=True),
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
