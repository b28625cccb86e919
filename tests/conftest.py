"""Shared fixtures: small synthetic worlds generated once per test session.

``small_world`` (messy) and ``clean_world`` (no recording faults) are about 3,000 children each
with a fixed seed, and take a few seconds; both return the world folder (``raw/``, ``truth/``,
``reports/``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from synthcouncil import SynthConfig, generate

# `make test` is reproducible: the same commit draws the same examples every run, so CI never
# passes or fails by chance. `HYPOTHESIS_PROFILE=explore make unit` searches new examples;
# whatever it finds goes into the test as an @example.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False, max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

# Fixtures that build a whole world or train a model: every test using one is marked slow, so
# `make test-fast` (pytest -m "not slow") runs in under a minute.
HEAVY_FIXTURES = frozenset({
    "small_world", "clean_world", "default_world", "world", "trained", "promoted",
    "linked_world", "champion",
})


# Slow tests that fail on the integrated world for a measured reason; the reason says what
# shows the bar instead, or which open issue the shortfall belongs to.
INTEGRATION_SHORTFALLS: dict[str, str] = {
    "tests/synth/test_seeds.py::test_exact_truth_expects_the_realised_custody_child_months":
        "seeds 1-5 (this test): expected 668 custody child-months against 518 realised (1.29; "
        "seed 5 alone 131 against 55), while the seeds spread 1.3 times the test's Poisson "
        "allowance, so five worlds cannot resolve the 10% bar. Thirty worlds can: 130.8 "
        "expected against 126.0 realised a world, 1.04 (95% 0.93-1.17; `python -m "
        "bench.seed_spread --truth`, bench/results/seed_spread.json), and one state's "
        "continuations give 0.98 and 1.04 (bench/results/truth_continuations.json)",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HEAVY_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
        if item.nodeid in INTEGRATION_SHORTFALLS:
            item.add_marker(pytest.mark.xfail(reason=INTEGRATION_SHORTFALLS[item.nodeid],
                                              strict=False))


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test's default data folder (reports/, quarantine/, MLflow) is its own tmp_path,
    so no test writes into the working tree or sees another's outputs."""
    monkeypatch.setenv("EARLYHELP_DATA_DIR", str(tmp_path))
    # `mlflow.set_tracking_uri` also writes MLFLOW_TRACKING_URI into os.environ: without this,
    # one test's store leaks into every later test and every subprocess they start. Set and
    # removed here, so monkeypatch puts the variable back as it was after each test.
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "")
    monkeypatch.delenv("MLFLOW_TRACKING_URI")


SMALL_CHILDREN = 3_000
SMALL_SEED = 7


@pytest.fixture(scope="session")
def small_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("small_world")
    return generate(SynthConfig(out=out, children=SMALL_CHILDREN, seed=SMALL_SEED)).root


@pytest.fixture(scope="session")
def clean_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("clean_world")
    config = SynthConfig(out=out, children=SMALL_CHILDREN, seed=SMALL_SEED, mess=False)
    return generate(config).root


@pytest.fixture(scope="session")
def default_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The full default world (about 63,000 children): under a minute. Mark users slow."""
    out = tmp_path_factory.mktemp("default_world")
    return generate(SynthConfig(out=out)).root
