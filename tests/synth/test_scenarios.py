"""Scenarios change only what they say, only from their start, and leave the rest of the world
as it was (their own random stream)."""

from __future__ import annotations

import filecmp
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from synthcouncil import SynthConfig, generate
from synthcouncil.scenarios import (
    EXPLOITATION_CODES,
    Scenario,
    change_tables,
    grow_population,
    largest_locality,
    largest_secondary,
)
from synthcouncil.simulate import World, simulate
from synthcouncil.tables import Tables, build_tables

START = date(2019, 4, 1)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[World, Tables]:
    config = SynthConfig(out=tmp_path_factory.mktemp("w"), children=3_000, seed=11)
    w = simulate(config)
    return w, build_tables(w)


def test_no_scenario_changes_nothing(world: tuple[World, Tables]) -> None:
    w, t = world
    assert change_tables(None, w, t) is t
    assert grow_population(None, w.pop, w.cal, 11) is w.pop


def test_recording_change_moves_authorised_absence_of_one_school_from_its_start(
    world: tuple[World, Tables],
) -> None:
    w, t = world
    after = change_tables(Scenario(name="recording-change", start=START), w, t).attendance
    before = t.attendance
    changed = (after[["authorised", "unauthorised"]] != before[["authorised", "unauthorised"]]
               ).any(axis=1).to_numpy()
    assert changed.sum() > 0
    school = w.pop.secondary_urn[before["child"].to_numpy()]
    assert (school[changed] == largest_secondary(w.pop)).all()
    assert (before["term_end"].to_numpy()[changed] >= np.datetime64(START)).all()
    assert (after.loc[changed, "authorised"] == 0).all()
    total = before["authorised"] + before["unauthorised"]
    assert (after["authorised"] + after["unauthorised"] == total).all()


def test_service_closure_drops_one_locality_for_six_months(world: tuple[World, Tables]) -> None:
    w, t = world
    scenario = Scenario(name="service-closure", start=START)
    after = change_tables(scenario, w, t).early_help
    gone = t.early_help[~t.early_help["ep"].isin(after["ep"])]
    assert len(gone) > 0
    m = scenario.start_month(w.cal)
    assert gone["month"].between(m, m + 5).all()
    locality = w.pop.locality[gone["child"].to_numpy()]
    assert (locality == largest_locality(w.pop)).mean() > 0.9  # home locality; a few moved
    kept_in_window = after[after["month"].between(m, m + 5)]
    assert len(kept_in_window) > 0  # other localities go on recording


def test_girls_under_recorded_only_removes_girls_exploitation_after_the_start(
    world: tuple[World, Tables],
) -> None:
    w, t = world
    scenario = Scenario(name="girls-under-recorded", start=date(2016, 4, 1))
    after = change_tables(scenario, w, t).assessments
    columns = [f"f_{c}" for c in EXPLOITATION_CODES if f"f_{c}" in t.assessments]
    other = [c for c in t.assessments.columns if c.startswith("f_") and c not in columns]
    assert (after[other] == t.assessments[other]).all().all()
    removed = (t.assessments[columns] & ~after[columns]).any(axis=1).to_numpy()
    added = (~t.assessments[columns] & after[columns]).any(axis=1).to_numpy()
    assert not added.any()
    girls = w.pop.girl[t.assessments["child"].to_numpy()]
    assert (girls[removed]).all()
    assert (t.assessments["month"].to_numpy()[removed] >= scenario.start_month(w.cal)).all()


def test_population_shift_adds_older_children_to_one_locality(world: tuple[World, Tables]
                                                              ) -> None:
    w, _ = world
    scenario = Scenario(name="population-shift", start=START)
    grown = grow_population(scenario, w.pop, w.cal, 11)
    new = np.arange(w.pop.n, grown.n)
    assert len(new) > 0
    m = scenario.start_month(w.cal)
    assert (grown.arrive[new] == m).all()
    assert (grown.locality[new] == largest_locality(w.pop)).all()
    age = (w.cal.month_start(m) - grown.dob[new]).astype(np.int64) / 365.25
    assert ((age >= 12) & (age < 17)).all()
    upns = grown.upn[grown.upn != ""]
    assert len(set(upns)) == len(upns)
    assert len(set(grown.child_id)) == grown.n


def test_a_scenario_world_differs_from_the_unchanged_one_only_where_it_says(
    tmp_path: Path,
) -> None:
    base = generate(SynthConfig(out=tmp_path / "base", children=2_000, seed=5))
    changed = generate(SynthConfig(out=tmp_path / "changed", children=2_000, seed=5,
                                   scenario=Scenario(name="recording-change", start=START)))
    files = sorted(p.relative_to(base.raw) for p in base.raw.rglob("*") if p.is_file())
    differ = [str(f) for f in files if not filecmp.cmp(base.raw / f, changed.raw / f,
                                                       shallow=False)]
    assert differ == ["school_census/attendance.csv"]
