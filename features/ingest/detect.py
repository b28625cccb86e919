"""Which table a file (or spreadsheet sheet) holds, judged by its header, not its name."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from earlyhelp.errors import InputError
from features.ingest.sources import TABULAR_SPECS
from features.ingest.specs import TableSpec


@dataclass(frozen=True)
class Detection:
    spec: TableSpec
    rename: dict[str, str]  # header as written -> spec column name
    ignored: tuple[str, ...]  # header columns no spec column reads


def normalise(name: str) -> str:
    """Header cells compare without case, edge spaces, a byte-order mark or doubled spaces."""
    return " ".join(name.replace("\ufeff", "").strip().lower().split())


def detect(
    header: Sequence[str], where: str, specs: Sequence[TableSpec] = TABULAR_SPECS
) -> Detection:
    """The spec whose required columns all appear in ``header``; the most specific wins."""
    written = {normalise(h): h for h in header if h is not None}
    matches = [s for s in specs if {normalise(c) for c in s.detect_columns} <= written.keys()]
    if not matches:
        closest = max(
            specs, key=lambda s: len({normalise(c) for c in s.detect_columns} & written.keys())
        )
        missing = sorted(c for c in closest.detect_columns if normalise(c) not in written)
        raise InputError(
            f"{where}: unknown table. Its columns {list(header)[:12]} match no extract in "
            f"docs/contracts.md; the closest, {closest.name}, lacks {missing}."
        )
    spec = max(matches, key=lambda s: len(s.detect_columns))
    by_norm = {normalise(c.source): c.source for c in spec.columns}
    rename = {written[n]: by_norm[n] for n in written if n in by_norm}
    ignored = tuple(written[n] for n in written if n not in by_norm)
    return Detection(spec=spec, rename=rename, ignored=ignored)
