"""Record linkage: one master child index from the four person tables (Splink).

``link(warehouse, settings)`` runs the whole step; the parts are small modules named after
what they hold (records, exact, settings, probabilistic, clusters, review, evaluate,
backends, pipeline).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from features.linkage.pipeline import link
    from features.linkage.report import LinkReport

__all__ = ["LinkReport", "link"]


def __getattr__(name: str) -> Any:
    # Lazy so `import features.linkage` stays cheap for the CLI's --help.
    if name == "link":
        from features.linkage.pipeline import link

        return link
    if name == "LinkReport":
        from features.linkage.report import LinkReport

        return LinkReport
    raise AttributeError(name)
