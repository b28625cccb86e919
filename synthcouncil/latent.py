"""Hidden traits that evolve month by month; services and police see only part of them.

Family stress (per household, more likely in deprived postcodes, sometimes with abuse),
behavioural difficulty, disengagement from school and exposure to criminal or sexual
exploitation (rising from about 12, peaking at 14-16, clustered by locality and school peers,
higher for children missing from home or in care). All updates are vectorised over children.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from synthcouncil.population import LOCALITIES, Population


@dataclass(frozen=True)
class LatentRates:
    """Monthly hazards and weights of the hidden process (calibrated, see calibration.py)."""

    stress_on: float = 0.0022
    stress_off: float = 1 / 30
    abuse_share: float = 0.35
    exploit_on: float = 0.0011
    exploit_off: float = 1 / 15
    # Girls' onset hazard relative to boys' (before their lower behavioural difficulty), and
    # the chance an onset is sexual rather than criminal exploitation, by sex: NRM referrals of
    # children are about 21% girls (mostly criminal exploitation, where boys dominate), while
    # child sexual exploitation is mostly of girls (SOURCES.md, "exploitation").
    exploit_girls: float = 1.0
    sexual_if_girl: float = 0.65
    sexual_if_boy: float = 0.08
    peer_weight: float = 25.0
    missing_base: float = 0.002
    # Girls aged 12-17 go missing from home about as often as boys despite less
    # behavioural difficulty (SOURCES.md, "missing").
    missing_girls: float = 1.6


@dataclass
class HiddenState:
    """The simulation's truth at the current month (arrays over children)."""

    stress_hh: np.ndarray
    abuse_hh: np.ndarray
    behaviour: np.ndarray
    disengage: np.ndarray
    engage_trait: np.ndarray
    exploited: np.ndarray
    sexual: np.ndarray  # the exploitation is sexual (else criminal); meaningful while exploited
    in_care: np.ndarray
    missing: np.ndarray  # missing-from-home episodes this month
    loc_mult: np.ndarray = field(repr=False)
    hh_dep: np.ndarray = field(repr=False)  # deprivation multiplier on family stress

    @classmethod
    def initial(cls, pop: Population, rng: np.random.Generator) -> HiddenState:
        n, n_hh = pop.n, int(pop.household.max()) + 1
        # Exploitation clusters where deprivation is high, with locality-level chance on top.
        deprivation = locality_deprivation()
        loc_mult = deprivation * np.exp(0.35 * rng.standard_normal(len(deprivation)))
        hh_dep = np.zeros(n_hh, np.float32)
        hh_dep[pop.household] = pop.dep_multiplier
        return cls(
            stress_hh=np.zeros(n_hh, bool),
            abuse_hh=np.zeros(n_hh, bool),
            behaviour=pop.behaviour_trait.astype(np.float32),
            disengage=np.zeros(n, np.float32),
            engage_trait=(0.7 * rng.standard_normal(n)).astype(np.float32),
            exploited=np.zeros(n, bool),
            sexual=np.zeros(n, bool),
            in_care=np.zeros(n, bool),
            missing=np.zeros(n, np.int32),
            loc_mult=loc_mult,
            hh_dep=hh_dep,
        )

    def stress(self, pop: Population) -> np.ndarray:
        return self.stress_hh[pop.household]

    def abuse(self, pop: Population) -> np.ndarray:
        return self.abuse_hh[pop.household]

    @property
    def criminal(self) -> np.ndarray:
        """Criminally exploited (county lines, gangs) now."""
        return self.exploited & ~self.sexual


def locality_deprivation() -> np.ndarray:
    """Each locality's exploitation level from its typical IMD decile alone (before chance)."""
    base = np.array([dec for _, _, dec in LOCALITIES], dtype=float)
    return np.exp(0.18 * (5 - base))


def exploitation_age_curve(age: np.ndarray) -> np.ndarray:
    """Zero before 11, rising to a plateau at 14-16, lower at 17."""
    rising = np.clip((age - 11.0) / 3.0, 0.0, 1.0)
    return np.where(age >= 17.0, 0.7, rising)


def advance_hidden(
    s: HiddenState,
    pop: Population,
    age: np.ndarray,
    rates: LatentRates,
    rng: np.random.Generator,
) -> None:
    """Move every child's hidden state on by one month (in place)."""
    dep = s.hh_dep
    u = rng.random(len(s.stress_hh), dtype=np.float32)
    onset = ~s.stress_hh & (u < rates.stress_on * dep)
    ended = s.stress_hh & (u < rates.stress_off)
    s.stress_hh = (s.stress_hh | onset) & ~ended
    started = np.flatnonzero(onset)
    s.abuse_hh[started] = rng.random(len(started)) < rates.abuse_share
    s.abuse_hh &= s.stress_hh

    stress = s.stress(pop).astype(np.float32)
    n = pop.n
    s.behaviour = (
        0.97 * s.behaviour
        + 0.03 * (pop.behaviour_trait + 0.8 * stress)
        + 0.1 * rng.standard_normal(n, dtype=np.float32)
    ).astype(np.float32)
    teen = np.clip((age - 11.0) / 4.0, 0.0, 1.0)
    target = (
        s.engage_trait
        + 0.35 * s.behaviour
        + 0.6 * stress
        + 0.6 * s.exploited
        + 0.4 * s.in_care
        + 0.5 * teen
        - 0.8
    )
    s.disengage = (
        0.9 * s.disengage + 0.1 * target + 0.1 * rng.standard_normal(n, dtype=np.float32)
    ).astype(np.float32)

    _advance_exploitation(s, pop, age, stress, rates, rng)
    rate = rates.missing_base + 0.22 * s.exploited + 0.06 * s.in_care
    rate = (rate + 0.02 * np.clip(s.behaviour, 0, None)) * np.where(
        pop.girl, rates.missing_girls, 1.0
    )
    # Drawn for 10-17s only (a Poisson draw is slow, and most children are younger or older).
    teens = np.flatnonzero((age >= 10) & (age < 18))
    s.missing = np.zeros(n, np.int32)
    s.missing[teens] = rng.poisson(rate[teens])


def _advance_exploitation(
    s: HiddenState,
    pop: Population,
    age: np.ndarray,
    stress: np.ndarray,
    rates: LatentRates,
    rng: np.random.Generator,
) -> None:
    teen = (age >= 11) & (age < 18)
    school = pop.secondary_urn - pop.secondary_urn.min()
    peers = np.bincount(school[teen], minlength=school.max() + 1)
    peers_exploited = np.bincount(
        school[teen], weights=s.exploited[teen], minlength=school.max() + 1
    )
    peer_share = np.divide(peers_exploited, np.maximum(peers, 1))[school]
    hazard = (
        rates.exploit_on
        * exploitation_age_curve(age)
        * np.exp(0.5 * s.behaviour + 0.4 * s.disengage)
        * (1 + 1.5 * stress)
        * (1 + 2.0 * s.in_care)
        * (1 + 1.0 * (s.missing > 0))
        * s.loc_mult[pop.locality]
        * (1 + rates.peer_weight * peer_share)
        * np.where(pop.girl, rates.exploit_girls, 1.0)
    )
    u = rng.random(pop.n, dtype=np.float32)
    onset = ~s.exploited & teen & (u < hazard)
    ended = s.exploited & ((u < rates.exploit_off) | ~teen)
    s.exploited = (s.exploited | onset) & ~ended
    p_sexual = np.where(pop.girl, rates.sexual_if_girl, rates.sexual_if_boy)
    s.sexual = np.where(onset, rng.random(pop.n, dtype=np.float32) < p_sexual, s.sexual)
