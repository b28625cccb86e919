"""Changes to the world from a month on, to prove that monitoring sees what it must.

Each scenario is a change a real council has lived through; none is sized to be easy to
detect. They enter the generator through two hooks only: ``grow_population`` after the
population is built (an influx needs children to simulate) and ``change_tables`` after the
simulation's tables are built (a change in what gets recorded, not in what happens). Every
random draw here uses its own generator, so the rest of the world's stream is untouched.

- ``recording-change``: the largest secondary school stops recording authorised absence
  separately: from its first termly return dated on or after the start, every absence is
  returned as unauthorised.
- ``girls-under-recorded``: from the start, exploitation (codes 11A, 13A, 24A, CSE, 12A)
  that an assessment of a girl would have recorded is recorded half as often.
- ``population-shift``: in the start month, children aged 12-16 numbering 1.5% of the
  council's 10-17s (about 400 in the default world) arrive with their families in the
  locality with most children (a new estate, a resettlement). Arrivals are as varied in their
  hidden traits as the council's own children and meet services only as those do; the school
  census sees them at its next January census.
- ``service-closure``: the early help team of the locality with most children stops recording
  for six months from the start: early help episodes starting then, for children living
  there, never reach the Early Help system or Annex A List 2.
"""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, field_validator

if TYPE_CHECKING:
    from synthcouncil.calendar import Calendar
    from synthcouncil.population import Population
    from synthcouncil.simulate import World
    from synthcouncil.tables import Tables

ScenarioName = Literal["recording-change", "girls-under-recorded", "population-shift",
                       "service-closure"]
SCENARIOS: tuple[str, ...] = ("recording-change", "girls-under-recorded", "population-shift",
                              "service-closure")
EXPLOITATION_CODES = ("11A", "13A", "24A", "CSE", "12A")
UNDER_RECORDING = 0.5  # girls' exploitation recorded half as often
INFLUX_SHARE = 0.015  # arrivals, as a share of the council's children aged 10-17
INFLUX_AGES = (12.0, 17.0)  # age at arrival
CLOSURE_MONTHS = 6


