"""End to end on the synthetic warehouse: evaluation, MLflow run, registry, pyfunc, privacy."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import mlflow
import pandas as pd
from mlflow import MlflowClient

from earlyhelp.reports import read_report
from model.data import PROTECTED, add_months, load_model_data
from model.report import EvaluationReport, TrainReport
from tests.model.builders import SyntheticWorld


def _artifact_root(settings) -> Path:  # type: ignore[no-untyped-def]
    return settings.data_dir / "mlartifacts"


def test_evaluation_json_compares_all_on_the_same_months(trained) -> None:  # type: ignore[no-untyped-def]
    settings, _ = trained
    evaluation = read_report(settings.reports_dir / "evaluation.json", EvaluationReport)
    assert evaluation.capacity == settings.model.capacity
    assert evaluation.oracle is not None
    blocks = [evaluation.model, evaluation.baseline, evaluation.oracle]
    assert len({(b.rows, b.positives) for b in blocks}) == 1
    for block in blocks:
        for name in ("recall_at_capacity", "precision_at_capacity", "pr_auc", "roc_auc", "brier"):
            iv = block.intervals[name]
            assert iv.low is not None and iv.low <= getattr(block, name) <= iv.high
        assert block.flagged == settings.model.capacity * len(evaluation.test_months)
        assert set(block.by_group) == {"sex", "ethnicity_group", "disability", "age_band"}
    assert "permanently excluded" in evaluation.baseline_rule.lower()
    assert "hash of the child's pseudonymous key" in evaluation.tie_rule


def test_model_beats_the_rule_and_stays_under_the_ceiling(trained) -> None:  # type: ignore[no-untyped-def]
    settings, _ = trained
    ev = read_report(settings.reports_dir / "evaluation.json", EvaluationReport)
    assert ev.model.recall_at_capacity > ev.baseline.recall_at_capacity
    assert ev.model.pr_auc > ev.baseline.pr_auc
    assert ev.oracle.roc_auc >= ev.model.roc_auc - 0.02


def test_index_deployed_without_evidence_learned_model_chosen_blind(trained) -> None:  # type: ignore[no-untyped-def]
    settings, report = trained
    ev = read_report(settings.reports_dir / "evaluation.json", EvaluationReport)
    assert report.winner == ev.winner == "index" and "across worlds" in ev.deployed_because
    assert ev.model == ev.index
    # The learned variant was chosen on validation months, all before every test month.
    assert max(ev.validation_months) < min(ev.test_months)
    assert [v.variant for v in ev.validation if v.chosen] == [ev.learned_winner]
    assert ev.learned_winner in ev.candidates
    # Every variant tried is a run in an experiment of its own.
    mlflow.set_tracking_uri(settings.resolved_mlflow_uri)
    selection = mlflow.get_experiment_by_name("earlyhelp-custody_12m-selection")
    runs = MlflowClient().search_runs([selection.experiment_id])
    assert sorted(r.data.params["variant"] for r in runs) == sorted(
        v.variant for v in ev.validation)
    assert {r.info.run_id for r in runs} == {v.mlflow_run_id for v in ev.validation}


def test_folds_never_train_on_unmatured_labels(trained) -> None:  # type: ignore[no-untyped-def]
    settings, report = trained
    stored = read_report(settings.reports_dir / "train.json", TrainReport)
    assert stored.run_id == report.run_id
    for fold in stored.folds:
        first = min(fold.test_months)
        assert all(add_months(m, 12) <= first for m in fold.fit_months + fold.calibration_months)


def test_run_logs_metrics_plots_card_and_fingerprint(trained) -> None:  # type: ignore[no-untyped-def]
    settings, report = trained
    mlflow.set_tracking_uri(settings.resolved_mlflow_uri)
    run = MlflowClient().get_run(report.run_id)
    assert run.data.params["capacity"] == str(settings.model.capacity)
    assert "model.recall_at_capacity.low" in run.data.metrics
    assert "oracle.recall_at_capacity" in run.data.metrics
    assert run.data.tags["data_fingerprint"] == report.data_fingerprint
    files = {p.relative_to(_artifact_root(settings) / report.run_id / "artifacts").as_posix()
             for p in (_artifact_root(settings) / report.run_id).rglob("*") if p.is_file()}
    for name in ("pr_curve", "calibration", "lift_at_capacity"):
        assert f"plots/{name}.png" in files
    # Coefficients are plotted only for a deployed logistic regression; here the index is.
    assert ("plots/feature_effects.png" in files) == report.winner.startswith("logistic")
    card = (_artifact_root(settings) / report.run_id / "artifacts/model_card/model_card.md")
    text = card.read_text()
    for section in ("## Intended use", "## Not intended for", "## Data", "## Metrics",
                    "## Quantitative analyses by group", "## Ethical considerations",
                    "## Caveats"):
        assert section in text
    assert "a child who may benefit from early help" in text
    assert "future offender" not in text.lower()
    # Each group's flags beside its outcomes, so a skew in who is flagged is visible.
    ev = read_report(settings.reports_dir / "evaluation.json", EvaluationReport)
    sex_table = text.split("### sex", 1)[1].split("###", 1)[0]
    for group, g in ev.model.by_group["sex"].items():
        cells = next(line for line in sex_table.splitlines() if line.startswith(f"| {group} |"))
        assert cells.split(" | ")[3] == (str(g.flagged) if g.flagged > 5 else "c")
    assert "<table>" in (card.parent / "model_card.html").read_text()
    fingerprint = json.loads((card.parents[1] / "data/fingerprint.json").read_text())
    assert fingerprint["labelled_rows"] == report.labelled_rows


def test_registered_challenger_loads_with_plain_pyfunc(trained, world: SyntheticWorld) -> None:  # type: ignore[no-untyped-def]
    settings, report = trained
    mlflow.set_tracking_uri(settings.resolved_mlflow_uri)
    name = settings.model.registered_name
    version = MlflowClient().get_model_version_by_alias(name, "challenger")
    assert str(version.version) == report.model_version and version.run_id == report.run_id
    loaded = mlflow.pyfunc.load_model(f"models:/{name}@challenger")
    data = load_model_data(world.warehouse, "custody_12m")
    rows = data.frame.sort_values("suspensions_violence_6m").tail(20)
    out = loaded.predict(rows[list(data.all_features)])
    assert list(out.columns) == ["probability", "reasons"] and len(out) == 20
    assert out["probability"].between(0, 1).all()
    assert all(isinstance(r, list) for r in out["reasons"])
    assert any(r for r in out["reasons"])
    # The feature matrix as `earlyhelp features` writes it (DOUBLE, every column) is accepted.
    with duckdb.connect(str(world.warehouse), read_only=True) as con:
        stored = con.execute("SELECT * FROM feature_matrix LIMIT 50").df()
    stored[list(data.features)] = stored[list(data.features)].astype("float64")
    as_read = loaded.predict(stored)
    assert len(as_read) == 50 and as_read["probability"].between(0, 1).all()


def test_nothing_identifying_reaches_mlflow(trained, world: SyntheticWorld) -> None:  # type: ignore[no-untyped-def]
    settings, _ = trained
    stored = [p for p in _artifact_root(settings).rglob("*") if p.is_file()]
    stored.append(settings.data_dir / "mlflow.db")
    blob = "\n".join(p.read_bytes().decode("latin-1") for p in stored)
    assert len(stored) > 10
    planted = [*world.person_names, "Plantedsurname", *world.person_dobs]
    assert [p for p in planted if p in blob] == []
    # Protected characteristics sit beside the features, never among them.
    assert set(PROTECTED).isdisjoint(load_model_data(world.warehouse, "custody_12m").features)


def test_test_scores_feed_the_fairness_audit(trained, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from monitoring.audit.io import read_scores
    from monitoring.audit.pipeline import AuditSpec, audit_table

    settings, _ = trained
    ev = read_report(settings.reports_dir / "evaluation.json", EvaluationReport)
    path = settings.reports_dir / "test_scores.parquet"
    scores = pd.read_parquet(path)
    assert len(scores) == ev.model.rows and scores["custody_12m"].sum() == ev.model.positives
    assert not {"forename", "surname", "dob", "upn"} & set(scores.columns)
    winner = ev.winner.replace(" ", "_")
    assert (scores["model_score"] == scores[f"{winner}_score"]).all()
    assert scores["model_flagged"].sum() == ev.model.flagged
    spec = AuditSpec(label="custody_12m", score="model_flagged", groups=["sex"],
                     threshold=1, n_boot=100)
    table = read_scores(path, label=spec.label, score=spec.score, groups=spec.groups)
    result = audit_table(table, spec, source=str(path))
    # The audit's confusion counts are the evaluation's at capacity.
    assert sum(g.tp for g in result.groups["sex"].values()) == ev.model.true_positives
    assert sum(g.flagged for g in result.groups["sex"].values()) == ev.model.flagged


def test_test_children_are_the_new_referrals(trained) -> None:  # type: ignore[no-untyped-def]
    settings, _ = trained
    ev = read_report(settings.reports_dir / "evaluation.json", EvaluationReport)
    children = pd.read_parquet(settings.reports_dir / "test_children.parquet")
    nr = ev.model.new_referrals
    assert children["child_key"].is_unique
    assert children["model_flagged"].sum() == nr.children_flagged
    assert children["custody_12m"].sum() == nr.children_with_outcome
    # A child flagged once and with the outcome: at least every child reached.
    both = int((children["model_flagged"] & children["custody_12m"]).sum())
    assert both >= nr.children_reached
