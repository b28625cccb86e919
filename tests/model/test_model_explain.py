"""Exact explanations from the logistic terms, worded through the registry."""

from __future__ import annotations

import numpy as np
import pytest

from model.candidates import base_classifier, fit_calibrated, make_pipeline
from model.data import load_model_data
from model.explain import contributions, reasons, word_value
from tests.model.builders import RULE_FEATURES, SyntheticWorld


@pytest.mark.parametrize("value,description,words", [
    (3, "Suspended {value} times for violence", "Suspended three times for violence"),
    (1, "Suspended {value} times for violence", "Suspended once for violence"),
    (12, "Suspended {value} times", "Suspended 12 times"),
    (0.25, "Missed {value} of sessions", "Missed 25% of sessions"),
    (1, "Looked after now (1 yes, 0 no): {value}", "Looked after now"),
    (4, "{value} contacts with children's social care", "4 contacts with children's social care"),
    (1, "{value} contacts with children's social care", "1 contact with children's social care"),
    (1, "{value} child protection enquiries (section 47)", "1 child protection enquiry "
     "(section 47)"),
    (2.5, "{value} more contacts than before", "2.5 more contacts than before"),
    (1, "Permanently excluded", "Permanently excluded"),
])
def test_values_are_worded(value: float, description: str, words: str) -> None:
    assert word_value(value, description) == words


def test_contributions_are_exact_and_reasons_follow_them(world: SyntheticWorld) -> None:
    data = load_model_data(world.warehouse, "custody_12m")
    fit = data.frame[data.frame["as_of"].isin(data.months[:12])]
    cal = data.frame[data.frame["as_of"].isin(data.months[12:18])]
    # With kinds, count columns enter as log(1 + count): the terms must stay exact.
    model = fit_calibrated(
        make_pipeline("logistic", data.features, RULE_FEATURES, 1, data.kinds), fit, cal,
        "custody_12m", negative_rate=0.2, seed=1)
    rows = data.frame.sort_values("suspensions_violence_6m").tail(50)
    terms = contributions(model, rows)
    lr = base_classifier(model)
    decision = lr.decision_function(model.named_steps["features"].transform(rows))
    assert terms.sum(axis=1) + lr.intercept_[0] == pytest.approx(decision, abs=1e-5)
    worded = reasons(model, rows, data.features, data.registry)
    assert all(1 <= len(r) <= 3 for r in worded)
    assert any(r.startswith("Suspended") for row in worded for r in row)
    assert not any("{value}" in r for row in worded for r in row)
    # A row whose every term is negative has no reasons.
    low = data.frame.iloc[[int(np.argmin(contributions(model, data.frame.head(2000)).max(1)))]]
    assert reasons(model, low, data.features, data.registry)[0] == [] or \
        contributions(model, low).max() > 0
