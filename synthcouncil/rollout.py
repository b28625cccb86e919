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

Each month's start is copied (``RollStart``) and can be rolled out in a worker process while
the simulation goes on (``Rollouts(workers=1)``); the roll-outs draw from generators of their
own, so where they run does not change a figure.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, fields
from multiprocessing.context import BaseContext

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


@dataclass(frozen=True)
class RollStart:
    """What a roll-out from month ``month`` starts from: copies of the state of the children
    aged 9-17 (``sub``) and of their households, taken before the simulation moves on."""

    month: int
    sub: np.ndarray
    households: np.ndarray  # their households, each once
    hh_local: np.ndarray  # each child's household, as an index into ``households``
    hidden: HiddenState  # children's arrays over ``sub``, households' over ``households``
    care: dict[str, np.ndarray]
    prior: np.ndarray
    last_outcome: np.ndarray
    detained_until: np.ndarray
    report: np.ndarray  # living here with no earlier custodial sentence: the truth's rows
    held: np.ndarray  # living here with one: they keep the held-state figure

    @classmethod
    def of(cls, m: int, st: SimState, pop: Population, cal: Calendar) -> RollStart:
        age = age_at(cal, pop, m)
        sub = np.flatnonzero((age >= 9) & (age < 18))
        households, hh_local = np.unique(pop.household[sub], return_inverse=True)
        h = st.hidden
        here = present_at(cal, pop, m, age)[sub]
        return cls(
            month=m, sub=sub, households=households, hh_local=hh_local,
            hidden=HiddenState(
                stress_hh=h.stress_hh[households], abuse_hh=h.abuse_hh[households],
                behaviour=h.behaviour[sub], disengage=h.disengage[sub],
                engage_trait=h.engage_trait[sub], exploited=h.exploited[sub],
                sexual=h.sexual[sub], in_care=h.in_care[sub], missing=h.missing[sub],
                loc_mult=h.loc_mult.copy(), hh_dep=h.hh_dep[households],
            ),
            care={name: getattr(st.care, name)[sub] for name in _CARE_ARRAYS},
            prior=st.prior[sub], last_outcome=st.last_outcome[sub],
            detained_until=st.detained_until[sub],
            report=here & ~st.custody_ever[sub], held=sub[here & st.custody_ever[sub]],
        )


def roll_month(start: RollStart, pop: Population, cal: Calendar, rates: Rates,
               replicates: int, seed: int) -> tuple[MonthTruth, float]:
    """The truth for one month's start, and the seconds it took."""
    began = time.perf_counter()
    rng = np.random.default_rng([seed, 3, start.month])
    no_custody = _roll(start, pop, cal, rates, replicates, rng)
    truth = MonthTruth(
        child=start.sub[start.report],
        risk=(1 - no_custody.mean(axis=0))[start.report].astype(np.float32),
        stderr=(no_custody.std(axis=0, ddof=1) / np.sqrt(replicates))[start.report],
        held=start.held,
    )
    return truth, time.perf_counter() - began


# What a worker process rolls out from: the population, calendar and rates never change
# during a simulation, so a worker gets them once (inherited when it is forked).
_WORKER: dict[str, object] = {}


def _keep(pop: Population, cal: Calendar, rates: Rates) -> None:
    _WORKER.update(pop=pop, cal=cal, rates=rates)


def _roll_in_worker(start: RollStart, replicates: int, seed: int) -> tuple[MonthTruth, float]:
    return roll_month(start, _WORKER["pop"], _WORKER["cal"], _WORKER["rates"],  # type: ignore[arg-type]
                      replicates, seed)


