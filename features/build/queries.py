"""SQL generated from the registry: one range join and GROUP BY per event source.

Each source's events join the population on the child and on ``recorded_date <= as_of AND
event_date <= as_of`` (and, when every feature of the source looks back a bounded number of
months, ``event_date > since_<w>m``), then aggregate per (child, as_of) with FILTER clauses.
"""

from __future__ import annotations

from collections import defaultdict

from features.build.registry import FEATURES, FeatureSpec

POPULATION = "population"


def specs_by_source(specs: tuple[FeatureSpec, ...] = FEATURES) -> dict[str, list[FeatureSpec]]:
    grouped: dict[str, list[FeatureSpec]] = defaultdict(list)
    for spec in specs:
        if spec.source != POPULATION:
            grouped[spec.source].append(spec)
    return dict(grouped)


def lookback(specs: list[FeatureSpec]) -> int | None:
    """Months of history a source must join (None when any feature uses all history)."""
    months = [s.lookback_months for s in specs]
    return None if any(m is None for m in months) else max(m for m in months if m is not None)


def aggregate_sql(source: str, specs: list[FeatureSpec]) -> str:
    """SQL creating ``agg_<source>``: one row per (child, as_of) with rows in the source."""
    bound = lookback(specs)
    window = f" AND e.event_date > p.since_{bound}m" if bound else ""
    columns = ", ".join(f"{s.sql} AS {s.name}" for s in specs)
    return (
        f"CREATE OR REPLACE TEMP TABLE agg_{source} AS "
        f"SELECT p.child_key, p.as_of, {columns} FROM population p "
        f"JOIN stg_{source} e ON e.child_key = p.child_key "
        f"AND e.recorded_date <= p.as_of AND e.event_date <= p.as_of{window} "
        "GROUP BY p.child_key, p.as_of"
    )


def _column(spec: FeatureSpec) -> str:
    if spec.source == POPULATION:
        value = spec.sql
    elif spec.fill is None:
        value = f"agg_{spec.source}.{spec.name}"
    else:
        value = f"coalesce(agg_{spec.source}.{spec.name}, {spec.fill})"
    return f"CAST({value} AS DOUBLE) AS {spec.name}"


def matrix_sql(specs: tuple[FeatureSpec, ...] = FEATURES) -> str:
    """SQL selecting ``child_key, as_of`` and every feature for the whole population."""
    joins = " ".join(
        f"LEFT JOIN agg_{source} ON agg_{source}.child_key = p.child_key "
        f"AND agg_{source}.as_of = p.as_of"
        for source in specs_by_source(specs)
    )
    columns = ", ".join(_column(s) for s in specs)
    return f"SELECT p.child_key, p.as_of, {columns} FROM population p {joins}"
