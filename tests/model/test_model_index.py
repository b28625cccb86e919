"""The vulnerability index: a count of recorded risk factors, as a full candidate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from earlyhelp.errors import InputError
from earlyhelp.stats.groups import PROTECTED_ATTRIBUTES
from model.candidates import fit_calibrated
from model.data import load_model_data
from model.index import FACTORS, VulnerabilityIndex, index_columns, index_pipeline, index_reasons
from tests.model.builders import SyntheticWorld


@parametrize_with_checks([VulnerabilityIndex()])
def test_index_follows_sklearn_conventions(estimator, check) -> None:  # type: ignore[no-untyped-def]
    check(estimator)


def test_index_counts_factors_not_columns_and_ranks_by_the_count() -> None:
    # Columns 0 and 1 are one factor (e.g. CIN or CP open); column 2 fires above 13.999.
    X = np.array([[0, 0, 10], [1, 1, 10], [1, 0, 14], [0, 0, 15], [1, 1, 16]], dtype=float)
    y = np.array([0, 0, 1, 0, 1])
    index = VulnerabilityIndex(groups=(0, 0, 1), thresholds=(0, 0, 13.999)).fit(X, y)
    assert index.conditions_met(X).tolist() == [0, 1, 2, 1, 2]
    p = index.predict_proba(X)[:, 1]
    assert p[0] < p[1] == p[3] < p[2] == p[4]
    assert index.factors_present(X)[1].tolist() == [True, False]


def test_index_has_eleven_factors_and_no_protected_characteristic() -> None:
    assert len(FACTORS) == 11
    inputs = {f for factor in FACTORS for f in factor.features}
    assert not inputs & set(PROTECTED_ATTRIBUTES)
    columns, groups, _ = index_columns(["age_years", "cp_plan_now", "cin_open_now", "x"])
    assert columns == ["cin_open_now", "cp_plan_now", "age_years"]
    assert groups[0] == groups[1] != groups[2]
    with pytest.raises(InputError, match="vulnerability index"):
        index_pipeline(["x"])


def test_index_reasons_are_its_factors(world: SyntheticWorld) -> None:
    data = load_model_data(world.warehouse, "custody_12m")
    months = data.months
    fit = data.frame[data.frame["as_of"].isin(months[:12])]
    cal = data.frame[data.frame["as_of"].isin(months[12:18])]
    model = fit_calibrated(index_pipeline(data.all_features), fit, cal, "custody_12m",
                           negative_rate=0.2, seed=1)
    rows = pd.concat([fit[fit["cla_now"] == 1].head(3), fit[fit["age_years"] < 14].head(3)])
    words = index_reasons(model, rows)
    looked_after = next(f.words for f in FACTORS if f.name == "looked_after")
    assert all(looked_after in w for w in words[:3])
    for w, (_, row) in zip(words, rows.iterrows(), strict=True):
        assert (looked_after in w) == bool(row["cla_now"])
        assert ("Aged 14 or over" in w) == bool(row["age_years"] >= 14)
