"""The monthly simulation: every child's hidden state, offending and service records as arrays.

One loop over months (about 190 with burn-in and follow-up); inside it everything is a numpy
operation over all children, so the cost grows with children times months, not with records.
``on_state`` sees the state at each month's end, so the truth can roll the same simulation
forward from it (``rollout``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from synthcouncil.calendar import Calendar
from synthcouncil.config import SynthConfig
from synthcouncil.events import EventLog
from synthcouncil.latent import HiddenState, LatentRates, advance_hidden
from synthcouncil.offending import (
    CUSTODY_TIERS,
    OffendingRates,
    custody_given_offence,
    custody_risk_12m,
    custody_trend,
    draw_outcomes,
    months_detained,
    offence_hazard,
    offending_age_curve,
)
from synthcouncil.population import Population, build_population
from synthcouncil.scenarios import grow_population
from synthcouncil.schools import SchoolRates, Schools
from synthcouncil.services import CareServices, ServiceRates


@dataclass
class SimState:
    """Everything that changes month by month (what a roll-out starts from)."""

    hidden: HiddenState
    care: CareServices
    prior: np.ndarray  # youth justice outcomes so far
    detained_until: np.ndarray  # first month free after a custodial sentence
    last_outcome: np.ndarray  # month of the latest outcome
    custody_ever: np.ndarray


@dataclass(frozen=True)
class Rates:
    latent: LatentRates = field(default_factory=LatentRates)
    offending: OffendingRates = field(default_factory=OffendingRates)
    services: ServiceRates = field(default_factory=ServiceRates)
    schools: SchoolRates = field(default_factory=SchoolRates)


@dataclass
class World:
    """What the simulation knows: the people, their records (as event tables), true risk."""

    config: SynthConfig
    cal: Calendar
    pop: Population
    log: EventLog
    attendance: pd.DataFrame
    risk: np.ndarray  # children x window months, P(custody in the next 12 months), state held
    present: np.ndarray  # children x window months, in the council and aged 0-17
    rates: Rates = field(default_factory=Rates)


def age_at(cal: Calendar, pop: Population, m: int) -> np.ndarray:
    return (cal.month_start(m) - pop.dob).astype(np.int64) / 365.25


def present_at(cal: Calendar, pop: Population, m: int, age: np.ndarray) -> np.ndarray:
    return (m >= pop.arrive) & (m < pop.leave) & (age >= 0) & (age < 18)


def trend_at(cal: Calendar, m: int, rates: OffendingRates) -> float:
    """Custody trend multiplier for month ``m`` (years measured from October 2018)."""
    absolute = int(cal.month_start(m).astype("datetime64[M]").astype(np.int64))
    return custody_trend((absolute - (2018 - 1970) * 12 - 9) / 12, rates)


def simulate(
    config: SynthConfig,
    on_month: Callable[[int, int], None] | None = None,
    on_state: Callable[[int, SimState, Population, Calendar, Rates], None] | None = None,
    continue_from: tuple[int, int] | None = None,
) -> World:
    """Run the simulation; ``on_state`` sees the state at the end of every month (read only:
    the exact truth rolls copies of it forward with its own random numbers).

    ``continue_from=(month, seed)``: after ``month`` the simulation draws from a generator
    seeded ``seed``, so runs that differ only in that seed are independent continuations of
    one state (how the truth is checked against the simulation itself)."""
    rng = np.random.default_rng(config.seed)
    cal = Calendar.for_window(config.start, config.end)
    pop = grow_population(config.scenario, build_population(config.children, cal, rng), cal,
                          config.seed)
    rates = Rates()
    log = EventLog()
    st = SimState(
        hidden=HiddenState.initial(pop, rng),
        care=CareServices(pop.n, log, rates.services),
        prior=np.zeros(pop.n, np.int32),
        detained_until=np.zeros(pop.n, np.int64),
        last_outcome=np.zeros(pop.n, np.int64),
        custody_ever=np.zeros(pop.n, bool),
    )
    schools = Schools(pop, cal, log, rates.schools, rng)
    window = cal.last - cal.truth_first + 1
    risk = np.zeros((pop.n, window), np.float32)
    present_grid = np.zeros((pop.n, window), bool)
    s, off = st.hidden, rates.offending

    for m in range(cal.n_months):
        age = age_at(cal, pop, m)
        present = present_at(cal, pop, m, age)
        advance_hidden(s, pop, age, rates.latent, rng)
        trend = trend_at(cal, m, off)

        hazard = offence_hazard(s, pop, st.prior, m - st.last_outcome, off)
        free = m >= st.detained_until
        who = np.flatnonzero(free & (rng.random(pop.n) < hazard * offending_age_curve(age)))
        tier, offence = draw_outcomes(who, s, pop, st.prior, off, rng, trend)
        log.add("yj", who, m, tier=tier, offence=offence, prior=st.prior[who],
                present=present[who], exploited=s.exploited[who])
        st.prior[who] += 1
        st.last_outcome[who] = m
        custody = np.isin(tier, CUSTODY_TIERS)
        st.detained_until[who[custody]] = m + 1 + months_detained(tier[custody], rng)
        st.custody_ever[who[custody]] = True

        st.care.step(m, s, pop, present, age, st.prior, rng)
        schools.step(m, s, pop, present, rng)
        if cal.truth_first <= m <= cal.last:
            # Only children who can reach 10 within the year carry any risk.
            at_risk = np.flatnonzero((age >= 9) & (age < 18))
            p_custody = custody_given_offence(s, pop, st.prior, off, trend)[at_risk]
            risk[at_risk, m - cal.truth_first] = custody_risk_12m(
                hazard[at_risk], p_custody, age[at_risk] + 1 / 12,
                st.detained_until[at_risk] - m - 1,
            )
            present_grid[:, m - cal.truth_first] = present
        if on_state is not None:
            on_state(m, st, pop, cal, rates)
        if continue_from is not None and m == continue_from[0]:
            rng.bit_generator.state = np.random.default_rng(continue_from[1]).bit_generator.state
        if on_month is not None:
            on_month(m + 1, cal.n_months)

    return World(config, cal, pop, log, schools.attendance(rng), risk, present_grid, rates)
