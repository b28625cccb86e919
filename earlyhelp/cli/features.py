"""CLI for the features step (being built)."""

from __future__ import annotations

from earlyhelp.cli._edge import not_built

features = not_built("features")
