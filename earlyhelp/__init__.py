"""earlyhelp: shared pieces used by every step (settings, step reports, pseudonymisation, CLI).

The data flows one way, each step a top-level package:
``synthcouncil`` (stands in for the council's systems) -> ``features`` (ingest, linkage, build)
-> ``model`` -> ``serving``; ``monitoring`` reads what the others write.
"""

__version__ = "0.1.0"
