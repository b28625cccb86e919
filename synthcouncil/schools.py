"""School attendance and suspensions, driven by disengagement, behaviour and exploitation.

Attendance is accumulated per child and term while the simulation runs (one float per month),
then drawn as session counts once at the end. Terms: autumn Sep-Dec, spring Jan-Mar, summer
Apr-Jul; August is holiday.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from synthcouncil.calendar import Calendar, age_years
from synthcouncil.events import EventLog
from synthcouncil.latent import HiddenState
from synthcouncil.population import Population

TERM_OF_MONTH = {9: 0, 10: 0, 11: 0, 12: 0, 1: 1, 2: 1, 3: 1, 4: 2, 5: 2, 6: 2, 7: 2}
TERM_NAMES = ("AUT", "SPR", "SUM")
TERM_SESSIONS = (140, 118, 122)
TERM_END = ((12, 20), (3, 31), (7, 22))  # (month, day) a term ends, by term


@dataclass(frozen=True)
class SchoolRates:
    suspension_base: float = 0.0019
    permanent_share: float = 0.04
    unauthorised_base: float = -4.0
    authorised_rate: float = 0.038
    # Schools suspend and permanently exclude girls far less often than boys for the same
    # level of difficulty (girls' misbehaviour is less often physical): England 2018/19,
    # girls had 28% of suspensions and 24% of permanent exclusions (SOURCES.md).
    suspension_girls: float = 0.9
    permanent_girls: float = 1.2


class Schools:
    """Per-term attendance accumulators and the suspension log."""

    def __init__(
        self, pop: Population, cal: Calendar, log: EventLog, rates: SchoolRates,
        rng: np.random.Generator,
    ) -> None:
        self.cal, self.log, self.rates = cal, log, rates
        # Some children are often ill: a lasting, mean-one multiplier on authorised absence.
        self.illness = np.exp(0.9 * rng.standard_normal(pop.n) - 0.405).astype(np.float32)
        # From the simulation's first month: what happened at school before the extracts
        # begin is history too (children later sentenced were often suspended years before).
        first_month = cal.month_start(0).astype("datetime64[M]").astype(int)
        y, mo = first_month // 12 + 1970, first_month % 12 + 1
        self.first_year = y if mo >= 9 else y - 1
        n_years = cal.last // 12 + 2
        # Term-major, so each month adds into one contiguous row.
        self.unauth = np.zeros((n_years * 3, pop.n), np.float32)
        self.auth = np.zeros((n_years * 3, pop.n), np.float32)
        self.months = np.zeros((n_years * 3, pop.n), np.int8)
        self._age_aug: dict[int, np.ndarray] = {}

    def step(
        self, m: int, s: HiddenState, pop: Population, active: np.ndarray,
        rng: np.random.Generator,
    ) -> None:
        month_start = self.cal.month_start(m)
        absolute = int(month_start.astype("datetime64[M]").astype(int))
        year, month = absolute // 12 + 1970, absolute % 12 + 1
        if month == 8 or m > self.cal.last:
            return
        academic = year if month >= 9 else year - 1
        term = (academic - self.first_year) * 3 + TERM_OF_MONTH[month]
        if academic not in self._age_aug:
            self._age_aug = {academic: age_years(pop.dob, np.datetime64(f"{academic}-08-31"))}
        age_aug = self._age_aug[academic]
        pupil = active & (age_aug >= 4) & (age_aug <= 15) & (pop.upn != "")
        stress = s.stress(pop)
        logit = (self.rates.unauthorised_base + 1.1 * s.disengage + 0.5 * stress
                 + 0.3 * s.exploited + 0.3 * s.in_care)
        self.unauth[term][pupil] += (1 / (1 + np.exp(-logit)))[pupil]
        auth = self.rates.authorised_rate * self.illness * np.exp(
            0.15 * s.disengage + 0.4 * pop.disabled + 0.2 * stress
        )
        self.auth[term][pupil] += auth[pupil]
        self.months[term][pupil] += 1

        hazard = self.rates.suspension_base * np.exp(
            1.0 * s.behaviour + 0.5 * s.disengage + 2.6 * s.criminal
            + 1.0 * (s.exploited & s.sexual)
        ) * np.where(age_aug >= 11, 1.0, 0.25) * np.where(
            pop.girl, self.rates.suspension_girls, 1.0
        )
        who = np.flatnonzero(pupil & (rng.random(pop.n) < hazard))
        k = len(who)
        permanent = rng.random(k) < self.rates.permanent_share * (
            1 + 2 * s.criminal[who] + (s.behaviour[who] > 2)
        ) * np.where(pop.girl[who], self.rates.permanent_girls, 1.0)
        reason = np.where(
            s.criminal[who] & (rng.random(k) < 0.5),
            rng.choice(["DA", "PA", "VA"], k),
            rng.choice(["PD", "VA", "PP", "VP", "PA", "DM", "BU", "OT"], k,
                       p=[0.35, 0.15, 0.15, 0.1, 0.1, 0.05, 0.05, 0.05]),
        )
        self.log.add(
            "exclusion", who, m, category=np.where(permanent, "PERM", "SUSP"), reason=reason,
            sessions=np.where(permanent, 0, rng.integers(1, 11, k)),
        )

    def attendance(self, rng: np.random.Generator) -> pd.DataFrame:
        """One row per pupil and term present: sessions possible, authorised, unauthorised."""
        term, child = np.nonzero(self.months)
        months = self.months[term, child].astype(float)
        kind = term % 3
        full = np.array([4, 3, 4])[kind]
        possible = np.round(
            np.array(TERM_SESSIONS)[kind] * np.minimum(months / full, 1.0)
            + rng.integers(-3, 4, len(kind))
        ).astype(np.int64)
        possible = np.maximum(possible, 10)
        p_u = np.clip(self.unauth[term, child] / months, 0, 0.9)
        p_a = np.clip(self.auth[term, child] / months, 0, 0.5)
        unauth = rng.binomial(possible, p_u)
        auth = rng.binomial(possible - unauth, p_a)
        academic = self.first_year + term // 3
        end_month = np.array([m for m, _ in TERM_END])[kind]
        end_day = np.array([d for _, d in TERM_END])[kind]
        end_year = academic + (kind > 0)
        end = pd.to_datetime(
            pd.DataFrame({"year": end_year, "month": end_month, "day": end_day})
        ).to_numpy().astype("datetime64[D]")
        frame = pd.DataFrame({
            "child": child, "academic": academic, "term": np.array(TERM_NAMES)[kind],
            "term_end": end, "possible": possible, "authorised": auth, "unauthorised": unauth,
        })
        return frame[frame["term_end"] <= self.cal.end].reset_index(drop=True)
