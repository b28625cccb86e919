"""Check every row of a raw table, a column at a time, and give each bad row one reason.

Checks run in a fixed order and a row keeps the first reason it fails (with the field and the
value), so the reason is the most basic thing wrong with it. All checks are vectorised.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from features.ingest.codelists import CodeLists
from features.ingest.readers import BAD_SHAPE, ROW_REF, RawTable
from features.ingest.specs import EARLIEST_DATE, EARLIEST_DOB, Column, TableSpec

# Every reason a row can be quarantined for; the report and tests use these names.
REASONS = {
    "wrong_field_count": "the row has more or fewer fields than the header",
    "missing_required": "a required field is blank",
    "invalid_date": "not a date in the file's format (dd/mm/yyyy in CSV, yyyy-mm-dd in XML) "
    "or before 1900",
    "invalid_number": "not a whole number",
    "invalid_code": "not a code in the statutory or local code list",
    "code_not_valid_for_year": "a real code, but not yet in use at the row's date or census year",
    "dob_before_1990": "date of birth before 1990: not a child in these records",
    "death_before_birth": "date of death before date of birth",
    "end_before_start": "end date before start date",
    "date_after_extract": "a date after the extract date",
    "negative_number": "a count below zero",
    "absence_exceeds_possible": "absent sessions exceed possible sessions",
    "duplicate": "an exact copy of an earlier row in the same file (same recorded date too)",
}


@dataclass
class Verdict:
    values: pd.DataFrame  # converted values by raw column name (dates, ints, bools, text)
    reason: pd.Series  # reason name, or None where the row is valid
    field: pd.Series
    value: pd.Series

    @property
    def valid(self) -> pd.Series:
        return self.reason.isna()


class _Judge:
    def __init__(self, index: pd.Index) -> None:
        self.reason = pd.Series(None, index=index, dtype=object)
        self.field = pd.Series(None, index=index, dtype=object)
        self.value = pd.Series(None, index=index, dtype=object)

    def flag(self, mask: pd.Series, reason: str, field: str, values: pd.Series) -> None:
        hit = mask.fillna(False).astype(bool) & self.reason.isna()
        if hit.any():
            self.reason[hit] = reason
            self.field[hit] = field
            self.value[hit] = values[hit].astype(str)


def parse_dates(text: pd.Series, fmt: str) -> pd.Series:
    """Dates in ``fmt`` (NaT where blank, not a real date, or before 1900: a slip like 0021)."""
    parsed = pd.to_datetime(text, format=fmt, errors="coerce").astype("datetime64[s]")
    return parsed.where(parsed >= pd.Timestamp(EARLIEST_DATE))


def parse_ints(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(whole numbers as Int64, mask of non-blank cells that are not whole numbers)."""
    number = pd.to_numeric(text.where(text != ""), errors="coerce")
    whole = number.notna() & (number % 1 == 0)
    bad = (text != "") & ~whole
    return number.where(whole).astype("Int64"), bad


def code_status(
    text: pd.Series, codes: frozenset[str], known: frozenset[str], multi: bool = False
) -> pd.Series:
    """'ok', 'blank', 'other_year' (real code, not in force) or 'invalid' for each cell."""
    if multi:
        parts = text.str.split(",").explode()
        parts = parts[parts != ""]
        current = parts.isin(codes).groupby(level=0).all().reindex(text.index, fill_value=True)
        ever = parts.isin(known).groupby(level=0).all().reindex(text.index, fill_value=True)
    else:
        current, ever = text.isin(codes), text.isin(known)
    status = pd.Series("invalid", index=text.index, dtype=object)
    status[ever & ~current] = "other_year"
    status[current] = "ok"
    status[text == ""] = "blank"
    return status


