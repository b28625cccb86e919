"""One writer per source system; ``write_raw`` writes them all in the contract's layout."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from synthcouncil.simulate import World
from synthcouncil.tables import Tables
from synthcouncil.writers.annex_a import write_annex_a
from synthcouncil.writers.cin_census import write_cin_census
from synthcouncil.writers.common import Extract
from synthcouncil.writers.early_help import write_early_help
from synthcouncil.writers.school import write_school
from synthcouncil.writers.social_care import assign_la_ids, write_social_care
from synthcouncil.writers.ssda903 import write_ssda903
from synthcouncil.writers.youth_justice import write_youth_justice

WRITERS = (
    write_social_care, write_annex_a, write_cin_census, write_ssda903, write_school,
    write_youth_justice, write_early_help,
)


def write_raw(world: World, tables: Tables, raw: Path) -> tuple[dict[str, int], pd.DataFrame]:
    """Write every raw extract; return rows per file and the identifier truth."""
    ext = Extract(world, raw, {}, [], np.full(world.pop.n, "", dtype=object))
    assign_la_ids(ext, tables)
    for writer in WRITERS:
        writer(ext, tables)
    reference = raw / "reference" / "postcodes.csv"
    reference.parent.mkdir(parents=True, exist_ok=True)
    world.pop.postcodes.to_csv(reference, index=False)
    ext.counts["reference/postcodes.csv"] = len(world.pop.postcodes)
    records = pd.concat(ext.records, ignore_index=True).drop_duplicates(
        ["source", "id_system", "source_id"]
    )
    return ext.counts, records.reset_index(drop=True)
