"""Who lives in the synthetic council: localities, postcodes, schools, households, children.

Children are born uniformly over the 18 years before the window and the window itself, so about
``config.children`` are aged 0-17 at any month. Households (siblings share a surname, postcode
and family circumstances) may arrive, leave or move postcode during the window.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from synthcouncil.calendar import Calendar
from synthcouncil.names import BOYS, GIRLS, SURNAMES
from synthcouncil.places import home_postcodes

# The council's localities: groups of real postcode sectors of Medway (synthcouncil.places),
# each with the IMD decile the generator assumes for its homes (a town like the seed
# document's council: the old dockside and town centres most deprived, the peninsula and the
# outer estates least). The locality names and deciles are the generator's, not the ONS's.
LOCALITIES: tuple[tuple[str, tuple[str, ...], int], ...] = (
    # (locality, postcode sectors, typical IMD decile)
    ("Dockside Central", ("ME4 3", "ME4 4"), 2), ("Eastmoor and Wayfield", ("ME4 5", "ME5 7"), 2),
    ("Northgate", ("ME7 1", "ME7 9"), 2), ("Southgate", ("ME7 2", "ME7 5"), 3),
    ("Riverbank North", ("ME2 3", "ME2 4"), 4), ("Riverbank South", ("ME2 2",), 5),
    ("Castle East", ("ME1 1", "ME1 9"), 4), ("Castle West", ("ME1 2", "ME1 3"), 5),
    ("Thornwood", ("ME4 6", "ME4 9"), 4), ("Marsh Green North", ("ME8 1", "ME8 6", "ME8 7"), 7),
    ("Marsh Green South", ("ME8 0", "ME8 8", "ME8 9"), 8), ("Highcombe", ("ME5 8", "ME5 9"), 6),
    ("Ashby and Kilncote", ("ME5 0", "ME7 3"), 7), ("Parkside", ("ME7 4",), 5),
    ("Saltings Peninsula", ("ME3 0", "ME3 7", "ME3 8", "ME3 9"), 7),
    ("Millbrook and Halse", ("ME2 1", "ME9 7"), 8),
)
# The district each locality had when postcodes were invented (only to keep the draws).
_OLD_DISTRICT = ("ZZ4", "ZZ4", "ZZ7", "ZZ7", "ZZ2", "ZZ2", "ZZ1", "ZZ1", "ZZ8", "ZZ8", "ZZ8",
                 "ZZ5", "ZZ5", "ZZ5", "ZZ3", "ZZ2")
ETHNICITY: dict[str, float] = {
    "WBRI": 0.76, "WOTH": 0.05, "WIRI": 0.005, "WROM": 0.005, "MWBC": 0.02, "MWBA": 0.01,
    "MWAS": 0.01, "MOTH": 0.015, "AIND": 0.02, "APKN": 0.01, "ABAN": 0.005, "AOTH": 0.01,
    "BAFR": 0.04, "BCRB": 0.005, "BOTH": 0.005, "CHNE": 0.005, "OOTH": 0.01, "NOBT": 0.01,
}
DISABILITY: dict[str, float] = {
    "NONE": 0.95, "LD": 0.012, "AUT": 0.012, "BEH": 0.008, "COMM": 0.006, "MOB": 0.004,
    "HEAR": 0.003, "VIS": 0.002, "DDA": 0.003,
}
GIRLS_BEHAVIOUR = 0.35  # girls' mean behavioural difficulty below boys', in SDs
DISABLED_GIRLS_DROPPED = 0.5
HOUSEHOLD_SIZES = (np.array([1, 2, 3, 4]), np.array([0.42, 0.38, 0.14, 0.06]))
MOVE_SHARE = 0.08  # households arriving (and, separately, leaving) during the window
# No English local authority has number 000: generated UPNs and CIN returns cannot be real ones.
LA_CODE = "000"
_UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


@dataclass
class Population:
    """Everything fixed about each child (arrays indexed by child; ids are 1-based)."""

    child_id: np.ndarray
    household: np.ndarray
    sex: np.ndarray  # "M" / "F"
    dob: np.ndarray  # datetime64[D]
    ethnicity: np.ndarray
    disability: np.ndarray
    forename: np.ndarray
    surname: np.ndarray
    arrive: np.ndarray  # first month index present in the council
    leave: np.ndarray  # first month index no longer present
    move_month: np.ndarray  # month the household changes postcode (past the grid if never)
    postcode_before: np.ndarray
    postcode_after: np.ndarray
    decile: np.ndarray  # IMD decile of the home (before any move)
    locality: np.ndarray  # index into LOCALITIES
    primary_urn: np.ndarray
    secondary_urn: np.ndarray
    upn: np.ndarray  # "" for children never of school age in the window
    behaviour_trait: np.ndarray  # hidden, standard normal plus early onset
    postcodes: pd.DataFrame  # Postcode, Locality, IMDDecile
    girl: np.ndarray = field(init=False, repr=False)
    disabled: np.ndarray = field(init=False, repr=False)
    dep_multiplier: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Flags the monthly loop uses often (string comparisons on every month are slow).
        self.girl = self.sex == "F"
        self.disabled = self.disability != "NONE"
        self.dep_multiplier = (2.2 - 0.17 * self.decile).astype(np.float32)

    @property
    def n(self) -> int:
        return len(self.child_id)

    def postcode_at(self, month: np.ndarray, idx: np.ndarray) -> np.ndarray:
        moved = month >= self.move_month[idx]
        return np.where(moved, self.postcode_after[idx], self.postcode_before[idx])


def build_population(n_target: int, cal: Calendar, rng: np.random.Generator) -> Population:
    window_days = int((cal.end - cal.month_start(cal.first)).astype(int)) + 1
    spread_days = 18 * 365 + window_days
    presence = 1 - MOVE_SHARE  # on average half of arrivers and half of leavers are present
    n_total = round(n_target * spread_days / (18 * 365) / presence)

    postcodes = _postcodes(max(60, n_target // 25), rng)
    sizes = rng.choice(HOUSEHOLD_SIZES[0], size=n_total, p=HOUSEHOLD_SIZES[1])
    n_hh = int(np.searchsorted(np.cumsum(sizes), n_total)) + 1
    household = np.repeat(np.arange(n_hh), sizes[:n_hh])[:n_total]

    hh_post = rng.integers(0, len(postcodes), n_hh)
    hh_post_after = rng.integers(0, len(postcodes), n_hh)
    window = cal.last - cal.first + 1
    hh_arrive = np.where(
        rng.random(n_hh) < MOVE_SHARE, cal.first + rng.integers(1, window, n_hh), 0
    )
    hh_leave = np.where(
        rng.random(n_hh) < MOVE_SHARE, cal.first + rng.integers(1, window, n_hh), cal.n_months
    )
    hh_leave = np.maximum(hh_leave, hh_arrive + 6)
    hh_move = np.where(
        rng.random(n_hh) < 0.06, cal.first + rng.integers(1, window, n_hh), cal.n_months + 1
    )
    surname_w = 1 / np.arange(1, len(SURNAMES) + 1) ** 0.6
    hh_surname = rng.choice(np.array(SURNAMES, dtype=object), n_hh, p=surname_w / surname_w.sum())

    sex = np.where(rng.random(n_total) < 0.512, "M", "F").astype(object)
    first_dob = cal.month_start(cal.first) - 18 * 365 + 1
    dob = first_dob + rng.integers(0, spread_days, n_total).astype("timedelta64[D]")
    forename = np.where(
        sex == "M", _pick(BOYS, n_total, rng), _pick(GIRLS, n_total, rng)
    ).astype(object)
    locality = postcodes["locality_idx"].to_numpy()[hh_post][household]
    decile = postcodes["IMDDecile"].to_numpy()[hh_post][household]
    n_primary = max(3, n_target // 1200)
    n_secondary = max(2, n_target // 5000)
    primary = (locality * 7 + rng.integers(0, 3, n_total)) % n_primary
    secondary = (locality + rng.integers(0, 2, n_total)) % n_secondary
    girl = sex == "F"
    # Boys show conduct problems about twice as often as girls (SOURCES.md, "behaviour"):
    # girls' behavioural difficulty is shifted down, and early onset is rarer for them.
    early = rng.random(n_total) < np.where(girl, 0.03, 0.07)
    trait = rng.standard_normal(n_total) + 1.5 * early - np.where(girl, GIRLS_BEHAVIOUR, 0.0)
    ethn_codes = np.array(list(ETHNICITY), dtype=object)
    ethn_p = np.array(list(ETHNICITY.values()))
    pc = postcodes["Postcode"].to_numpy()
    return Population(
        child_id=np.arange(1, n_total + 1, dtype=np.int64),
        household=household,
        sex=sex,
        dob=dob,
        ethnicity=ethn_codes[rng.choice(len(ethn_codes), n_total, p=ethn_p / ethn_p.sum())],
        disability=_disability(girl, rng),
        forename=forename,
        surname=hh_surname[household],
        arrive=hh_arrive[household],
        leave=hh_leave[household],
        move_month=hh_move[household],
        postcode_before=pc[hh_post][household],
        postcode_after=pc[hh_post_after][household],
        decile=decile,
        locality=locality,
        primary_urn=100000 + 18000 + primary,
        secondary_urn=100000 + 18800 + secondary,
        upn=_upns(dob, primary, cal, rng),
        behaviour_trait=trait,
        postcodes=postcodes[["Postcode", "Locality", "IMDDecile"]],
    )


def _disability(girl: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Disability codes; boys are about twice as often disabled in childhood as girls (SEN
    support and EHC plans: about two in three pupils with SEN are boys, SOURCES.md)."""
    codes = np.array(list(DISABILITY), dtype=object)
    p = np.array(list(DISABILITY.values()))
    out = codes[rng.choice(len(codes), len(girl), p=p / p.sum())]
    # Each disabled girl keeps her code with probability 1/2 (so boys : girls is about 2 : 1).
    dropped = girl & (out != "NONE") & (rng.random(len(girl)) < DISABLED_GIRLS_DROPPED)
    return np.where(dropped, "NONE", out)


