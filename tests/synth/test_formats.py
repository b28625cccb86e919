"""Generated files follow the statutory formats: CIN census XSD, SSDA903 columns and codes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from lxml import etree

from synthcouncil.formats import CIN_XSD, SSDA903_YML


@pytest.fixture(scope="module")
def spec_903() -> dict[str, dict[str, dict[str, object]]]:
    return yaml.safe_load(SSDA903_YML.read_text())["column_map"]


@pytest.mark.parametrize("world_name", ["small_world", "clean_world"])
def test_cin_census_validates_against_the_dfe_schema(
    world_name: str, request: pytest.FixtureRequest
) -> None:
    world: Path = request.getfixturevalue(world_name)
    schema = etree.XMLSchema(etree.parse(str(CIN_XSD)))
    files = sorted((world / "raw" / "cin_census").glob("cin_census_*.xml"))
    assert [f.name for f in files] == [f"cin_census_{y}.xml" for y in range(2014, 2021)]
    for path in files:
        doc = etree.parse(str(path))
        assert schema.validate(doc), f"{path.name}: {schema.error_log.last_error}"
        assert len(doc.findall("Children/Child")) > 10


def test_cce_factor_is_absent_before_2022(small_world: Path) -> None:
    for path in (small_world / "raw" / "cin_census").glob("*.xml"):
        factors = {el.text for el in etree.parse(str(path)).iter("AssessmentFactors")}
        assert "24A" not in factors
        # The first returns (the two history years, then the window's first) hold few
        # assessments in a 3,000-child world.
        first_years = ("2014.xml", "2015.xml", "2016.xml")
        assert {"13A", "3B"} <= factors or path.name.endswith(first_years)


@pytest.mark.parametrize("table", ["Header", "Episodes", "Missing"])
def test_ssda903_columns_and_codes_follow_the_specification(
    small_world: Path, spec_903: dict[str, dict[str, dict[str, object]]], table: str
) -> None:
    spec = spec_903[table]
    files = sorted((small_world / "raw" / "ssda903").glob(f"{table.lower()}_*.csv"))
    assert len(files) == 7  # two years of history before the window, then five
    frames = [pd.read_csv(f, dtype=str, keep_default_na=False) for f in files]
    for frame in frames:
        assert list(frame.columns) == [*spec, "DATE_RECORDED"]
    rows = pd.concat(frames)
    assert len(rows) > 0
    for column, rule in spec.items():
        values = rows[column]
        if rule.get("canbeblank", True) not in (True, "yes"):
            assert (values != "").all(), f"{table}.{column} is blank"
        if "category" in rule:
            codes = {str(c["code"]).strip() for c in rule["category"]}  # type: ignore[union-attr]
            used = set(values[values != ""])
            assert used <= codes, f"{table}.{column} has codes {used - codes}"
        if "date" in rule:
            filled = values[values != ""]
            pd.to_datetime(filled, format="%d/%m/%Y")  # raises on a bad date
