"""The CIN census tables: the XML reader flattens each element kind into rows with these
columns (see ``features.ingest.specs`` for what a spec holds)."""

from __future__ import annotations

from features.ingest.specs import CIN_BOOL, ISO_DATE, SEX_CIN, TableSpec, col

# CIN census XML: the reader flattens each element kind into rows with these columns.
_CIN_ID = col("LAchildID", required=True)

CIN_CENSUS = (
    TableSpec(
        name="cin_child",
        target="person_social_care",
        columns=(
            _CIN_ID,
            col("UPN", "upn"),
            col("PersonBirthDate", "dob", "date"),
            col("PersonDeathDate", kind="date"),
            col("GenderCurrent", "sex", "code", required=True, codes="gendertype", mapping=SEX_CIN),
            col("Ethnicity", "ethnicity", "code", required=True, codes="ethnicitytype"),
            col("Disability", "disability", "code", codes="disabilitytype", multi=True),
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
            col("CINreferralDate", "event_date", "date", required=True),
            col(
                "ReferralSource",
                "referral_source",
                "code",
                required=True,
                codes="referralsourcetype",
            ),
            col("ReferralNFA", "nfa", "bool", required=True, codes="yesnotype", mapping=CIN_BOOL),
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
            col("CINreferralDate", "event_date", "date", required=True),
            col("CINclosureDate", "end_date", "date"),
            col("PrimaryNeedCode", "primary_need", "code", codes="primaryneedcodetype"),
            col("ReasonForClosure", "reason_for_closure", "code", codes="reasonforclosuretype"),
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
            col("AssessmentID", "assessment_id", required=True),
            col("AssessmentActualStartDate", "event_date", "date", required=True),
            col("AssessmentAuthorisationDate", "end_date", "date"),
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
            col("AssessmentID", "assessment_id", required=True),
            col("AssessmentActualStartDate", "event_date", "date", required=True),
            col("AssessmentAuthorisationDate", kind="date"),
            col(
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
            col("S47ActualStartDate", "event_date", "date", required=True),
            col("DateOfInitialCPC", "icpc_date", "date"),
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
            col("CPPstartDate", "event_date", "date", required=True),
            col("CPPendDate", "end_date", "date"),
            col(
                "InitialCategoryOfAbuse",
                "initial_category",
                "code",
                required=True,
                codes="categoryofabuse",
            ),
            col(
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

CIN_SPECS: dict[str, TableSpec] = {spec.name: spec for spec in CIN_CENSUS}
