"""``link(warehouse, settings)``: exact keys, then Splink, then clusters, review and report.

Stages (each timed in the report): load the person tables; join identifiers that share a key
(exact.py); score pairs across the resulting groups with Splink (probabilistic.py); apply
clerical decisions; cluster (clusters.py); write ``master_index``, ``link_unlinked`` and the
clerical review list; evaluate against the truth when given.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import duckdb
import pandas as pd

from earlyhelp.errors import InputError
from earlyhelp.pseudonym import pseudonymise
from earlyhelp.reports import Progress, finish, no_progress, start_clock, timed
from earlyhelp.settings import Settings
from features.linkage.backends import Engine
from features.linkage.clusters import (
    assign_master_ids,
    clusters_honouring_vetoes,
    connected_components,
)
from features.linkage.evaluate import pairwise_quality, read_truth
from features.linkage.exact import exact_edges, identifiers
from features.linkage.groups import GroupLinks, group_links
from features.linkage.probabilistic import score_pairs
from features.linkage.records import (
    PERSON_TABLES,
    event_identifiers_without_person,
    load_records,
    missing_fields,
    present_tables,
)
from features.linkage.report import LinkReport
from features.linkage.review import import_decisions, write_review
from features.linkage.settings import BLOCKING_RULES, METHOD


def link(
    warehouse: Path,
    settings: Settings,
    *,
    truth: Path | None = None,
    engine: Engine = "duckdb",
    decisions: Path | None = None,
    progress: Progress = no_progress,
) -> LinkReport:
    """Link the warehouse's person tables into ``master_index``; write the link report."""
    if not warehouse.is_file():
        raise InputError(f"warehouse {warehouse} does not exist; run `earlyhelp ingest` first")
    say = progress
    reports_dir = settings.reports_dir
    linkage = settings.linkage
    report = LinkReport(
        engine=engine,
        warehouse=str(warehouse),
        threshold=linkage.match_threshold,
        review_band=(linkage.review_low, linkage.review_high),
        blocking_rules=list(BLOCKING_RULES),
        method=METHOD,
    )
    start = start_clock()
    con = duckdb.connect(str(warehouse))
    try:
        say("reading person tables")
        with timed(report, "load"):
            report.person_tables = present_tables(con)
            report.tables_missing = [t for t in PERSON_TABLES if t not in report.person_tables]
            report.n_records = load_records(con, report.person_tables)
            report.records_without_name, report.records_without_dob = missing_fields(con)
            report.event_identifiers_without_person_record = event_identifiers_without_person(
                con, report.person_tables
            )
            idents = identifiers(con)
            if decisions is not None:
                report.decisions_imported = import_decisions(con, decisions)
        say("joining identifiers that share LAchildID or UPN")
        with timed(report, "exact"):
            exact = exact_edges(con)
            groups = connected_components(pd.Index(idents["ident"]), _pairs(exact))
            idents["exact_group"] = groups.to_numpy()
            con.register("_groups", idents[["ident", "exact_group"]])
            candidates = _candidates(con)
            con.unregister("_groups")
        say(f"training and scoring with Splink ({engine})")
        with timed(report, "probabilistic"):
            scored = score_pairs(
                candidates,
                linkage,
                labels=_key_labels(candidates),
                engine=engine,
                charts_dir=reports_dir,
            )
        report.candidate_records = len(candidates)
        report.pairs_scored_above_review_floor = len(scored.pairs)
        report.prior_match_probability = scored.prior
        report.m_probabilities_from = scored.m_source
        report.charts = [str(p) for p in scored.charts]
        say("clustering")
        with timed(report, "cluster"):
            links = group_links(con, idents, candidates, scored.pairs, settings)
            idents["cluster"] = _clusters(idents, exact, links)
            idents["link_method"] = _link_methods(idents, links)
        say("writing master index and clerical review")
        with timed(report, "write"):
            review = _review_pairs(idents, links, settings)
            report.review_pairs = write_review(con, review, reports_dir / "clerical_review.csv")
            _write_master_index(con, idents, settings, report)
            _write_unlinked(con, idents, links, review, settings, report)
        _count(report, idents, exact, links)
        if truth is not None:
            say("evaluating against the truth")
            with timed(report, "evaluate"):
                report.quality = pairwise_quality(idents, read_truth(truth))
    finally:
        con.close()
    finish(report, start, reports_dir / "link_report.json")
    return report


