"""The model step's report shapes: what ``train``, the evaluation and ``promote`` write.

``reports/evaluation.json`` (``EvaluationReport``), ``reports/train.json`` (``TrainReport``)
and ``reports/promotion.json`` (``PromotionReport``, with the gate's ``GateVerdict``) are read
by the CLI, the model card, the gate, serving and monitoring in these shapes.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from earlyhelp.reports import StepReport
from earlyhelp.stats.groups import PROTECTED_ATTRIBUTES
from model.bootstrap import METHOD
from model.selection import PESSIMISTIC_TIE_RULE_TEXT

TIE_RULE = PESSIMISTIC_TIE_RULE_TEXT


class Interval(BaseModel):
    low: float | None
    high: float | None


class CalibrationBin(BaseModel):
    mean_predicted: float
    observed_rate: float
    rows: int


class CapacityMetrics(BaseModel):
    """Counts and metrics at capacity that every block has, overall or for one group."""

    rows: int
    positives: int
    flagged: int
    true_positives: int
    recall_at_capacity: float | None
    precision_at_capacity: float | None
    pr_auc: float | None
    roc_auc: float | None
    brier: float | None
    intervals: dict[str, Interval]


class GroupMetrics(CapacityMetrics):
    fnr: float | None  # false negative rate: children with the outcome not flagged
    fpr: float | None  # false positive rate: children without it flagged


class Disparity(BaseModel):
    """Largest minus smallest group error rate among groups with enough positives."""

    rate: str
    groups: list[str]
    value: float | None
    interval: Interval


class NewReferrals(BaseModel):
    """Capacity read as *new* referrals: a child flagged once is not flagged again.

    In each test month, in order, the top-k children not flagged in an earlier test month are
    flagged (ties pessimistic as above). A child with the outcome is *reached* when flagged in
    a month whose 12-month window holds their custodial sentence. Children are the unit, so
    the interval is Wilson's score interval on reached / children with the outcome.
    """

    rule: str = (
        "each test month: the top-k children not flagged in an earlier test month; a child "
        "with the outcome counts as reached if flagged in a month whose window holds it"
    )
    children_flagged: int
    children_with_outcome: int
    children_reached: int
    share_reached: float | None
    share_reached_interval: Interval
    flagged_with_outcome: int


class MetricBlock(CapacityMetrics):
    number_needed_to_flag: float | None
    # The same at capacity with boundary ties broken at random (expected value), to show how
    # much a coarse score (such as the rule's) loses to the pessimistic tie rule.
    recall_at_capacity_random_ties: float | None = None
    calibration_slope: float | None = None
    calibration_intercept: float | None = None
    calibration_curve: list[CalibrationBin] = Field(default_factory=list)
    by_group: dict[str, dict[str, GroupMetrics]] = Field(default_factory=dict)
    disparity: dict[str, list[Disparity]] = Field(default_factory=dict)
    new_referrals: NewReferrals | None = None


class EvaluationReport(BaseModel):
    """``reports/evaluation.json``: every candidate on the same test months."""

    label: str
    # The outcome the learned candidates were fitted on before calibration to ``label``.
    fit_label: str = ""
    capacity: int
    test_months: list[date]
    tie_rule: str = TIE_RULE
    interval_method: str = METHOD
    baseline_rule: str
    winner: str
    model: MetricBlock
    baseline: MetricBlock
    oracle: MetricBlock | None = None
    candidates: dict[str, MetricBlock] = Field(default_factory=dict)
    protected_attributes: list[str] = Field(default_factory=lambda: list(PROTECTED_ATTRIBUTES))


class FoldSummary(BaseModel):
    fit_months: list[date]
    calibration_months: list[date]
    test_months: list[date]
    fit_rows: int
    fit_positives: int
    fit_label_positives: int
    test_positives: int


class TrainReport(StepReport):
    step: str = "train"
    label: str
    fit_label: str
    warehouse: str
    labelled_rows: int
    unlabelled_rows: int
    positives: int
    features: int
    first_month: date
    last_month: date
    data_fingerprint: str
    baseline_rule: str
    folds: list[FoldSummary]
    winner: str
    oracle_coverage: float | None = None
    mlflow_uri: str = ""
    run_id: str = ""
    model_version: str = ""
    evaluation_path: str = ""


class GateCheck(BaseModel):
    name: str
    passed: bool
    value: float | None
    threshold: float | None
    # How far past the threshold the value is (positive = failed by this much).
    shortfall: float | None
    detail: str


class GateVerdict(BaseModel):
    passed: bool
    reference: str
    checks: list[GateCheck]

    @property
    def failures(self) -> list[GateCheck]:
        return [c for c in self.checks if not c.passed]


class PromotionReport(StepReport):
    step: str = "promote"
    registered_name: str
    challenger_version: str
    champion_version: str | None
    verdict: GateVerdict
    approved_by: str | None
    promoted: bool
