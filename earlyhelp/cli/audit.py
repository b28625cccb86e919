"""CLI for the audit step (being built)."""

from __future__ import annotations

from earlyhelp.cli._edge import not_built

audit = not_built("audit")
