"""``earlyhelp report``: the board's monthly report, HTML and PDF, from the monitoring results.

Reads ``reports/monitor_YYYY-MM.json`` (and the month before, for what changed), the serving
store's alerts and decisions when the store exists, and the warehouse's protected attributes
for the decision mix. Every count goes through ``earlyhelp.stats.disclosure``; plots show only
rates the tables show.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from earlyhelp.errors import InputError
from earlyhelp.settings import Settings
from earlyhelp.stats.disclosure import (
    OVERALL,
    Suppression,
    confusion_cells,
    confusion_tables,
    format_count,
    format_percent,
    rate_shown,
)
from earlyhelp.stats.groups import PROTECTED_ATTRIBUTES, RATES, group_labels
from monitoring.board.outcomes_table import PublishedOutcomes, publish_matured
from monitoring.board.published import Published, published_cells, two_way
from monitoring.outcomes import GroupFairness, PeriodOutcomes
from monitoring.pipeline import report_paths
from monitoring.report import MonitorReport
from monitoring.store import alerts_and_decisions

DECISIONS = ("refer_early_help", "already_supported", "not_appropriate", "more_information",
             "undecided")
DECISION_WORDS = {
    "refer_early_help": "referred to early help", "already_supported": "already supported",
    "not_appropriate": "not appropriate", "more_information": "more information sought",
    "undecided": "not yet decided",
}
FAIRNESS_SHOWN = ("selection_rate", "tpr", "fnr", "fpr", "ppv")
RATE_HEADERS = {
    "selection_rate": "Share flagged", "tpr": "Found", "fnr": "Missed",
    "fpr": "Flagged, no custody", "ppv": "Flags followed by custody",
}
RATE_WORDS = {
    "selection_rate": "flagged (share of children)",
    "tpr": "found (of those who went on to custody, share flagged)",
    "fnr": "missed (of those who went on to custody, share not flagged)",
    "fpr": "flagged without the outcome (of those who did not, share flagged)",
    "ppv": "of those flagged, share who went on to custody",
}


@dataclass
class BoardReport:
    """Everything the template shows, already suppressed and worded."""

    month: date
    monitor: MonitorReport
    previous: MonitorReport | None
    store_note: str
    decisions: bool  # whether the serving store's alerts and decisions are in flagged_mix
    flagged_mix: Published
    fairness: Suppression | None
    fairness_rows: list[tuple[str, str]]
    outcomes: PublishedOutcomes | None
    summary: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    plots: dict[str, str] = field(default_factory=dict)

    def fairness_count(self, key: tuple[str, str], name: str) -> str:
        assert self.fairness is not None
        cell = (*key, name)
        return format_count(int(self.fairness.table.values[cell]), cell in self.fairness.hidden)

    def fairness_rate(self, key: tuple[str, str], name: str) -> str:
        assert self.fairness is not None
        top, bottom = RATES[name]
        values = self.fairness.table.values
        n = sum(values[(*key, c)] for c in bottom)
        shown = rate_shown(self.fairness, key, top, bottom)
        return format_percent(sum(values[(*key, c)] for c in top) / n if n else None, not shown)

    def published_cells(self) -> dict[str, dict[str, str]]:
        """Every published count by table (for the JSON beside the report and for tests)."""
        out = {"flagged_mix": self.flagged_mix.cells()}
        if self.outcomes is not None:
            out["outcomes"] = self.outcomes.cells()
        if self.fairness is not None:
            out["fairness"] = published_cells(self.fairness)
        return out


def load_monitor(settings: Settings, month: date) -> MonitorReport:
    path, _ = report_paths(settings, month)
    if not path.exists():
        raise InputError(f"{path}: no monitoring results for {month:%Y-%m}; run "
                         f"`earlyhelp monitor --as-of {month:%Y-%m}` first")
    return MonitorReport.model_validate_json(path.read_text(encoding="utf-8"))


def build_report(settings: Settings, month: date) -> BoardReport:
    monitor = load_monitor(settings, month)
    prev_month = (pd.Timestamp(month) - pd.offsets.MonthEnd(1)).date()
    prev_path, _ = report_paths(settings, prev_month)
    previous = (MonitorReport.model_validate_json(prev_path.read_text(encoding="utf-8"))
                if prev_path.exists() else None)
    decisions, store_note = _decisions(settings, monitor)
    rolling = monitor.fairness.rolling_12
    fairness, rows = _fairness(rolling) if rolling else (None, [])
    realised = monitor.outcomes.realised_rolling_12
    fairness, outcomes = publish_matured(
        fairness, realised.outcomes if realised else [], monitor.outcomes.label)
    report = BoardReport(
        month=month, monitor=monitor, previous=previous, store_note=store_note,
        decisions=decisions is not None, flagged_mix=_flagged_mix(monitor, decisions),
        fairness=fairness, fairness_rows=rows, outcomes=outcomes)
    report.summary = _summary(report, realised)
    report.changes = _changes(monitor, previous)
    return report


def _decisions(settings: Settings, monitor: MonitorReport
               ) -> tuple[pd.DataFrame | None, str]:
    """The month's alerts with their latest decision and the child's groups, or None."""
    frame = alerts_and_decisions(settings, monitor.as_of)
    where = settings.resolved_database_url.split("@")[-1]
    if frame is None:
        return None, (f"No serving store was found ({where}): this report has no alerts or "
                      "decisions to show. The flags counted below are the monitor's own "
                      "selection with the live run's rule (top capacity, stated tie rule).")
    frame["decision"] = frame["decision"].fillna("undecided")
    groups = _groups_of(Path(monitor.warehouse), monitor.as_of, frame["child_key"])
    frame = frame.merge(groups, on="child_key", how="left")
    for column in PROTECTED_ATTRIBUTES:
        frame[column] = group_labels(frame[column])
    return frame, (f"Alerts and decisions are read from the serving store ({where}); the "
                   "flags counted below are the alerts it holds for the month.")


def _groups_of(warehouse: Path, as_of: date, keys: pd.Series) -> pd.DataFrame:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        frame = con.execute(
            "SELECT * EXCLUDE (as_of) FROM protected_attributes WHERE as_of = ? "
            "AND child_key IN (SELECT unnest(?))", [as_of, list(keys)]).df()
    return frame


def _flagged_mix(monitor: MonitorReport, alerts: pd.DataFrame | None) -> Published:
    """Children and flags by group this month, with the decisions on them when the serving
    store holds the alerts: one table, so the decision mix and the flag counts are protected
    together."""
    by_group: dict[str, dict[str, dict[str, int]]] = {}
    for band in monitor.fairness.bands:
        if band.rate != "selection_rate":
            continue
        children = band.current.of
        if alerts is None:
            flagged = band.current.count
            counts = {"flagged": flagged, "not flagged": children - flagged}
        else:
            mine = alerts[alerts[band.column] == band.group]["decision"].value_counts()
            counts = {d: int(mine.get(d, 0)) for d in DECISIONS}
            counts["not flagged"] = children - sum(counts.values())
        by_group.setdefault(band.column, {})[band.group] = counts
    first = next(iter(by_group.values()), {})
    keys = next(iter(first.values()), {}).keys()
    overall = {k: sum(g[k] for g in first.values()) for k in keys}
    if alerts is None:
        return two_way("Who was flagged this month", overall, by_group,
                       ("flagged", "not flagged"))
    return two_way("Who was flagged this month, and the decisions", overall, by_group,
                   ("not flagged", *DECISIONS), subtotal=("flagged", DECISIONS))


def _fairness(groups: list[GroupFairness]) -> tuple[Suppression, list[tuple[str, str]]]:
    by_column: dict[str, dict[str, dict[str, int]]] = {}
    for g in groups:
        by_column.setdefault(g.column, {})[g.group] = confusion_cells(
            g.children, g.positives, g.flagged, g.true_positives)
    first = next(iter(by_column.values()))
    overall = {k: sum(c[k] for c in first.values()) for k in next(iter(first.values()))}
    suppression = confusion_tables(overall, by_column)
    rows = [OVERALL, *((g.column, g.group) for g in groups)]
    return suppression, rows


def _summary(report: BoardReport, realised: PeriodOutcomes | None) -> list[str]:
    m = report.monitor
    kinds = sorted({a.kind.replace("_", " ") for a in m.alarms})
    lines = [
        f"In {m.as_of:%B %Y} the model (version {m.model.version}) scored {m.population:,} "
        f"children aged 10-17 and flagged {m.volume.capacity} for a practitioner to consider "
        "offering early help. A flag is a suggestion to a person, never a decision about a "
        "child.",
        ("Monitoring raised no alarm this month." if not m.alarms else
         f"Monitoring raised {len(m.alarms)} alarm(s): {', '.join(kinds)}. They are listed "
         "under Drift and alarms; a data scientist should look at each before next month's run."),
        ("The data feeding the model has not drifted across the council as a whole"
         if not m.drift.dataset_drift else
         f"{len(m.drift.drifted_features)} of the model's inputs have drifted across the "
         "council") + (f"; {len(m.drift.segments)} input(s) moved within one group "
                       "(a locality, a school or a protected group)." if m.drift.segments
                       else "; no input moved outside its usual range within any group."),
    ]
    if realised is not None and report.fairness is not None:
        found = report.fairness_rate(OVERALL, "tpr")
        lines.append(
            f"Of the children who went on to custody in the {len(realised.months)} matured "
            f"month(s) up to {m.outcomes.matured_month:%B %Y}, the model had flagged {found} "
            "(a 'c' means the numbers are too small to publish). With about a dozen custodial "
            "sentences a year, read every rate with its interval.")
    lines.append(report.store_note)
    return lines


def _changes(monitor: MonitorReport, previous: MonitorReport | None) -> list[str]:
    if previous is None:
        return ["No monitoring results for the month before: nothing to compare with."]
    out = []
    if previous.model.version != monitor.model.version:
        out.append(f"The model changed from version {previous.model.version} to "
                   f"{monitor.model.version}.")
    else:
        out.append(f"Same model as last month (version {monitor.model.version}).")
    out.append(f"Children scored: {previous.population:,} last month, {monitor.population:,} "
               "this month.")
    before = {(a.kind, a.subject) for a in previous.alarms}
    now = {(a.kind, a.subject) for a in monitor.alarms}
    new, gone = sorted(now - before), sorted(before - now)
    out.append("New alarms: " + (", ".join(f"{k} ({s})" for k, s in new) if new else "none") +
               ". Alarms cleared: " + (", ".join(f"{k} ({s})" for k, s in gone) if gone
                                        else "none") + ".")
    return out


def monitor_history(settings: Settings, month: date, months: int = 12) -> list[MonitorReport]:
    out = []
    for back in range(months - 1, -1, -1):
        m = (pd.Timestamp(month) - pd.offsets.MonthEnd(back)).date()
        path, _ = report_paths(settings, m)
        if path.exists():
            out.append(MonitorReport.model_validate_json(path.read_text(encoding="utf-8")))
    return out


def write_cells(report: BoardReport, path: Path) -> None:
    path.write_text(json.dumps(report.published_cells(), indent=1), encoding="utf-8")
