"""A synthetic feature warehouse shaped like features.build's output (docs/contracts.md).

Child-months over monthly as-of dates with a rare label driven by a few features and by a
hidden state no feature records (so the true risk, written to ``truth/``, is a ceiling no
model reaches). A person table with planted names and dates of birth lets tests check that
nothing identifying reaches MLflow.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from earlyhelp.pseudonym import pseudonymise

KEY = "test-key"
RULE_FEATURES = ("excluded_permanent_12m", "factor_exploitation_12m", "factor_gangs_12m")
# (name, group, description, weight on the true logit, kind)
SIGNAL = (
    ("excluded_permanent_12m", "school", "Permanently excluded in the last 12 months", 0.6, "b"),
    ("factor_exploitation_12m", "exploitation", "Assessed for criminal exploitation", 0.5, "b"),
    ("factor_gangs_12m", "exploitation", "Gangs factor recorded in the last 12 months", 0.4, "b"),
    ("suspensions_violence_6m", "school", "Suspended {value} for violence in the last 6 months",
     0.9, "c"),
    ("missing_episodes_12m", "missing", "Missing from home {value} in the last 12 months", 0.7,
     "c"),
    ("absence_rate_3t", "school", "Missed {value} of school sessions in the last three terms",
     1.2, "r"),
    ("cin_referrals_12m", "social_care", "Referred to children's social care {value} in the "
     "last 12 months", 0.3, "c"),
)
# Index inputs (registry name: the signal above it copies).
INDEX_COPIES = {"permanent_exclusions_ever": "excluded_permanent_12m",
                "suspensions_12m": "suspensions_violence_6m", "missing_24m": "missing_episodes_12m"}
FIRST_NAMES = ("Plantedalice", "Plantedbob", "Plantedcarol", "Planteddave")


@dataclass(frozen=True)
class SyntheticWorld:
    warehouse: Path
    truth: Path
    person_names: tuple[str, ...]
    person_dobs: tuple[str, ...]
    rows: int
    positives: int


def _month_ends(n: int, start: str = "2019-01-31") -> pd.DatetimeIndex:
    return pd.date_range(start, periods=n, freq="ME")


def _features(rng: np.random.Generator, propensity: np.ndarray, n_noise: int) -> pd.DataFrame:
    n = propensity.size
    cols: dict[str, np.ndarray] = {}
    for name, _, _, _, kind in SIGNAL:
        drive = propensity + rng.normal(0, 1.0, n)
        if kind == "b":
            cols[name] = (drive > 2.6).astype(np.float32)
        elif kind == "c":
            cols[name] = rng.poisson(np.exp(drive - 2.5)).astype(np.float32)
        else:
            cols[name] = (1 / (1 + np.exp(-(drive - 2.0)))).astype(np.float32)
    for j in range(n_noise):
        cols[f"noise_{j:02d}"] = rng.normal(0, 1, n).astype(np.float32)
    return pd.DataFrame(cols)


def build_feature_warehouse(
    root: Path,
    *,
    n_children: int = 2000,
    n_months: int = 36,
    n_noise: int = 5,
    base_logit: float = -9.0,
    seed: int = 7,
) -> SyntheticWorld:
    """Write ``root/warehouse.duckdb`` and ``root/truth/``; return what a test needs."""
    rng = np.random.default_rng(seed)
    months = _month_ends(n_months)
    child = np.repeat(np.arange(n_children), n_months)
    month = np.tile(np.arange(n_months), n_children)
    trait = rng.normal(0, 1, n_children)
    hidden = rng.normal(0, 1, n_children)
    # Traits drift slowly month by month, so features persist within a child.
    propensity = trait[child] + 0.02 * (month - n_months / 2) * rng.normal(0, 1, child.size)
    feats = _features(rng, propensity, n_noise)
    logit = base_logit + 1.1 * hidden[child] + 0.5 * trait[child]
    for name, _, _, weight, kind in SIGNAL:
        x = feats[name].to_numpy(np.float64)
        logit += weight * (np.log1p(x) * 1.5 if kind == "c" else x * (3 if kind == "r" else 1))
    risk = 1 / (1 + np.exp(-logit))
    label = (rng.random(child.size) < risk).astype("float64")
    matured = month < n_months - 12
    label[~matured] = np.nan

    master = [f"M{i:06d}" for i in range(n_children)]
    keys = np.array([pseudonymise(m, KEY) for m in master])
    as_of = months[month]
    base = pd.DataFrame({"child_key": keys[child], "as_of": as_of})
    feature_matrix = pd.concat([base, feats], axis=1)
    # A broader outcome with the same drivers that includes every custody case (as first-time
    # entry to youth justice includes custody without earlier contact).
    broader = np.where(np.isnan(label), np.nan,
                       np.maximum(label, rng.random(child.size) < 1 / (1 + np.exp(-logit - 2.5))))
    labels = base.assign(custody_12m=pd.array(label, dtype="Int64"),
                         first_time_entry_12m=pd.array(broader, dtype="Int64"))
    sex = rng.choice(["M", "F"], n_children, p=[0.6, 0.4])
    eth = rng.choice(["White", "Black", "Asian", "Mixed", "Other"], n_children,
                     p=[0.7, 0.1, 0.1, 0.06, 0.04])
    dis = rng.choice(["None", "Disabled"], n_children, p=[0.85, 0.15])
    age0 = rng.integers(10, 16, n_children)
    age = age0[child] + month // 12
    # Inputs of the vulnerability index under the registry's names: three of the signals
    # above again, age, and a looked-after flag from its own generator (so every draw above,
    # and so every label, is as it was before they were added).
    extra = np.random.default_rng(seed + 1)
    for name, source in INDEX_COPIES.items():
        feature_matrix[name] = feats[source]
    feature_matrix["age_years"] = age.astype(np.float32)
    feature_matrix["cla_now"] = (propensity + extra.normal(0, 1, child.size) > 2.3).astype(
        np.float32)
    protected = base.assign(
        sex=sex[child], ethnicity_group=eth[child], disability=dis[child],
        age_band=np.where(age < 13, "10-12", np.where(age < 16, "13-15", "16-17")),
        imd_quintile=rng.integers(1, 6, n_children)[child],
    )
    kinds = {"b": "flag", "c": "count", "r": "rate"}
    registry = pd.DataFrame(
        [(n, g, d, "higher is riskier", kinds[k], 12) for n, g, d, _, k in SIGNAL]
        + [(f"noise_{j:02d}", "other", f"Other recorded measure {j} was {{value}}", "none",
            "rate", 12) for j in range(n_noise)]
        + [(name, "index", f"Index input {name}: {{value}}", "higher is riskier", "count", 24)
           for name in INDEX_COPIES]
        + [("age_years", "age", "Aged {value}", "neutral", "age", 0),
           ("cla_now", "care", "Looked after now (1 yes, 0 no): {value}", "higher is riskier",
            "flag", 0)],
        columns=["feature", "group", "description", "direction_hint", "kind", "lookback_months"],
    )
    la_ids = [f"LA{i:07d}" for i in range(n_children)]
    master_index = pd.DataFrame({
        "id_system": "la_child_id", "source_id": la_ids, "master_id": master,
        "child_key": keys, "link_method": "deterministic",
    })
    names = tuple(f"{FIRST_NAMES[i % len(FIRST_NAMES)]}{i}" for i in range(n_children))
    dobs = pd.to_datetime("2005-01-01") + pd.to_timedelta(rng.integers(0, 2500, n_children),
                                                          unit="D")
    persons = pd.DataFrame({
        "record_id": np.arange(n_children), "id_system": "la_child_id", "source_id": la_ids,
        "forename": names, "surname": "Plantedsurname", "dob": dobs.date,
    })
    root.mkdir(parents=True, exist_ok=True)
    warehouse = root / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        for table, frame in (
            ("feature_matrix", feature_matrix), ("labels", labels),
            ("feature_registry", registry), ("protected_attributes", protected),
            ("master_index", master_index), ("person_social_care", persons),
        ):
            con.register("frame", frame)
            con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM frame")
            con.unregister("frame")
        con.execute("ALTER TABLE feature_matrix ALTER as_of TYPE DATE")
        for table in ("labels", "protected_attributes"):
            con.execute(f"ALTER TABLE {table} ALTER as_of TYPE DATE")
    truth = root / "truth"
    truth.mkdir(exist_ok=True)
    child_ids = np.array([f"child{i:06d}" for i in range(n_children)])
    pd.DataFrame({"child_id": child_ids[child], "as_of": as_of.date,
                  "risk_custody_12m": risk}).to_parquet(truth / "risk.parquet")
    pd.DataFrame({"source": "social_care", "id_system": "la_child_id", "source_id": la_ids,
                  "child_id": child_ids}).to_parquet(truth / "records.parquet")
    return SyntheticWorld(
        warehouse=warehouse, truth=truth, person_names=names,
        person_dobs=tuple(str(d.date()) for d in dobs), rows=int(child.size),
        positives=int(np.nansum(label)),
    )
