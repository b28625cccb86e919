"""``earlyhelp features --as-of``: one month added, the history a model was trained on untouched."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from features_builders import WarehouseBuilder
from typer.testing import CliRunner

from earlyhelp.cli.main import app

TABLES = ("feature_matrix", "labels", "protected_attributes")


def _warehouse(path: Path) -> Path:
    b = WarehouseBuilder(extract_date=date(2020, 12, 31))
    b.child("A", date(2006, 1, 1), known=date(2015, 1, 1))
    b.child("B", date(2007, 6, 1), known=date(2016, 1, 1))
    b.child("C", date(2005, 3, 1), known=date(2017, 5, 1))
    b.event("contacts", "A", date(2019, 2, 1), contact_source="6")
    b.event("contacts", "C", date(2019, 11, 20), contact_source="6")
    b.event("yj_outcomes", "B", date(2019, 9, 1), tier="DTO")
    return b.write(path)


def _tables(path: Path) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY child_key, as_of").df()
                for t in TABLES}


def _features(*args: str) -> None:
    result = CliRunner().invoke(app, ["features", *args])
    assert result.exit_code == 0, result.output


def test_appending_a_month_leaves_every_other_month_as_it_was(tmp_path: Path) -> None:
    appended = _warehouse(tmp_path / "a" / "warehouse.duckdb")
    whole = _warehouse(tmp_path / "b" / "warehouse.duckdb")
    _features("-w", str(appended), "--from", "2019-01-01", "--to", "2019-11-30")
    trained_on = _tables(appended)
    _features("-w", str(appended), "--as-of", "2019-12")
    _features("-w", str(whole), "--from", "2019-01-01", "--to", "2019-12-31")
    after, reference = _tables(appended), _tables(whole)
    december = date(2019, 12, 31)
    for table in TABLES:
        old = after[table][after[table]["as_of"] != pd.Timestamp(december)]
        pd.testing.assert_frame_equal(old.reset_index(drop=True), trained_on[table],
                                      check_dtype=False)
        new = after[table][after[table]["as_of"] == pd.Timestamp(december)]
        assert len(new) > 0
        # The appended month is what a whole rebuild gives for that month.
        ref = reference[table][reference[table]["as_of"] == pd.Timestamp(december)]
        pd.testing.assert_frame_equal(new.reset_index(drop=True), ref.reset_index(drop=True),
                                      check_dtype=False)
    # Appending the same month again replaces it rather than doubling it.
    _features("-w", str(appended), "--as-of", "2019-12")
    assert len(_tables(appended)["feature_matrix"]) == len(after["feature_matrix"])


def test_as_of_with_a_range_is_refused(tmp_path: Path) -> None:
    path = _warehouse(tmp_path / "warehouse.duckdb")
    result = CliRunner().invoke(app, ["features", "-w", str(path), "--as-of", "2019-12",
                                      "--from", "2019-01-01"])
    assert result.exit_code != 0 and "--as-of" in result.output


@pytest.mark.parametrize("table", ["feature_matrix", "labels"])
def test_appending_to_tables_of_another_definition_is_refused(tmp_path: Path, table: str) -> None:
    path = _warehouse(tmp_path / "warehouse.duckdb")
    _features("-w", str(path), "--from", "2019-01-01", "--to", "2019-11-30")
    with duckdb.connect(str(path)) as con:
        con.execute(f"ALTER TABLE {table} ADD COLUMN retired_feature DOUBLE")
    result = CliRunner().invoke(app, ["features", "-w", str(path), "--as-of", "2019-12"])
    assert result.exit_code != 0
    assert "Rebuild every" in result.output and "retired_feature" in result.output
