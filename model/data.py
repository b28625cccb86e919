"""Load the feature tables from the warehouse and cut them into temporal folds.

Only the shapes in docs/contracts.md ("Features") are read: the feature matrix, labels,
registry and protected attributes, joined on ``(child_key, as_of)``. Protected attributes
ride along for fairness analysis and are never passed to a model.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from earlyhelp.errors import InputError
from earlyhelp.settings import ModelSettings
from earlyhelp.stats.groups import PROTECTED_ATTRIBUTES as PROTECTED

KEYS = ("child_key", "as_of")
TABLES = ("feature_matrix", "labels", "feature_registry", "protected_attributes")


@dataclass(frozen=True)
class ModelData:
    """Labelled child-months (label matured), their features and protected attributes."""

    frame: pd.DataFrame
    # The learned candidates' inputs, and each one's kind (registry), in the same order.
    features: tuple[str, ...]
    kinds: tuple[str, ...]
    registry: pd.DataFrame
    label: str
    fingerprint: str
    unlabelled_rows: int
    # What the learned candidates are fitted on (the evaluated label unless settings say).
    fit_label: str = ""
    # Every feature in the matrix (the rule baseline may use ones the model leaves out).
    all_features: tuple[str, ...] = ()

    @property
    def target(self) -> str:
        return self.fit_label or self.label

    @property
    def directions(self) -> tuple[str, ...]:
        """Each input's registry direction hint (for monotone constraints), in order."""
        hint = self.registry.set_index("feature").get("direction_hint")
        return tuple("neutral" if hint is None else str(hint[f]) for f in self.features)

    @property
    def months(self) -> list[date]:
        return sorted(self.frame["as_of"].unique())


@dataclass(frozen=True)
class Fold:
    """One rolling-origin split: fit on the oldest months, calibrate on the next, test after."""

    fit_months: tuple[date, ...]
    calibration_months: tuple[date, ...]
    test_months: tuple[date, ...]


def add_months(month_end: date, months: int) -> date:
    return (pd.Timestamp(month_end) + pd.offsets.MonthEnd(months)).date()


def _check_tables(con: object, warehouse: Path) -> None:
    present = {row[0] for row in con.execute("SHOW TABLES").fetchall()}  # type: ignore[attr-defined]
    missing = [t for t in TABLES if t not in present]
    if missing:
        raise InputError(
            f"{warehouse}: table(s) {', '.join(missing)} missing; run `earlyhelp features` "
            "on this warehouse first"
        )


def _check_registry(registry: pd.DataFrame, warehouse: Path) -> None:
    missing = [c for c in ("feature", "group", "description", "kind", "lookback_months")
               if c not in registry.columns]
    if missing:
        raise InputError(
            f"{warehouse}: feature_registry has no column(s) {missing}; it was built by an "
            "older version: run `earlyhelp features` on this warehouse again"
        )


def _feature_columns(matrix_cols: list[str], registry: pd.DataFrame, warehouse: Path) -> list[str]:
    leaked = sorted(set(matrix_cols) & set(PROTECTED))
    if leaked:
        raise InputError(
            f"{warehouse}: feature_matrix holds protected column(s) {leaked}; protected "
            "characteristics must never be model inputs"
        )
    features = [c for c in matrix_cols if c not in KEYS]
    unregistered = sorted(set(features) - set(registry["feature"]))
    if unregistered:
        raise InputError(
            f"{warehouse}: feature_matrix column(s) {unregistered} have no row in "
            "feature_registry; every feature needs a plain-English description"
        )
    return features


def model_inputs(registry: pd.DataFrame, features: list[str],
                 max_lookback_months: int | None) -> list[str]:
    """The features a learned model may use: those looking back at most ``max_lookback_months``.

    A feature over all recorded history ("ever", "months since the last", months known)
    changes meaning as the extract's history lengthens: most sources begin at the extract's
    first month, so in the oldest training months "ever" means "in the last few months".
    None keeps every feature.
    """
    if max_lookback_months is None:
        return features
    lookback = registry.set_index("feature")["lookback_months"]
    return [f for f in features if pd.notna(lb := lookback[f]) and lb <= max_lookback_months]


def fingerprint(frame: pd.DataFrame, features: tuple[str, ...], *labels: str) -> str:
    """A hash of the labelled matrix (sorted by child and month), stable across runs."""
    columns = [*KEYS, *features, *dict.fromkeys(labels)]
    hashed = pd.util.hash_pandas_object(frame[columns], index=False)
    return hashlib.sha256(hashed.to_numpy().tobytes()).hexdigest()[:16]


