"""``earlyhelp link`` at the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from earlyhelp.cli.main import app
from linkage.builders import build_world


def test_cli_links_and_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EARLYHELP_PSEUDONYM_KEY", "cli-test-key")
    world = build_world(150, seed=2)
    warehouse = world.write(tmp_path / "w.duckdb", tmp_path / "truth")
    result = CliRunner().invoke(
        app, ["link", "--warehouse", str(warehouse), "--truth", str(tmp_path / "truth")]
    )
    assert result.exit_code == 0, result.output
    assert "pairwise precision" in result.output
    assert (tmp_path / "reports" / "link_report.json").is_file()
    assert (tmp_path / "reports" / "clerical_review.csv").is_file()


def test_cli_refuses_unknown_engine(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["link", "--warehouse", str(tmp_path), "--engine", "oracle"])
    assert result.exit_code != 0
    assert "duckdb" in result.output


def test_cli_shows_missing_warehouse_once(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["link", "--warehouse", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 2
    assert "earlyhelp ingest" in result.output
