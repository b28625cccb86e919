"""The board's report: rendered from a month with small cells, nothing hidden can be read."""

from __future__ import annotations

import re
import sqlite3
from datetime import date
from pathlib import Path

import duckdb
import pytest

from earlyhelp.settings import load_settings
from earlyhelp.stats.disclosure import Suppression
from monitoring.board.build import DECISIONS, build_report
from monitoring.board.render import render_html, write_pdf
from monitoring.pipeline import report_paths
from tests.monitoring.monitor_builders import monitor_report

MONTH = date(2020, 3, 31)
COUNT_CELL = re.compile(r'<td class="count">([^<]*)</td>')


def _write_month(tmp_path: Path, **kwargs: object) -> Path:
    warehouse = tmp_path / "warehouse.duckdb"
    report = monitor_report(warehouse, MONTH, **kwargs)  # type: ignore[arg-type]
    path, _ = report_paths(load_settings(data_dir=tmp_path), MONTH)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report.model_dump_json(), encoding="utf-8")
    return warehouse


def _assert_nothing_recoverable(suppression: Suppression) -> None:
    assert suppression.hidden >= suppression.primary
    for cell in suppression.hidden:
        assert not suppression.recoverable({cell: 1}), f"hidden cell {cell} can be worked out"


def _published_counts(html: str) -> list[str]:
    return COUNT_CELL.findall(html)


@pytest.mark.parametrize("seed", [3, 11])
def test_report_from_small_cells_shows_no_count_from_1_to_5_and_hides_what_gives_one_away(
    tmp_path: Path, seed: int
) -> None:
    _write_month(tmp_path, seed=seed)
    settings = load_settings(data_dir=tmp_path)
    board = build_report(settings, MONTH)
    html = render_html(board, [], 0.1)

    counts = _published_counts(html)
    assert counts, "the report printed no counts"
    for text in counts:
        assert text == "c" or int(text.replace(",", "")) == 0 or int(text.replace(",", "")) >= 6
    assert "c" in counts  # the month really has small cells to hide
    _assert_nothing_recoverable(board.flagged_mix.suppression)
    assert board.fairness is not None and board.outcomes is not None
    assert board.outcomes.suppression is board.fairness  # protected together
    _assert_nothing_recoverable(board.fairness)
    pdf = tmp_path / "board.pdf"
    write_pdf(html, pdf)
    assert pdf.read_bytes().startswith(b"%PDF")


def test_outcome_table_cannot_reveal_what_the_fairness_table_hides(tmp_path: Path) -> None:
    """Custody among the flagged is the fairness table's true positives: shown in one only if
    shown in the other, and the same holds for the flagged and all-children totals."""
    _write_month(tmp_path, seed=3)
    board = build_report(load_settings(data_dir=tmp_path), MONTH)
    assert board.outcomes is not None
    overall = ("", "All children")
    pairs = {("custody_12m", "flagged"): "tp", ("custody_12m", "not flagged"): "fn",
             ("custody_12m", "all"): "positives"}
    for (outcome, state), name in pairs.items():
        assert (board.outcomes.count(outcome, state) == "c") == (
            board.fairness_count(overall, name) == "c")
    assert board.outcomes.total("flagged") == board.fairness_count(overall, "flagged")


def test_no_serving_store_is_said_plainly(tmp_path: Path) -> None:
    _write_month(tmp_path)
    board = build_report(load_settings(data_dir=tmp_path), MONTH)
    assert not board.decisions
    assert "No serving store was found" in render_html(board, [], 0.1)


def _store(path: Path, decisions: dict[str, str]) -> None:
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE alerts (id INTEGER PRIMARY KEY, child_key TEXT, as_of DATE, "
                    "team TEXT, probability REAL, band TEXT, status TEXT, model_version TEXT, "
                    "created_at TEXT)")
        con.execute("CREATE TABLE decisions (id INTEGER PRIMARY KEY, alert_id INTEGER, "
                    "decision TEXT, note TEXT, decided_by TEXT, decided_at TEXT)")
        for i, key in enumerate(decisions, start=1):
            con.execute("INSERT INTO alerts VALUES (?, ?, ?, 'North', 0.3, 'high', 'open', '3', "
                        "'2020-03-31')", (i, key, MONTH.isoformat()))
            if decisions[key] != "undecided":
                con.execute("INSERT INTO decisions VALUES (?, ?, ?, '', 'pat', '2020-04-02')",
                            (i, i, decisions[key]))


def test_decisions_come_from_the_serving_store_and_are_suppressed(tmp_path: Path) -> None:
    warehouse = _write_month(tmp_path, seed=3, capacity=8)
    choices = ["refer_early_help"] * 3 + ["already_supported"] * 2 + ["undecided"] * 3
    keys = {f"a{i}": choice for i, choice in enumerate(choices)}
    with duckdb.connect(str(warehouse)) as con:
        con.execute("CREATE TABLE protected_attributes (child_key VARCHAR, as_of DATE, "
                    "sex VARCHAR, ethnicity_group VARCHAR, disability VARCHAR, "
                    "age_band VARCHAR, imd_quintile INTEGER)")
        for i, key in enumerate(keys):
            con.execute("INSERT INTO protected_attributes VALUES (?, ?, ?, 'White', 'no', "
                        "'14-15', 2)", [key, MONTH, "F" if i % 2 else "M"])
    _store(tmp_path / "serving.db", keys)
    settings = load_settings(data_dir=tmp_path)
    board = build_report(settings, MONTH)
    html = render_html(board, [], 0.1)

    assert board.decisions
    assert "read from the serving store" in html
    table = board.flagged_mix
    overall = ("", "All children")
    # 3, 2 and 3 decisions: each from 1 to 5, so hidden.
    for decision in ("refer_early_help", "already_supported", "undecided"):
        assert table.count(overall, decision) == "c"
    assert {d: int(table.suppression.table.values[(*overall, d)]) for d in DECISIONS} == {
        "refer_early_help": 3, "already_supported": 2, "not_appropriate": 0,
        "more_information": 0, "undecided": 3}
    _assert_nothing_recoverable(table.suppression)
    for text in _published_counts(html):
        assert text == "c" or int(text.replace(",", "")) == 0 or int(text.replace(",", "")) >= 6
