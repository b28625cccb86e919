"""Which hidden states become social care and early help records, month by month.

A hidden need becomes a record only when it leads to a contact; a contact becomes a referral,
an assessment (recording only some of the factors really present, girls' exploitation less
often than boys'), a child in need episode, a section 47 enquiry, a protection plan or a period
of care. Missing episodes are recorded (SSDA903) only for looked-after children.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synthcouncil.events import EventLog
from synthcouncil.latent import HiddenState
from synthcouncil.population import Population

CONTACT_SOURCES = np.array(["1A", "2A", "3A", "3B", "3E", "4", "5A", "5D", "6", "8", "9"], object)
CONTACT_WEIGHTS = np.array([0.1, 0.18, 0.06, 0.05, 0.04, 0.03, 0.04, 0.06, 0.3, 0.1, 0.04])
EH_REASONS = np.array(
    ["Family conflict", "School attendance", "Parenting support", "Domestic abuse",
     "Child behaviour", "Emotional wellbeing"], dtype=object
)
EH_LEADS = np.array(
    ["Family Support Worker", "School", "Health Visitor", "Youth Worker"], dtype=object
)


@dataclass(frozen=True)
class ServiceRates:
    contact_base: float = 0.0060
    nfa_share: float = 0.1
    cin_close: float = 1 / 9
    # Chance a case whose assessment finds no need (N9) closes after it (CIN rule 8873).
    close_no_need: float = 1.0
    s47_abuse: float = 0.08
    icpc_to_plan: float = 0.65
    cp_close: float = 1 / 9
    care_entry: float = 0.0036
    care_exit: float = 1 / 26
    eh_base: float = 0.0010
    eh_close: float = 1 / 6
    # Chance an assessment records exploitation that is really there, by sex.
    record_exploit_boys: float = 0.55
    record_exploit_girls: float = 0.3


class CareServices:
    """Open episodes per child (-1 when none) and the log their records go to."""

    def __init__(
        self, n: int, log: EventLog, rates: ServiceRates, early_help: bool = True
    ) -> None:
        self.log, self.rates = log, rates
        # Early help changes nothing else in the simulation, so roll-outs leave it out.
        self.early_help = early_help
        self.cin = np.full(n, -1, np.int64)
        self.cin_months = np.zeros(n, np.int32)
        self.close_next = np.zeros(n, np.int8)  # 1 close after assessment, 2 and step down
        self.cp = np.full(n, -1, np.int64)
        self.cp_count = np.zeros(n, np.int32)
        self.cla = np.full(n, -1, np.int64)
        self.eh = np.full(n, -1, np.int64)

    def step(
        self,
        m: int,
        s: HiddenState,
        pop: Population,
        active: np.ndarray,
        age: np.ndarray,
        prior_yj: np.ndarray,
        rng: np.random.Generator,
    ) -> None:
        self._close_pending(m, rng)
        self._contacts(m, s, pop, active, age, prior_yj, rng)
        self._protection(m, s, pop, active, rng)
        self._care(m, s, pop, active, age, rng)
        if self.early_help:
            self._early_help(m, s, pop, active, rng)
        self._end_for_leavers(m, active)
        s.in_care = self.cla >= 0

    def _contacts(
        self, m: int, s: HiddenState, pop: Population, active: np.ndarray, age: np.ndarray,
        prior_yj: np.ndarray, rng: np.random.Generator,
    ) -> None:
        stress, abuse = s.stress(pop), s.abuse(pop)
        need = np.exp(
            1.6 * stress + 1.3 * abuse + 0.3 * np.clip(s.behaviour, 0, None) + 0.5 * s.exploited
            + 0.8 * (s.missing > 0) + 0.8 * pop.disabled + 0.3 * (prior_yj > 0)
        )
        who = np.flatnonzero(active & (rng.random(pop.n) < self.rates.contact_base * need))
        k = len(who)
        source = CONTACT_SOURCES[rng.choice(len(CONTACT_SOURCES), k, p=CONTACT_WEIGHTS)]
        school = (s.disengage[who] > 0.8) & (age[who] >= 5) & (rng.random(k) < 0.5)
        source = np.where(school, "2A", source)
        police = ((s.missing[who] > 0) | s.exploited[who]) & (rng.random(k) < 0.5)
        source = np.where(police, "6", source)
        # A youth offending service referral is a consequence of offending (a leakage trap).
        yos = (prior_yj[who] > 0) & (rng.random(k) < 0.3)
        source = np.where(yos, "5B", source)
        self.log.add("contact", who, m, source=source)

        logit = (-1.3 + 1.4 * stress[who] + 1.2 * abuse[who] + 0.2 * s.exploited[who]
                 + 0.3 * (s.missing[who] > 0))
        refer = (self.cin[who] < 0) & (rng.random(k) < 1 / (1 + np.exp(-logit)))
        self._refer(m, who[refer], source[refer], s, pop, age, rng)

    def _refer(
        self, m: int, who: np.ndarray, source: np.ndarray, s: HiddenState, pop: Population,
        age: np.ndarray, rng: np.random.Generator,
    ) -> None:
        k = len(who)
        ep = self.log.new_ids("cin", k)
        nfa = rng.random(k) < self.rates.nfa_share
        stress, abuse = s.stress(pop)[who], s.abuse(pop)[who]
        need = np.where(
            abuse, "N1", np.where(s.exploited[who] | (s.behaviour[who] > 1.5), "N6",
                                  np.where(stress, np.where(rng.random(k) < 0.5, "N4", "N5"),
                                           np.where(pop.disabled[who], "N2", "N9")))
        )
        self.log.add("cin", who, m, ep=ep, source=source, nfa=nfa, need=need)
        self.log.add("cin_close", who[nfa], m, ep=ep[nfa], reason="RC8")
        assessed = ~nfa
        self._assess(m, who[assessed], ep[assessed], s, pop, age, rng)
        self.cin[who[assessed]] = ep[assessed]
        self.cin_months[who[assessed]] = 0
        serious = (stress | abuse | s.exploited[who])[assessed]
        # An assessment that finds no need (N9) closes the case (CIN rule 8873 queries a
        # case kept open with no factors identified).
        p_close = np.where(serious, 0.25,
                           np.where(need[assessed] == "N9", self.rates.close_no_need, 0.6))
        closes = rng.random(len(p_close)) < p_close
        step_down = rng.random(len(p_close)) < 0.4
        self.close_next[who[assessed][closes]] = np.where(step_down[closes], 2, 1)

    def _assess(
        self, m: int, who: np.ndarray, ep: np.ndarray, s: HiddenState, pop: Population,
        age: np.ndarray, rng: np.random.Generator,
    ) -> None:
        k = len(who)
        stress, abuse = s.stress(pop)[who], s.abuse(pop)[who]
        expl, girl = s.exploited[who], pop.girl[who]
        p_exploit = np.where(girl, self.rates.record_exploit_girls, self.rates.record_exploit_boys)
        seen_exploit = expl & (rng.random(k) < p_exploit)

        def draw(mask: np.ndarray, p: float) -> np.ndarray:
            return mask & (rng.random(k) < p)

        factors = {
            "3B": draw(stress, 0.45), "2B": draw(stress, 0.3), "1B": draw(stress, 0.25),
            "4B": draw(stress, 0.4), "16A": draw(abuse, 0.5), "17A": draw(abuse, 0.4),
            "18C": draw(abuse, 0.2),
            # Sexual exploitation is recorded as 11A, criminal exploitation and gangs as 13A
            # (the census writer uses 24A, child criminal exploitation, from 2022 on).
            "13A": seen_exploit & ~s.sexual[who],
            "11A": seen_exploit & s.sexual[who] & (rng.random(k) < 0.8),
            "10A": draw(s.missing[who] > 0, 0.6), "14A": draw(s.behaviour[who] > 1.0, 0.5),
            "2A": draw(expl & (age[who] >= 13), 0.3), "4A": draw(s.behaviour[who] > 1.8, 0.3),
        }
        self.log.add("assessment", who, m, ep=ep, **{f"f_{c}": v for c, v in factors.items()})

    def _close_pending(self, m: int, rng: np.random.Generator) -> None:
        open_ = self.cin >= 0
        self.cin_months[open_] += 1
        pending = open_ & (self.close_next > 0) & (self.cp < 0) & (self.cla < 0)
        ongoing = open_ & (self.close_next == 0) & (self.cp < 0) & (self.cla < 0)
        hazard_close = ongoing & (rng.random(len(open_)) < self.rates.cin_close)
        who = np.flatnonzero(pending | hazard_close)
        step_down = np.where(pending[who], self.close_next[who] == 2,
                             rng.random(len(who)) < 0.25)
        reason = np.where(pending[who], np.where(step_down, "RC9", "RC8"),
                          np.where(step_down, "RC9", "RC7"))
        self.log.add("cin_close", who, m, ep=self.cin[who], reason=reason)
        self.cin[who] = -1
        self.close_next[who] = 0
        down = who[step_down]
        self._open_eh(m, down[self.eh[down] < 0], "Stepped down", rng)

    def _protection(
        self, m: int, s: HiddenState, pop: Population, active: np.ndarray,
        rng: np.random.Generator,
    ) -> None:
        abuse = s.abuse(pop)
        eligible = active & (self.cin >= 0) & (self.cp < 0) & (self.close_next == 0)
        hazard = 0.004 + self.rates.s47_abuse * abuse + 0.02 * s.exploited
        who = np.flatnonzero(eligible & (rng.random(pop.n) < hazard))
        k = len(who)
        p_plan = np.where(abuse[who], self.rates.icpc_to_plan, 0.25)
        icpc = rng.random(k) < np.where(abuse[who], 0.8, 0.4)
        plan = icpc & (rng.random(k) < p_plan / np.where(abuse[who], 0.8, 0.4))
        self.log.add("s47", who, m, ep=self.cin[who], icpc=icpc, plan=plan)
        started = who[plan]
        ep = self.log.new_ids("cp", len(started))
        category = rng.choice(["NEG", "EMO", "PHY", "SAB", "MUL"], len(started),
                              p=[0.48, 0.35, 0.08, 0.04, 0.05])
        self.log.add("cp", started, m, ep=ep, cin_ep=self.cin[started], category=category,
                     previous=self.cp_count[started])
        self.cp[started] = ep
        self.cp_count[started] += 1
        ending = np.flatnonzero((self.cp >= 0) & (rng.random(pop.n) < self.rates.cp_close))
        ending = ending[~np.isin(ending, started)]
        self.log.add("cp_close", ending, m, ep=self.cp[ending])
        self.cp[ending] = -1

    def _care(
        self, m: int, s: HiddenState, pop: Population, active: np.ndarray, age: np.ndarray,
        rng: np.random.Generator,
    ) -> None:
        teen_risk = s.exploited & (age >= 12)
        hazard = self.rates.care_entry * (
            1 + 8.0 * (self.cp >= 0) + 2.0 * s.abuse(pop) + 3.0 * teen_risk
            + 1.5 * (s.behaviour > 1.5)
        )
        enter = active & (self.cin >= 0) & (self.cla < 0) & (rng.random(pop.n) < hazard)
        who = np.flatnonzero(enter)
        ep = self.log.new_ids("cla", len(who))
        legal = np.where(rng.random(len(who)) < 0.6, "C2", np.where(age[who] < 10, "C1", "V2"))
        self.log.add("cla", who, m, ep=ep, legal=legal, need=np.where(
            s.abuse(pop)[who], "N1", np.where(teen_risk[who], "N6", "N4")))
        self.cla[who] = ep
        leave = (self.cla >= 0) & ~enter & (rng.random(pop.n) < self.rates.care_exit)
        out = np.flatnonzero(leave)
        reason = rng.choice(["E4A", "E41", "E45", "E13", "E8"], len(out),
                            p=[0.45, 0.15, 0.15, 0.1, 0.15])
        self.log.add("cla_close", out, m, ep=self.cla[out], reason=reason)
        self.cla[out] = -1
        missing = np.flatnonzero(active & (self.cla >= 0) & (s.missing > 0))
        self.log.add("missing", missing, m, count=s.missing[missing])

    def _early_help(
        self, m: int, s: HiddenState, pop: Population, active: np.ndarray,
        rng: np.random.Generator,
    ) -> None:
        stepped_up = np.flatnonzero((self.eh >= 0) & (self.cin >= 0) & (self.close_next == 0))
        self._close_eh(m, stepped_up, "Stepped up to social care")
        hazard = self.rates.eh_base * np.exp(
            1.3 * s.stress(pop) + 0.4 * np.clip(s.behaviour, 0, None)
            + 0.7 * (s.disengage > 0.8) + 0.5 * s.exploited
        )
        start = active & (self.eh < 0) & (self.cin < 0) & (rng.random(pop.n) < hazard)
        self._open_eh(m, np.flatnonzero(start), "", rng)
        ending = np.flatnonzero((self.eh >= 0) & (rng.random(pop.n) < self.rates.eh_close))
        outcome = rng.choice(["Needs met", "Disengaged", "Needs met", "Closed - no consent"],
                             len(ending))
        self._close_eh(m, ending, outcome)

    def _open_eh(self, m: int, who: np.ndarray, origin: str, rng: np.random.Generator) -> None:
        ep = self.log.new_ids("eh", len(who))
        reason = EH_REASONS[rng.integers(0, len(EH_REASONS), len(who))]
        lead = EH_LEADS[rng.integers(0, len(EH_LEADS), len(who))]
        self.log.add("eh", who, m, ep=ep, reason=reason, lead=lead, origin=origin)
        self.eh[who] = ep

    def _close_eh(self, m: int, who: np.ndarray, outcome: np.ndarray | str) -> None:
        self.log.add("eh_close", who, m, ep=self.eh[who], outcome=outcome)
        self.eh[who] = -1

    def _end_for_leavers(self, m: int, active: np.ndarray) -> None:
        """Children who turn 18 or leave the council have their open episodes ended."""
        gone = ~active
        for kind, arr, extra in (
            ("cin", self.cin, {"reason": "RC5"}), ("cp", self.cp, {}),
            ("cla", self.cla, {"reason": "E8"}), ("eh", self.eh, {"outcome": "Moved away"}),
        ):
            who = np.flatnonzero(gone & (arr >= 0))
            self.log.add(f"{kind}_close", who, m, ep=arr[who], **extra)
            arr[who] = -1
        self.close_next[gone] = 0
