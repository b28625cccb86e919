"""CLI for the train and promote steps (being built)."""

from __future__ import annotations

from earlyhelp.cli._edge import not_built

train = not_built("train")
promote = not_built("promote")
