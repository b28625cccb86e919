"""``earlyhelp audit`` end to end on small files: outputs, page content, errors and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import html
from typer.testing import CliRunner

from earlyhelp.cli.main import app
from tests.monitoring.builders import frame_from_cells, random_scores

runner = CliRunner()


def _audit(scores: Path, out: Path, *extra: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["audit", "--scores", str(scores), "--label", "outcome",
                               "--score", "score", "--group", "sex", "--out", str(out),
                               "--n-boot", "200", *extra])


@pytest.fixture
def small_girls_table(tmp_path: Path) -> Path:
    path = tmp_path / "scores.csv"
    # With only two groups, hiding one group's small count would hide the other's whole row too
    # (the overall row gives it away); a third group lets the secondary suppression fall there.
    cells = {"F": (3, 9, 40, 7), "M": (30, 40, 300, 20), "U": (6, 8, 30, 9)}
    frame_from_cells(cells).to_csv(path, index=False)
    return path


def test_writes_json_html_and_report(small_girls_table: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = _audit(small_girls_table, out, "--threshold", "0.5", "--outcome",
                    "a custodial sentence")
    assert result.exit_code == 0, result.output
    data = json.loads((out / "audit.json").read_text())
    assert data["groups"]["sex"]["F"]["tp"] == 3  # the JSON keeps exact figures
    assert data["threshold"] == 0.5 and "top_k" not in data
    report = json.loads((out / "audit_report.json").read_text())
    assert report["step"] == "audit" and report["rows"] == data["n"] == 59 + 390 + 53


def test_page_summarises_in_plain_words_and_hides_small_counts(
    small_girls_table: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert _audit(small_girls_table, out, "--threshold", "0.5", "--outcome",
                  "a custodial sentence").exit_code == 0
    page = (out / "audit.html").read_text()
    assert "Among children who went on to a custodial sentence, the tool missed" in page
    assert "in 10 boys" in page
    assert "offender" not in page.lower()
    assert "<script" not in page and 'src="http' not in page  # one self-contained file
    assert page.count("data:image/png;base64,") == 2
    tree = html.fromstring(page)
    girls_counts = tree.xpath("//h3[text()='Counts']/following-sibling::table[1]"
                              "//tr[td[1][starts-with(text(), 'F')]]/td/text()")
    assert girls_counts[0] == "F"
    assert girls_counts[4] == "c"  # tp = 3
    assert "c" in girls_counts[5:]  # secondary suppression in the same row
    boys_rates = tree.xpath("//h3[text()='Rates']/following-sibling::table[1]"
                            "//tr[td[1][starts-with(text(), 'M')]]/td/text()")
    assert boys_rates[3] == "40.0%"  # fnr = 20 / 50, shown to one decimal place


def test_top_k_and_reference_are_written_into_the_output(tmp_path: Path) -> None:
    path = tmp_path / "scores.parquet"
    random_scores(400, seed=1).to_parquet(path)
    out = tmp_path / "out"
    result = _audit(path, out, "--top-k", "40", "--reference", "sex=F")
    assert result.exit_code == 0, result.output
    data = json.loads((out / "audit.json").read_text())
    assert data["top_k"] == 40 and "threshold" not in data
    assert data["overall"]["flagged"] == 40
    assert data["reference"] == {"sex": "F"}
    assert "(missing)" in data["groups"]["sex"]
    assert "pessimistic" in data["methods"]["flag_rule"]


def test_bad_label_fails_with_the_line_and_a_non_zero_exit(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    path.write_text("outcome,score,sex\n1,0.9,F\n7,0.1,M\n")
    result = _audit(path, tmp_path / "out", "--threshold", "0.5")
    assert result.exit_code == 2
    assert "column 'outcome' line 3" in result.output
    assert not (tmp_path / "out" / "audit.json").exists()


def test_both_or_neither_rule_is_a_config_error(small_girls_table: Path, tmp_path: Path) -> None:
    both = _audit(small_girls_table, tmp_path / "out", "--threshold", "0.5", "--top-k", "3")
    assert both.exit_code == 3 and "exactly one of --threshold or --top-k" in both.output
    bad_ref = _audit(small_girls_table, tmp_path / "out", "--threshold", "0.5",
                     "--reference", "sex")
    assert bad_ref.exit_code == 3 and "COL=VALUE" in bad_ref.output


@pytest.mark.parametrize("content,message", [
    ("outcome,score\n1,0.9\n", "column 'sex' not found"),
    ("outcome,score,sex\n1,high,F\n", "'high' is not a finite number"),
    ("", "empty"),
    (b"outcome,score,sex\n1,0.9,\xe9t\xe9\n", "not UTF-8"),
    ("outcome,score,sex\n1,0.9,F\n0,0.1,M,extra\n", "not a well-formed CSV"),
])
def test_bad_files_fail_with_a_reason_and_a_non_zero_exit(
    tmp_path: Path, content: str | bytes, message: str
) -> None:
    path = tmp_path / "scores.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    result = _audit(path, tmp_path / "out", "--threshold", "0.5")
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert not (tmp_path / "out").exists()


def test_out_that_is_a_file_and_a_negative_seed_are_config_errors(
    small_girls_table: Path, tmp_path: Path
) -> None:
    a_file = tmp_path / "taken.txt"
    a_file.write_text("x")
    taken = _audit(small_girls_table, a_file, "--threshold", "0.5")
    assert taken.exit_code == 3 and "is a file" in " ".join(taken.output.split())
    negative = _audit(small_girls_table, tmp_path / "out", "--threshold", "0.5", "--seed", "-1")
    assert negative.exit_code == 3


def test_group_values_are_text_not_maths(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    frame = frame_from_cells({"$\\foo$": (8, 9, 40, 7), "M": (30, 40, 300, 20)})
    frame.to_csv(path, index=False)
    result = _audit(path, tmp_path / "out", "--threshold", "0.5")
    assert result.exit_code == 0, result.output
    assert "$\\foo$" in (tmp_path / "out" / "audit.html").read_text()


def test_a_hidden_overall_count_is_not_printed_in_the_opening_line(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    frame_from_cells({"F": (1, 0, 0, 0), "M": (0, 0, 1, 0)}).to_csv(path, index=False)
    result = _audit(path, tmp_path / "out", "--threshold", "0.5")
    assert result.exit_code == 0, result.output
    lede = html.fromstring((tmp_path / "out" / "audit.html").read_text()).find_class("lede")[0]
    assert lede.text_content().startswith("c children")


def test_a_note_about_a_reference_group_with_hidden_counts_stays_off_the_page(
    tmp_path: Path,
) -> None:
    # B is the largest group (the reference); its tn is 0, so the JSON notes "a rate of 0 for
    # tnr", which on the page would give away B's withheld counts.
    path = tmp_path / "scores.csv"
    frame_from_cells({"A": (5, 0, 3, 5), "B": (6, 3, 0, 6), "C": (4, 5, 1, 3)}).to_csv(
        path, index=False)
    result = _audit(path, tmp_path / "out", "--threshold", "0.5")
    assert result.exit_code == 0, result.output
    notes = json.loads((tmp_path / "out" / "audit.json").read_text())["notes"]
    assert any("rate of 0 for" in n for n in notes)
    assert "rate of 0 for" not in (tmp_path / "out" / "audit.html").read_text()
