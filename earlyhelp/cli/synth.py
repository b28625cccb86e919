"""CLI for the synth step (being built)."""

from __future__ import annotations

from earlyhelp.cli._edge import not_built

synth = not_built("synth")
