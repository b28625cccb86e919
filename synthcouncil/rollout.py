"""The exact truth: P(custodial sentence in the next 12 months | the whole simulation state at
the as-of date), by rolling the simulation itself forward from that month's state.

At the end of each month it covers, ``Rollouts`` copies the state of every child aged 9-17
(older ones age out within the year; younger ones cannot reach 10, the age of criminal
responsibility) ``replicates`` times, households and school peer groups kept within each copy,
and runs the same monthly steps (hidden state, offending, social care) twelve months on with
random numbers of its own, so the world's records do not depend on how many roll-outs run.

Custody is not sampled. In each month the chance of a custodial sentence given the path so
far, q = P(offence) x P(custody | offence), is accumulated into the path's chance of no
custody, and the path continues conditioned on none: an offence that month (which moves the
record-keeping state on) is drawn with chance P(offence) (1 - P(custody | offence)) / (1 - q).
The mean over replicates of the product of (1 - q) is then an unbiased estimate of the chance of
no custody in the year (the path weights are a change of measure), with far less noise than
counting sentences. Only months while the child still lives here count, as in the extracts.
Children with an earlier custodial sentence keep the held-state approximation (they are out
of the model's population anyway); ``risk.parquet``'s ``exact`` column says which rows hold the
roll-out figure.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, fields

import numpy as np

from synthcouncil.calendar import Calendar
from synthcouncil.events import EventLog
from synthcouncil.latent import HiddenState, advance_hidden
from synthcouncil.offending import custody_given_offence, offence_hazard, offending_age_curve
from synthcouncil.population import Population
from synthcouncil.services import CareServices
from synthcouncil.simulate import Rates, SimState, age_at, present_at, trend_at

HORIZON = 12
_CARE_ARRAYS = ("cin", "cin_months", "close_next", "cp", "cp_count", "cla", "eh")


class _NoLog(EventLog):
    """Roll-outs keep no records: only the state moves on."""

    def add(self, kind: str, child: np.ndarray, month: int, **cols: np.ndarray | object) -> None:
        return None


@dataclass
class MonthTruth:
    child: np.ndarray  # child index (into the population) of each rolled-out child
    risk: np.ndarray
    stderr: np.ndarray
    held: np.ndarray  # children aged 9-17 here with an earlier custodial sentence


def exact_months(cal: Calendar, n: int) -> frozenset[int]:
    """The ``n`` months (indices) ending 12 months before the window's end."""
    last = cal.last - HORIZON
    return frozenset(range(max(cal.truth_first, last - n + 1), last + 1))


@dataclass
class Rollouts:
    """Callback for ``simulate(on_state=...)``: roll-outs from the months asked for."""

    months: frozenset[int]
    replicates: int
    seed: int
    results: dict[int, MonthTruth] = field(default_factory=dict)
    seconds: float = 0.0

    def __call__(
        self, m: int, st: SimState, pop: Population, cal: Calendar, rates: Rates
    ) -> None:
        if m not in self.months:
            return
        start = time.perf_counter()
        rng = np.random.default_rng([self.seed, 3, m])
        age = age_at(cal, pop, m)
        sub = np.flatnonzero((age >= 9) & (age < 18))
        no_custody = _roll(m, st, pop, cal, rates, sub, self.replicates, rng)
        here = present_at(cal, pop, m, age)[sub]
        report = here & ~st.custody_ever[sub]
        self.results[m] = MonthTruth(
            child=sub[report],
            risk=(1 - no_custody.mean(axis=0))[report].astype(np.float32),
            stderr=(no_custody.std(axis=0, ddof=1) / np.sqrt(self.replicates))[report],
            held=sub[here & st.custody_ever[sub]],
        )
        self.seconds += time.perf_counter() - start


def _roll(
    m: int, st: SimState, pop: Population, cal: Calendar, rates: Rates, sub: np.ndarray,
    replicates: int, rng: np.random.Generator,
) -> np.ndarray:
    """Chance of no custody in months m+1..m+12 along each replicate's path, (R, len(sub))."""
    n = len(sub)
    idx = np.tile(sub, replicates)
    copy = np.repeat(np.arange(replicates), n)
    households, hh_local = np.unique(pop.household[sub], return_inverse=True)
    household = np.tile(hh_local, replicates) + copy * len(households)
    tiled = _population(pop, idx, household, copy)
    hh_idx = np.tile(households, replicates)
    s0 = st.hidden
    s = HiddenState(
        stress_hh=s0.stress_hh[hh_idx], abuse_hh=s0.abuse_hh[hh_idx],
        behaviour=s0.behaviour[idx], disengage=s0.disengage[idx],
        engage_trait=s0.engage_trait[idx], exploited=s0.exploited[idx], sexual=s0.sexual[idx],
        in_care=s0.in_care[idx], missing=s0.missing[idx], loc_mult=s0.loc_mult,
        hh_dep=s0.hh_dep[hh_idx],
    )
    care = CareServices(len(idx), _NoLog(), rates.services, early_help=False)
    for name in _CARE_ARRAYS:
        setattr(care, name, getattr(st.care, name)[idx].copy())
    prior, last = st.prior[idx].copy(), st.last_outcome[idx].copy()
    detained_until = st.detained_until[idx]
    off = rates.offending
    log_none = np.zeros(len(idx))
    for mm in range(m + 1, min(m + 1 + HORIZON, cal.n_months)):
        age = age_at(cal, tiled, mm)
        present = present_at(cal, tiled, mm, age)
        advance_hidden(s, tiled, age, rates.latent, rng)
        h = offence_hazard(s, tiled, prior, mm - last, off) * offending_age_curve(age)
        h = np.clip(h, 0.0, 1.0) * (mm >= detained_until)
        p_custody = custody_given_offence(s, tiled, prior, off, trend_at(cal, mm, off))
        q = np.clip(h * p_custody, 0.0, 1.0 - 1e-9)
        log_none += np.log1p(-q * present)
        offended = rng.random(len(idx)) < h * (1 - p_custody) / (1 - q)
        prior[offended] += 1
        last[offended] = mm
        care.step(mm, s, tiled, present, age, prior, rng)
    return np.exp(log_none).reshape(replicates, n)


def _population(
    pop: Population, idx: np.ndarray, household: np.ndarray, copy: np.ndarray
) -> Population:
    """The children ``idx`` as a population of their own: each copy its own households and
    secondary schools (exploitation spreads among school peers within one copy only)."""
    per_child = {
        f.name: getattr(pop, f.name)[idx] for f in fields(Population)
        if f.init and isinstance(getattr(pop, f.name), np.ndarray)
        and len(getattr(pop, f.name)) == pop.n
    }
    school_span = int(pop.secondary_urn.max() - pop.secondary_urn.min()) + 1
    per_child["household"] = household
    per_child["secondary_urn"] = per_child["secondary_urn"] + copy * school_span
    others = {f.name: getattr(pop, f.name) for f in fields(Population)
              if f.init and f.name not in per_child}
    return Population(**per_child, **others)
