"""Each year's CIN census return holds that year's work only, and together they hold it all."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lxml import etree

from synthcouncil.config import SynthConfig
from synthcouncil.simulate import simulate
from synthcouncil.tables import Tables, build_tables
from synthcouncil.writers import write_raw

SMALL_CHILDREN, SMALL_SEED = 3_000, 7  # the small world's size and seed (tests/conftest.py)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Tables, pd.Series, Path]:
    """The small world's tables (the truth), LA child ID -> child index, and its raw folder."""
    out = tmp_path_factory.mktemp("returns")
    world = simulate(SynthConfig(out=out, children=SMALL_CHILDREN, seed=SMALL_SEED))
    tables = build_tables(world)
    _, records = write_raw(world, tables, out / "raw")
    cin = records[records["source"] == "cin_census"]
    return tables, cin.set_index("source_id")["child_id"] - 1, out / "raw"


def _returns(raw: Path) -> Iterator[tuple[int, etree._Element]]:
    for path in sorted((raw / "cin_census").glob("cin_census_*.xml")):
        yield int(path.stem[-4:]), etree.parse(str(path)).getroot()


def _rows(raw: Path, block: str, fields: tuple[str, ...]) -> pd.DataFrame:
    rows = []
    for year, root in _returns(raw):
        for child in root.iter("Child"):
            la_id = child.findtext("ChildIdentifiers/LAchildID")
            for el in child.iter(block):
                rows.append({"year": year, "la_id": la_id,
                             **{f: el.findtext(f) or "" for f in fields}})
    return pd.DataFrame(rows)


def test_each_return_holds_only_its_years_work(written: tuple[Tables, pd.Series, Path]) -> None:
    _, _, raw = written
    for year, root in _returns(raw):
        start, end = f"{year - 1}-04-01", f"{year}-03-31"
        for a in root.iter("Assessments"):
            auth = a.findtext("AssessmentAuthorisationDate")
            if auth:
                assert start <= auth <= end
            else:  # unfinished: started in the year, no factors yet
                assert start <= a.findtext("AssessmentActualStartDate") <= end
                assert a.find("FactorsIdentifiedAtAssessment") is None
        for s in root.iter("Section47"):
            icpc = s.findtext("DateOfInitialCPC")
            assert (start <= icpc <= end) if icpc else s.findtext("S47ActualStartDate") >= start
            if icpc:
                assert np.is_busday(np.datetime64(icpc)), icpc
        for d in root.iter("CINdetails"):
            assert d.find("DateOfInitialCPC") is None  # only on its enquiry
        for p in root.iter("ChildProtectionPlans"):
            assert (p.findtext("CPPendDate") or end) >= start


def test_a_childs_episodes_do_not_overlap(written: tuple[Tables, pd.Series, Path]) -> None:
    _, _, raw = written
    episodes = _rows(raw, "CINdetails", ("CINreferralDate", "CINclosureDate"))
    for (_, _), eps in episodes.groupby(["year", "la_id"]):
        eps = eps.sort_values("CINreferralDate")
        ends = eps["CINclosureDate"].replace("", "9999-12-31").to_numpy()[:-1]
        assert (eps["CINreferralDate"].to_numpy()[1:] > ends).all()


def test_the_returns_together_hold_every_assessment_and_plan(
    written: tuple[Tables, pd.Series, Path],
) -> None:
    tables, child_of, raw = written
    last = f"{max(year for year, _ in _returns(raw))}-03-31"

    def truth(frame: pd.DataFrame, column: str) -> set[tuple[int, str]]:
        days = frame[column].dt.strftime("%Y-%m-%d")
        return {(int(c), d) for c, d in zip(frame["child"], days, strict=True) if d <= last}

    def found(block: str, field: str) -> set[tuple[int, str]]:
        rows = _rows(raw, block, (field,))
        return {(int(child_of[la]), d) for la, d in zip(rows["la_id"], rows[field], strict=True)}

    assert truth(tables.assessments, "start") == found("Assessments", "AssessmentActualStartDate")
    assert truth(tables.cp, "start") == found("ChildProtectionPlans", "CPPstartDate")
    assert truth(tables.s47, "start") == found("Section47", "S47ActualStartDate")
    # An authorised assessment is in exactly one return, with its factors.
    rows = _rows(raw, "Assessments", ("AssessmentActualStartDate", "AssessmentAuthorisationDate"))
    authorised = rows[rows["AssessmentAuthorisationDate"] != ""]
    assert not authorised.duplicated(["la_id", "AssessmentActualStartDate"]).any()
