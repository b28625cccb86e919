"""Properties over random tables: counts add up, and every rate lies inside its interval."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from earlyhelp.stats.disclosure import confusion_tables
from monitoring.audit.pipeline import audit_frame
from tests.monitoring.builders import spec


@st.composite
def tables(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 60))
    return pd.DataFrame({
        "outcome": draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)),
        "score": draw(st.lists(st.integers(0, 4), min_size=n, max_size=n)),
        "sex": draw(st.lists(st.sampled_from(["F", "M", ""]), min_size=n, max_size=n)),
        "area": draw(st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=n, max_size=n)),
    })


PROPERTY_SETTINGS = settings(max_examples=40, deadline=None,
                             suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(frame=tables(), k=st.integers(1, 70), method=st.sampled_from(["wilson", "clopper-pearson"]))
def test_counts_add_up_and_rates_lie_inside_their_intervals(
    frame: pd.DataFrame, k: int, method: str
) -> None:
    result = audit_frame(frame, spec(["sex", "area"], threshold=None, top_k=k, n_boot=100,
                                     rate_method=method))
    assert result.overall.flagged == min(k, len(frame))
    for by_value in result.groups.values():
        assert sum(g.n for g in by_value.values()) == len(frame)
        for cell in ("tp", "fp", "tn", "fn", "positives", "flagged"):
            assert sum(getattr(g, cell) for g in by_value.values()) == getattr(result.overall,
                                                                               cell)
        for g in by_value.values():
            assert g.tp + g.fp + g.tn + g.fn == g.n
            assert g.positives == g.tp + g.fn and g.flagged == g.tp + g.fp
            for metric, interval in g.ci.items():
                rate = g.rate(metric)
                assert (rate is None) == (interval is None)
                if rate is not None and interval is not None:
                    assert 0.0 <= interval[0] <= rate <= interval[1] <= 1.0


@PROPERTY_SETTINGS
@given(cells=st.lists(st.tuples(*[st.integers(0, 12)] * 4), min_size=2, max_size=4))
# Found by hypothesis in CI: the overall positives (2) followed from n - fp - tn while every
# cell of its own sums was already hidden, so no partner was looked for further away.
@example(cells=[(0, 0, 6, 1), (1, 0, 0, 0)])
def test_no_hidden_count_can_be_recovered(cells: list[tuple[int, int, int, int]]) -> None:
    def counts(tp: int, fp: int, tn: int, fn: int) -> dict[str, int]:
        return {"n": tp + fp + tn + fn, "positives": tp + fn, "flagged": tp + fp,
                "tp": tp, "fp": fp, "tn": tn, "fn": fn}

    groups = {f"g{i}": counts(*c) for i, c in enumerate(cells)}
    overall = {key: sum(g[key] for g in groups.values()) for key in groups["g0"]}
    suppression = confusion_tables(overall, {"col": groups})
    assert suppression.primary <= suppression.hidden
    assert all(0 < v < 6 for c, v in suppression.table.values.items() if c in suppression.primary)
    for cell in suppression.hidden:
        assert not suppression.recoverable({cell: 1})
    # Independent of the linear algebra: no single sum leaves exactly one cell hidden.
    for equation in suppression.table.equations:
        assert sum(c in suppression.hidden for c in equation) != 1
    shown = [v for c, v in suppression.table.values.items() if c not in suppression.hidden]
    assert not any(0 < v < 6 for v in shown)
    assert np.isfinite(len(shown))
