"""Bad input is refused with the file, the column and the first bad row named."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from earlyhelp.errors import InputError
from earlyhelp.stats.groups import MISSING_GROUP
from monitoring.audit.io import check_frame, read_scores

COLUMNS = {"label": "outcome", "score": "score", "groups": ["sex"]}


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scores.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_a_good_csv(tmp_path: Path) -> None:
    table = read_scores(_csv(tmp_path, "outcome,score,sex\n1,0.9,F\n0,0.2,\n0,1e-3,M\n"),
                        **COLUMNS)
    assert table.labels.tolist() == [1, 0, 0]
    assert table.scores.tolist() == [0.9, 0.2, 0.001]
    assert list(table.groups["sex"]) == ["F", MISSING_GROUP, "M"]


def test_missing_column_is_named_with_the_columns_present(tmp_path: Path) -> None:
    path = _csv(tmp_path, "outcome,risk,sex\n1,0.9,F\n")
    with pytest.raises(InputError, match=r"column 'score' not found.*'risk'"):
        read_scores(path, **COLUMNS)


def test_non_numeric_score_names_column_and_file_line(tmp_path: Path) -> None:
    path = _csv(tmp_path, "outcome,score,sex\n1,0.9,F\n0,0.4,M\n0,high,M\n1,0.1,F\n")
    with pytest.raises(InputError, match=r"scores.csv: column 'score' line 4: 'high'"):
        read_scores(path, **COLUMNS)


def test_blank_score_is_refused(tmp_path: Path) -> None:
    path = _csv(tmp_path, "outcome,score,sex\n1,0.9,F\n0,,M\n")
    with pytest.raises(InputError, match=r"column 'score' line 3: '\(blank\)'"):
        read_scores(path, **COLUMNS)


@pytest.mark.parametrize("bad", ["2", "yes", "", "-1", "0.5"])
def test_label_that_is_not_0_or_1_names_the_line(tmp_path: Path, bad: str) -> None:
    path = _csv(tmp_path, f"outcome,score,sex\n1,0.9,F\n0,0.4,M\n{bad},0.3,M\n")
    with pytest.raises(InputError, match=r"column 'outcome' line 4: .* is not a 0/1 label"):
        read_scores(path, **COLUMNS)


def test_true_false_labels_are_accepted(tmp_path: Path) -> None:
    table = read_scores(_csv(tmp_path, "outcome,score,sex\nTrue,0.9,F\nfalse,0.4,M\n"), **COLUMNS)
    assert table.labels.tolist() == [1, 0]


def test_empty_file_and_header_only_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="empty"):
        read_scores(_csv(tmp_path, ""), **COLUMNS)
    with pytest.raises(InputError, match="no rows"):
        read_scores(_csv(tmp_path, "outcome,score,sex\n"), **COLUMNS)


def test_missing_file_and_unknown_format_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_scores(tmp_path / "nope.csv", **COLUMNS)
    other = tmp_path / "scores.xlsx"
    other.write_bytes(b"x")
    with pytest.raises(InputError, match=r"\.csv or \.parquet"):
        read_scores(other, **COLUMNS)


def test_parquet_rows_are_counted_from_one(tmp_path: Path) -> None:
    path = tmp_path / "scores.parquet"
    pd.DataFrame({"outcome": [1, 0, 3], "score": [0.2, 0.3, 0.4], "sex": ["F", "M", "M"]}
                 ).to_parquet(path)
    with pytest.raises(InputError, match=r"column 'outcome' row 3: 3"):
        read_scores(path, **COLUMNS)


def test_parquet_integer_groups_with_nulls_read_as_whole_numbers(tmp_path: Path) -> None:
    path = tmp_path / "scores.parquet"
    pd.DataFrame({"outcome": [1, 0, 0], "score": [0.2, 0.3, 0.4],
                  "imd": pd.array([1, None, 5], dtype="Int64")}).to_parquet(path)
    table = read_scores(path, label="outcome", score="score", groups=["imd"])
    assert list(table.groups["imd"]) == ["1", MISSING_GROUP, "5"]


def test_infinite_score_in_a_frame_is_refused() -> None:
    frame = pd.DataFrame({"outcome": [1, 0], "score": [0.2, float("inf")], "sex": ["F", "M"]})
    with pytest.raises(InputError, match=r"data frame: column 'score' row 2"):
        check_frame(frame, **COLUMNS)  # type: ignore[arg-type]


def test_numeric_labels_written_with_decimals_are_accepted(tmp_path: Path) -> None:
    table = read_scores(_csv(tmp_path, "outcome,score,sex\n1.00,0.9,F\n0.0,0.4,M\n"), **COLUMNS)
    assert table.labels.tolist() == [1, 0]


def test_a_column_with_too_many_groups_is_refused(tmp_path: Path) -> None:
    rows = "".join(f"{i % 2},0.{i % 9},child{i}\n" for i in range(150))
    with pytest.raises(InputError, match="column 'sex' has 150 distinct values"):
        read_scores(_csv(tmp_path, "outcome,score,sex\n" + rows), **COLUMNS)
