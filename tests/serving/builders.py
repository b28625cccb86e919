"""A small served world: the model tests' synthetic feature warehouse plus the source tables
the alert run reads to route an alert and say which services know a child.

A third of the children have a postcode in one of two localities; some are open to
children's social care (a child in need episode), some to early help (with a lead
professional), some closed episodes only, the rest known to no service.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from tests.model.builders import SyntheticWorld, build_feature_warehouse

LOCALITIES = ("North", "South")


@dataclass(frozen=True)
class ServedWorld:
    world: SyntheticWorld
    warehouse: Path
    months: tuple[date, ...]


def build_served_world(root: Path, *, n_children: int = 2000, seed: int = 7) -> ServedWorld:
    # 48 months: the model step chooses among its variants on validation months before the
    # test months, which 36 months of history cannot hold.
    world = build_feature_warehouse(root, n_children=n_children, seed=seed, n_months=48)
    rng = np.random.default_rng(seed + 1)
    with duckdb.connect(str(world.warehouse)) as con:
        ids = [r[0] for r in con.execute(
            "SELECT source_id FROM master_index ORDER BY source_id").fetchall()]
        n = len(ids)
        postcodes = [f"ZZ{i % 2 + 1} {i % 10}AA" for i in range(n)]
        con.execute("ALTER TABLE person_social_care ADD COLUMN postcode VARCHAR")
        con.execute("ALTER TABLE person_social_care ADD COLUMN recorded_date DATE")
        con.register("pc", pd.DataFrame({"source_id": ids, "postcode": postcodes}))
        con.execute("UPDATE person_social_care p SET postcode = pc.postcode, "
                    "recorded_date = DATE '2018-01-01' FROM pc WHERE pc.source_id = p.source_id")
        con.unregister("pc")
        codes = sorted(set(postcodes))
        con.register("codes", pd.DataFrame({
            "postcode": codes, "locality": [LOCALITIES[int(c[2]) - 1] for c in codes]}))
        con.execute("CREATE TABLE postcodes AS SELECT * FROM codes")
        con.unregister("codes")
        kind = rng.choice(["cin", "eh", "closed", "none"], n, p=[0.2, 0.2, 0.2, 0.4])
        start = pd.Timestamp("2018-06-01")
        cin = pd.DataFrame({
            "id_system": "la_child_id",
            "source_id": [i for i, k in zip(ids, kind, strict=True) if k in ("cin", "closed")],
        })
        cin["event_date"] = start.date()
        cin["recorded_date"] = (start + pd.Timedelta(days=10)).date()
        cin["end_date"] = [None if k == "cin" else date(2018, 12, 31)
                           for k in kind if k in ("cin", "closed")]
        eh = pd.DataFrame({"id_system": "la_child_id",
                           "source_id": [i for i, k in zip(ids, kind, strict=True) if k == "eh"]})
        eh["event_date"] = start.date()
        eh["recorded_date"] = (start + pd.Timedelta(days=3)).date()
        eh["end_date"] = None
        eh["lead_professional"] = "Family support worker"
        for table, frame in (("cin_episodes", cin), ("early_help_episodes", eh)):
            con.register("frame", frame)
            con.execute(f"CREATE TABLE {table} AS SELECT id_system, source_id, "
                        "CAST(event_date AS DATE) AS event_date, "
                        "CAST(recorded_date AS DATE) AS recorded_date, "
                        "CAST(end_date AS DATE) AS end_date"
                        + (", lead_professional" if table == "early_help_episodes" else "")
                        + " FROM frame")
            con.unregister("frame")
        months = tuple(r[0] for r in con.execute(
            "SELECT DISTINCT as_of FROM feature_matrix ORDER BY 1").fetchall())
    return ServedWorld(world=world, warehouse=world.warehouse, months=months)
