"""The monitor, report and synth --scenario commands fail clearly on bad input."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from earlyhelp.cli.main import app

runner = CliRunner()


def _said(result: object) -> str:
    """The output with Rich's line wrapping undone."""
    return " ".join(str(getattr(result, "output", "")).split())


def test_report_without_a_monitoring_run_says_which_command_to_run(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", "--month", "2020-03", "--out", str(tmp_path / "b"),
                                 "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "earlyhelp monitor --as-of 2020-03" in _said(result)


def test_monitor_without_a_champion_says_so(tmp_path: Path) -> None:
    result = runner.invoke(app, ["monitor", "--as-of", "2020-03", "--data-dir", str(tmp_path)])
    assert result.exit_code == 5
    assert "champion" in _said(result)


def test_monitor_rejects_a_month_that_is_not_yyyy_mm(tmp_path: Path) -> None:
    result = runner.invoke(app, ["monitor", "--as-of", "March", "--data-dir", str(tmp_path)])
    assert result.exit_code != 0
    assert "--as-of" in _said(result)


def test_synth_scenario_needs_its_start_and_a_known_name(tmp_path: Path) -> None:
    alone = runner.invoke(app, ["synth", "--out", str(tmp_path), "--scenario",
                                "service-closure"])
    assert alone.exit_code == 3 and "go together" in _said(alone)
    unknown = runner.invoke(app, ["synth", "--out", str(tmp_path), "--scenario", "flood",
                                  "--scenario-start", "2019-06"])
    assert unknown.exit_code == 3 and "scenario" in _said(unknown)
    outside = runner.invoke(app, ["synth", "--out", str(tmp_path), "--scenario",
                                  "service-closure", "--scenario-start", "2021-06"])
    assert outside.exit_code == 3 and "must fall" in _said(outside)
