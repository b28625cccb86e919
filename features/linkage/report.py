"""The link step's JSON report (``reports/link_report.json``)."""

from __future__ import annotations

from pydantic import Field

from earlyhelp.reports import StepReport
from features.linkage.evaluate import LinkQuality


class LinkReport(StepReport):
    step: str = "link"
    engine: str = "duckdb"
    warehouse: str = ""
    person_tables: list[str] = Field(default_factory=list)
    tables_missing: list[str] = Field(default_factory=list)
    # n_records == records_linked + records_unlinked; likewise for identifiers.
    n_records: int = 0
    n_identifiers: int = 0
    n_clusters: int = 0
    identifiers_linked: int = 0
    identifiers_unlinked: int = 0
    records_linked: int = 0
    records_unlinked: int = 0
    records_without_name: int = Field(
        0, description="no forename and no surname: linked by key only"
    )
    records_without_dob: int = Field(0, description="date of birth missing or not a date")
    event_identifiers_without_person_record: dict[str, int] = Field(
        default_factory=dict,
        description="identifiers in event tables (Annex A lists...) absent from every person "
        "table: no child key, so their events cannot reach the features",
    )
    threshold: float = 0.0
    review_band: tuple[float, float] = (0.0, 0.0)
    method: dict[str, str] = Field(default_factory=dict, description="how the links are made")
    blocking_rules: list[str] = Field(default_factory=list)
    prior_match_probability: float = 0.0
    m_probabilities_from: str = ""
    candidate_records: int = Field(0, description="distinct record versions sent to Splink")
    pairs_scored_above_review_floor: int = 0
    links_by_method: dict[str, int] = Field(
        default_factory=dict, description="identifier or group links used, by how they were made"
    )
    identifiers_by_link_method: dict[str, int] = Field(default_factory=dict)
    clusters_by_source_pair: dict[str, int] = Field(
        default_factory=dict,
        description="children (clusters) holding identifiers of both person tables",
    )
    unlinked_by_reason: dict[str, int] = Field(default_factory=dict)
    unlinked_by_system: dict[str, int] = Field(default_factory=dict)
    review_pairs: int = 0
    decisions_imported: int = 0
    decisions_applied: int = 0
    decisions_unresolved: int = Field(0, description="decisions naming a record_id not present")
    decisions_within_one_key_group: int = Field(
        0, description="decisions on two records that share LAchildID or UPN: not applied"
    )
    keys_carried_forward: int = 0
    keys_new: int = 0
    keys_retired: int = 0
    charts: list[str] = Field(default_factory=list)
    quality: LinkQuality | None = None
