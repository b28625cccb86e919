"""Protected attributes sit beside the features, never in them; the registry is the one list."""

from __future__ import annotations

import string
from datetime import date

import pandas as pd
import pytest
from features_builders import Built, WarehouseBuilder, build

from features.build.codes import FACTOR_GROUPS
from features.build.protected import PROTECTED_COLUMNS
from features.build.registry import FEATURES, registry_frame

GROUPS = {"age", "early_help", "contacts_referrals", "assessment_factors", "cin_cp_cla",
          "missing", "attendance", "exclusions", "school_census"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    b = WarehouseBuilder(extract_date=date(2020, 12, 31))
    b.postcode("ME1 1AA", 1)
    b.postcode("ME2 2BB", 9)
    b.child("moves", date(2006, 3, 1), known=date(2015, 1, 1), postcode="ME1 1AA",
            ethnicity="CHNE", disability="NONE", sex="F")
    b.person("moves", "upn", dob=date(2006, 3, 1), recorded=date(2019, 6, 1),
             postcode="me22bb", sex="F")
    b.child("mixed", date(2005, 9, 1), known=date(2015, 1, 1), ethnicity="MWBC",
            disability="MOB", postcode="ZZ9 9ZZ")
    b.child("older", date(2003, 6, 1), known=date(2015, 1, 1))
    b.child("refused", date(2008, 1, 1), known=date(2015, 1, 1), ethnicity="REFU",
            disability=None, sex=None, postcode=None)
    return build(b, tmp_path_factory.mktemp("protected"), date(2019, 1, 1), date(2019, 12, 31))


def test_protected_attributes_never_in_feature_matrix(built: Built) -> None:
    columns = set(built.table("feature_matrix").columns)
    assert not columns & set(PROTECTED_COLUMNS)
    for forbidden in ("sex", "gender", "ethnic", "disab", "religion", "imd", "postcode"):
        assert not [c for c in columns if forbidden in c.lower()], forbidden
    assert set(built.table("protected_attributes").columns) == {
        "child_key", "as_of", *PROTECTED_COLUMNS
    }


def test_protected_rows_beside_features(built: Built) -> None:
    keys = ["child_key", "as_of"]
    pd.testing.assert_frame_equal(
        built.table("feature_matrix")[keys], built.table("protected_attributes")[keys]
    )


def test_protected_values(built: Built) -> None:
    early = built.row("protected_attributes", "moves", date(2019, 5, 31))
    late = built.row("protected_attributes", "moves", date(2019, 6, 30))
    assert early is not None and late is not None
    assert (early["sex"], early["ethnicity_group"], early["disability"]) == ("F", "Asian", "no")
    # Deprivation follows the postcode recorded by the as-of date.
    assert (early["imd_quintile"], late["imd_quintile"]) == (1, 5)
    assert (early["age_band"], late["age_band"]) == ("10-13", "10-13")
    assert built.row("protected_attributes", "moves", date(2019, 3, 31))["age_band"] == "10-13"
    mixed = built.row("protected_attributes", "mixed", date(2019, 12, 31))
    assert mixed is not None
    assert (mixed["ethnicity_group"], mixed["disability"], mixed["age_band"]) == (
        "Mixed", "yes", "14-15")
    assert pd.isna(mixed["imd_quintile"])
    refused = built.row("protected_attributes", "refused", date(2019, 12, 31))
    assert refused is not None
    assert all(pd.isna(refused[c]) for c in ("sex", "ethnicity_group", "disability"))


@pytest.mark.parametrize(
    ("name", "as_of", "band"),
    [
        ("mixed", date(2019, 8, 31), "10-13"),  # 13
        ("mixed", date(2019, 9, 30), "14-15"),  # 14
        ("older", date(2019, 5, 31), "14-15"),  # 15
        ("older", date(2019, 6, 30), "16-17"),  # 16
    ],
)
def test_age_band_edges(built: Built, name: str, as_of: date, band: str) -> None:
    row = built.row("protected_attributes", name, as_of)
    assert row is not None and row["age_band"] == band


def test_registry_table_is_the_registry(built: Built) -> None:
    table = built.table("feature_registry").sort_values("feature").reset_index(drop=True)
    expected = registry_frame().sort_values("feature").reset_index(drop=True)
    pd.testing.assert_frame_equal(table, expected)
    matrix = built.table("feature_matrix")
    assert list(matrix.columns) == ["child_key", "as_of", *[f.name for f in FEATURES]]
    assert all(pd.api.types.is_float_dtype(matrix[f.name]) for f in FEATURES)


def test_every_feature_is_described() -> None:
    names = [f.name for f in FEATURES]
    assert len(names) == len(set(names))
    for spec in FEATURES:
        assert spec.group in GROUPS, spec.name
        assert spec.name.isidentifier() and spec.name == spec.name.lower()
        fields = [f for _, f, _, _ in string.Formatter().parse(spec.description) if f]
        assert fields == ["value"], spec.name
        assert spec.description.format(value=3)
        assert spec.direction_hint in {"higher_more_risk", "lower_more_risk", "neutral"}
    assert {f.group for f in FEATURES} == GROUPS


def test_factor_groups_are_named_in_features() -> None:
    names = {f.name for f in FEATURES}
    for group in FACTOR_GROUPS:
        assert f"factor_{group}_ever" in names


def test_registry_says_what_kind_each_feature_is_and_how_far_back_it_looks() -> None:
    table = registry_frame()
    assert table["kind"].notna().all() and len(table) == len(FEATURES)
    all_history = set(table.loc[table["lookback_months"].isna(), "feature"])
    # Exactly the features over all recorded history, which a model may choose to leave out.
    expected = {s.name for s in FEATURES
                if s.name.endswith(("_ever", "_months_since_last")) or s.name == "months_known"}
    assert all_history == expected
    windowed = table.dropna(subset=["lookback_months"])
    for name, months in zip(windowed["feature"], windowed["lookback_months"], strict=True):
        window = name.rsplit("_", 1)[-1]
        if window.endswith("m") and window[:-1].isdigit():
            assert months >= int(window[:-1]), name
    kinds = table.set_index("feature")["kind"]
    assert kinds["age_years"] == "age" and kinds["cla_now"] == "flag"
    assert kinds["contacts_trend_6m"] == "trend" and kinds["absence_rate_12m"] == "rate"
    assert (kinds[kinds.index.str.contains("months_since")] == "months_since").all()
