"""One typed settings object for the whole product.

Values come from, in order of precedence: keyword arguments, environment variables
(prefix ``EARLYHELP_``, nested with ``__``), a TOML file (``earlyhelp.toml`` in the working
directory, or the path in ``EARLYHELP_CONFIG``), then the defaults below. Build it at an entry
point (CLI command, app factory) and pass it down; nothing imports a global instance.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

LOCAL_PSEUDONYM_KEY = "local-only-pseudonym-key-change-me"
LOCAL_SECRET_KEY = "local-only-token-signing-key-change-me"


class LinkageSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    # Pairs at or above match_threshold are the same child; pairs in [review_low, review_high)
    # go to clerical review. 0.9: a wrong merge puts one child's history on another's record,
    # which is worse than a missed link (that child is scored on part of their history), so
    # automatic links need nine-to-one odds; 0.5-0.9 is where a person decides.
    match_threshold: float = Field(0.9, gt=0, lt=1)
    review_low: float = Field(0.5, gt=0, lt=1)
    review_high: float = Field(0.9, gt=0, le=1)
    seed: int = 42

    @model_validator(mode="after")
    def _band_is_ordered(self) -> LinkageSettings:
        if not self.review_low < self.review_high:
            raise ValueError("linkage.review_low must be below linkage.review_high")
        if self.review_high > self.match_threshold:
            raise ValueError(
                "linkage.review_high must not exceed linkage.match_threshold: pairs between "
                "them would be linked automatically and sent for review as well"
            )
        return self


class ModelSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    label: str = "custody_12m"
    # The outcome the learned candidates are fitted on; scores are then calibrated to, and
    # evaluated on, `label`. Custody without earlier youth justice contact is by definition a
    # first entry to youth justice, and with about ten a year there are too few to learn from
    # (a few dozen children in any training window); first-time entry shares its drivers and
    # has more than ten times the positives. None fits on `label` itself.
    fit_label: str | None = "first_time_entry_12m"
    # Fit positives that are also positives of `label` (first entries that were custody)
    # count this many times in the learned linear candidates' fit (trees fit unweighted), so
    # the fit leans towards what separates custody from other first entries. 1: no lean.
    outcome_weight: float = Field(1.0, ge=1.0)
    # Learned candidates use features looking back at most this many months (and statuses
    # at the as-of date). Counts over all recorded history drift: most sources begin at the
    # extract's first month, so "ever" meant "in the last few months" in the oldest training
    # months and "in the last four years" in the newest. None uses every feature.
    max_lookback_months: int | None = Field(24, ge=0)
    # New flagged referrals Early Help can take per month.
    capacity: int = Field(20, ge=1)
    registered_name: str = "earlyhelp-custody-risk"
    seed: int = 20200331
    bootstrap_resamples: int = Field(1000, ge=100)
    # Temporal evaluation: a label matures label_horizon_months after its as-of date.
    label_horizon_months: int = Field(12, ge=1)
    test_folds: int = Field(2, ge=1)
    # Folds of the same length just before the test months, inside the training months:
    # every choice (inputs, transform, hyperparameters, family) is made on these.
    validation_folds: int = Field(2, ge=1)
    fold_months: int = Field(6, ge=1)
    # The newest matured months before each cut-off calibrate; older ones fit.
    calibration_months: int = Field(6, ge=1)
    # Negatives kept for fitting (weighted back by 1/rate); every positive is kept.
    negative_sample_rate: float = Field(0.1, gt=0, le=1)
    # Promotion gate: calibration slope and intercept (logistic recalibration of the
    # latest test months) must fall in these bounds.
    gate_slope_low: float = 0.5
    gate_slope_high: float = 2.0
    gate_intercept_abs: float = Field(1.0, gt=0)
    # Features of the practitioner's rule baseline; empty = picked from the registry by name
    # (permanent exclusion, exploitation, gangs).
    baseline_features: tuple[str, ...] = ()
    # Groups with fewer children with the outcome than this are left out of the disparity
    # check (children, not child-months: one child's months are not independent evidence).
    gate_min_group_positives: int = Field(5, ge=1)
    # Below this many children with the outcome in the test months, "beats the rule" cannot
    # be decided on one world (at 30 children a recall of 0.1 has a 95% interval about +/-0.11,
    # wider than any difference worth having): a failure is then inconclusive, and a named
    # person may override it with a reason, as for the group checks.
    gate_min_outcome_children: int = Field(30, ge=1)
    # Error-rate gaps within this (absolute rate) of the reference's gap count as no worse.
    gate_disparity_tolerance: float = Field(0.01, ge=0)
    # A group's share of flags may not exceed this multiple of its share of outcomes (lower
    # 95% bound of the first against the upper bound of the second), and its outcomes may not
    # differ from what the model expects for it by more than this factor (calibration in the
    # large, exact Poisson interval). A named person may override either with a reason.
    gate_max_flag_share_ratio: float = Field(3.0, gt=1)
    gate_group_calibration_factor: float = Field(2.0, gt=1)


class ServingSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    # Signs sign-in tokens and the pages' CSRF tokens. No usable default outside local mode.
    secret_key: SecretStr = SecretStr(LOCAL_SECRET_KEY)
    token_minutes: int = Field(60, ge=1, le=24 * 60)
    # A child alerted within this many months is not alerted again unless their risk rose
    # sharply: to at least `realert_rise` times the probability at the last alert.
    realert_months: int = Field(6, ge=0)
    realert_rise: float = Field(2.0, gt=1)
    # Probability bands in words (lower bounds, ascending): what a practitioner reads.
    band_edges: tuple[float, ...] = (0.005, 0.02, 0.05)
    # Demo users with known passwords are created by `make demo`; production refuses them.
    demo_users: bool = False
    # A team a child goes to when no service has them open: one triage team per locality.
    triage_team_prefix: str = "Early help triage"
    # A signed-in user's role, teams and whether they may sign in are read from the store at
    # most this often per user and process (each request would otherwise query it). A change
    # made through the API applies at once in that process; elsewhere (the CLI, another
    # worker) within this many seconds. Tokens themselves expire after token_minutes.
    user_cache_seconds: float = Field(5.0, ge=0, le=60)


class MonitoringSettings(BaseModel):
    """What the monthly monitor compares and when it raises an alarm (docs/monitoring.md
    says why each default, with the false-alarm rate measured on unchanged worlds)."""

    model_config = ConfigDict(frozen=True)

    # Training-month rows saved with each training run as the drift reference (the newest
    # 12 matured months, sampled): enough for a few thousand rows per locality or school.
    reference_rows: int = Field(60_000, ge=1_000)
    # Rows of the reference Evidently compares with the month (its distances settle well
    # below this; more only costs time).
    evidently_reference_rows: int = Field(20_000, ge=1_000)
    # Evidently's per-feature drift: a column drifts when its distance (normalised
    # Wasserstein for numbers, Jensen-Shannon for categories) exceeds this; the data set
    # drifts when at least dataset_drift_share of the inputs drift. Evidently's defaults.
    feature_drift_threshold: float = Field(0.1, gt=0)
    dataset_drift_share: float = Field(0.5, gt=0, le=1)
    # Segment check: a feature's mean in one group (locality, school, sex, age band) this
    # month against the same group's monthly means in the reference months. The alarm needs
    # the month outside every reference month AND a standardised gap beyond this many
    # reference standard deviations (months vary by season and by sampling).
    segment_sigma: float = Field(6.0, gt=0)
    # Groups with fewer children than this in the month are not checked (too noisy).
    segment_min_children: int = Field(300, ge=10)
    # ... nor changes worth fewer children than this (gap in the mean of log(1 + value)
    # times the group's size): a rare input moving by two children is noise.
    segment_min_shift: float = Field(10.0, ge=0)
    # A group's share of the month's children must also move by this share of itself: exact
    # shares drift slowly (children age, families move) beyond their reference months'
    # tiny spread within a year; an influx moves one locality's share by a tenth or more.
    segment_share_change: float = Field(0.05, gt=0)
    # Recording volume: rows an event table received this month in one locality against
    # the same in each baseline month, on the variance-stabilised scale 2 sqrt(rows + 3/8),
    # where a Poisson count's deviation is 1: the deviation is the larger of the months'
    # spread and that. Fewer comparisons than the segment check (8 tables x 16 localities),
    # so a lower bar.
    volume_sigma: float = Field(4.0, gt=0)
    # ... against the counts of this many months before the month (the recent past: a sudden
    # change, not the slow drift of a locality's intake since the reference year).
    volume_baseline_months: int = Field(12, ge=3, le=36)
    # Months of council-wide history (ending with the reference) from which each table's
    # month-of-year factor is estimated: three years give three of each calendar month.
    volume_season_months: int = Field(36, ge=12, le=120)
    # Alert volume: children scoring at or above the test year's cut-off at capacity, as a
    # multiple of capacity; outside [low, high] is an alarm.
    volume_low: float = Field(0.5, gt=0)
    volume_high: float = Field(2.0, gt=0)
    # A group's selection rate or error rate leaving its band: the test year's 95% interval
    # widened by this factor (on the rate scale) before the month is compared with it.
    fairness_band_widen: float = Field(1.5, ge=1)
    # Realised recall at capacity below the model card's lower 95% limit is an alarm.
    webhook_url: str | None = None
    webhook_timeout_seconds: float = Field(5.0, gt=0)


class Settings(BaseSettings):
    """Settings for every step. Secrets have no usable default outside local mode."""

    model_config = SettingsConfigDict(
        env_prefix="EARLYHELP_",
        env_nested_delimiter="__",
        frozen=True,
        extra="forbid",
    )

    environment: Literal["local", "test", "production"] = "local"
    data_dir: Path = Path("out")
    pseudonym_key: SecretStr = SecretStr(LOCAL_PSEUDONYM_KEY)
    mlflow_tracking_uri: str | None = None
    database_url: str | None = None
    linkage: LinkageSettings = LinkageSettings()
    model: ModelSettings = ModelSettings()
    serving: ServingSettings = ServingSettings()
    monitoring: MonitoringSettings = MonitoringSettings()
    # Date of the extract being ingested; defaults to the newest date seen.
    extract_date: date | None = None

    @model_validator(mode="after")
    def _no_placeholder_secrets_in_production(self) -> Settings:
        if self.environment == "production" and (
            self.pseudonym_key.get_secret_value() == LOCAL_PSEUDONYM_KEY
        ):
            raise ValueError(
                "EARLYHELP_PSEUDONYM_KEY is the local placeholder; set a secret key "
                "before running in production"
            )
        if self.environment == "production" and (
            self.serving.secret_key.get_secret_value() == LOCAL_SECRET_KEY
        ):
            raise ValueError(
                "EARLYHELP_SERVING__SECRET_KEY is the local placeholder; set a secret key "
                "before serving in production"
            )
        if self.environment == "production" and self.serving.demo_users:
            raise ValueError("serving.demo_users is on: demo sign-ins are refused in production")
        return self

    @property
    def warehouse_path(self) -> Path:
        return self.data_dir / "warehouse.duckdb"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"

    @property
    def resolved_mlflow_uri(self) -> str:
        return self.mlflow_tracking_uri or os.environ.get("MLFLOW_TRACKING_URI") or (
            f"sqlite:///{(self.data_dir / 'mlflow.db').resolve()}"
        )

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or os.environ.get("DATABASE_URL") or (
            f"sqlite:///{(self.data_dir / 'serving.db').resolve()}"
        )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = Path(os.environ.get("EARLYHELP_CONFIG", "earlyhelp.toml"))
        return (
            init_settings,
            env_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=toml_file),
            file_secret_settings,
        )


def load_settings(**overrides: object) -> Settings:
    """Build settings at an entry point; overrides win over environment and file."""
    return Settings(**overrides)  # type: ignore[arg-type]
