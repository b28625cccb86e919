"""Where a looked-after child lives: provider, Ofsted URN and postcode of each placement.

The council places children with its own foster carers and in its own children's homes
(provider PR1, inside its boundary), with independent fostering agencies and private or
voluntary children's homes (PR4, PR5; many outside it), with parents (PR0, at home) and, on
remand, in secure children's homes run by other councils (PR2). Each children's home and each
fostering service has its own fictional URN; foster carers live at their own postcodes.
Postcodes are real (``synthcouncil.places``); distances follow from the grid references.

Shares are the generator's assumptions, set near England's published figures: about 4 in 10
children looked after are placed outside their council's boundary and about 1 in 7 more than
20 miles from home (DfE, Children looked after in England including adoptions, 2022); about
4 in 10 foster placements are with independent agencies and about 8 in 10 children's home
places are private (Competition and Markets Authority, children's social care market study,
2022).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from synthcouncil.places import COUNCIL_CODE, postcodes

FOSTER = ("U1", "U2", "U3", "U4", "U5", "U6")
KINSHIP = ("U1", "U2", "U3")
# Share of placements inside the council's boundary, by provider kind.
IN_AREA = {"own": 1.0, "agency": 0.5, "private_home": 0.35, "semi": 0.7, "school": 0.2}


def _urns(prefix: str, n: int, rng: np.random.Generator) -> np.ndarray:
    return np.array([f"{prefix}{x:06d}" for x in rng.choice(900_000, n, replace=False) + 100_000])


@dataclass
class Providers:
    """The placement market one world draws from."""

    home: np.ndarray  # the council's postcodes
    away: np.ndarray  # postcodes of other councils (nearer ones more often)
    la_fostering_urn: str
    agency_urn: np.ndarray
    home_urn: np.ndarray  # children's homes
    home_post: np.ndarray
    home_provider: np.ndarray
    school_urn: np.ndarray
    school_post: np.ndarray
    secure_urn: np.ndarray
    secure_post: np.ndarray

    @classmethod
    def build(cls, rng: np.random.Generator) -> Providers:
        pcs = postcodes()
        home = pcs.loc[pcs["lad"] == COUNCIL_CODE, "postcode"].to_numpy()
        away = pcs.loc[pcs["lad"] != COUNCIL_CODE, "postcode"].to_numpy()
        urns = _urns("SC", 60, rng)
        n_homes = 40
        own_homes = 4
        in_area = rng.random(n_homes) < IN_AREA["private_home"]
        in_area[:own_homes] = True
        home_post = np.where(in_area, rng.choice(home, n_homes), rng.choice(away, n_homes))
        provider = np.where(rng.random(n_homes) < 0.9, "PR4", "PR5")
        provider[:own_homes] = "PR1"
        return cls(
            home=home, away=away, la_fostering_urn=urns[0], agency_urn=urns[1:9],
            home_urn=urns[9:9 + n_homes], home_post=home_post, home_provider=provider,
            school_urn=np.array([str(x) for x in rng.choice(900_000, 5, replace=False)
                                 + 100_000]),
            school_post=rng.choice(away, 5),
            secure_urn=urns[55:60], secure_post=rng.choice(away, 5),
        )


def place(
    placement: np.ndarray, home_post: np.ndarray, prov: Providers, rng: np.random.Generator
) -> pd.DataFrame:
    """PLACE_PROVIDER, URN and PL_POST for each placement (one row each)."""
    n = len(placement)
    provider = np.full(n, "", dtype=object)
    urn = np.full(n, "", dtype=object)
    post = np.full(n, "", dtype=object)
    u = rng.random(n)
    local = rng.choice(prov.home, n)
    far = rng.choice(prov.away, n)

    foster = np.isin(placement, FOSTER)
    # Relatives and friends are approved by the council; other carers are the council's own
    # about 6 times in 10, otherwise an agency's.
    own = foster & (np.isin(placement, KINSHIP) | (u < 0.6))
    agency = foster & ~own
    provider[own] = "PR1"
    urn[own] = prov.la_fostering_urn
    post[own] = local[own]
    provider[agency] = np.where(rng.random(int(agency.sum())) < 0.85, "PR4", "PR5")
    urn[agency] = rng.choice(prov.agency_urn, int(agency.sum()))
    agency_in = agency & (rng.random(n) < IN_AREA["agency"])
    post[agency] = np.where(agency_in[agency], local[agency], far[agency])

    homes = placement == "K2"
    pick = rng.integers(0, len(prov.home_urn), n)
    provider[homes] = prov.home_provider[pick[homes]]
    urn[homes] = prov.home_urn[pick[homes]]
    post[homes] = prov.home_post[pick[homes]]

    semi = placement == "H5"  # no Ofsted URN (903 rule 222)
    provider[semi] = np.where(u[semi] < 0.3, "PR1", np.where(u[semi] < 0.9, "PR4", "PR5"))
    semi_in = (provider == "PR1") | (rng.random(n) < IN_AREA["semi"])
    post[semi] = np.where(semi_in[semi], local[semi], far[semi])

    school = placement == "S1"
    pick = rng.integers(0, len(prov.school_urn), n)
    provider[school] = np.where(u[school] < 0.7, "PR4", "PR5")
    urn[school] = prov.school_urn[pick[school]]
    post[school] = prov.school_post[pick[school]]

    secure = placement == "K1"
    pick = rng.integers(0, len(prov.secure_urn), n)
    provider[secure] = "PR2"
    urn[secure] = prov.secure_urn[pick[secure]]
    post[secure] = prov.secure_post[pick[secure]]

    parents = placement == "P1"
    provider[parents] = "PR0"
    post[parents] = home_post[parents]
    # A carer never lives at the child's own home (903 rule 392d).
    clash = ~parents & (post == home_post)
    post[clash] = np.roll(prov.home, 1)[np.searchsorted(prov.home, post[clash])]
    return pd.DataFrame({"PLACE_PROVIDER": provider, "URN": urn, "PL_POST": post})