class Scenario(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: ScenarioName
    start: date  # first day of the month the change begins

    @field_validator("start")
    @classmethod
    def _first_of_month(cls, value: date) -> date:
        return value.replace(day=1)

    def start_month(self, cal: Calendar) -> int:
        return int(cal.month_of(np.array([np.datetime64(self.start, "D")]))[0])

    def rng(self, seed: int) -> np.random.Generator:
        return np.random.default_rng([seed, 0x5CE7A])


def largest_locality(pop: Population) -> int:
    return int(np.bincount(pop.locality).argmax())


def largest_secondary(pop: Population) -> int:
    values, counts = np.unique(pop.secondary_urn, return_counts=True)
    return int(values[counts.argmax()])


def grow_population(scenario: Scenario | None, pop: Population, cal: Calendar,
                    seed: int) -> Population:
    """``population-shift``: append the arriving children (new households, new ids)."""
    if scenario is None or scenario.name != "population-shift":
        return pop
    from synthcouncil.population import _upns, build_population

    rng = scenario.rng(seed)
    m = scenario.start_month(cal)
    at = cal.month_start(m)
    age = (at - pop.dob).astype(np.int64) / 365.25
    present = (m >= pop.arrive) & (m < pop.leave)
    wanted = round(INFLUX_SHARE * int((present & (age >= 10) & (age < 18)).sum()))
    # Draw a council's worth of children from the same generator and keep the right ages:
    # arrivals are then as varied as the council's own children.
    donor = build_population(max(2_000, 20 * wanted), cal, rng)
    donor_age = (at - donor.dob).astype(np.int64) / 365.25
    keep = np.flatnonzero((donor_age >= INFLUX_AGES[0]) & (donor_age < INFLUX_AGES[1]))[:wanted]
    home = largest_locality(pop)
    codes = pop.postcodes.index[pop.postcodes["Locality"] == _locality_name(home)].to_numpy()
    postcode_idx = rng.choice(codes, len(keep))
    postcode = pop.postcodes["Postcode"].to_numpy()[postcode_idx]
    n_secondary = len(np.unique(pop.secondary_urn))
    n_primary = len(np.unique(pop.primary_urn))
    extra = {
        f.name: getattr(donor, f.name)[keep] for f in fields(pop)
        if f.init and f.name != "postcodes"
    }
    extra.update(
        child_id=pop.child_id.max() + 1 + np.arange(len(keep), dtype=np.int64),
        household=pop.household.max() + 1 + donor.household[keep],
        arrive=np.full(len(keep), m), leave=np.full(len(keep), cal.n_months),
        move_month=np.full(len(keep), cal.n_months + 1),
        postcode_before=postcode, postcode_after=postcode,
        decile=pop.postcodes["IMDDecile"].to_numpy()[postcode_idx],
        locality=np.full(len(keep), home),
        primary_urn=pop.primary_urn.min() + (home * 7 + rng.integers(0, 3, len(keep)))
        % n_primary,
        secondary_urn=pop.secondary_urn.min() + (home + rng.integers(0, 2, len(keep)))
        % n_secondary,
        # UPNs from an establishment range the council's own schools never use.
        upn=_upns(donor.dob[keep], 7000 + np.arange(len(keep)) // 900, cal, rng),
    )
    merged = {name: np.concatenate([getattr(pop, name), values])
              for name, values in extra.items()}
    return replace(pop, **merged)


def _locality_name(index: int) -> str:
    from synthcouncil.population import LOCALITIES

    return LOCALITIES[index][0]


def change_tables(scenario: Scenario | None, world: World, tables: Tables) -> Tables:
    """The recording changes: applied to the simulation's tables before they are written."""
    if scenario is None or scenario.name == "population-shift":
        return tables
    cal, pop = world.cal, world.pop
    m = scenario.start_month(cal)
    if scenario.name == "recording-change":
        a = tables.attendance.copy()
        start = np.datetime64(scenario.start, "D")
        age_aug = (a["term_end"].to_numpy().astype("datetime64[D]") - pop.dob[a["child"]]
                   ).astype(np.int64) / 365.25
        hit = ((pop.secondary_urn[a["child"]] == largest_secondary(pop)) & (age_aug >= 11.5)
               & (a["term_end"].to_numpy().astype("datetime64[D]") >= start))
        a.loc[hit, "unauthorised"] = a.loc[hit, "unauthorised"] + a.loc[hit, "authorised"]
        a.loc[hit, "authorised"] = 0
        return replace(tables, attendance=a)
    if scenario.name == "girls-under-recorded":
        s = tables.assessments.copy()
        rng = scenario.rng(world.config.seed)
        girls = pop.girl[s["child"].to_numpy()] & (s["month"].to_numpy() >= m)
        for code in EXPLOITATION_CODES:
            column = f"f_{code}"
            if column in s:
                dropped = girls & s[column].to_numpy() & (rng.random(len(s)) < UNDER_RECORDING)
                s.loc[dropped, column] = False
        return replace(tables, assessments=s)
    eh = tables.early_help
    months = eh["month"].to_numpy()
    postcode = pop.postcode_at(months, eh["child"].to_numpy())
    where = dict(zip(pop.postcodes["Postcode"], pop.postcodes["Locality"], strict=True))
    there = np.array([where.get(p) == _locality_name(largest_locality(pop)) for p in postcode],
                     dtype=bool)
    closed = there & (months >= m) & (months < m + CLOSURE_MONTHS)
    return replace(tables, early_help=eh[~closed].reset_index(drop=True))


def describe(scenario: Scenario | None, pop: Population) -> dict[str, object]:
    """What the scenario changed, for the synth report (tests read which school or place)."""
    if scenario is None:
        return {}
    detail: dict[str, object] = {"name": scenario.name, "start": scenario.start.isoformat()}
    if scenario.name == "recording-change":
        detail["school_urn"] = largest_secondary(pop)
    if scenario.name in ("population-shift", "service-closure"):
        detail["locality"] = _locality_name(largest_locality(pop))
    return detail
