"""Malformed inputs: each is quarantined (or its file refused) with the asserted reason,
and every file's counts add up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest

from earlyhelp.settings import Settings
from features.ingest import ingest

from .builders import FILE_NAMES, VALID, cin_child_xml, row, write_cin, write_csv

EXTRACT = date(2024, 3, 31)


@dataclass(frozen=True)
class RowCase:
    """A file with one valid row and one spoiled row."""

    name: str
    table: str
    bad: dict[str, str]  # column -> spoiled value
    reason: str
    field: str


ROW_CASES = [
    RowCase(
        "blank child id",
        "annex_a_list_1",
        {"Child Unique ID": ""},
        "missing_required",
        "Child Unique ID",
    ),
    RowCase(
        "ISO date in a CSV",
        "annex_a_list_1",
        {"Date of Contact": "2021-05-10"},
        "invalid_date",
        "Date of Contact",
    ),
    RowCase(
        "30 February",
        "annex_a_list_3",
        {"Date of Referral": "30/02/2021"},
        "invalid_date",
        "Date of Referral",
    ),
    RowCase(
        "month and day swapped past 12",
        "eh_episodes",
        {"StartDate": "05/25/2020"},
        "invalid_date",
        "StartDate",
    ),
    RowCase(
        "born before 1990",
        "social_care_children",
        {"DateOfBirth": "01/01/1985"},
        "dob_before_1990",
        "DateOfBirth",
    ),
    RowCase(
        "outcome after the extract",
        "yj_outcomes",
        {"OutcomeDate": "01/01/2025"},
        "date_after_extract",
        "OutcomeDate",
    ),
    RowCase(
        "recorded after the extract",
        "school_exclusions",
        {"RecordedDate": "01/06/2024"},
        "date_after_extract",
        "RecordedDate",
    ),
    RowCase(
        "episode ends before it starts",
        "eh_episodes",
        {"EndDate": "01/01/2020"},
        "end_before_start",
        "EndDate",
    ),
    RowCase(
        "plan ends before it starts",
        "annex_a_list_7",
        {"Child Protection Plan End Date": "01/01/2021"},
        "end_before_start",
        "Child Protection Plan End Date",
    ),
    RowCase(
        "missing episode ends before it starts",
        "ssda903_missing",
        {"MIS_END": "01/08/2021"},
        "end_before_start",
        "MIS_END",
    ),
    RowCase(
        "unknown ethnicity code", "yj_children", {"Ethnicity": "WBR"}, "invalid_code", "Ethnicity"
    ),
    RowCase("unknown legal status", "ssda903_episodes", {"LS": "X9"}, "invalid_code", "LS"),
    RowCase(
        "unknown referral source",
        "annex_a_list_3",
        {"Referral Source": "5Z"},
        "invalid_code",
        "Referral Source",
    ),
    RowCase(
        "NFA neither Yes nor No",
        "annex_a_list_3",
        {"Referral NFA": "Maybe"},
        "invalid_code",
        "Referral NFA",
    ),
    RowCase(
        "offensive weapon code before 2020/21",
        "school_exclusions",
        {"ReasonCode": "OW", "StartDate": "10/03/2019", "RecordedDate": "11/03/2019"},
        "code_not_valid_for_year",
        "ReasonCode",
    ),
    RowCase(
        "sessions in words",
        "school_attendance",
        {"SessionsPossible": "ten"},
        "invalid_number",
        "SessionsPossible",
    ),
    RowCase(
        "negative sessions", "school_exclusions", {"Sessions": "-2"}, "negative_number", "Sessions"
    ),
    RowCase(
        "more absence than sessions",
        "school_attendance",
        {"SessionsUnauthorisedAbsence": "139"},
        "absence_exceeds_possible",
        "SessionsPossible",
    ),
    RowCase("sex outside M/F", "eh_persons", {"Sex": "X"}, "invalid_code", "Sex"),
    RowCase("unknown term", "school_attendance", {"Term": "WIN"}, "invalid_code", "Term"),
    RowCase(
        "deprivation decile not a number",
        "reference_postcodes",
        {"IMDDecile": "abc"},
        "invalid_number",
        "IMDDecile",
    ),
    RowCase("903 sex as text", "ssda903_header", {"SEX": "Male"}, "invalid_code", "SEX"),
    RowCase("blank placement", "ssda903_episodes", {"PLACE": ""}, "missing_required", "PLACE"),
]


def _ingest(raw: Path, tmp_path: Path, extract: date | None = EXTRACT):
    out = tmp_path / "out"
    return ingest(raw, out / "warehouse.duckdb", Settings(extract_date=extract, data_dir=out))


def _quarantined(tmp_path: Path) -> list[tuple[str, str, str]]:
    con = duckdb.connect(str(tmp_path / "out" / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute("SELECT reason, field, raw FROM quarantine").fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("case", ROW_CASES, ids=lambda c: c.name)
def test_spoiled_row_is_quarantined_with_its_reason(case: RowCase, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    bad = row(case.table, **{k.replace(" ", "_"): v for k, v in case.bad.items()})
    write_csv(raw / FILE_NAMES[case.table], [VALID[case.table], bad])

    report = _ingest(raw, tmp_path)

    (result,) = report.files
    assert result.error is None
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (2, 1, 1)
    assert result.rows_read == result.rows_loaded + result.rows_quarantined
    assert result.by_reason == {case.reason: 1}
    ((reason, field, raw_json),) = _quarantined(tmp_path)
    assert (reason, field) == (case.reason, case.field)
    assert next(iter(case.bad.values())) in raw_json or next(iter(case.bad.values())) == ""
    csv_text = (tmp_path / "out" / "quarantine" / f"{case.table}.csv").read_text()
    assert case.reason in csv_text


def test_exact_duplicate_row_is_quarantined(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write_csv(raw / FILE_NAMES["yj_outcomes"], [VALID["yj_outcomes"]] * 3)
    (result,) = _ingest(raw, tmp_path).files
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (3, 1, 2)
    assert result.by_reason == {"duplicate": 2}


def test_rows_with_too_many_or_too_few_fields(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "raw" / FILE_NAMES["yj_outcomes"], [VALID["yj_outcomes"]])
    with path.open("a", encoding="utf-8") as handle:
        handle.write("YJ0002,01/01/2023,YC,theft,02/01/2023,surplus\n")  # line 3
        handle.write("YJ0003,01/01/2023\n")  # line 4
        handle.write("YJ0004,03/01/2023,RO,robbery,04/01/2023\n")  # line 5
    (result,) = _ingest(tmp_path / "raw", tmp_path).files
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (4, 2, 2)
    assert result.by_reason == {"wrong_field_count": 2}
    con = duckdb.connect(str(tmp_path / "out" / "warehouse.duckdb"), read_only=True)
    refs = con.execute("SELECT row_ref FROM quarantine ORDER BY row_ref").fetchall()
    assert refs == [("3",), ("4",)]


@dataclass(frozen=True)
class CinCase:
    name: str
    year: int
    child: dict[str, object]
    part: str  # the CIN table that holds the bad row
    reason: str


CIN_CASES = [
    CinCase(
        "24A before 2022",
        2019,
        {
            "factors": ("24A",),
            "referral": "2018-05-12",
            "assessment_start": "2018-05-13",
            "authorised": "2018-06-10",
        },
        "cin_assessment_factor",
        "code_not_valid_for_year",
    ),
    CinCase(
        "factor that never existed",
        2022,
        {"factors": ("99Z",)},
        "cin_assessment_factor",
        "invalid_code",
    ),
    CinCase("death before birth", 2022, {"death": "2005-01-01"}, "cin_child", "death_before_birth"),
    CinCase("unknown gender code", 2022, {"gender": "5"}, "cin_child", "invalid_code"),
    CinCase("blank referral date", 2022, {"referral": ""}, "cin_referral", "missing_required"),
    CinCase(
        "UK date inside XML",
        2022,
        {"assessment_start": "13/05/2021"},
        "cin_assessment",
        "invalid_date",
    ),
    CinCase(
        "closure before referral",
        2022,
        {"closure": "2020-01-01"},
        "cin_episode",
        "end_before_start",
    ),
]


@pytest.mark.parametrize("case", CIN_CASES, ids=lambda c: c.name)
def test_spoiled_cin_element_is_quarantined(case: CinCase, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    good = cin_child_xml("LA0001")
    bad = cin_child_xml("LA0002", **case.child)  # type: ignore[arg-type]
    write_cin(raw, case.year, [good, bad])

    (result,) = _ingest(raw, tmp_path).files

    assert result.census_year == case.year
    part = next(p for p in result.parts if p.detected_table == case.part)
    assert part.by_reason == {case.reason: 1}
    assert part.rows_quarantined == 1 and part.rows_loaded >= 1
    assert result.rows_read == result.rows_loaded + result.rows_quarantined
    # A spoiled date can spoil the element's other rows too (an assessment's factors).
    assert {r for r, _, _ in _quarantined(tmp_path)} == {case.reason}


def _truncated_xml(raw: Path) -> Path:
    path = write_cin(raw, 2022)
    path.write_text(path.read_text()[:-60])
    return path


def _cp1252_csv(raw: Path) -> Path:
    path = raw / FILE_NAMES["eh_persons"]
    path.parent.mkdir(parents=True)
    text = (
        ",".join(VALID["eh_persons"]) + "\n" + ",".join(row("eh_persons", Forename="Zoë").values())
    )
    path.write_bytes(text.encode("cp1252"))
    return path


def _xlsx_named_csv(raw: Path) -> Path:
    from openpyxl import Workbook

    path = raw / FILE_NAMES["annex_a_list_1"]
    path.parent.mkdir(parents=True)
    book = Workbook()
    book.active.append(list(VALID["annex_a_list_1"]))
    book.save(path)
    return path


def _unknown_table(raw: Path) -> Path:
    return write_csv(raw / "annex_a" / "list_9_mystery.csv", [{"Foo": "1", "Bar": "2"}])


def _empty_file(raw: Path) -> Path:
    path = raw / FILE_NAMES["yj_children"]
    path.parent.mkdir(parents=True)
    path.write_text("")
    return path


def _unsupported_type(raw: Path) -> Path:
    path = raw / "youth_justice" / "notes.txt"
    path.parent.mkdir(parents=True)
    path.write_text("not an extract")
    return path


def _census_year_out_of_range(raw: Path) -> Path:
    return write_cin(raw, 2013)


def _corrupt_xlsx(raw: Path) -> Path:
    path = raw / "annex_a" / "annex_a.xlsx"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    return path


FILE_CASES: list[tuple[str, Callable[[Path], Path], str]] = [
    ("truncated XML", _truncated_xml, "truncated XML"),
    ("not UTF-8", _cp1252_csv, "not UTF-8"),
    ("spreadsheet saved as CSV", _xlsx_named_csv, "Excel .xlsx workbook saved with a .csv"),
    ("unknown table", _unknown_table, "unknown table"),
    ("empty file", _empty_file, "empty"),
    ("unsupported file type", _unsupported_type, "unsupported file type"),
    ("census year out of range", _census_year_out_of_range, "outside 2014-2024"),
    ("corrupt workbook", _corrupt_xlsx, "not a readable .xlsx"),
]


@pytest.mark.parametrize(("name", "spoil", "message"), FILE_CASES, ids=[c[0] for c in FILE_CASES])
def test_unreadable_file_is_reported_and_others_still_load(
    name: str, spoil: Callable[[Path], Path], message: str, tmp_path: Path
) -> None:
    raw = tmp_path / "raw"
    bad_path = spoil(raw)
    write_csv(raw / "reference" / "postcodes.csv", [VALID["reference_postcodes"]])

    report = _ingest(raw, tmp_path)

    failed = {f.path: f for f in report.files if f.error}
    assert list(failed) == [str(bad_path.relative_to(raw))]
    assert message in (failed[str(bad_path.relative_to(raw))].error or "")
    assert str(bad_path) in (failed[str(bad_path.relative_to(raw))].error or "")
    assert report.files_failed == 1
    assert report.table_rows["postcodes"] == 1
