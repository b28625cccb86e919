"""``earlyhelp synth`` writes a world and reports bad options once, clearly."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from earlyhelp.cli.main import app


def test_synth_command_writes_a_world(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["synth", "--out", str(tmp_path / "w"), "--children", "400", "--no-mess"]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "w" / "raw" / "social_care" / "children.csv").exists()
    assert (tmp_path / "w" / "reports" / "synth_report.json").exists()
    assert "truth" in result.output


def test_synth_refuses_a_window_not_starting_on_the_first(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["synth", "--out", str(tmp_path / "w"), "--start", "2015-04-02"]
    )
    assert result.exit_code == 3
    assert "first day of a month" in " ".join(result.output.split())
    assert not (tmp_path / "w").exists()