def load_model_data(warehouse: Path, label: str, fit_label: str | None = None,
                    max_lookback_months: int | None = None) -> ModelData:
    """Read the labelled population and registry for ``label`` from ``warehouse``.

    ``fit_label``, when given, is read beside it for fitting; rows where either is not yet
    matured are left out. ``max_lookback_months`` picks the model's inputs (``model_inputs``).
    """
    import duckdb

    if not warehouse.exists():
        raise InputError(f"{warehouse}: warehouse file not found")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        _check_tables(con, warehouse)
        registry = con.execute("SELECT * FROM feature_registry").df()
        matrix_cols = [r[0] for r in con.execute("DESCRIBE feature_matrix").fetchall()]
        label_cols = [r[0] for r in con.execute("DESCRIBE labels").fetchall()]
        for name, setting in ((label, "--label / model.label"), (fit_label, "model.fit_label")):
            if name is not None and name not in label_cols:
                raise InputError(
                    f"{warehouse}: labels has no column '{name}' (it has "
                    f"{[c for c in label_cols if c not in KEYS]}); check {setting}"
                )
        fit_label = None if fit_label == label else fit_label
        extra = f', CAST(l."{fit_label}" AS INTEGER) AS "{fit_label}"' if fit_label else ""
        extra_where = f' AND l."{fit_label}" IS NOT NULL' if fit_label else ""
        _check_registry(registry, warehouse)
        features = _feature_columns(matrix_cols, registry, warehouse)
        unlabelled = con.execute(
            f'SELECT count(*) FROM labels WHERE "{label}" IS NULL'
        ).fetchone()
        feature_sql = ", ".join(f'f."{c}"' for c in features)
        frame = con.execute(
            f"""SELECT f.child_key, f.as_of, {feature_sql},
                       CAST(l."{label}" AS INTEGER) AS "{label}"{extra},
                       {", ".join(f"p.{c}" for c in PROTECTED)}
                FROM feature_matrix f
                JOIN labels l USING (child_key, as_of)
                LEFT JOIN protected_attributes p USING (child_key, as_of)
                WHERE l."{label}" IS NOT NULL{extra_where}
                ORDER BY f.child_key, f.as_of"""
        ).df()
    if frame.empty:
        raise InputError(f"{warehouse}: no child-month has a matured '{label}' label")
    frame["as_of"] = pd.to_datetime(frame["as_of"]).dt.date
    frame[features] = frame[features].astype(np.float32)
    inputs = model_inputs(registry, features, max_lookback_months)
    if not inputs:
        raise InputError(
            f"{warehouse}: no feature looks back {max_lookback_months} months or less; "
            "raise model.max_lookback_months"
        )
    kind = registry.set_index("feature")["kind"]
    return ModelData(
        frame=frame,
        features=tuple(inputs),
        kinds=tuple(str(kind[f]) for f in inputs),
        all_features=tuple(features),
        registry=registry,
        label=label,
        fingerprint=fingerprint(frame, tuple(features), label, *([fit_label] if fit_label else [])),
        unlabelled_rows=int(unlabelled[0]) if unlabelled else 0,
        fit_label=fit_label or label,
    )


def _fit_and_calibration(
    months: list[date], cutoff: date, settings: ModelSettings
) -> tuple[tuple[date, ...], tuple[date, ...]]:
    matured = [m for m in months if add_months(m, settings.label_horizon_months) <= cutoff]
    calibration = matured[-settings.calibration_months :]
    fit = matured[: -settings.calibration_months]
    if not fit:
        raise InputError(
            f"only {len(matured)} month(s) had matured labels by {cutoff}; need more than "
            f"model.calibration_months={settings.calibration_months}. Use a longer history "
            "or fewer/shorter test folds (model.test_folds, model.fold_months)"
        )
    return tuple(fit), tuple(calibration)


def make_folds(months: list[date], settings: ModelSettings) -> list[Fold]:
    """Rolling-origin folds over the last labelled months.

    Every fit and calibration month's label has matured by its fold's first test month.
    """
    n_test = settings.test_folds * settings.fold_months
    if len(months) <= n_test:
        raise InputError(
            f"{len(months)} labelled month(s) cannot hold {settings.test_folds} test fold(s) "
            f"of {settings.fold_months} month(s)"
        )
    test = months[-n_test:]
    folds = []
    for i in range(settings.test_folds):
        fold_test = tuple(test[i * settings.fold_months : (i + 1) * settings.fold_months])
        fit, calibration = _fit_and_calibration(months, fold_test[0], settings)
        folds.append(Fold(fit, calibration, fold_test))
    return folds


def validation_folds(months: list[date], settings: ModelSettings) -> list[Fold]:
    """Folds like ``make_folds`` inside the months before the first test month: where inputs,
    hyperparameters and the family are chosen, so the test months are scored once, at the end.
    """
    first_test = make_folds(months, settings)[0].test_months[0]
    before = [m for m in months if m < first_test]
    try:
        return make_folds(before, settings.model_copy(
            update={"test_folds": settings.validation_folds}))
    except InputError as exc:
        raise InputError(f"too little history to choose a model before the test months: {exc}. "
                         "Use a longer history or fewer validation folds "
                         "(model.validation_folds)") from None


def final_split(months: list[date], settings: ModelSettings) -> Fold:
    """The deployed model: fit on all but the newest labelled months, calibrate on those."""
    if len(months) <= settings.calibration_months:
        raise InputError(f"{len(months)} labelled month(s) are too few to fit and calibrate")
    return Fold(
        tuple(months[: -settings.calibration_months]),
        tuple(months[-settings.calibration_months :]),
        (),
    )
