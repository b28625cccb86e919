"""The checks behind the alarms: the control chart by group, the alarm rules, the webhook."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from earlyhelp.settings import MonitoringSettings
from monitoring.alarms import band_alarms, drift_alarms, post_webhook, volume_alarm
from monitoring.drift import DriftResult, segment_shifts
from monitoring.outcomes import rate
from monitoring.report import BandCheck, Volume

MONTHS = [date(2019, m, 28) for m in range(1, 13)]
PLACES = [f"place {i}" for i in range(6)]


def _month(rng: np.random.Generator, as_of: date, n: int, shift: dict[str, float] | None = None
           ) -> pd.DataFrame:
    place = rng.choice(PLACES, n)
    frame = pd.DataFrame({
        "as_of": as_of, "locality": place,
        "absence": rng.beta(2, 30, n), "contacts": rng.poisson(0.4, n).astype(float),
        "score": rng.beta(0.5, 80, n),
    })
    for where, factor in (shift or {}).items():
        hit = frame["locality"] == where
        frame.loc[hit, "absence"] = frame.loc[hit, "absence"] * factor
    return frame


def _reference(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.concat([_month(rng, m, 3_000) for m in MONTHS], ignore_index=True)


@pytest.mark.parametrize("seed", range(5))
def test_an_unchanged_month_names_nothing(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    current = _month(rng, date(2020, 1, 31), 12_000)
    shifts = segment_shifts(_reference(seed), current, ["absence", "contacts"], ["locality"],
                            MonitoringSettings())
    assert shifts == []


def test_a_change_in_one_place_names_that_place_and_that_input() -> None:
    rng = np.random.default_rng(1)
    current = _month(rng, date(2020, 1, 31), 12_000, shift={"place 3": 1.8})
    shifts = segment_shifts(_reference(0), current, ["absence", "contacts"], ["locality"],
                            MonitoringSettings())
    assert [(s.group, s.feature) for s in shifts] == [("place 3", "absence")]
    assert shifts[0].current_mean > shifts[0].reference_high


def test_small_groups_are_not_checked() -> None:
    rng = np.random.default_rng(1)
    current = _month(rng, date(2020, 1, 31), 12_000, shift={"place 3": 1.8})
    settings = MonitoringSettings(segment_min_children=5_000)
    assert segment_shifts(_reference(0), current, ["absence"], ["locality"], settings) == []


def test_segment_alarms_group_the_inputs_of_one_place() -> None:
    rng = np.random.default_rng(1)
    current = _month(rng, date(2020, 1, 31), 12_000, shift={"place 3": 1.8})
    shifts = segment_shifts(_reference(0), current, ["absence"], ["locality"],
                            MonitoringSettings())
    drift = DriftResult(dataset_drift=False, drifted_features=[], drifted_share=0.0,
                        columns=[], prediction=None, segments=shifts)
    [alarm] = drift_alarms(drift, MonitoringSettings())
    assert alarm.kind == "segment_shift"
    assert alarm.groups == ["locality=place 3"] and alarm.features == ["absence"]


@pytest.mark.parametrize(("above", "alarms"), [(20, 0), (9, 1), (10, 0), (40, 0), (41, 1)])
def test_alert_volume_alarm_outside_the_band(above: int, alarms: int) -> None:
    volume = Volume(capacity=20, population=1_000, reference_cutoff=0.1, above_cutoff=above,
                    ratio=above / 20)
    assert len(volume_alarm(volume, MonitoringSettings())) == alarms


def test_band_alarm_only_for_groups_outside() -> None:
    inside = BandCheck(column="sex", group="F", rate="fnr", period="p", current=rate(3, 10),
                       band_low=0.1, band_high=0.9, outside=False)
    outside = inside.model_copy(update={"group": "M", "outside": True})
    assert [a.subject for a in band_alarms([inside, outside])] == ["sex=M: fnr"]


def test_a_webhook_that_cannot_be_reached_is_reported_not_raised() -> None:
    result = post_webhook("http://127.0.0.1:9/alarms", 0.5, {"alarms": [{"kind": "x"}]})
    assert result.startswith("failed:")
    assert post_webhook(None, 0.5, {"alarms": [1]}) == "not configured"
    assert post_webhook("http://127.0.0.1:9/", 0.5, {"alarms": []}).startswith("nothing")


def _counts(now: dict[str, int], seed: int = 0) -> tuple[pd.DataFrame, list[date], date]:
    rng = np.random.default_rng(seed)
    months = [date(2019, m, 28) for m in range(1, 13)]
    as_of = date(2020, 1, 31)
    rows = [{"table": "early_help_episodes", "locality": p, "month": m, "rows": rng.poisson(20)}
            for p in PLACES for m in months]
    rows += [{"table": "early_help_episodes", "locality": p, "month": as_of,
              "rows": now.get(p, rng.poisson(20))} for p in PLACES]
    return pd.DataFrame(rows), months, as_of


def test_a_team_that_stops_recording_is_named() -> None:
    from monitoring.volume import volume_shifts

    counts, months, as_of = _counts({"place 2": 0})
    [shift] = volume_shifts(counts, as_of, months, MonitoringSettings())
    assert (shift.table, shift.locality, shift.rows) == ("early_help_episodes", "place 2", 0)


@pytest.mark.parametrize("seed", range(5))
def test_ordinary_months_of_recording_raise_nothing(seed: int) -> None:
    from monitoring.volume import volume_shifts

    counts, months, as_of = _counts({}, seed)
    assert volume_shifts(counts, as_of, months, MonitoringSettings()) == []


def _seasonal(now: dict[str, int], seed: int = 0
              ) -> tuple[pd.DataFrame, list[date], list[date], date]:
    """Three years of a table whose Aprils carry twice an ordinary month, council-wide (as a
    collection year's first month does), then an April to monitor."""
    from monitoring.volume import season_months

    rng = np.random.default_rng(seed)
    ends = [p.to_timestamp(how="end").date() for p in pd.period_range("2016-04", "2019-03",
                                                                     freq="M")]
    rows = [{"table": "assessments", "locality": p, "month": m,
             "rows": rng.poisson(40 if m.month == 4 else 20)} for p in PLACES for m in ends]
    as_of = date(2019, 4, 30)
    rows += [{"table": "assessments", "locality": p, "month": as_of,
              "rows": now.get(p, rng.poisson(40))} for p in PLACES]
    return pd.DataFrame(rows), ends[-12:], season_months(ends[-12:], 36), as_of


@pytest.mark.parametrize("seed", range(3))
def test_a_yearly_rhythm_is_no_alarm_but_a_team_stopping_in_that_month_is(seed: int) -> None:
    from monitoring.volume import seasonal_factors, volume_shifts

    counts, reference, history, as_of = _seasonal({}, seed)
    factors = seasonal_factors(counts, history)
    assert factors.loc["assessments", 4] == pytest.approx(40 / (40 + 11 * 20) * 12, rel=0.1)
    assert volume_shifts(counts, as_of, reference, MonitoringSettings(), factors) == []
    counts, reference, history, as_of = _seasonal({"place 2": 0}, seed)
    [shift] = volume_shifts(counts, as_of, reference, MonitoringSettings(),
                            seasonal_factors(counts, history))
    assert (shift.locality, shift.rows) == ("place 2", 0)
    assert shift.reference_mean == pytest.approx(40, rel=0.2)


def _drifting(now: dict[str, int], seed: int = 0) -> tuple[pd.DataFrame, date]:
    """Two years of early help episodes: every team's intake overdispersed month to month
    (a gamma-Poisson mix around its mean), and "place 1"'s mean falling from 44 to 14 a month
    (a slow drift of who lives there, not a change in recording)."""
    from monitoring.volume import months_before

    rng = np.random.default_rng(seed)
    as_of = date(2020, 1, 31)
    ends = months_before(as_of, 24)
    rows = []
    for p in PLACES:
        for i, m in enumerate(ends):
            mean = 44 - 30 * i / 23 if p == "place 1" else 20.0
            rows.append({"table": "early_help_episodes", "locality": p, "month": m,
                         "rows": rng.poisson(rng.gamma(100.0, mean / 100.0))})
        rows.append({"table": "early_help_episodes", "locality": p, "month": as_of,
                     "rows": now.get(p, rng.poisson(14 if p == "place 1" else 20))})
    return pd.DataFrame(rows), as_of


def test_months_before_are_the_twelve_month_ends_before_the_month() -> None:
    from monitoring.volume import months_before

    months = months_before(date(2020, 1, 15), 12)
    assert months[0] == date(2019, 1, 31) and months[-1] == date(2019, 12, 31)
    assert len(set(months)) == 12


@pytest.mark.parametrize("seed", range(5))
def test_a_teams_slow_drift_is_no_alarm_against_its_recent_months(seed: int) -> None:
    from monitoring.volume import months_before, volume_shifts

    counts, as_of = _drifting({"place 1": 6}, seed)
    assert volume_shifts(counts, as_of, months_before(as_of, 12), MonitoringSettings()) == []
    # The same month against the year before last (a fixed reference year) is an alarm.
    [shift] = volume_shifts(counts, as_of, months_before(as_of, 24)[:12], MonitoringSettings())
    assert shift.locality == "place 1"


@pytest.mark.parametrize("seed", range(5))
def test_a_team_falling_silent_is_named_though_its_months_vary(seed: int) -> None:
    """1 row against about 20: 3-4 deviations on the raw scale with this spread, beyond 4 on
    the variance-stabilised one, where a fall towards zero counts as the rare thing it is."""
    from monitoring.volume import months_before, volume_shifts

    counts, as_of = _drifting({"place 3": 1}, seed)
    [shift] = volume_shifts(counts, as_of, months_before(as_of, 12), MonitoringSettings())
    assert (shift.locality, shift.rows) == ("place 3", 1)
    assert shift.z < -4


def test_the_score_drifts_only_beyond_the_reference_months_own_moves() -> None:
    """A score whose terms alternate (as termly returns move the index) is not drift when a
    month looks like one of its kind; a month beyond every reference month is. Distances are
    on the log-odds, as the monitor measures them."""
    from scipy.special import expit
    from scipy.stats import wasserstein_distance

    from monitoring.drift import ColumnDrift, log_odds, with_reference_months

    rng = np.random.default_rng(0)
    months = [date(2018, m, 28) for m in range(1, 13)]
    low_term = {m for m in months if m.month in (1, 2, 3, 4, 5, 6)}
    reference = pd.DataFrame([
        {"as_of": m, "score": expit(rng.normal(-6.0 if m in low_term else -5.6))}
        for m in months for _ in range(500)])
    pooled = log_odds(reference)["score"]

    def judged(logits: np.ndarray) -> ColumnDrift | None:
        distance = wasserstein_distance(pooled, logits) / float(np.std(pooled))
        return with_reference_months(ColumnDrift(
            column="score", method="Wasserstein distance (normed)", distance=distance,
            drifted=distance > 0.1), reference)

    ordinary = judged(rng.normal(-6.0, 1.0, 500))
    assert ordinary is not None and ordinary.distance > 0.1  # beyond Evidently's threshold
    assert not ordinary.drifted and ordinary.reference_month_high is not None
    shifted = judged(rng.normal(-4.5, 1.0, 500))
    assert shifted is not None and shifted.drifted


def test_one_child_with_a_very_high_score_does_not_move_the_score_distance() -> None:
    from scipy.stats import wasserstein_distance

    from monitoring.drift import log_odds

    rng = np.random.default_rng(1)
    reference = pd.DataFrame({"score": rng.uniform(1e-4, 5e-4, 20_000)})
    month = reference.sample(20_000, replace=True, random_state=2).reset_index(drop=True)
    month.loc[0, "score"] = 0.9

    def normed(ref: pd.Series, cur: pd.Series) -> float:
        return float(wasserstein_distance(ref, cur) / np.std(ref))

    assert normed(reference["score"], month["score"]) > 0.1  # on probabilities: an "alarm"
    assert normed(log_odds(reference)["score"], log_odds(month)["score"]) < 0.05


def test_an_influx_into_one_locality_is_named_but_slow_drift_is_not() -> None:
    from monitoring.drift import POPULATION_SHARE, segment_shifts

    months = [date(2019, m, 28) for m in range(1, 13)]
    as_of = date(2020, 1, 31)

    def population(sizes: dict[str, list[int]]) -> pd.DataFrame:
        rows = [{"child_key": f"{p}-{m}-{i}", "as_of": m, "locality": p}
                for p, counts in sizes.items()
                for m, n in zip([*months, as_of], counts, strict=True) for i in range(n)]
        return pd.DataFrame(rows)

    steady = {p: [800 + (i % 3)] * 13 for i, p in enumerate(PLACES)}
    # Slow drift: one place grows by 1% over the year (children growing up, families moving).
    drifting = {**steady, "place 1": [800 + k for k in range(0, 13)]}
    influx = {**steady, "place 2": [800] * 12 + [920]}
    current = pd.DataFrame({"as_of": [as_of], "locality": ["place 0"], "score": [0.1]})
    settings = MonitoringSettings()
    for sizes, named in ((drifting, set()), (influx, {"place 2"})):
        shifts = [s for s in segment_shifts(
            pd.DataFrame({"as_of": months, "locality": "place 0", "score": 0.1}), current, [],
            ["locality"], settings, population=population(sizes))
            if s.feature == POPULATION_SHARE]
        assert {s.group for s in shifts} == named


def test_features_that_grow_with_time_alone_are_watched_only_as_inputs(tmp_path: Path) -> None:
    import duckdb

    from monitoring.reference import watched_features

    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("CREATE TABLE feature_registry (feature VARCHAR, kind VARCHAR, "
                    "lookback_months BIGINT)")
        con.executemany("INSERT INTO feature_registry VALUES (?, ?, ?)", [
            ("suspensions_12m", "count", 12), ("assessments_ever", "count", None),
            ("months_since_contact", "months_since", None), ("months_known", "duration", None),
            ("missing_ever", "count", None), ("absence_rate", "rate", 6),
        ])
    watched = watched_features(warehouse, ["missing_ever", "suspensions_12m"])
    # Inputs always; others only when they have a window (an "ever" count grows as the
    # extract ages, as months since and months known do).
    assert watched == ["missing_ever", "suspensions_12m", "absence_rate"]
