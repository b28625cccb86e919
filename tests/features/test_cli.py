"""``earlyhelp features`` on a small warehouse: tables, report, and errors an analyst can act on."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
from features_builders import WarehouseBuilder
from typer.testing import CliRunner

from earlyhelp.cli.main import app


def _warehouse(tmp_path: Path) -> Path:
    b = WarehouseBuilder(extract_date=date(2020, 12, 31))
    b.child("A", date(2006, 1, 1), known=date(2015, 1, 1))
    b.child("B", date(2007, 6, 1), known=date(2016, 1, 1))
    b.event("contacts", "A", date(2019, 2, 1), contact_source="6")
    b.event("yj_outcomes", "B", date(2019, 9, 1), tier="DTO")
    return b.write(tmp_path / "warehouse.duckdb")


def test_features_command_writes_tables_and_report(tmp_path: Path) -> None:
    path = _warehouse(tmp_path)
    result = CliRunner().invoke(app, [
        "features", "--warehouse", str(path), "--from", "2019-01-15", "--to", "2019-12-01",
        "--label", "custody_12m",
    ])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "reports" / "features_report.json").read_text())
    assert report["as_of_start"] == "2019-01-31" and report["as_of_end"] == "2019-12-31"
    assert report["labels"] == ["custody_12m"]
    assert len(report["population_by_month"]) == 12
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute("SELECT count(*) FROM feature_matrix").fetchone()
        label_columns = [r[0] for r in con.execute("DESCRIBE labels").fetchall()]
    assert rows is not None and rows[0] == report["rows"]
    # A is in all 12 months; B until the custody recorded in September.
    assert report["rows"] == 12 + 8
    assert label_columns == ["child_key", "as_of", "custody_12m"]


def test_unknown_label_is_an_error(tmp_path: Path) -> None:
    path = _warehouse(tmp_path)
    result = CliRunner().invoke(app, ["features", "-w", str(path), "--label", "custody_6m"])
    assert result.exit_code == 3
    assert "custody_12m" in result.output


def test_missing_table_is_named(tmp_path: Path) -> None:
    path = _warehouse(tmp_path)
    with duckdb.connect(str(path)) as con:
        con.execute("DROP TABLE master_index")
    result = CliRunner().invoke(app, ["features", "-w", str(path)])
    assert result.exit_code == 2
    assert "master_index" in result.output and "earlyhelp link" in result.output


def test_missing_warehouse_is_named(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["features", "-w", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 2
    assert "none.duckdb" in result.output


def test_default_range_is_sixty_months_to_the_data_end(tmp_path: Path) -> None:
    path = _warehouse(tmp_path)
    result = CliRunner().invoke(app, ["features", "-w", str(path)])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "reports" / "features_report.json").read_text())
    # Newest event: B's custody on 1 September 2019.
    assert report["data_end"] == "2019-09-01"
    assert report["as_of_end"] == "2019-08-31"
    assert report["as_of_start"] == "2014-09-30"
    assert len(report["population_by_month"]) == 60
