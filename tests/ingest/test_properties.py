"""Property-based tests of the parsers and the row validator."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from features.ingest.codelists import CIN_CHANGES, CodeLists, cin_2024, cin_lists_for_year
from features.ingest.readers import BAD_SHAPE, ROW_REF, RawTable
from features.ingest.sources import SOCIAL_CARE_PERSONS
from features.ingest.specs import UK_DATE
from features.ingest.validate import code_status, parse_dates, parse_ints, validate

from .builders import VALID

dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))


@given(st.lists(dates, min_size=1, max_size=20))
def test_uk_dates_round_trip(values: list[date]) -> None:
    text = pd.Series([d.strftime("%d/%m/%Y") for d in values])
    parsed = parse_dates(text, UK_DATE)
    assert [t.date() for t in parsed] == values


@given(dates)
def test_iso_text_is_not_a_uk_date(value: date) -> None:
    assert parse_dates(pd.Series([value.isoformat()]), UK_DATE).isna().all()


@given(st.integers(1, 31), st.integers(13, 99), st.integers(1990, 2030))
def test_month_above_twelve_is_never_a_date(day: int, month: int, year: int) -> None:
    assert parse_dates(pd.Series([f"{day:02d}/{month:02d}/{year}"]), UK_DATE).isna().all()


@given(st.lists(st.integers(-(10**6), 10**6), max_size=20))
def test_whole_numbers_parse_exactly(values: list[int]) -> None:
    number, bad = parse_ints(pd.Series([str(v) for v in values], dtype=object))
    assert not bad.any()
    assert number.tolist() == values


@given(st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: not f.is_integer()))
def test_fractions_are_not_whole_numbers(value: float) -> None:
    _, bad = parse_ints(pd.Series([repr(value)]))
    assert bad.all()


@given(st.text(alphabet="abcxyz ,-", min_size=1).filter(lambda s: s.strip() != ""))
def test_words_are_not_numbers(value: str) -> None:
    _, bad = parse_ints(pd.Series([value]))
    assert bad.all()


codes = st.sampled_from(sorted(cin_2024()["assessmentfactorstype"]))


@given(st.lists(st.one_of(codes, st.text(max_size=4)), max_size=15), st.integers(2017, 2024))
def test_code_status_matches_membership(values: list[str], year: int) -> None:
    current = cin_lists_for_year(year)["assessmentfactorstype"]
    known = cin_2024()["assessmentfactorstype"]
    status = code_status(pd.Series(values, dtype=object), current, known)
    for value, got in zip(values, status, strict=True):
        expected = (
            "blank"
            if value == ""
            else "ok"
            if value in current
            else "other_year"
            if value in known
            else "invalid"
        )
        assert got == expected


@given(st.integers(2017, 2024))
def test_year_lists_only_lose_codes_introduced_later(year: int) -> None:
    lists = cin_lists_for_year(year)
    for name, codes_2024 in cin_2024().items():
        assert lists[name] <= codes_2024
    assert ("24A" in lists["assessmentfactorstype"]) == (year >= 2022)
    for change in CIN_CHANGES:
        assert (change.code in lists[change.code_list]) == (year >= change.first_year)


def _person_table(dobs: list[date], recorded: list[date]) -> RawTable:
    rows = []
    for i, (dob, rec) in enumerate(zip(dobs, recorded, strict=True)):
        rows.append(
            {
                **VALID["social_care_children"],
                "LAchildID": f"LA{i}",
                "DateOfBirth": dob.strftime("%d/%m/%Y"),
                "Date Recorded": rec.strftime("%d/%m/%Y"),
                ROW_REF: str(i + 2),
                BAD_SHAPE: False,
            }
        )
    return RawTable(spec=SOCIAL_CARE_PERSONS, frame=pd.DataFrame(rows))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(dates, dates), min_size=1, max_size=12),
    st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 1, 1)),
)
def test_row_validator_judges_birth_and_extract_dates(
    pairs: list[tuple[date, date]], extract: date
) -> None:
    dobs, recorded = zip(*pairs, strict=True)
    verdict = validate(_person_table(list(dobs), list(recorded)), CodeLists.for_year(2024), extract)
    for dob, rec, reason in zip(dobs, recorded, verdict.reason, strict=True):
        if dob < date(1990, 1, 1):
            assert reason == "dob_before_1990"
        elif dob > extract or rec > extract:
            assert reason == "date_after_extract"
        else:
            assert pd.isna(reason)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(dates, st.integers(-400, 400)), min_size=1, max_size=10))
def test_end_before_start_is_caught_exactly(spans: list[tuple[date, int]]) -> None:
    from features.ingest.sources import EARLY_HELP

    spec = EARLY_HELP[1]
    rows = [
        {
            **VALID["eh_episodes"],
            "EH_ID": f"EH{i}",
            "StartDate": s.strftime("%d/%m/%Y"),
            "EndDate": (s + timedelta(days=d)).strftime("%d/%m/%Y"),
            "RecordedDate": "",
            ROW_REF: str(i),
            BAD_SHAPE: False,
        }
        for i, (s, d) in enumerate(spans)
        if date(1900, 1, 1) <= s + timedelta(days=d) <= date(2100, 12, 31)
    ]
    if not rows:
        return
    verdict = validate(
        RawTable(spec=spec, frame=pd.DataFrame(rows)), CodeLists.for_year(2024), date(2101, 1, 1)
    )
    for r, reason in zip(rows, verdict.reason, strict=True):
        start = pd.Timestamp(pd.to_datetime(r["StartDate"], format=UK_DATE))
        end = pd.Timestamp(pd.to_datetime(r["EndDate"], format=UK_DATE))
        assert (reason == "end_before_start") == (end < start)
