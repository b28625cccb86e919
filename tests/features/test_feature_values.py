"""Feature values worked out by hand on a one-child warehouse."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from features_builders import Built, WarehouseBuilder, build

from earlyhelp.settings import Settings
from features.build.pipeline import build_features


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    b = WarehouseBuilder(extract_date=date(2021, 12, 31))
    b.child("A", date(2008, 5, 10), known=date(2015, 1, 1))
    # Contacts: police in March; a youth offending service contact (left out); a school
    # contact in June recorded late, in September.
    b.event("contacts", "A", date(2019, 3, 3), contact_source="6")
    b.event("contacts", "A", date(2019, 5, 3), contact_source="5B")
    b.event("contacts", "A", date(2019, 6, 15), recorded=date(2019, 9, 20), contact_source="2A")
    # One referral sent by two systems (Annex A and the CIN census a year later).
    b.event("referrals", "A", date(2019, 4, 3), referral_source="2A", nfa=False)
    b.event("referrals", "A", date(2019, 4, 3), recorded=date(2020, 3, 31),
            referral_source="2A", nfa=False)
    # A CIN episode whose closure only arrives with the next census.
    b.event("cin_episodes", "A", date(2019, 4, 3), recorded=date(2019, 4, 10))
    b.event("cin_episodes", "A", date(2019, 4, 3), recorded=date(2020, 3, 31),
            end_date=date(2019, 9, 1))
    b.event("cp_plans", "A", date(2019, 5, 1), end_date=date(2019, 7, 15))
    for term, ends, recorded, auth, unauth in (
        ("AUT", date(2018, 12, 20), None, 2, 3),
        ("SPR", date(2019, 4, 5), None, 5, 7),
        ("SUM", date(2019, 7, 19), date(2019, 8, 30), 10, 10),
    ):
        b.event("attendance", "A", ends, recorded=recorded, academic_year="2018/19", term=term,
                sessions_possible=100, sessions_authorised=auth, sessions_unauthorised=unauth)
    b.event("exclusions", "A", date(2019, 4, 5), category="SUSP", reason_code="PP", sessions=2)
    b.event("exclusions", "A", date(2019, 11, 1), category="SUSP", reason_code="PD", sessions=1)
    b.event("exclusions", "A", date(2020, 1, 10), category="SUSP", reason_code="OW", sessions=4)
    b.event("exclusions", "A", date(2020, 6, 1), category="PERM", reason_code="DA", sessions=0)
    b.event("assessment_factors", "A", date(2019, 10, 1), factor_code="24A", assessment_id="X1")
    b.event("missing_episodes", "A", date(2019, 10, 5), missing_type="M")
    b.event("missing_episodes", "A", date(2019, 10, 20), missing_type="A")
    b.event("cla_episodes", "A", date(2019, 11, 1), legal_status="J1", placement="K2")
    b.event("cla_episodes", "A", date(2020, 2, 1), legal_status="C2", placement="U1",
            end_date=date(2020, 5, 1), reason_ended="E9")
    b.event("early_help_episodes", "A", date(2018, 6, 1), end_date=date(2018, 12, 1))
    # School census rows: not eligible for free school meals in January 2019; eligible in
    # January 2020, a row the council only received in February.
    b.person("A", "upn", dob=date(2008, 5, 10), recorded=date(2019, 1, 17),
             event_date=date(2019, 1, 17), fsm_eligible=False, first_language="ENG")
    b.person("A", "upn", dob=date(2008, 5, 10), recorded=date(2020, 2, 10),
             event_date=date(2020, 1, 16), fsm_eligible=True, first_language="ENG")
    return build(b, tmp_path_factory.mktemp("values"), date(2019, 1, 1), date(2020, 12, 31))


@pytest.mark.parametrize(
    ("feature", "as_of", "expected"),
    [
        ("age_years", date(2019, 4, 30), 10),
        ("age_years", date(2019, 5, 31), 11),
        ("months_known", date(2019, 1, 31), 48),
        # Contacts: the late school contact is invisible until it is recorded.
        ("contacts_ever", date(2019, 6, 30), 1),
        ("contacts_3m", date(2019, 6, 30), 0),
        ("contacts_6m", date(2019, 6, 30), 1),
        ("contacts_from_police_12m", date(2019, 6, 30), 1),
        ("contacts_months_since_last", date(2019, 6, 30), 3),
        ("contacts_trend_6m", date(2019, 6, 30), 1),
        ("contacts_ever", date(2019, 9, 30), 2),
        ("contacts_3m", date(2019, 9, 30), 0),
        ("contacts_6m", date(2019, 9, 30), 1),
        ("contacts_12m", date(2019, 9, 30), 2),
        ("contacts_from_school_12m", date(2019, 9, 30), 1),
        ("contacts_months_since_last", date(2019, 9, 30), 3),
        ("contacts_trend_6m", date(2019, 9, 30), 0),
        # The duplicated referral counts once.
        ("referrals_ever", date(2019, 4, 30), 1),
        ("referrals_ever", date(2020, 6, 30), 1),
        ("referrals_from_school_24m", date(2020, 6, 30), 1),
        # CIN closure is known only once the census carrying it is recorded.
        ("cin_open_now", date(2019, 4, 30), 1),
        ("cin_open_now", date(2019, 9, 30), 1),
        ("cin_open_now", date(2020, 3, 31), 0),
        ("cin_episodes_ever", date(2020, 3, 31), 1),
        ("cp_plan_now", date(2019, 6, 30), 1),
        ("cp_plan_now", date(2019, 7, 31), 0),
        # Attendance: the summer term is recorded on 30 August.
        ("absence_rate_last_term", date(2019, 7, 31), 0.12),
        ("persistent_absence_last_term", date(2019, 7, 31), 1),
        ("persistent_absence_terms_12m", date(2019, 7, 31), 1),
        ("absence_rate_12m", date(2019, 7, 31), 0.085),
        ("absence_rate_last_term", date(2019, 8, 31), 0.2),
        ("persistent_absence_terms_12m", date(2019, 8, 31), 2),
        ("absence_rate_12m", date(2019, 8, 31), 37 / 300),
        ("unauthorised_rate_last_term", date(2019, 8, 31), 0.1),
        # Suspensions by reason.
        ("suspensions_violence_6m", date(2019, 4, 30), 1),
        ("suspensions_violence_6m", date(2020, 1, 31), 0),
        ("suspensions_violence_24m", date(2020, 1, 31), 1),
        ("suspensions_weapons_6m", date(2020, 1, 31), 1),
        ("suspensions_disruption_6m", date(2020, 1, 31), 1),
        ("suspensions_12m", date(2020, 1, 31), 3),
        ("suspension_sessions_12m", date(2020, 1, 31), 7),
        ("permanent_exclusions_ever", date(2020, 5, 31), 0),
        ("permanent_exclusions_ever", date(2020, 6, 30), 1),
        ("suspensions_12m", date(2020, 6, 30), 2),
        # Assessment factors and missing episodes.
        ("factor_criminal_exploitation_24m", date(2019, 9, 30), 0),
        ("factor_criminal_exploitation_24m", date(2019, 10, 31), 1),
        ("factor_exploitation_ever", date(2019, 10, 31), 1),
        ("factor_gangs_ever", date(2019, 10, 31), 0),
        ("missing_3m", date(2019, 10, 31), 1),
        ("away_12m", date(2019, 10, 31), 1),
        # The remand (J1) episode is left out; the E9 ending is blanked, so still looked after.
        ("cla_episodes_ever", date(2020, 1, 31), 0),
        ("cla_now", date(2020, 3, 31), 1),
        ("cla_now", date(2020, 6, 30), 1),
        ("cla_episodes_ever", date(2020, 6, 30), 1),
        ("eh_episodes_ever", date(2019, 1, 31), 1),
        ("eh_open_now", date(2019, 1, 31), 0),
        ("eh_months_since_last", date(2019, 1, 31), 7),
        # Free school meals: the latest census recorded by the as-of date.
        ("fsm_eligible_latest_census", date(2019, 1, 31), 0),
        ("fsm_eligible_latest_census", date(2020, 1, 31), 0),
        ("fsm_eligible_latest_census", date(2020, 2, 29), 1),
    ],
)
def test_hand_computed_value(built: Built, feature: str, as_of: date, expected: float) -> None:
    assert built.value(feature, "A", as_of) == pytest.approx(expected)


def test_recency_is_null_before_anything_happened(built: Built) -> None:
    assert pd.isna(built.value("contacts_months_since_last", "A", date(2019, 2, 28)))
    assert built.value("contacts_ever", "A", date(2019, 2, 28)) == 0


def test_staged_rows_are_deduplicated(built: Built) -> None:
    assert built.report.staged_rows["referrals"] == 1
    assert built.report.staged_rows["cin"] == 1
    assert built.report.staged_rows["contacts"] == 2
    assert built.report.staged_rows["cla"] == 1


def test_parquet_copies_match_tables(tmp_path: Path) -> None:
    b = WarehouseBuilder()
    b.child("A", date(2008, 5, 10), known=date(2015, 1, 1))
    b.event("contacts", "A", date(2019, 1, 3), contact_source="6")
    path = b.write(tmp_path / "warehouse.duckdb")
    build_features(path, Settings(), date(2019, 1, 1), date(2019, 3, 31),
                   parquet_dir=tmp_path / "parquet")
    with duckdb.connect(str(path), read_only=True) as con:
        for table in ("feature_matrix", "labels", "feature_registry", "protected_attributes"):
            in_db = con.execute(f"SELECT count(*) FROM {table}").fetchone()
            file = tmp_path / "parquet" / f"{table}.parquet"
            in_file = con.execute(f"SELECT count(*) FROM read_parquet('{file}')").fetchone()
            assert in_db == in_file
