"""CLI for the ingest step (being built)."""

from __future__ import annotations

from earlyhelp.cli._edge import not_built

ingest = not_built("ingest")
