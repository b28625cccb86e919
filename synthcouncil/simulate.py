"""The monthly simulation: every child's hidden state, offending and service records as arrays.

One loop over months (about 170 with burn-in and follow-up); inside it everything is a numpy
operation over all children, so the cost grows with children times months, not with records.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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
class World:
    """What the simulation knows: the people, their records (as event tables), true risk."""

    config: SynthConfig
    cal: Calendar
    pop: Population
    log: EventLog
    attendance: pd.DataFrame
    risk: np.ndarray  # children x window months, P(custody in the next 12 months)
    present: np.ndarray  # children x window months, in the council and aged 0-17


def simulate(
    config: SynthConfig, on_month: Callable[[int, int], None] | None = None
) -> World:
    rng = np.random.default_rng(config.seed)
    cal = Calendar.for_window(config.start, config.end)
    pop = grow_population(config.scenario, build_population(config.children, cal, rng), cal,
                          config.seed)
    s = HiddenState.initial(pop, rng)
    log = EventLog()
    care = CareServices(pop.n, log, ServiceRates())
    schools = Schools(pop, cal, log, SchoolRates(), rng)
    latent_rates, off_rates = LatentRates(), OffendingRates()
    window = cal.last - cal.first + 1
    risk = np.zeros((pop.n, window), np.float32)
    present_grid = np.zeros((pop.n, window), bool)
    prior = np.zeros(pop.n, np.int32)
    detained_until = np.zeros(pop.n, np.int64)
    last_outcome = np.zeros(pop.n, np.int64)

    for m in range(cal.n_months):
        age = (cal.month_start(m) - pop.dob).astype(np.int64) / 365.25
        present = (m >= pop.arrive) & (m < pop.leave) & (age >= 0) & (age < 18)
        advance_hidden(s, pop, age, latent_rates, rng)

        hazard = offence_hazard(s, pop, prior, m - last_outcome, off_rates)
        free = m >= detained_until
        who = np.flatnonzero(free & (rng.random(pop.n) < hazard * offending_age_curve(age)))
        tier, offence = draw_outcomes(who, s, pop, prior, off_rates, rng)
        log.add("yj", who, m, tier=tier, offence=offence, prior=prior[who],
                present=present[who], exploited=s.exploited[who])
        prior[who] += 1
        last_outcome[who] = m
        custody = np.isin(tier, CUSTODY_TIERS)
        detained_until[who[custody]] = m + 1 + months_detained(tier[custody], rng)

        care.step(m, s, pop, present, age, prior, rng)
        schools.step(m, s, pop, present, rng)
        if cal.first <= m <= cal.last:
            # Only children who can reach 10 within the year carry any risk.
            at_risk = np.flatnonzero((age >= 9) & (age < 18))
            p_custody = custody_given_offence(s, pop, prior, off_rates)[at_risk]
            risk[at_risk, m - cal.first] = custody_risk_12m(
                hazard[at_risk], p_custody, age[at_risk] + 1 / 12,
                detained_until[at_risk] - m - 1,
            )
            present_grid[:, m - cal.first] = present
        if on_month is not None:
            on_month(m + 1, cal.n_months)

    return World(config, cal, pop, log, schools.attendance(rng), risk, present_grid)