@dataclass
class Rollouts:
    """Callback for ``simulate(on_state=...)``: roll-outs from the months asked for.

    ``workers=0`` rolls out in this process, inside the month's step. With ``workers`` >= 1 the
    month's state is copied and rolled out in that many worker processes while the simulation
    goes on (the roll-outs draw from generators of their own, so the figures are the same);
    call ``collect()`` before reading ``results``. As a context manager it stops its workers
    on the way out, whatever happened.
    """

    months: frozenset[int]
    replicates: int
    seed: int
    workers: int = 0
    results: dict[int, MonthTruth] = field(default_factory=dict)
    seconds: float = 0.0  # spent rolling out (in the workers, when there are workers)
    _pool: ProcessPoolExecutor | None = field(default=None, repr=False)
    _pending: dict[int, Future[tuple[MonthTruth, float]]] = field(default_factory=dict,
                                                                 repr=False)

    def __call__(
        self, m: int, st: SimState, pop: Population, cal: Calendar, rates: Rates
    ) -> None:
        if m not in self.months:
            return
        start = RollStart.of(m, st, pop, cal)
        if not self.workers:
            self._store(m, roll_month(start, pop, cal, rates, self.replicates, self.seed))
            return
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, mp_context=_context(),
                                             initializer=_keep, initargs=(pop, cal, rates))
        self._pending[m] = self._pool.submit(_roll_in_worker, start, self.replicates, self.seed)

    def __enter__(self) -> Rollouts:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def collect(self) -> dict[int, MonthTruth]:
        """Wait for the workers' roll-outs; the results by month."""
        try:
            for m in sorted(self._pending):
                self._store(m, self._pending[m].result())
        finally:
            self.close()
        return self.results

    def close(self) -> None:
        """Stop the workers (a failed simulation leaves none behind)."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
        self._pool, self._pending = None, {}

    def _store(self, m: int, done: tuple[MonthTruth, float]) -> None:
        self.results[m], seconds = done
        self.seconds += seconds


def _context() -> BaseContext:
    # Fork hands the worker the population without pickling it; elsewhere, spawn.
    methods = mp.get_all_start_methods()
    return mp.get_context("fork" if "fork" in methods else "spawn")


def _roll(
    start: RollStart, pop: Population, cal: Calendar, rates: Rates, replicates: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Chance of no custody in months m+1..m+12 along each replicate's path, (R, len(sub))."""
    m, sub, n = start.month, start.sub, len(start.sub)
    copy = np.repeat(np.arange(replicates), n)
    household = np.tile(start.hh_local, replicates) + copy * len(start.households)
    tiled = _population(pop, np.tile(sub, replicates), household, copy)
    s0 = start.hidden

    def copies(a: np.ndarray) -> np.ndarray:
        """One copy of ``a`` (over children or households) per replicate, end to end."""
        return np.tile(a, replicates)

    s = HiddenState(
        stress_hh=copies(s0.stress_hh), abuse_hh=copies(s0.abuse_hh),
        behaviour=copies(s0.behaviour), disengage=copies(s0.disengage),
        engage_trait=copies(s0.engage_trait), exploited=copies(s0.exploited),
        sexual=copies(s0.sexual), in_care=copies(s0.in_care),
        missing=copies(s0.missing), loc_mult=s0.loc_mult, hh_dep=copies(s0.hh_dep),
    )
    care = CareServices(n * replicates, _NoLog(), rates.services, early_help=False)
    for name in _CARE_ARRAYS:
        setattr(care, name, copies(start.care[name]))
    prior, last = copies(start.prior), copies(start.last_outcome)
    detained_until = copies(start.detained_until)
    off = rates.offending
    log_none = np.zeros(n * replicates)
    for mm in range(m + 1, min(m + 1 + HORIZON, cal.n_months)):
        # Age, presence and the age curve are the same in every copy: computed once, tiled.
        age_all = age_at(cal, pop, mm)
        age = copies(age_all[sub])
        present = copies(present_at(cal, pop, mm, age_all)[sub])
        curve = copies(offending_age_curve(age_all[sub]))
        advance_hidden(s, tiled, age, rates.latent, rng)
        h = offence_hazard(s, tiled, prior, mm - last, off) * curve
        h = np.clip(h, 0.0, 1.0) * (mm >= detained_until)
        p_custody = custody_given_offence(s, tiled, prior, off, trend_at(cal, mm, off))
        q = np.clip(h * p_custody, 0.0, 1.0 - 1e-9)
        log_none += np.log1p(-q * present)
        offended = rng.random(n * replicates) < h * (1 - p_custody) / (1 - q)
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
