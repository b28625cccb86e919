"""Who is in the population at each month end, and what the labels say."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from features_builders import Built, WarehouseBuilder, build

MONTHS = [date(2019, m + 1, 1) for m in range(12)]


def _in(built: Built, name: str, as_of: date) -> bool:
    return built.row("feature_matrix", name, as_of) is not None


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    b = WarehouseBuilder(extract_date=date(2020, 9, 30))
    b.child("turns10", date(2009, 2, 15), known=date(2015, 1, 1))
    b.child("turns18", date(2001, 7, 1), known=date(2015, 1, 1))
    b.child("known_late", date(2006, 1, 1), known=date(2019, 5, 20))
    # The school reported on this child (recorded 10 February) before the census listed them.
    b.child("school_first", date(2006, 1, 1), known=date(2019, 5, 20))
    b.event("attendance", "school_first", date(2019, 2, 3), recorded=date(2019, 2, 10),
            academic_year="2018/19", term="AUT", sessions_possible=100,
            sessions_authorised=0, sessions_unauthorised=0)
    b.child("cautioned", date(2006, 1, 1), known=date(2015, 1, 1))
    b.event("yj_outcomes", "cautioned", date(2019, 3, 10), recorded=date(2019, 3, 15), tier="CR")
    b.child("late_record", date(2006, 1, 1), known=date(2015, 1, 1))
    b.event("yj_outcomes", "late_record", date(2019, 3, 10), recorded=date(2019, 6, 15),
            tier="YC")
    # Known only through an event, never through a person record: not in the population.
    b.event("contacts", "events_only", date(2018, 1, 1), contact_source="6")
    # Two person records disagree on date of birth: the earliest recorded one is used.
    b.person("typo", "la_child_id", dob=date(2008, 1, 1), recorded=date(2014, 1, 1))
    b.person("typo", "upn", dob=date(2010, 1, 1), recorded=date(2016, 1, 1))
    # Custody on 15 March 2020, recorded late; a youth rehabilitation order in August 2019.
    b.child("custody", date(2005, 1, 1), known=date(2015, 1, 1))
    b.event("yj_outcomes", "custody", date(2020, 3, 15), recorded=date(2020, 5, 1), tier="DTO")
    b.child("order", date(2005, 1, 1), known=date(2015, 1, 1))
    b.event("yj_outcomes", "order", date(2019, 8, 1), recorded=date(2019, 8, 10), tier="YRO")
    # Custody dated exactly on a month end.
    b.child("on_month_end", date(2005, 1, 1), known=date(2015, 1, 1))
    b.event("yj_outcomes", "on_month_end", date(2019, 4, 30), recorded=date(2019, 6, 1),
            tier="S250")
    # The newest event (30 June 2020, recorded later) is the data's end for labels.
    b.event("contacts", "turns10", date(2020, 6, 30), recorded=date(2020, 7, 20),
            contact_source="2A")
    return build(b, tmp_path_factory.mktemp("population"), date(2018, 1, 1), date(2020, 6, 30))


def test_age_bounds(built: Built) -> None:
    assert not _in(built, "turns10", date(2019, 1, 31))
    assert _in(built, "turns10", date(2019, 2, 28))
    assert _in(built, "turns18", date(2019, 6, 30))
    assert not _in(built, "turns18", date(2019, 7, 31))


def test_known_from_first_record_of_any_kind(built: Built) -> None:
    assert not _in(built, "known_late", date(2019, 4, 30))
    assert _in(built, "known_late", date(2019, 5, 31))
    assert not _in(built, "school_first", date(2019, 1, 31))
    assert _in(built, "school_first", date(2019, 2, 28))
    assert built.value("months_known", "school_first", date(2019, 5, 31)) == 3
    assert all(not _in(built, "events_only", m) for m in (date(2018, 6, 30), date(2019, 6, 30)))


def test_recorded_outcome_leaves_population(built: Built) -> None:
    assert _in(built, "cautioned", date(2019, 2, 28))
    assert not _in(built, "cautioned", date(2019, 3, 31))
    assert not _in(built, "cautioned", date(2020, 6, 30))


def test_outcome_recorded_late_stays_in_until_recorded(built: Built) -> None:
    assert _in(built, "late_record", date(2019, 5, 31))
    assert not _in(built, "late_record", date(2019, 6, 30))
    # March, April, May for late_record; May 2020 for custody cannot count (recorded 1 May);
    # on_month_end at 30 April and 31 May 2019; custody at 31 March and 30 April 2020.
    assert built.report.population_with_unrecorded_prior_outcome == 3 + 2 + 2


def test_date_of_birth_from_earliest_record(built: Built) -> None:
    assert built.value("age_years", "typo", date(2019, 1, 31)) == 11


def test_population_counts_in_report(built: Built) -> None:
    matrix = built.table("feature_matrix")
    counts = matrix.groupby("as_of").size()
    for as_of, n in built.report.population_by_month.items():
        assert counts.get(pd.Timestamp(as_of), 0) == n
    assert built.report.rows == len(matrix)


def test_labels_rows_match_features(built: Built) -> None:
    features = built.table("feature_matrix")[["child_key", "as_of"]]
    labels = built.table("labels")[["child_key", "as_of"]]
    pd.testing.assert_frame_equal(features.reset_index(drop=True), labels.reset_index(drop=True))


def _label(built: Built, name: str, as_of: date, label: str = "custody_12m") -> object:
    row = built.row("labels", name, as_of)
    assert row is not None
    return None if pd.isna(row[label]) else int(row[label])


def test_custody_label_window(built: Built) -> None:
    # Window (as_of, as_of + 12 months]: 28 Feb 2019 -> 29 Feb 2020 misses 15 March 2020.
    assert _label(built, "custody", date(2019, 2, 28)) == 0
    assert _label(built, "custody", date(2019, 3, 31)) == 1
    assert _label(built, "custody", date(2019, 6, 30)) == 1


def test_label_window_starts_after_as_of(built: Built) -> None:
    assert _label(built, "on_month_end", date(2019, 3, 31)) == 1
    # Still in the population at 30 April (recorded on 1 June), with a 0 label: the outcome
    # on the as-of date itself is not in the window.
    assert _in(built, "on_month_end", date(2019, 4, 30))
    assert _label(built, "on_month_end", date(2019, 4, 30)) == 0


def test_label_null_when_window_passes_data_end(built: Built) -> None:
    # The newest event is dated 30 June 2020 (the extract, 30 September, saw nothing later).
    assert built.report.data_end == date(2020, 6, 30)
    assert _label(built, "order", date(2018, 6, 30)) == 0
    assert _label(built, "turns10", date(2019, 6, 30)) == 0
    assert _label(built, "turns10", date(2019, 7, 31)) is None


def test_other_labels(built: Built) -> None:
    assert _label(built, "order", date(2019, 6, 30), "custody_12m") == 0
    assert _label(built, "order", date(2019, 6, 30), "first_time_entry_12m") == 1
    assert _label(built, "order", date(2019, 6, 30), "court_order_12m") == 1
    assert _label(built, "order", date(2018, 7, 31), "first_time_entry_12m") == 0
    assert not _in(built, "order", date(2019, 8, 31))


def test_positives_in_report_match_labels(built: Built) -> None:
    labels = built.table("labels")
    for label, by_month in built.report.positives_by_label_month.items():
        assert sum(by_month.values()) == int(labels[label].sum())
        assert built.report.matured_rows_by_label[label] == int(labels[label].notna().sum())


def test_unknown_label_is_refused() -> None:
    from earlyhelp.errors import ConfigError
    from features.build.labels import resolve_labels

    with pytest.raises(ConfigError, match="custody_12m"):
        resolve_labels(("custody_6m",))
