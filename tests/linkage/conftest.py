"""Fixtures for linkage tests: small warehouses built by builders.py in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

from earlyhelp.settings import Settings
from features.linkage.pipeline import link
from features.linkage.report import LinkReport
from linkage.builders import Mess, World, build_world

QUALITY_CHILDREN = 1_500


@pytest.fixture
def settings() -> Settings:
    return Settings(pseudonym_key="linkage-test-key")


@pytest.fixture(scope="module")
def linked_world(tmp_path_factory: pytest.TempPathFactory) -> tuple[World, Path, LinkReport]:
    """A messy world of 1,500 children, linked once for several tests."""
    root = tmp_path_factory.mktemp("linked")
    world = build_world(QUALITY_CHILDREN, seed=11, mess=Mess())
    warehouse = world.write(root / "warehouse.duckdb", root / "truth")
    settings = Settings(pseudonym_key="linkage-test-key", data_dir=root)
    report = link(warehouse, settings, truth=root / "truth")
    return world, warehouse, report
