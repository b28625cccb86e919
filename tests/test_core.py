from __future__ import annotations

import pytest
from pydantic import ValidationError

from earlyhelp.pseudonym import pseudonymise
from earlyhelp.settings import Settings


def test_pseudonym_is_stable_and_keyed() -> None:
    assert pseudonymise("LA123", "k1") == pseudonymise("LA123", "k1")
    assert pseudonymise("LA123", "k1") != pseudonymise("LA123", "k2")
    assert pseudonymise("LA123", "k1") != pseudonymise("LA124", "k1")
    assert "LA123" not in pseudonymise("LA123", "k1")


def test_empty_key_is_refused() -> None:
    with pytest.raises(ValueError, match="EARLYHELP_PSEUDONYM_KEY"):
        pseudonymise("x", "")


def test_production_refuses_placeholder_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EARLYHELP_ENVIRONMENT", "production")
    with pytest.raises(ValidationError, match="placeholder"):
        Settings()
    monkeypatch.setenv("EARLYHELP_PSEUDONYM_KEY", "a-real-secret")
    with pytest.raises(ValidationError, match="SERVING__SECRET_KEY"):
        Settings()
    monkeypatch.setenv("EARLYHELP_SERVING__SECRET_KEY", "another-real-secret")
    assert Settings().environment == "production"
    monkeypatch.setenv("EARLYHELP_SERVING__DEMO_USERS", "true")
    with pytest.raises(ValidationError, match="demo"):
        Settings()


def test_env_overrides_nested(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EARLYHELP_MODEL__CAPACITY", "7")
    assert Settings().model.capacity == 7


def test_review_band_must_be_ordered() -> None:
    with pytest.raises(ValidationError, match="review_low"):
        Settings(linkage={"review_low": 0.95, "review_high": 0.9})


def test_review_band_must_end_at_or_below_the_match_threshold() -> None:
    with pytest.raises(ValidationError, match="match_threshold"):
        Settings(linkage={"match_threshold": 0.8, "review_low": 0.5, "review_high": 0.9})
    settings = Settings(linkage={"match_threshold": 0.95, "review_high": 0.9})
    assert settings.linkage.review_high == 0.9
