"""CLI for the link step (being built)."""

from __future__ import annotations

from earlyhelp.cli._edge import not_built

link = not_built("link")
