"""Build: warehouse + master index -> point-in-time features, labels, registry, protected
attributes (docs/contracts.md, "Features").

Layout: ``codes`` (statutory code groups), ``exclusions`` (leakage rules), ``sources`` (event
staging, one row per event keyed by child), ``registry`` (every feature declared once),
``population`` (month grid and who is in it), ``labels``, ``protected``, ``queries`` (SQL
generated from the registry) and ``pipeline`` (``build_features``).
"""

from features.build.pipeline import build_features
from features.build.report import FeaturesReport

__all__ = ["FeaturesReport", "build_features"]
