"""Read a table of scores (CSV or Parquet) and check it before any figure is computed.

Every problem is reported as an InputError naming the file, the column and the first bad row,
counted as a person would count it in the file (CSV: the line number, header = line 1;
Parquet and data frames: the row number, first row = 1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from earlyhelp.errors import InputError
from earlyhelp.stats.groups import group_labels

_LABEL_WORDS = {"0": 0, "1": 1, "0.0": 0, "1.0": 1, "false": 0, "true": 1}


@dataclass(frozen=True)
class ScoreTable:
    """A checked table: one 0/1 label, one finite score and the group columns, row by row."""

    labels: np.ndarray  # int8, 0 or 1
    scores: np.ndarray  # float64, finite
    groups: dict[str, pd.Categorical]  # missing values already named MISSING_GROUP

    def __len__(self) -> int:
        return int(self.labels.shape[0])


def read_scores(path: Path, *, label: str, score: str, groups: list[str]) -> ScoreTable:
    """Read ``path`` (``.csv`` or ``.parquet``) and check the named columns."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    wanted = list(dict.fromkeys([label, score, *groups]))
    suffix = path.suffix.lower()
    if suffix == ".csv":
        frame, first_row, unit = _read_csv(path, wanted), 2, "line"
    elif suffix in {".parquet", ".pq"}:
        frame, first_row, unit = _read_parquet(path, wanted), 1, "row"
    else:
        raise InputError(f"{path}: expected a .csv or .parquet file, got '{path.suffix}'")
    return check_frame(
        frame, label=label, score=score, groups=groups, source=str(path),
        first_row=first_row, row_unit=unit,
    )


def _read_csv(path: Path, wanted: list[str]) -> pd.DataFrame:
    try:
        header = pd.read_csv(path, nrows=0)
        _require_columns(path, list(header.columns), wanted)
        # Read as text so a bad value can be shown as written and located by line; every
        # field is read (not only the wanted columns) so a row with extra fields is caught.
        frame = pd.read_csv(path, dtype=str, engine="c", on_bad_lines="error")
    except pd.errors.EmptyDataError:
        raise InputError(f"{path}: the file is empty (no header, no rows)") from None
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not UTF-8 text (byte {exc.start}); save the file as UTF-8 CSV"
        ) from None
    except pd.errors.ParserError as exc:
        raise InputError(f"{path}: not a well-formed CSV ({exc})") from None
    return frame[wanted]


def _read_parquet(path: Path, wanted: list[str]) -> pd.DataFrame:
    import pyarrow.parquet as pq

    try:
        names = pq.read_schema(path).names
    except Exception as exc:  # pyarrow raises several types for a file that is not Parquet
        raise InputError(f"{path}: not a readable Parquet file ({exc})") from None
    _require_columns(path, names, wanted)
    return pd.read_parquet(path, columns=wanted)


def _require_columns(source: Path | str, present: list[str], wanted: list[str]) -> None:
    missing = [c for c in wanted if c not in present]
    if missing:
        raise InputError(
            f"{source}: column '{missing[0]}' not found; the columns are: "
            + ", ".join(f"'{c}'" for c in present)
        )


def check_frame(
    frame: pd.DataFrame,
    *,
    label: str,
    score: str,
    groups: list[str],
    source: str = "data frame",
    first_row: int = 1,
    row_unit: str = "row",
) -> ScoreTable:
    """Check an in-memory frame; ``first_row`` is how the frame's first row is numbered."""
    _require_columns(source, list(frame.columns), [label, score, *groups])
    if len(frame) == 0:
        raise InputError(f"{source}: the table has a header but no rows")
    where = _Locator(source, first_row, row_unit)
    return ScoreTable(
        labels=_labels(frame[label], label, where),
        scores=_scores(frame[score], score, where),
        groups={g: _group(frame[g], g, where) for g in groups},
    )


@dataclass(frozen=True)
class _Locator:
    source: str
    first_row: int
    unit: str

    def fail(self, column: str, position: int, value: object, problem: str) -> InputError:
        return InputError(
            f"{self.source}: column '{column}' {self.unit} {self.first_row + position}: "
            f"{value!r} {problem}"
        )


def _labels(column: pd.Series, name: str, where: _Locator) -> np.ndarray:
    if pd.api.types.is_bool_dtype(column) and not column.isna().any():
        return column.to_numpy(dtype=np.int8)
    if pd.api.types.is_numeric_dtype(column):
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        bad = ~np.isin(values, (0.0, 1.0))
    else:
        text = column.astype("string").str.strip().str.lower()
        values = text.map(_LABEL_WORDS).to_numpy(dtype=np.float64, na_value=np.nan)
        # "1.00" and "0.0" are labels too; anything else numeric is not.
        numbers = pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        values = np.where(np.isnan(values) & np.isin(numbers, (0.0, 1.0)), numbers, values)
        bad = np.isnan(values)
    if bad.any():
        i = int(np.argmax(bad))
        raise where.fail(name, i, _shown(column.iloc[i]), "is not a 0/1 label")
    return values.astype(np.int8)


def _scores(column: pd.Series, name: str, where: _Locator) -> np.ndarray:
    if pd.api.types.is_bool_dtype(column):
        raise where.fail(name, 0, column.iloc[0], "is not a number (the column is true/false)")
    numeric = column if pd.api.types.is_numeric_dtype(column) else pd.to_numeric(
        column, errors="coerce"
    )
    values = numeric.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(values)
    if bad.any():
        i = int(np.argmax(bad))
        raise where.fail(name, i, _shown(column.iloc[i]), "is not a finite number")
    return values


def _shown(value: object) -> object:
    """The bad value as a person would read it: plain Python, blanks spelled out."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "(blank)"
    return value


# A board reads each group on the page, and disclosure control grows steeply with the number
# of groups (200 groups took 12 s, 600 did not finish): more than this is an input error.
MAX_GROUPS = 100


def _group(column: pd.Series, name: str, where: _Locator) -> pd.Categorical:
    """Group values as text; blanks become their own named group rather than being dropped."""
    if pd.api.types.is_float_dtype(column):
        whole = column.dropna()
        if (whole == np.floor(whole)).all():
            column = column.astype("Int64")  # 1.0 -> "1" when a Parquet int column had nulls
    groups = pd.Categorical(group_labels(column))
    if len(groups.categories) > MAX_GROUPS:
        raise InputError(
            f"{where.source}: column '{name}' has {len(groups.categories):,} distinct values; "
            f"an audit compares at most {MAX_GROUPS} groups a column: band or group the values "
            "first (an identifier is not a group)"
        )
    return groups
