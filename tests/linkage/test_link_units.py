"""Small pure parts: connected components, stable master ids, pairwise evaluation."""

from __future__ import annotations

import pandas as pd

from features.linkage.clusters import (
    assign_master_ids,
    clusters_honouring_vetoes,
    connected_components,
)
from features.linkage.evaluate import pairwise_quality
from features.linkage.nicknames import nickname_rows


def _members(rows: list[tuple[str, int, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["ident", "cluster", "first_recorded"])
    frame["first_recorded"] = pd.to_datetime(frame["first_recorded"])
    frame["id_system"] = frame["ident"].str.split(":").str[0]
    return frame


def test_connected_components_follow_chains() -> None:
    comp = connected_components(pd.Index(list("abcde")), [("a", "b"), ("c", "b"), ("d", "d")])
    assert comp["a"] == comp["b"] == comp["c"]
    assert len({comp["a"], comp["d"], comp["e"]}) == 3


def test_new_cluster_takes_earliest_identifier_then_system_rank() -> None:
    members = _members(
        [
            ("upn:U1", 0, "2020-01-01"),
            ("la_child_id:9", 0, "2020-01-01"),
            ("eh_id:E1", 0, "2019-05-01"),
            ("yj_id:Y1", 1, "2021-01-01"),
            ("la_child_id:3", 1, "2021-01-01"),
        ]
    )
    masters, counts = assign_master_ids(members)
    assert masters[0] == "eh_id:E1"  # earliest recorded wins
    assert masters[1] == "la_child_id:3"  # same day: LAchildID before youth justice
    assert counts == {"carried_forward": 0, "new": 2, "retired": 0}


def test_master_ids_carry_forward_through_merges_and_splits() -> None:
    previous = {
        "upn:A": "upn:A",
        "eh_id:B": "upn:A",
        "upn:C": "upn:C",
        "yj_id:D": "upn:C",
        "eh_id:E": "upn:C",
    }
    members = _members(
        [
            # upn:A's child gained a new identifier
            ("upn:A", 0, "2020-01-01"),
            ("eh_id:B", 0, "2020-01-01"),
            ("la_child_id:N", 0, "2019-01-01"),
            # upn:C's cluster split: the bigger part keeps the key
            ("yj_id:D", 1, "2020-01-01"),
            ("eh_id:E", 1, "2020-01-01"),
            ("upn:C", 2, "2018-01-01"),
        ]
    )
    masters, counts = assign_master_ids(members, previous)
    assert masters[0] == "upn:A"
    assert masters[1] == "upn:C"
    assert masters[2] != "upn:C" and masters[2].startswith("upn:C")  # never reused
    assert counts["carried_forward"] == 2 and counts["new"] == 1


def test_pairwise_quality_counts_merges_and_splits() -> None:
    truth = pd.DataFrame(
        {
            "id_system": ["upn"] * 5,
            "source_id": list("abcde"),
            "child_id": ["1", "1", "1", "2", "3"],
        }
    )
    master = truth[["id_system", "source_id"]].assign(master_id=["x", "x", "y", "y", "z"])
    q = pairwise_quality(master, truth)
    # predicted pairs: (a,b), (c,d); true pairs: (a,b), (a,c), (b,c)
    assert (q.predicted_pairs, q.true_pairs, q.correct_pairs) == (2, 3, 1)
    assert q.pairwise_precision == 0.5 and round(q.pairwise_recall, 3) == 0.333
    assert q.wrongly_merged_children == 2  # children 1 and 2 share master y
    assert q.wrongly_split_children == 1


def test_ambiguous_nicknames_keep_every_reading() -> None:
    rows = set(nickname_rows())
    assert ("SAM", "SAMUEL") in rows and ("SAM", "SAMANTHA") in rows
    assert ("WILLIAM", "WILLIAM") in rows


def test_a_reviewers_non_match_holds_through_a_third_record() -> None:
    # 1-3 and 3-2 link automatically; a reviewer said 1 and 2 are different children. The
    # weaker link (3-2) is the one dropped, so 1 and 3 stay together and 2 stands apart.
    label = clusters_honouring_vetoes([1, 2, 3, 4], must=[], ranked=[(1, 3), (3, 2)],
                                      vetoed=[(1, 2)])
    assert label[1] == label[3] != label[2]
    assert label[4] not in {label[1], label[2]}
    # Without the veto the chain joins all three.
    plain = clusters_honouring_vetoes([1, 2, 3], must=[], ranked=[(1, 3), (3, 2)], vetoed=[])
    assert plain[1] == plain[2] == plain[3]


def test_a_reviewers_match_wins_and_vetoes_follow_merged_groups() -> None:
    # A confirmed match always joins; once 1 and 3 are one child, the veto 1-2 also keeps
    # 3's links from pulling 2 in.
    label = clusters_honouring_vetoes([1, 2, 3, 4], must=[(1, 3)], ranked=[(3, 2), (2, 4)],
                                      vetoed=[(1, 2)])
    assert label[1] == label[3]
    assert label[2] != label[1] and label[2] == label[4]
