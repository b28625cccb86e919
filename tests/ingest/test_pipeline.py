"""Ingest end to end on hand-made extracts: loading, identity, idempotence, the report, the CLI."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from earlyhelp.cli.main import app
from earlyhelp.settings import Settings
from features.ingest import IngestReport, ingest
from features.ingest.warehouse import TABLES

from .builders import FILE_NAMES, VALID, cin_child_xml, row, write_cin, write_csv, write_world

EXTRACT = date(2024, 3, 31)


def _run(raw: Path, out: Path, extract: date | None = EXTRACT) -> IngestReport:
    return ingest(raw, out / "warehouse.duckdb", Settings(extract_date=extract, data_dir=out))


def _query(out: Path, sql: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(out / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_every_contract_table_is_created_and_every_file_loads(tmp_path: Path) -> None:
    report = _run(write_world(tmp_path / "raw"), tmp_path / "out")
    assert report.files_failed == 0
    for f in report.files:
        assert f.rows_read == f.rows_loaded + f.rows_quarantined
        assert f.rows_quarantined == 0, f
    empty = [t for t in TABLES if report.table_rows[t] == 0]
    assert empty == []
    written = json.loads((tmp_path / "out" / "reports" / "ingest_report.json").read_text())
    assert written["totals"]["rows_read"] == report.totals.rows_read
    assert written["step"] == "ingest"


def test_every_row_keeps_provenance(tmp_path: Path) -> None:
    _run(write_world(tmp_path / "raw"), tmp_path / "out")
    for table in TABLES:
        missing = _query(
            tmp_path / "out",
            f"SELECT count(*) FROM {table} WHERE file IS NULL OR row_ref IS NULL "
            "OR extract_date IS NULL",
        )
        assert missing == [(0,)], table
    (ref,) = _query(tmp_path / "out", "SELECT row_ref FROM assessment_factors")
    assert ref[0] == (
        "/Message/Children/Child[1]/CINdetails[1]/Assessments[1]"
        "/FactorsIdentifiedAtAssessment/AssessmentFactors[1]"
    )


def test_ingesting_the_same_extract_twice_adds_nothing(tmp_path: Path) -> None:
    raw = write_world(tmp_path / "raw")
    write_csv(
        raw / FILE_NAMES["yj_outcomes"], [VALID["yj_outcomes"], row("yj_outcomes", Tier="ZZZ")]
    )
    first = _run(raw, tmp_path / "out")
    second = _run(raw, tmp_path / "out")
    assert second.totals.rows_new == 0
    assert second.totals.rows_loaded == second.totals.rows_already_loaded
    assert second.totals.rows_already_loaded == first.totals.rows_loaded
    assert second.table_rows == first.table_rows  # quarantine included


def test_a_later_extract_adds_only_what_is_new(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write_csv(raw / "youth_justice" / "outcomes_2023.csv", [VALID["yj_outcomes"]])
    _run(raw, tmp_path / "out")
    later = tmp_path / "raw2"
    new = row("yj_outcomes", YJ_ID="YJ0009", OutcomeDate="01/03/2024", RecordedDate="02/03/2024")
    # Same fact, other file name and a later recorded date: still the same row.
    again = row("yj_outcomes", RecordedDate="05/03/2024")
    write_csv(later / "youth_justice" / "any_name.csv", [again, new])
    report = _run(later, tmp_path / "out")
    (f,) = report.files
    assert (f.rows_loaded, f.rows_new, f.rows_already_loaded, f.rows_quarantined) == (2, 1, 1, 0)
    assert report.table_rows["yj_outcomes"] == 2


def test_tables_are_recognised_by_columns_not_names(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    header = list(VALID["ssda903_episodes"])
    shuffled = header[::-1]
    write_csv(raw / "misc" / "export_0042.csv", [VALID["ssda903_episodes"]], header=shuffled)
    (f,) = _run(raw, tmp_path / "out").files
    assert f.detected_table == "ssda903_episodes"
    assert f.rows_loaded == 1


def test_leakage_codes_are_stored_faithfully(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write_csv(
        raw / FILE_NAMES["ssda903_episodes"],
        [
            row("ssda903_episodes", LS="J1", REC="E45"),
            row("ssda903_episodes", CHILD="LA0002", LS="J2"),
            row("ssda903_episodes", CHILD="LA0003", LS="J3"),
        ],
    )
    write_csv(raw / FILE_NAMES["annex_a_list_3"], [row("annex_a_list_3", Referral_Source="5B")])
    report = _run(raw, tmp_path / "out")
    assert report.totals.rows_quarantined == 0
    statuses = _query(
        tmp_path / "out", "SELECT legal_status, reason_ended FROM cla_episodes ORDER BY source_id"
    )
    assert statuses == [("J1", "E45"), ("J2", "E13"), ("J3", "E13")]
    assert _query(tmp_path / "out", "SELECT referral_source FROM referrals") == [("5B",)]


def test_cin_codes_follow_the_census_year(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write_cin(raw, 2022, [cin_child_xml("LA0001", factors=("24A", "13A"))])
    report = _run(raw, tmp_path / "out")
    assert report.totals.rows_quarantined == 0
    factors = _query(tmp_path / "out", "SELECT factor_code FROM assessment_factors ORDER BY 1")
    assert factors == [("13A",), ("24A",)]


def test_same_assessment_in_two_census_years_is_one_row(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write_cin(raw, 2021)
    write_cin(raw, 2022)
    report = _run(raw, tmp_path / "out")
    assert report.table_rows["assessments"] == 1
    assert report.files[1].rows_already_loaded == report.files[0].rows_new


def test_person_rows_map_sex_and_copy_identifiers(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write_table_rows = [row("social_care_children", LAchildID="LA0009", Sex="U", UPN="")]
    write_csv(raw / FILE_NAMES["social_care_children"], write_table_rows)
    write_csv(raw / FILE_NAMES["school_pupils"], [VALID["school_pupils"]])
    _run(raw, tmp_path / "out")
    social = _query(
        tmp_path / "out", "SELECT source_id, la_child_id, sex, upn FROM person_social_care"
    )
    assert social == [("LA0009", "LA0009", None, None)]
    school = _query(tmp_path / "out", "SELECT source_id, upn, la_child_id FROM person_school")
    assert school == [("A123456789012", "A123456789012", None)]
    ids = _query(
        tmp_path / "out",
        "SELECT record_id FROM person_social_care UNION ALL SELECT record_id FROM person_school",
    )
    assert len({i for (i,) in ids}) == 2


def test_recorded_date_defaults_to_the_extract_date(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    header = [c for c in VALID["ssda903_missing"] if c != "DATE_RECORDED"]
    write_csv(raw / FILE_NAMES["ssda903_missing"], [VALID["ssda903_missing"]], header=header)
    _run(raw, tmp_path / "out")
    assert _query(tmp_path / "out", "SELECT recorded_date FROM missing_episodes") == [(EXTRACT,)]


def test_cin_assessment_recorded_date_falls_back_to_start_plus_35_days(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write_cin(raw, 2022, [cin_child_xml(authorised="")])
    _run(raw, tmp_path / "out")
    assert _query(tmp_path / "out", "SELECT recorded_date FROM assessments") == [
        (date(2021, 6, 17),)
    ]


def test_extract_date_is_inferred_from_recorded_dates_not_future_typos(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write_csv(
        raw / FILE_NAMES["yj_outcomes"],
        [
            VALID["yj_outcomes"],
            row("yj_outcomes", YJ_ID="YJ0002", RecordedDate="01/01/2099"),
        ],
    )
    report = _run(raw, tmp_path / "out", extract=None)
    assert report.extract_date_source == "inferred"
    assert report.extract_date == date(2023, 2, 1)
    assert report.totals.by_reason == {"date_after_extract": 1}


def test_annex_a_workbook_sheets_load_like_csv(tmp_path: Path) -> None:
    from datetime import datetime

    from openpyxl import Workbook

    book = Workbook()
    contacts = book.active
    contacts.title = "List 1"
    contacts.append(list(VALID["annex_a_list_1"]))
    values = list(VALID["annex_a_list_1"].values())
    values[3] = datetime(2008, 2, 14)  # a real date cell, not text
    contacts.append(values)
    referrals = book.create_sheet("List 3")
    referrals.append(list(VALID["annex_a_list_3"]))
    referrals.append(list(row("annex_a_list_3", Referral_Source="XX").values()))
    path = tmp_path / "raw" / "annex_a" / "annex_a_2021.xlsx"
    path.parent.mkdir(parents=True)
    book.save(path)

    (f,) = _run(tmp_path / "raw", tmp_path / "out").files
    assert [p.detected_table for p in f.parts] == ["annex_a_list_1", "annex_a_list_3"]
    assert (f.rows_read, f.rows_loaded, f.rows_quarantined) == (2, 1, 1)
    assert _query(tmp_path / "out", "SELECT row_ref FROM quarantine") == [("List 3!2",)]
    assert _query(tmp_path / "out", "SELECT count(*) FROM contacts") == [(1,)]


def test_cli_exits_non_zero_and_names_the_unreadable_file(tmp_path: Path) -> None:
    raw = write_world(tmp_path / "raw")
    (raw / "annex_a" / "broken.csv").write_bytes(b"Child Unique ID,Gender\n\xff\xfe\n")
    result = CliRunner().invoke(
        app,
        [
            "ingest",
            str(raw),
            "--warehouse",
            str(tmp_path / "out" / "w.duckdb"),
            "--data-dir",
            str(tmp_path / "out"),
            "--extract-date",
            "2024-03-31",
        ],
    )
    assert result.exit_code == 2
    assert "broken.csv" in result.output and "UTF-8" in result.output
    assert (tmp_path / "out" / "reports" / "ingest_report.json").exists()


def test_cli_refuses_a_bad_extract_date(tmp_path: Path) -> None:
    raw = write_world(tmp_path / "raw")
    result = CliRunner().invoke(app, ["ingest", str(raw), "--extract-date", "31/03/2024"])
    assert result.exit_code == 2
    assert "--extract-date" in result.output


def test_missing_raw_folder_is_an_input_error(tmp_path: Path) -> None:
    from earlyhelp.errors import InputError

    with pytest.raises(InputError, match="no such folder"):
        _run(tmp_path / "nowhere", tmp_path / "out")


def test_header_only_file_loads_nothing_without_error(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    path = raw / FILE_NAMES["yj_children"]
    path.parent.mkdir(parents=True)
    path.write_text(",".join(VALID["yj_children"]) + "\n")
    (f,) = _run(raw, tmp_path / "out").files
    assert (f.error, f.detected_table, f.rows_read) == (None, "yj_children", 0)


def test_quoted_fields_and_blank_lines_keep_true_line_numbers(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    path = raw / FILE_NAMES["eh_episodes"]
    path.parent.mkdir(parents=True)
    header = ",".join(VALID["eh_episodes"])
    good = ",".join(VALID["eh_episodes"].values())
    quoted = 'EH0002,01/03/2020,01/09/2020,"Worker, family","multi\nline reason",closed,05/03/2020'
    bad = "EH0003,01/03/2020,01/01/2020,Worker,reason,closed,05/03/2020"
    path.write_text(f"{header}\n{good}\n\n{quoted}\n{bad}\n")
    (f,) = _run(raw, tmp_path / "out").files
    assert (f.rows_read, f.rows_loaded, f.rows_quarantined) == (3, 2, 1)
    assert _query(tmp_path / "out", "SELECT row_ref, reason FROM quarantine") == [
        ("6", "end_before_start")
    ]
    assert _query(
        tmp_path / "out",
        "SELECT lead_professional FROM early_help_episodes WHERE source_id = 'EH0002'",
    ) == [("Worker, family",)]


def test_namespaced_cin_census_loads(tmp_path: Path) -> None:
    path = write_cin(tmp_path / "raw", 2023)
    path.write_text(
        path.read_text().replace("<Message>", '<Message xmlns="http://www.dfe.gov.uk/CIN">')
    )
    (f,) = _run(tmp_path / "raw", tmp_path / "out").files
    assert (f.error, f.census_year, f.rows_quarantined) == (None, 2023, 0)
    assert f.rows_loaded == 7
