"""The DfE's own validation rules, run on a world's CIN census and SSDA903 returns.

The DfE publishes the rules councils run before submitting as Python packages
(``csc-validator-be-cin``, ``csc-validator-be-903``). They pin pandas 1.5 and numpy < 2, so
each gets a virtual environment of its own (``.venv-validators/``) and runs as a subprocess.
"""

from synthcouncil.dfe.validate import (
    BARS,
    EXCLUDED_RULES,
    FileResult,
    ReturnsReport,
    ensure_venv,
    validate_returns,
)

__all__ = ["BARS", "EXCLUDED_RULES", "FileResult", "ReturnsReport", "ensure_venv",
           "validate_returns"]
