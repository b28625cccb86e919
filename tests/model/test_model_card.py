"""The model card publishes counts through the same disclosure control as the audit page."""

from __future__ import annotations

import re

from earlyhelp.reports import read_report
from earlyhelp.stats.disclosure import OVERALL, primary_cells, rate_shown
from model.card import RATE_CELLS, Published, _group_rows, _headline, _new_referrals
from model.report import EvaluationReport, GroupMetrics, MetricBlock, NewReferrals


def _group(rows: int, positives: int, flagged: int, tp: int) -> GroupMetrics:
    recall = tp / positives if positives else None
    return GroupMetrics(rows=rows, positives=positives, flagged=flagged, true_positives=tp,
                        recall_at_capacity=recall, precision_at_capacity=tp / flagged,
                        pr_auc=None, roc_auc=None, brier=0.01,
                        fnr=None if recall is None else 1 - recall,
                        fpr=(flagged - tp) / (rows - positives), intervals={})


def _block(groups: dict[str, GroupMetrics]) -> MetricBlock:
    total = {k: sum(getattr(g, k) for g in groups.values())
             for k in ("rows", "positives", "flagged", "true_positives")}
    return MetricBlock(**total, recall_at_capacity=total["true_positives"] / total["positives"],
                       precision_at_capacity=total["true_positives"] / total["flagged"],
                       number_needed_to_flag=total["flagged"] / total["true_positives"],
                       pr_auc=0.1, roc_auc=0.8, brier=0.01, intervals={},
                       by_group={"sex": groups})


def test_a_small_group_hides_its_partner_so_totals_cannot_reveal_it() -> None:
    # Girls: 3 with the outcome. With the total shown, the boys' count would give it away,
    # so the card must hide the boys' count too (secondary suppression), not only the 3.
    block = _block({"F": _group(5000, 3, 30, 0), "M": _group(5000, 40, 30, 9)})
    rows = {r["group"]: r for r in _group_rows(block)["sex"]}
    assert rows["F"]["positives"] == "c"
    assert rows["M"]["positives"] == "c"
    assert rows["F"]["recall"] == "c" and rows["F"]["fnr"] == "c"
    assert _headline("model", block)["recall"] != "c"  # the overall count is still shown


def test_reached_children_from_one_to_five_are_hidden_with_their_share() -> None:
    block = _block({"F": _group(5000, 10, 30, 6), "M": _group(5000, 40, 30, 9)})
    block.new_referrals = NewReferrals(children_flagged=240, children_with_outcome=21,
                                       children_reached=3, share_reached=3 / 21,
                                       share_reached_interval={"low": 0.05, "high": 0.35},
                                       flagged_with_outcome=4)
    row = _new_referrals("model", block)
    assert row["reached"] == "c" and row["children"] == "21" and "14" not in str(row)


def test_no_figure_on_a_trained_card_reveals_a_hidden_count(trained) -> None:  # type: ignore[no-untyped-def]
    settings, _ = trained
    evaluation = read_report(settings.reports_dir / "evaluation.json", EvaluationReport)
    blocks = [evaluation.model, evaluation.baseline, *evaluation.candidates.values()]
    small_cells = 0
    for block in blocks:
        published = Published(block)
        suppression = published.suppression
        small_cells += len(primary_cells(suppression.table.values))
        assert primary_cells(suppression.table.values) <= suppression.hidden
        for cell in suppression.hidden:
            assert not suppression.recoverable({cell: 1}), cell
        for attribute, rows in _group_rows(block).items():
            for row in rows:
                key = (attribute, row["group"])
                for column in ("rows", "positives", "flagged"):
                    assert row[column] == "c" or not 1 <= int(row[column]) <= 5
                for column, rate in (("recall", "recall_at_capacity"), ("fnr", "fnr"),
                                     ("fpr", "fpr")):
                    if row[column] not in ("c", "n/a"):
                        assert rate_shown(suppression, key, *RATE_CELLS[rate])
        head = _headline("x", block)
        if head["recall"] != "c" or head["random_ties"] != "c":
            assert rate_shown(suppression, OVERALL, *RATE_CELLS["recall_at_capacity"])
    # The small world has small cells, so the check above was not vacuous.
    assert small_cells > 0


def test_rendered_card_shows_c_for_suppressed_cells(trained) -> None:  # type: ignore[no-untyped-def]
    import mlflow

    settings, report = trained
    mlflow.set_tracking_uri(settings.resolved_mlflow_uri)
    card = mlflow.artifacts.load_text(f"runs:/{report.run_id}/model_card/model_card.md")
    tables = card.split("## Quantitative analyses by group")[1].split("## Ethical")[0]
    group_lines = [line for line in tables.splitlines() if line.startswith("| ")
                   and not line.startswith(("| group", "| ---"))]
    assert group_lines
    for line in group_lines:
        counts = [cell.strip() for cell in line.split("|")[2:5]]
        assert all(c == "c" or not re.fullmatch(r"[1-5]", c) for c in counts), line


def test_card_shows_who_is_flagged_by_sex_across_worlds() -> None:
    from model.card import _across_worlds
    from model.report import AcrossWorlds, Interval, PairedComparison, Spread

    ratio = PairedComparison(numerator="model", denominator="index", worlds=10,
                             median_ratio=1.3, interval=Interval(low=1.1, high=1.5))
    evidence = AcrossWorlds(
        source="worlds.json", learned_over_index=ratio, learned_is_champion=True,
        reason="beat it", worlds=10,
        children_reached_expected={"model": Spread(median=3.1, range=(2.4, 4.2))},
        flag_share_over_outcome_share_by_sex={
            "model": {"M": Spread(median=0.72, range=(0.58, 0.9)),
                      "F": Spread(median=6.02, range=(2.66, 8.14))}},
    )
    across = _across_worlds(EvaluationReport.model_construct(across_worlds=evidence))
    assert across is not None
    rows = {(r["name"], r["sex"]): r for r in across["by_sex"]}  # type: ignore[union-attr]
    girls = rows[("learned model", "girls (F)")]
    assert (girls["median"], girls["low"], girls["high"]) == ("6.0", "2.7", "8.1")
    assert rows[("learned model", "boys (M)")]["median"] == "0.7"
