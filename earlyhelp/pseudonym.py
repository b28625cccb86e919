"""Pseudonymous keys: a keyed hash (HMAC-SHA256) of an identifier.

Only these keys leave the linkage step; without the key nobody can turn one back into an ID,
and a different key per environment keeps test and live keys apart.
"""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "C"
LENGTH = 16


def pseudonymise(identifier: str, key: str) -> str:
    """Return the pseudonymous key for ``identifier`` (stable for the same key)."""
    if not key:
        raise ValueError("the pseudonymisation key is empty; set EARLYHELP_PSEUDONYM_KEY")
    digest = hmac.new(key.encode(), identifier.encode(), hashlib.sha256).hexdigest()
    return PREFIX + digest[:LENGTH]
