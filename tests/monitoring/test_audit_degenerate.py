"""Groups too small or too uniform for a rate give null with a note, never NaN or a crash."""

from __future__ import annotations

import json
import math

import pytest

from earlyhelp.errors import InputError
from monitoring.audit.pipeline import audit_frame
from tests.monitoring.builders import frame_from_cells, spec


def _strict_json(text: str) -> object:
    def refuse(token: str) -> float:
        raise AssertionError(f"{token} in the JSON")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture
def result():  # type: ignore[no-untyped-def]
    return audit_frame(
        frame_from_cells({
            "big": (10, 10, 60, 10),
            "no_positives": (0, 3, 7, 0),
            "no_negatives": (4, 0, 0, 2),
            "one": (0, 0, 1, 0),
            "all_flagged": (3, 5, 0, 0),
            "none_flagged": (0, 0, 6, 3),
        }, column="area"),
        spec(["area"]),
    )


def test_undefined_rates_are_null_with_a_reason(result) -> None:  # type: ignore[no-untyped-def]
    g = result.groups["area"]
    assert g["no_positives"].tpr is None and g["no_positives"].fnr is None
    assert g["no_positives"].fpr == pytest.approx(0.3)
    assert g["no_negatives"].fpr is None and g["no_negatives"].tnr is None
    assert g["all_flagged"].npv is None and g["all_flagged"].for_ is None
    assert g["none_flagged"].ppv is None and g["none_flagged"].fdr is None
    assert all(g["one"].rate(m) is None for m in g["one"].ci)
    assert all(v is None for v in g["one"].ci.values())
    notes = " ".join(result.notes)
    for reason in ("area = no_positives: no positives", "area = no_negatives: no negatives",
                   "area = one: one member", "area = all_flagged: everything flagged",
                   "area = none_flagged: nobody flagged"):
        assert reason in notes


def test_ratios_to_a_zero_reference_rate_are_null_with_a_note() -> None:
    result = audit_frame(frame_from_cells({"a": (5, 0, 30, 5), "b": (3, 2, 8, 3)}), spec(["sex"]))
    assert result.reference["sex"] == "a"  # fpr of a is 0
    assert result.disparities["sex"]["b"]["fpr"] is None
    assert result.disparity_ci["sex"]["b"]["fpr"] is None
    assert any(n.startswith("sex = a:") and "rate of 0 for fpr" in n for n in result.notes)


def test_json_has_no_nan_or_infinity(result) -> None:  # type: ignore[no-untyped-def]
    data = _strict_json(result.model_dump_json())
    assert isinstance(data, dict)
    assert data["groups"]["area"]["one"]["tpr"] is None
    assert "for" in data["groups"]["area"]["big"]
    assert "threshold" in data and "top_k" not in data
    for by_metric in data["disparities"]["area"].values():
        assert all(v is None or math.isfinite(v) for v in by_metric.values())


def test_unknown_reference_value_is_refused() -> None:
    with pytest.raises(InputError, match=r"--reference sex=X: no such value.*'F'"):
        audit_frame(frame_from_cells({"F": (1, 1, 1, 1)}), spec(["sex"], reference={"sex": "X"}))


def test_exactly_one_flag_rule_is_required() -> None:
    with pytest.raises(ValueError, match="exactly one of --threshold or --top-k"):
        spec(["sex"], top_k=5)
    with pytest.raises(ValueError, match="exactly one"):
        spec(["sex"], threshold=None)


def test_same_seed_same_intervals_other_seed_other_intervals() -> None:
    frame = frame_from_cells({"F": (6, 9, 40, 7), "M": (14, 20, 90, 11)})
    first = audit_frame(frame, spec(["sex"], seed=1)).model_dump_json()
    again = audit_frame(frame, spec(["sex"], seed=1)).model_dump_json()
    other = audit_frame(frame, spec(["sex"], seed=2)).model_dump_json()
    assert first == again
    assert first != other


def test_a_ratio_of_zero_with_a_collapsed_interval_is_rendered() -> None:
    # "missed_all": many positives, none flagged, so its tpr ratio is 0 in every resample
    # (interval [0, 0], far below the band); the page once divided by that upper bound.
    from monitoring.audit.render import render_html

    result = audit_frame(
        frame_from_cells({"big": (40, 10, 200, 10), "missed_all": (0, 0, 60, 20)},
                         column="area"),
        spec(["area"]),
    )
    assert result.disparities["area"]["missed_all"]["tpr"] == 0
    assert tuple(result.disparity_ci["area"]["missed_all"]["tpr"]) == (0, 0)
    page = render_html(result)
    assert "0.00 times" in page