def _pick(names: tuple[str, ...], n: int, rng: np.random.Generator) -> np.ndarray:
    weights = 1 / np.arange(1, len(names) + 1) ** 0.5
    return rng.choice(np.array(names, dtype=object), n, p=weights / weights.sum())


def _postcodes(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """``n`` postcodes (fewer if a locality runs out of real ones), localities equally likely,
    each with the decile of its locality give or take one.

    The draws from ``rng`` are those the generator made when it invented postcodes in the
    area ZZ (a code per postcode, drawn again on a clash), so every seed's world is the same
    as before apart from its postcodes; the real postcodes come from a generator of their own.
    """
    loc_idx = rng.integers(0, len(LOCALITIES), n)
    base = np.array([dec for _, _, dec in LOCALITIES])[loc_idx]
    decile = np.clip(base + rng.integers(-1, 2, n), 1, 10)
    drawn: set[tuple[str, int, int, int]] = set()
    for i in range(n):
        while True:
            code = (_OLD_DISTRICT[loc_idx[i]], int(rng.integers(1, 10)),
                    int(rng.integers(0, 20)), int(rng.integers(0, 20)))
            if code not in drawn:
                drawn.add(code)
                break
    own = rng.spawn(1)[0]  # spawning does not advance ``rng``
    pool = home_postcodes()
    codes = np.full(n, "", dtype=object)
    for i, (_, sectors, _) in enumerate(LOCALITIES):
        want = np.flatnonzero(loc_idx == i)
        found = pool.loc[pool["sector"].isin(sectors), "postcode"].to_numpy()
        take = min(len(want), len(found))
        codes[want[:take]] = own.choice(found, take, replace=False)
    keep = codes != ""
    return pd.DataFrame(
        {
            "Postcode": codes[keep],
            "Locality": np.array([name for name, _, _ in LOCALITIES])[loc_idx[keep]],
            "IMDDecile": decile[keep].astype(np.int64),
            "locality_idx": loc_idx[keep],
        }
    )


def _upns(
    dob: np.ndarray, school: np.ndarray, cal: Calendar, rng: np.random.Generator
) -> np.ndarray:
    """DfE-style UPNs (check letter, LA code, school, year, serial) for school-age children."""
    school_entry = dob + 4 * 365
    has = school_entry <= cal.end
    year = (dob.astype("datetime64[Y]").astype(np.int64) + 1970 + 4) % 100
    estab = 2000 + school
    frame = pd.DataFrame({"estab": estab, "year": year, "order": rng.random(len(dob))})
    serial = frame.sort_values("order").groupby(["estab", "year"]).cumcount().sort_index()
    body = np.array([
        f"{LA_CODE}{e:04d}{y:02d}{s % 1000:03d}"
        for e, y, s in zip(estab, year, serial, strict=True)
    ])
    # Serials past 999 wrap; a clash is fixed by bumping the year digits of the later child.
    body = _unique(body)
    digits = np.array([[int(c) for c in b] for b in body]) if len(body) else np.zeros((0, 12))
    weights = np.arange(2, 14)
    check = np.array(list(_UPN_LETTERS))[(digits * weights).sum(axis=1) % 23]
    upn = np.char.add(check.astype(str), body.astype(str)).astype(object)
    return np.where(has, upn, "").astype(object)


def _unique(body: np.ndarray) -> np.ndarray:
    seen: set[str] = set()
    out = body.copy()
    for i, b in enumerate(body):
        candidate = b
        bump = 0
        while candidate in seen:
            bump += 1
            candidate = f"{b[:7]}{(int(b[7:9]) + 50 + bump) % 100:02d}{b[9:]}"
        seen.add(candidate)
        out[i] = candidate
    return out
