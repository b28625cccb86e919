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
from model.selection import TIE_RULE_TEXT

TIE_RULE = TIE_RULE_TEXT


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
    # Sum of the calibrated scores over the group's rows: the outcomes the model expects
    # there (calibration in the large for the group is positives against this).
    expected_positives: float | None = None


class Disparity(BaseModel):
    """Largest minus smallest group error rate among groups with enough positives."""

    rate: str
    groups: list[str]
    value: float | None
    interval: Interval


class NewReferrals(BaseModel):
    """Capacity read as *new* referrals: a child flagged once is not flagged again.

    In each test month, in order, the top-k children not flagged in an earlier test month are
    flagged (ties in the live run's order). A child with the outcome is *reached* when flagged in
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
    # The same at capacity as an expectation over every way of breaking boundary ties, beside
    # the one tie order used (a coarse score such as the rule's has many ties).
    recall_at_capacity_random_ties: float | None = None
    calibration_slope: float | None = None
    calibration_intercept: float | None = None
    calibration_curve: list[CalibrationBin] = Field(default_factory=list)
    by_group: dict[str, dict[str, GroupMetrics]] = Field(default_factory=dict)
    disparity: dict[str, list[Disparity]] = Field(default_factory=dict)
    new_referrals: NewReferrals | None = None


class VariantResult(BaseModel):
    """One variant tried on the validation months (inside the training months)."""

    variant: str
    recall_at_capacity: float | None
    interval: Interval
    chosen: bool
    mlflow_run_id: str = ""


class PairedComparison(BaseModel):
    """A ratio of two candidates' children reached (expected under the truth), paired by world:
    the same children and months in numerator and denominator."""

    numerator: str
    denominator: str
    worlds: int
    median_ratio: float | None
    interval: Interval
    method: str = ("median over worlds of the per-world ratio; 95% interval from 2,000 "
                   "bootstrap resamples of worlds (each world keeps its pair)")


class Spread(BaseModel):
    median: float | None
    range: tuple[float | None, float | None]


class AcrossWorlds(BaseModel):
    """Whether a learned model beat the index across worlds (from ``earlyhelp experiment``),
    and the across-world figures the model card leads with."""

    source: str
    learned_over_index: PairedComparison
    learned_is_champion: bool
    reason: str
    worlds: int = 0
    truth: str = ""
    # Per candidate (model, index, rule, ceiling): children reached, expected under the truth.
    children_reached_expected: dict[str, Spread] = Field(default_factory=dict)
    champion_ratio_to_ceiling: PairedComparison | None = None
    # Per candidate, per sex: share of flags over share of expected outcomes (1 is even).
    flag_share_over_outcome_share_by_sex: dict[str, dict[str, Spread]] = Field(
        default_factory=dict)


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
    # The vulnerability index (a count of recorded risk factors) on the same months.
    index: MetricBlock | None = None
    # The learned variant chosen on validation months; ``winner`` is what is deployed (the
    # index unless a learned model beat it across worlds), and ``deployed_because`` says why.
    learned_winner: str = ""
    deployed_because: str = ""
    selection_rule: str = ""
    validation_months: list[date] = Field(default_factory=list)
    validation: list[VariantResult] = Field(default_factory=list)
    across_worlds: AcrossWorlds | None = None
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
    # A failed check a named person may still override with a recorded reason (who is
    # flagged, or a comparison with too few outcomes to decide either way).
    overridable: bool = False


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
    # A named person's reason for promoting despite failed group checks (kept with the run).
    override_reason: str | None = None


class WorldBlock(BaseModel):
    """One candidate in one world, on the test months, under the world's truth.

    ``children_reached`` is realised (new referrals flagged in a month whose window holds
    their custodial sentence); ``children_reached_expected`` sums, over the children flagged as
    new referrals (each once), the truth's probability of custody in the 12 months after the
    month they were flagged; ``tp_expected`` sums that probability over every flagged
    child-month (top-k a month). ``flags_by_sex`` counts flagged child-months and
    ``expected_outcomes_by_sex`` sums the truth's probability over all test child-months, so
    the two shares compare like with like.
    """

    children_reached: int
    children_reached_expected: float
    tp_expected: float
    recall_at_capacity: float | None
    flags_by_sex: dict[str, int]
    expected_outcomes_by_sex: dict[str, float]


class WorldResult(BaseModel):
    seed: int
    children: int
    test_months: list[date]
    custody_children: int
    # Which candidate the gate would promote (decided across worlds; see the summary).
    champion: str
    learned_variant: str
    model: WorldBlock
    index: WorldBlock
    rule: WorldBlock
    ceiling: WorldBlock
    # "exact" when the world's truth says its risk is exact (Monte Carlo), else "approximate".
    truth: str
    seconds: float
    step_seconds: dict[str, float] = Field(default_factory=dict)


class WorldsSummary(BaseModel):
    worlds: int
    truth: str
    champion: str
    model: dict[str, Spread]
    index: dict[str, Spread]
    rule: dict[str, Spread]
    ceiling: dict[str, Spread]
    # Learned model's children_reached_expected over the ceiling's, per world, median.
    median_ratio_to_ceiling: float | None
    champion_ratio_to_ceiling: PairedComparison
    learned_over_index: PairedComparison
    learned_is_champion: bool
    reason: str
    # Per candidate: share of flags over share of expected outcomes, by sex (median, range).
    flag_share_over_outcome_share_by_sex: dict[str, dict[str, Spread]]


class WorldsReport(BaseModel):
    """``DIR/worlds.json``, written by ``earlyhelp experiment``."""

    worlds: list[WorldResult]
    summary: WorldsSummary
    # Seeds whose world failed, with the error (the summary is over the others).
    failed: dict[int, str] = Field(default_factory=dict)
