"""Small hand-made tables of scores whose confusion counts are known by construction."""

from __future__ import annotations

import numpy as np
import pandas as pd

from monitoring.audit.pipeline import AuditSpec


def frame_from_cells(
    cells: dict[str, tuple[int, int, int, int]], column: str = "sex", seed: int = 0
) -> pd.DataFrame:
    """Rows with score 0.9 (flagged at 0.5) or 0.1, shuffled: ``{group: (tp, fp, tn, fn)}``."""
    rows = []
    for group, (tp, fp, tn, fn) in cells.items():
        for label, score, count in ((1, 0.9, tp), (0, 0.9, fp), (0, 0.1, tn), (1, 0.1, fn)):
            rows += [{"outcome": label, "score": score, column: group}] * count
    frame = pd.DataFrame(rows)
    return frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)


def spec(groups: list[str], **overrides: object) -> AuditSpec:
    values: dict[str, object] = {
        "label": "outcome", "score": "score", "groups": groups, "threshold": 0.5, "n_boot": 200,
    }
    values.update(overrides)
    return AuditSpec.model_validate(values)


def random_scores(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sex = rng.choice(["F", "M", ""], size=n, p=[0.45, 0.5, 0.05])
    label = rng.random(n) < np.where(sex == "F", 0.05, 0.1)
    score = np.round(rng.random(n) * 0.6 + label * 0.4, 2)
    return pd.DataFrame({"outcome": label.astype(int), "score": score, "sex": sex})
