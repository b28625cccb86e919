"""Ingest: raw statutory extracts -> DuckDB warehouse + quarantine (docs/contracts.md)."""

from features.ingest.pipeline import ingest
from features.ingest.report import IngestReport

__all__ = ["IngestReport", "ingest"]
