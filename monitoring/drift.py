"""Has the data feeding the model changed? Evidently on the whole month, a control chart by group.

Two views, because they fail differently:
- Evidently's data drift (``DataDriftPreset``): each model input and the score, this month
  against the reference, by a distance (normalised Wasserstein for numbers, Jensen-Shannon for
  few-valued columns). It sees changes across the council and is blind to a change confined to
  one school or one locality, which moves a council-wide distance by a few hundredths.
- A segment check: each input's mean within each group (locality, school, sex, age band, ...)
  this month, against that group's twelve monthly means in the reference. A change is named
  when the month lies outside every reference month and its gap from their mean exceeds
  ``segment_sigma`` standard deviations (the larger of the months' spread and the sampling
  error of one reference month), so seasonal swings and small samples do not raise it. Means
  are taken of log(1 + value) (log of the score), so one child with many events does not
  move a group's mean on its own, and the change must be worth ``segment_min_shift`` children
  (the gap in means times the group's size), so a rare input moving by two children is not
  named however unusual that is.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from earlyhelp.settings import MonitoringSettings
from monitoring.volume import VolumeShift

SCORE = "score"


def log_odds(frame: pd.DataFrame) -> pd.DataFrame:
    """The score as log-odds. Probabilities of a rare outcome sit near 0 with a long right
    tail, so the score's standard deviation is tiny and one child with a very high score moves
    the normalised Wasserstein distance by about 0.1 (on the unchanged world of 20,000 children
    the raw score's distance flipped between 0.004 and 0.10 month to month for that reason).
    On the log-odds scale the distance measures how the whole population's risk moved."""
    out = frame.copy()
    p = out[SCORE].astype("float64").clip(1e-9, 1 - 1e-9)
    out[SCORE] = np.log(p / (1 - p))
    return out


class ColumnDrift(BaseModel):
    column: str
    method: str
    distance: float
    drifted: bool
    # The largest distance of any one reference month from the whole reference (the score
    # only): how far an ordinary month of the training year already moved.
    reference_month_high: float | None = None


class SegmentShift(BaseModel):
    """One input whose mean in one group moved beyond its reference months."""

    segment: str  # the group column, e.g. "locality"
    group: str  # its value, e.g. "Northgate"
    feature: str
    current_mean: float
    reference_mean: float
    reference_low: float  # lowest and highest monthly mean in the reference
    reference_high: float
    z: float
    children: int


class DriftResult(BaseModel):
    dataset_drift: bool
    drifted_features: list[str]
    drifted_share: float
    method: str = (
        "Evidently 0.7 ValueDrift on each input and the score: per column a distance "
        "(normalised Wasserstein for numbers, Jensen-Shannon for columns with few values) "
        "against the training run's reference; a column drifts above the threshold, the "
        "data set when the share of drifted inputs reaches the drift share"
    )
    columns: list[ColumnDrift]
    prediction: ColumnDrift | None
    segments: list[SegmentShift]
    recording: list[VolumeShift] = Field(default_factory=list)
    html: str | None = None


def evidently_drift(reference: pd.DataFrame, current: pd.DataFrame, features: list[str],
                    settings: MonitoringSettings, html: Path | None, seed: int
                    ) -> tuple[bool, float, list[ColumnDrift], ColumnDrift | None]:
    """Evidently's drift of the inputs and the score; saves its HTML when ``html`` is given.

    One ``ValueDrift`` per column rather than ``DataDriftPreset``: the same per-column methods
    and thresholds, in about half the time (the preset computes each column's drift three
    times and draws twice as many plots); the data set rule is the preset's own (drifted
    share of the inputs at least ``dataset_drift_share``).
    """
    from evidently import DataDefinition, Dataset, Report
    from evidently.metrics import ValueDrift

    columns = [*features, SCORE]
    n = min(len(reference), settings.evidently_reference_rows)
    ref = reference.sample(n=n, random_state=seed) if n < len(reference) else reference
    ref, current = log_odds(ref[columns]), log_odds(current[columns])
    definition = DataDefinition(numerical_columns=columns)
    report = Report([ValueDrift(column=c, threshold=settings.feature_drift_threshold)
                     for c in columns], include_tests=False)
    snapshot = report.run(
        current_data=Dataset.from_pandas(current[columns].astype("float64"),
                                         data_definition=definition),
        reference_data=Dataset.from_pandas(ref[columns].astype("float64"),
                                           data_definition=definition),
    )
    if html is not None:
        html.parent.mkdir(parents=True, exist_ok=True)
        snapshot.save_html(str(html))
    results: dict[str, ColumnDrift] = {}
    for metric in snapshot.dict()["metrics"]:
        config = metric["config"]
        if config["type"].endswith("ValueDrift"):
            value = float(metric["value"])
            results[config["column"]] = ColumnDrift(
                column=config["column"], method=config["method"], distance=round(value, 5),
                drifted=value > float(config["threshold"]))
    inputs = [results[c] for c in features if c in results]
    share = sum(c.drifted for c in inputs) / max(len(inputs), 1)
    return share >= settings.dataset_drift_share, share, inputs, results.get(SCORE)


def month_to_month(reference: pd.DataFrame, column: str, months: str = "as_of") -> float | None:
    """The largest normalised Wasserstein distance (Evidently's measure: the distance over the
    whole reference's standard deviation) of one reference month from the whole reference.

    A score with a yearly rhythm (termly school returns move the index's factors) differs from
    the pooled year by as much in its ordinary months as a drifted month might: a month counts
    as drifted only beyond both the threshold and every reference month.
    """
    from scipy.stats import wasserstein_distance

    if column == SCORE:
        reference = log_odds(reference)
    values = reference[column].astype("float64")
    if months not in reference.columns or values.nunique() < 2:
        return None
    norm = max(float(np.std(values)), 0.001)
    distances = [wasserstein_distance(values, group.astype("float64")) / norm
                 for _, group in values.groupby(reference[months]) if len(group) >= 100]
    return round(max(distances), 5) if distances else None


def with_reference_months(prediction: ColumnDrift | None, reference: pd.DataFrame
                          ) -> ColumnDrift | None:
    """The score's drift, judged also against the reference's own month-to-month moves."""
    if prediction is None:
        return None
    high = month_to_month(reference, prediction.column)
    drifted = prediction.drifted and (high is None or prediction.distance > high)
    return prediction.model_copy(update={"reference_month_high": high, "drifted": drifted})


def _robust(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Means on a log scale: counts and the score have long right tails, and one child with
    many events (or a high score) otherwise moves a group's mean beyond its usual months."""
    out = frame.copy()
    for column in columns:
        values = out[column].astype("float64")
        if column == SCORE:
            out[column] = np.log(values.clip(lower=1e-6))
        elif values.min() >= 0:
            out[column] = np.log1p(values)
    return out


def segment_shifts(reference: pd.DataFrame, current: pd.DataFrame, features: list[str],
                   segments: list[str], settings: MonitoringSettings,
                   population: pd.DataFrame | None = None) -> list[SegmentShift]:
    """Inputs (and the score) whose mean in some group left that group's reference months;
    with ``population`` (every child's group in the reference months and this one: child_key,
    as_of and the segment columns), also groups whose share of the children did."""
    columns = [*features, SCORE]
    reference, current = _robust(reference, columns), _robust(current, columns)
    shifts: list[SegmentShift] = []
    for segment in segments:
        ref = reference.groupby([segment, "as_of"], observed=True)
        ref_mean, ref_size = ref[columns].mean(), ref.size()
        ref_var = ref[columns].var(ddof=1)
        cur = current.groupby(segment, observed=True)
        cur_mean, cur_size = cur[columns].mean(), cur.size()
        for group, n in cur_size.items():
            if n < settings.segment_min_children or group not in ref_mean.index.get_level_values(0):
                continue
            months = ref_mean.loc[group]
            if len(months) < 3:
                continue
            centre = months.mean()
            spread = months.std(ddof=1)
            # Sampling error of one reference month's mean, from the pooled within-month
            # variance: the floor when the months happen to agree (or a rare input is 0).
            rows = float(ref_size.loc[group].mean())
            within = np.sqrt(ref_var.loc[group].mean() / rows)
            sd = np.maximum(spread.fillna(0), within.fillna(0))
            now = cur_mean.loc[group]
            outside = (now > months.max()) | (now < months.min())
            with np.errstate(divide="ignore", invalid="ignore"):
                z = (now - centre) / sd
            # A change worth fewer than a handful of children is noise in a rare input (a few
            # more children away from placement), however many deviations it is.
            worth = (now - centre).abs() * n >= settings.segment_min_shift
            hit = outside & (z.abs() > settings.segment_sigma) & (sd > 0) & worth
            for feature in hit[hit].index:
                shifts.append(SegmentShift(
                    segment=segment, group=str(group), feature=str(feature),
                    current_mean=round(float(now[feature]), 5),
                    reference_mean=round(float(centre[feature]), 5),
                    reference_low=round(float(months[feature].min()), 5),
                    reference_high=round(float(months[feature].max()), 5),
                    z=round(float(z[feature]), 2), children=int(n)))
        if population is not None and segment in population.columns:
            month = current["as_of"].iloc[0] if len(current) else None
            sizes = population.groupby([segment, "as_of"], observed=True).size()
            ref_sizes = sizes[sizes.index.get_level_values("as_of") != month]
            now_sizes = sizes[sizes.index.get_level_values("as_of") == month].droplevel("as_of")
            shifts += _share_shifts(segment, ref_sizes, now_sizes, settings)
    return sorted(shifts, key=lambda s: -abs(s.z))


POPULATION_SHARE = "share_of_children"  # the "feature" a change in who lives where is named by


def _share_shifts(segment: str, ref_size: pd.Series, cur_size: pd.Series,
                  settings: MonitoringSettings) -> list[SegmentShift]:
    """Groups whose share of the month's children left their share in every reference month:
    an influx into one locality (a new estate, a resettlement) changes who is there before it
    moves any group's mean input. Same rule as the inputs, on exact counts (every child, not
    the reference sample), so the months' own spread is the deviation; and the share must move
    by ``segment_share_change`` of itself, since shares drift slowly as children grow up and
    families move, far beyond the few reference months' spread but by little."""
    ref_share = ref_size / ref_size.groupby(level="as_of").transform("sum")
    total = float(cur_size.sum())
    out = []
    for group, n in cur_size.items():
        if n < settings.segment_min_children or group not in ref_share.index.get_level_values(0):
            continue
        months = ref_share.loc[group]
        if len(months) < 3:
            continue
        centre, now = float(months.mean()), n / total
        sd = float(months.std(ddof=1))
        z = (now - centre) / sd if sd > 0 else 0.0
        outside = now > months.max() or now < months.min()
        worth = (abs(now - centre) * total >= settings.segment_min_shift
                 and abs(now - centre) >= settings.segment_share_change * centre)
        if outside and abs(z) > settings.segment_sigma and worth:
            out.append(SegmentShift(
                segment=segment, group=str(group), feature=POPULATION_SHARE,
                current_mean=round(now, 5), reference_mean=round(centre, 5),
                reference_low=round(float(months.min()), 5),
                reference_high=round(float(months.max()), 5), z=round(z, 2), children=int(n)))
    return out
