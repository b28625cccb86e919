"""Fixtures for the features step: small hand-built warehouses and a build helper.

``builders.py`` is loaded under the unique name ``features_builders`` so that test folders
without ``__init__.py`` (each with its own ``builders.py``) never shadow one another, and the
real ``features`` package is never shadowed by this folder.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path


def _load_builders() -> None:
    name = "features_builders"
    if name in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("builders.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)


_load_builders()
