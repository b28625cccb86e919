"""What a school census return says about each pupil besides identity: ethnicity as the school
recorded it, free school meals eligibility at each January census and first language.

Rates follow DfE "Schools, pupils and their characteristics" (SOURCES.md, "School census").
Eligibility for free school meals follows household income, so it is drawn per household:
a lasting propensity from the home's deprivation plus a household effect; each January the
share eligible is England's that year (it fell to 2018, then rose with Universal Credit's
protections and the pandemic).
"""

from __future__ import annotations

import numpy as np

from synthcouncil.population import Population

# Share of pupils eligible for free school meals in England, January census by year.
FSM_ENGLAND: dict[int, float] = {
    2013: 0.170, 2014: 0.163, 2015: 0.152, 2016: 0.143, 2017: 0.140, 2018: 0.136,
    2019: 0.154, 2020: 0.173, 2021: 0.208, 2022: 0.225, 2023: 0.237, 2024: 0.246,
}
# First language other than English by ethnicity (most White British pupils speak English
# first; most Asian, Black African and White Other pupils of the recent migration do not):
# about 18% of pupils overall in England 2019, fewer in a council like the seed's.
OTHER_LANGUAGE: dict[str, float] = {
    "WBRI": 0.003, "WIRI": 0.02, "WOTH": 0.7, "WROM": 0.8, "MWBC": 0.03, "MWBA": 0.15,
    "MWAS": 0.2, "MOTH": 0.25, "AIND": 0.6, "APKN": 0.75, "ABAN": 0.8, "AOTH": 0.7,
    "BAFR": 0.6, "BCRB": 0.05, "BOTH": 0.4, "CHNE": 0.7, "OOTH": 0.6, "NOBT": 0.2,
}
ETHNICITY_NOT_RECORDED = 0.015  # refused (REFU) or not obtained (NOBT) on the census


def fsm_propensity(pop: Population, rng: np.random.Generator) -> np.ndarray:
    """A lasting, per-household log-odds offset: deprivation (decile 1 most deprived) and a
    household effect; the year's intercept is added by ``fsm_eligible``."""
    n_hh = int(pop.household.max()) + 1
    household = 1.4 * rng.standard_normal(n_hh)
    return (0.32 * (5.5 - pop.decile) + household[pop.household]).astype(np.float32)


def fsm_eligible(propensity: np.ndarray, year: int, rng: np.random.Generator) -> np.ndarray:
    """Eligible at the January census of ``year``: the pupils (``propensity`` of those on the
    roll) whose propensity plus a little churn from year to year ranks within England's share
    that year. The council is about as deprived as England, so its share is England's."""
    rate = FSM_ENGLAND[min(FSM_ENGLAND, key=lambda y: abs(y - year))]
    z = propensity + 0.4 * rng.standard_normal(len(propensity))
    return z > np.quantile(z, 1 - rate) if len(z) else np.zeros(0, bool)


def first_language(pop: Population, rng: np.random.Generator) -> np.ndarray:
    """ENG (English), OTH (other than English) or NOT (not obtained), per child."""
    p_other = np.array([OTHER_LANGUAGE.get(e, 0.2) for e in pop.ethnicity])
    other = rng.random(pop.n) < p_other
    unknown = rng.random(pop.n) < 0.01
    return np.where(unknown, "NOT", np.where(other, "OTH", "ENG")).astype(object)


def recorded_ethnicity(pop: Population, rng: np.random.Generator) -> np.ndarray:
    """The ethnicity the school holds: the child's own, or REFU / NOBT for a few."""
    missing = rng.random(pop.n) < ETHNICITY_NOT_RECORDED
    code = np.where(rng.random(pop.n) < 0.5, "REFU", "NOBT")
    return np.where(missing, code, pop.ethnicity).astype(object)