def validate(table: RawTable, lists: CodeLists, extract_date: date) -> Verdict:
    spec, raw = table.spec, table.frame
    text = {c.source: _text(raw, c.source) for c in spec.columns}
    judge = _Judge(raw.index)
    judge.flag(raw[BAD_SHAPE], "wrong_field_count", "(row)", raw[ROW_REF])
    for column in spec.columns:
        if column.required:
            judge.flag(
                text[column.source] == "", "missing_required", column.source, text[column.source]
            )
    values = pd.DataFrame(
        {c.source: _convert(c, text[c.source], spec, lists, judge) for c in spec.columns},
        index=raw.index,
    )
    _check_dates(spec, values, text, judge, pd.Timestamp(extract_date))
    _check_numbers(spec, values, text, judge)
    return Verdict(values=values, reason=judge.reason, field=judge.field, value=judge.value)


def _text(raw: pd.DataFrame, source: str) -> pd.Series:
    if source not in raw.columns:  # an optional column the file does not have
        return pd.Series("", index=raw.index, dtype=object)
    return raw[source].fillna("").astype(str).str.strip()


def _convert(
    column: Column, text: pd.Series, spec: TableSpec, lists: CodeLists, judge: _Judge
) -> pd.Series:
    name = column.source
    if column.kind == "date":
        parsed = parse_dates(text, spec.date_format)
        judge.flag((text != "") & parsed.isna(), "invalid_date", name, text)
        return parsed
    if column.kind == "int":
        number, bad = parse_ints(text)
        judge.flag(bad, "invalid_number", name, text)
        return number
    if column.codes is not None:
        status = code_status(
            text, lists.current[column.codes], lists.known[column.codes], column.multi
        )
        judge.flag(status == "invalid", "invalid_code", name, text)
        judge.flag(status == "other_year", "code_not_valid_for_year", name, text)
        if column.mapping is not None:
            return text.map(lambda v: column.mapping.get(v) if column.mapping else None)
    return text.where(text != "")


def _check_dates(
    spec: TableSpec,
    values: pd.DataFrame,
    text: dict[str, pd.Series],
    judge: _Judge,
    extract: pd.Timestamp,
) -> None:
    if spec.dob is not None:
        judge.flag(
            values[spec.dob] < pd.Timestamp(EARLIEST_DOB),
            "dob_before_1990",
            spec.dob,
            text[spec.dob],
        )
    if spec.death is not None and spec.dob is not None:
        judge.flag(
            values[spec.death] < values[spec.dob],
            "death_before_birth",
            spec.death,
            text[spec.death],
        )
    for start, end in spec.spans:
        judge.flag(values[end] < values[start], "end_before_start", end, text[end])
    for column in spec.columns:
        if column.kind == "date":
            judge.flag(
                values[column.source] > extract,
                "date_after_extract",
                column.source,
                text[column.source],
            )
    for rule in spec.dated_codes:
        early = (text[rule.column] == rule.code) & (
            values[rule.date_column] < pd.Timestamp(rule.valid_from)
        )
        judge.flag(early, "code_not_valid_for_year", rule.column, text[rule.column])


def _check_numbers(
    spec: TableSpec, values: pd.DataFrame, text: dict[str, pd.Series], judge: _Judge
) -> None:
    for name in spec.positive:
        judge.flag(values[name] < 0, "negative_number", name, text[name])
    if spec.within_total is not None:
        first, second, total = spec.within_total
        judge.flag(
            values[first] + values[second] > values[total],
            "absence_exceeds_possible",
            total,
            text[total],
        )


def mark_duplicates(verdict: Verdict, key: pd.DataFrame) -> None:
    """Flag valid rows whose canonical ``key`` repeats an earlier valid row of the file.

    ``key`` includes the recorded date: the same fact recorded again later (a pupil in each
    year's census) is not a copy; the warehouse keeps it once, as already loaded.
    """
    valid = verdict.valid
    repeated = key[valid].duplicated(keep="first").reindex(key.index, fill_value=False)
    verdict.reason[repeated] = "duplicate"
    verdict.field[repeated] = "(row)"
    verdict.value[repeated] = None
