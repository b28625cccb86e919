"""Errors a council analyst can act on: raised where the fault is known, shown once at the edge."""

from __future__ import annotations


class EarlyHelpError(Exception):
    """Base class: the message says what went wrong and what to do."""

    exit_code = 1


class InputError(EarlyHelpError):
    """Bad input: names the file, row and field where it can."""

    exit_code = 2


class ConfigError(EarlyHelpError):
    exit_code = 3


class NoChampionError(EarlyHelpError):
    """No model holds the alias asked for, in the registry or the local copy."""

    exit_code = 5
