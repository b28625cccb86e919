"""Offending and youth justice outcomes, driven by the hidden state, age (peak 15-17) and sex.

Most first offences are minor and end in a community resolution or caution; outcomes climb a
ladder with each further outcome. A minority of offences are serious (robbery, knives, drug
supply under exploitation, serious violence) and go straight to court, and often custody: that
path gives custodial sentences to children with no earlier outcome at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synthcouncil.latent import HiddenState
from synthcouncil.population import Population

TIERS = np.array(["CR", "YC", "YCC", "RO", "YRO", "DTO", "S250"], dtype=object)
CUSTODY_TIERS = ("DTO", "S250")
FORMAL_TIERS = ("YC", "YCC", "RO", "YRO", "DTO", "S250")
# Rows: number of earlier outcomes (0, 1, 2, 3+); columns: TIERS. Minor offences.
LADDER = np.array(
    [
        [0.60, 0.25, 0.10, 0.05, 0.00, 0.00, 0.00],
        [0.25, 0.25, 0.20, 0.30, 0.00, 0.00, 0.00],
        [0.05, 0.05, 0.20, 0.35, 0.35, 0.00, 0.00],
        [0.00, 0.00, 0.05, 0.15, 0.795, 0.005, 0.00],
    ]
)
# Chance a minor offence ends in custody, by row of LADDER.
LADDER_CUSTODY = LADDER[:, 5:].sum(axis=1)
SERIOUS_OFFENCES = np.array(
    ["Robbery", "Possession of a knife or offensive weapon", "Supply of drugs",
     "Violence against the person (serious)"], dtype=object
)
MINOR_OFFENCES = np.array(
    ["Theft and handling", "Criminal damage", "Violence against the person", "Public order",
     "Possession of drugs", "Motoring offences", "Breach of statutory order"], dtype=object
)


@dataclass(frozen=True)
class OffendingRates:
    offence_base: float = 0.001
    girls: float = 0.36
    after_outcome: float = 12.0
    serious_base: float = 0.025
    serious_exploited: float = 0.22
    serious_girls: float = 0.38
    serious_repeat: float = 0.5
    custody_if_serious_first: float = 0.57
    custody_if_serious_repeat: float = 0.071
    # Courts sentenced children to custody less each year: England's custodial sentences to
    # children fell by more than half from 2014-15 to 2019-20 (SOURCES.md, "custody trend").
    # The chance a court case ends in custody scales by exp(-custody_trend * years after
    # the middle of 2018-19), at most custody_trend_cap.
    custody_trend: float = 0.08
    custody_trend_cap: float = 2.0


def offending_age_curve(age: np.ndarray) -> np.ndarray:
    """Zero before 10 (age of criminal responsibility), peak 15-17, none from 18."""
    curve = np.interp(age, [10, 11, 12, 13, 14, 15, 17.99], [0.12, 0.22, 0.4, 0.6, 0.82, 1, 1])
    return np.where((age >= 10) & (age < 18), curve, 0.0)


def offence_hazard(
    s: HiddenState, pop: Population, prior: np.ndarray, since_last: np.ndarray,
    rates: OffendingRates,
) -> np.ndarray:
    """Monthly chance of a proven offence at the age-curve peak (multiply by the age curve).

    After an outcome the chance jumps, then fades over about a year and a half.
    """
    boost = 1 + (rates.after_outcome - 1) * np.exp(-since_last / 18.0)
    return (
        rates.offence_base
        * np.where(pop.girl, rates.girls, 1.0)
        * np.exp(0.5 * s.behaviour + 0.35 * s.disengage)
        * (1 + 4.0 * s.criminal + 1.0 * (s.exploited & s.sexual))
        * (1 + 0.8 * s.in_care)
        * (1 + 0.6 * s.stress(pop))
        * np.where(prior > 0, boost, 1.0)
    )


def serious_share(
    s: HiddenState, pop: Population, prior: np.ndarray, rates: OffendingRates
) -> np.ndarray:
    """Share of offences serious enough for court; highest for a first, exploited offence."""
    share = rates.serious_base + rates.serious_exploited * s.criminal
    share = share * np.where(prior > 0, rates.serious_repeat, 1.0)
    return share * np.where(pop.girl, rates.serious_girls, 1.0)


def custody_trend(years_after_2018_19: float, rates: OffendingRates) -> float:
    """Multiplier on the chance a serious case ends in custody, by date (1 in 2018-19)."""
    return float(min(np.exp(-rates.custody_trend * years_after_2018_19), rates.custody_trend_cap))


def _if_serious(prior: np.ndarray, trend: float, rates: OffendingRates) -> np.ndarray:
    p = np.where(prior > 0, rates.custody_if_serious_repeat, rates.custody_if_serious_first)
    return np.minimum(p * trend, 1.0)


def custody_given_offence(
    s: HiddenState, pop: Population, prior: np.ndarray, rates: OffendingRates,
    trend: float = 1.0,
) -> np.ndarray:
    """Chance that an offence now ends in a custodial sentence (both paths)."""
    serious = serious_share(s, pop, prior, rates)
    if_serious = _if_serious(prior, trend, rates)
    ladder_custody = LADDER_CUSTODY[np.minimum(prior, 3)]
    return serious * if_serious + (1 - serious) * ladder_custody


def draw_outcomes(
    who: np.ndarray,
    s: HiddenState,
    pop: Population,
    prior: np.ndarray,
    rates: OffendingRates,
    rng: np.random.Generator,
    trend: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Tier and offence type for each offending child in ``who``."""
    k = len(who)
    serious = rng.random(k) < serious_share(s, pop, prior, rates)[who]
    p_custody = _if_serious(prior[who], trend, rates)
    to_custody = serious & (rng.random(k) < p_custody)
    cum = LADDER[np.minimum(prior[who], 3)].cumsum(axis=1)
    ladder_tier = (rng.random(k)[:, None] > cum).sum(axis=1)
    court_tier = np.where(rng.random(k) < 0.6, 4, 3)
    custody_tier = np.where(rng.random(k) < 0.8, 5, 6)
    tier = np.where(serious, np.where(to_custody, custody_tier, court_tier), ladder_tier)
    supply = s.criminal[who] & (rng.random(k) < 0.5)
    serious_kind = np.where(supply, 2, rng.choice([0, 1, 3], k, p=[0.35, 0.4, 0.25]))
    offence = np.where(
        serious,
        SERIOUS_OFFENCES[serious_kind],
        MINOR_OFFENCES[rng.integers(0, len(MINOR_OFFENCES), k)],
    )
    return TIERS[np.minimum(tier, 6)], offence


def months_detained(tier: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Months spent in custody (half the sentence) for DTO / S250, else 0."""
    dto = rng.choice([2, 3, 4, 5, 6, 9, 12], len(tier))
    s250 = rng.integers(6, 19, len(tier))
    return np.where(tier == "DTO", dto, np.where(tier == "S250", s250, 0))


def custody_risk_12m(
    hazard: np.ndarray,
    p_custody: np.ndarray,
    age: np.ndarray,
    detained_for: np.ndarray,
) -> np.ndarray:
    """P(custodial sentence in the next 12 months) with today's hidden state held fixed.

    ``hazard`` and ``p_custody`` come from the state now; only age moves on month by month;
    months still to be served in custody carry no risk.
    """
    survive = np.ones(len(hazard))
    for j in range(1, 13):
        h = hazard * offending_age_curve(age + j / 12) * p_custody * (detained_for < j)
        survive *= 1 - np.clip(h, 0, 1)
    return 1 - survive