def _pairs(edges: pd.DataFrame) -> Iterable[tuple[str, str]]:
    return zip(edges["ident_l"], edges["ident_r"], strict=True)


def _candidates(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Distinct named record versions of each identifier: what Splink compares."""
    return con.execute(
        """
        SELECT (row_number() OVER (ORDER BY min(r.record_id)) - 1)::BIGINT AS unique_id,
            g.exact_group, r.ident, min(r.record_id) AS record_id,
            r.forename_std, any_value(r.forename_formals) AS forename_formals,
            r.forename_formal, r.surname_std, r.dob_str, r.dob_year, r.dob_swapped,
            r.sex_std, r.postcode_std
        FROM link_records r JOIN _groups g USING (ident)
        WHERE r.forename_std IS NOT NULL OR r.surname_std IS NOT NULL
        GROUP BY g.exact_group, r.ident, r.forename_std, r.forename_formal, r.surname_std,
            r.dob_str, r.dob_year, r.dob_swapped, r.sex_std, r.postcode_std
        ORDER BY unique_id
        """
    ).df()


def _key_labels(candidates: pd.DataFrame) -> pd.DataFrame:
    """Record pairs known to match because two identifiers share a key (a social care record
    carrying a school UPN): a free, honest sample of how one child's details differ between
    systems, used to estimate the m probabilities."""
    side = candidates[["unique_id", "exact_group", "ident"]]
    pairs = side.merge(side, on="exact_group", suffixes=("_l", "_r"))
    pairs = pairs[pairs["ident_l"] < pairs["ident_r"]]
    return pairs[["unique_id_l", "unique_id_r"]].reset_index(drop=True)


def _clusters(idents: pd.DataFrame, exact: pd.DataFrame, links: GroupLinks) -> pd.Series:
    if links.vetoed:
        # Automatic links strongest first, so a veto cuts the weakest chain through a third
        # record rather than the strongest.
        scored = links.scored.set_index(["group_l", "group_r"])["match_probability"]
        ranked = sorted(links.accepted, key=lambda pair: -float(scored.get(pair, 0.0)))
        label = clusters_honouring_vetoes(
            idents["exact_group"].unique().tolist(), links.clerical, ranked, links.vetoed
        )
        return idents["exact_group"].map(label)
    anchor = idents.groupby("exact_group")["ident"].first()
    group_edges = [(anchor[a], anchor[b]) for a, b in links.accepted + links.clerical]
    comp = connected_components(pd.Index(idents["ident"]), [*_pairs(exact), *group_edges])
    return pd.Series(comp.to_numpy(), index=idents.index)


def _link_methods(idents: pd.DataFrame, links: GroupLinks) -> pd.Series:
    per_cluster = idents.groupby("cluster").agg(
        n=("ident", "size"), groups=("exact_group", "nunique")
    )
    clerical_groups = {g for pair in links.clerical for g in pair}
    n = idents["cluster"].map(per_cluster["n"])
    n_groups = idents["cluster"].map(per_cluster["groups"])
    method = pd.Series("probabilistic", index=idents.index)
    method[idents["exact_group"].isin(clerical_groups)] = "clerical"
    method[n_groups == 1] = "exact"
    method[n == 1] = "singleton"
    return method


def _review_pairs(idents: pd.DataFrame, links: GroupLinks, settings: Settings) -> pd.DataFrame:
    """Undecided pairs in the review band (or held back by the twin guard), unless other
    links already joined the two."""
    band = settings.linkage
    scored = links.scored
    cluster_of = idents.groupby("exact_group")["cluster"].first()
    same_cluster = scored["group_l"].map(cluster_of) == scored["group_r"].map(cluster_of)
    p = scored["match_probability"]
    uncertain = p.between(band.review_low, band.review_high, "left") | (
        (p >= band.review_low) & ~scored["auto"]
    )
    pair_keys = zip(scored["group_l"], scored["group_r"], strict=True)
    decided = pd.Series(
        [(int(a), int(b)) in links.decided for a, b in pair_keys], index=scored.index, dtype=bool
    )
    joined_elsewhere = same_cluster & ~scored["auto"]
    keep = uncertain & ~decided & ~joined_elsewhere
    columns = ["record_id_l", "record_id_r", "match_probability", "match_weight"]
    return scored.loc[keep, [*columns, "group_l", "group_r"]]


def _previous_master_ids(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'master_index'"
    ).fetchall()[0][0]
    if not exists:
        return {}
    rows = con.execute(
        "SELECT id_system || ':' || source_id, master_id FROM master_index"
    ).fetchall()
    return {str(k): str(v) for k, v in rows}


def _write_master_index(
    con: duckdb.DuckDBPyConnection, idents: pd.DataFrame, settings: Settings, report: LinkReport
) -> None:
    masters, counts = assign_master_ids(idents, _previous_master_ids(con))
    report.keys_carried_forward = counts["carried_forward"]
    report.keys_new = counts["new"]
    report.keys_retired = counts["retired"]
    idents["master_id"] = idents["cluster"].map(masters)
    key = settings.pseudonym_key.get_secret_value()
    keys = {m: pseudonymise(m, key) for m in masters}
    idents["child_key"] = idents["master_id"].map(keys)
    index = idents[["id_system", "source_id", "master_id", "child_key", "link_method"]]
    con.register("_master_index", index)
    con.execute(
        "CREATE OR REPLACE TABLE master_index AS SELECT * FROM _master_index "
        "ORDER BY id_system, source_id"
    )
    con.unregister("_master_index")


def _unlinked_reasons(
    idents: pd.DataFrame, links: GroupLinks, review: pd.DataFrame, settings: Settings
) -> pd.Series:
    singles = idents[idents["link_method"] == "singleton"]
    vetoed = {g for pair in links.vetoed for g in pair}
    waiting = set(review["group_l"]) | set(review["group_r"])
    reason = pd.Series(
        f"no candidate scored at or above {settings.linkage.review_low}", index=singles.index
    )
    reason[singles["exact_group"].isin(waiting)] = "awaiting clerical review"
    reason[singles["exact_group"].isin(vetoed)] = "link rejected by a reviewer"
    reason[~singles["has_name"].astype(bool)] = "no name in any record: nothing to compare"
    return reason


def _write_unlinked(
    con: duckdb.DuckDBPyConnection,
    idents: pd.DataFrame,
    links: GroupLinks,
    review: pd.DataFrame,
    settings: Settings,
    report: LinkReport,
) -> None:
    reasons = _unlinked_reasons(idents, links, review, settings)
    frame = idents.loc[reasons.index, ["id_system", "source_id"]].assign(reason=reasons)
    con.register("_unlinked", frame)
    con.execute("CREATE OR REPLACE TABLE link_unlinked AS SELECT * FROM _unlinked")
    con.unregister("_unlinked")
    report.unlinked_by_reason = dict(Counter(reasons))
    report.unlinked_by_system = dict(Counter(frame["id_system"]))


def _source_pairs(idents: pd.DataFrame) -> dict[str, int]:
    """Children (clusters) known to both tables of each pair; ``a+a`` means duplicates."""
    tables = idents.assign(table=idents["person_tables"].str.split(",")).explode("table")
    tables["table"] = tables["table"].str.removeprefix("person_")
    counts = pd.crosstab(tables["cluster"], tables["table"])
    names = sorted(counts.columns)
    out: dict[str, int] = {}
    for i, a in enumerate(names):
        out[f"{a}+{a}"] = int((counts[a] > 1).sum())
        for b in names[i + 1 :]:
            out[f"{a}+{b}"] = int(((counts[a] > 0) & (counts[b] > 0)).sum())
    return {k: v for k, v in sorted(out.items()) if v}


def _count(
    report: LinkReport, idents: pd.DataFrame, exact: pd.DataFrame, links: GroupLinks
) -> None:
    linked = idents["link_method"] != "singleton"
    report.n_identifiers = len(idents)
    report.n_clusters = int(idents["cluster"].nunique())
    report.identifiers_linked = int(linked.sum())
    report.identifiers_unlinked = int((~linked).sum())
    report.records_linked = int(idents.loc[linked, "n_records"].sum())
    report.records_unlinked = int(idents.loc[~linked, "n_records"].sum())
    report.links_by_method = {
        "exact_key": len(exact),
        "probabilistic": len(links.accepted),
        "clerical_match": len(links.clerical),
        "rejected_by_reviewer": len(links.vetoed),
    }
    report.identifiers_by_link_method = dict(Counter(idents["link_method"]))
    report.clusters_by_source_pair = _source_pairs(idents)
    report.decisions_applied = links.applied
    report.decisions_unresolved = links.unresolved
    report.decisions_within_one_key_group = links.within_one_group
