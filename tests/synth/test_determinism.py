"""Same seed, same bytes; another seed, another world."""

from __future__ import annotations

import hashlib
import multiprocessing
from pathlib import Path

import pytest

from synthcouncil import SynthConfig, generate


def digest(root: Path) -> dict[str, str]:
    files = sorted(p for p in (root / "raw").rglob("*") if p.is_file())
    files += sorted(p for p in (root / "truth").rglob("*") if p.is_file())
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def test_same_seed_gives_identical_files(tmp_path: Path) -> None:
    first = generate(SynthConfig(out=tmp_path / "a", children=600, seed=11)).root
    second = generate(SynthConfig(out=tmp_path / "b", children=600, seed=11)).root
    other = generate(SynthConfig(out=tmp_path / "c", children=600, seed=12)).root
    a, b, c = digest(first), digest(second), digest(other)
    assert len(a) > 30
    assert a == b
    assert a["raw/social_care/children.csv"] != c["raw/social_care/children.csv"]


def test_truth_rolled_out_in_a_worker_equals_the_truth_rolled_out_in_process(
    tmp_path: Path,
) -> None:
    """The worker gets a copy of each month's state while the simulation moves on: a copy
    taken too late (after the next month's step) would change the figures."""
    inline = generate(SynthConfig(out=tmp_path / "a", children=600, seed=11,
                                  truth_workers=0)).root
    worker = generate(SynthConfig(out=tmp_path / "b", children=600, seed=11,
                                  truth_workers=1)).root
    a, b = digest(inline), digest(worker)
    assert "truth/risk.parquet" in a
    assert a == b


def test_a_failed_generation_leaves_no_truth_worker_behind(tmp_path: Path) -> None:
    def stop_at_the_end(what: str, done: int, total: int) -> None:
        # After the last month's step: every truth month has gone to the worker by then.
        if what == "simulating months" and done == total:
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError, match="interrupted"):
        generate(SynthConfig(out=tmp_path / "a", children=600, seed=11, truth_workers=1),
                 progress=stop_at_the_end)
    assert multiprocessing.active_children() == []
