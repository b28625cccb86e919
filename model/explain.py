"""Exact per-child reasons from the fitted logistic regression, worded through the registry.

A child's log-odds is the intercept plus one term per standardised feature
(coefficient x standardised value); calibration rescales it by a positive slope, so the
ordering of terms is the model's own. Terms are summed per registry group; the largest
positive groups become the reasons, worded by the group's strongest feature.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from model.candidates import base_classifier

NUMBER_WORDS = ("no times", "once", "twice", "three times", "four times", "five times",
                "six times", "seven times", "eight times", "nine times", "ten times")


def is_explainable(pipeline: Pipeline) -> bool:
    return isinstance(base_classifier(pipeline), LogisticRegression)


def contributions(pipeline: Pipeline, frame: pd.DataFrame,
                  transformed: np.ndarray | None = None) -> np.ndarray:
    """Exact log-odds terms (rows x features) of the logistic regression, before calibration.

    ``transformed`` is the pipeline's own transform of ``frame``, when the caller has it.
    """
    classifier = base_classifier(pipeline)
    if not isinstance(classifier, LogisticRegression):
        raise TypeError("exact contributions are implemented for logistic regression only")
    standardised = (pipeline.named_steps["features"].transform(frame) if transformed is None
                    else transformed)
    return np.asarray(standardised, dtype=float) * classifier.coef_[0]


def _singular_after_one(text: str, start: int) -> str:
    """"1 contacts with ..." -> "1 contact with ...": the first plural among the next words."""
    head, words = text[:start], text[start:].split(" ")
    for i, word in enumerate(words[:5]):
        if word.endswith("ies"):
            words[i] = word[:-3] + "y"
            break
        if word.endswith("s") and not word.endswith("ss"):
            words[i] = word[:-1]
            break
    return head + " ".join(words)


def word_value(value: float, description: str) -> str:
    """Put a feature's value into its registry sentence ("Suspended three times ...")."""
    if "{value}" not in description:
        return description
    if description.endswith("(1 yes, 0 no): {value}"):
        base = description.removesuffix(" (1 yes, 0 no): {value}")
        return base if value >= 0.5 else f"{base}: no"
    if "{value} times" in description and float(value).is_integer() and 0 <= value <= 10:
        return description.replace("{value} times", NUMBER_WORDS[int(value)])
    if "Missed {value}" in description or "rate" in description.lower():
        return description.replace("{value}", f"{value:.0%}")
    if float(value).is_integer():
        text = description.replace("{value}", str(int(value)))
        if value == 1:
            start = text.index("1", description.index("{value}")) + 2
            text = _singular_after_one(text, start)
        return text
    return description.replace("{value}", f"{value:.1f}")


def reasons(
    pipeline: Pipeline,
    frame: pd.DataFrame | np.ndarray,
    features: Sequence[str],
    registry: pd.DataFrame,
    top: int = 3,
    transformed: np.ndarray | None = None,
) -> list[list[str]]:
    """Up to ``top`` plain-English reasons per row: the registry groups pushing the score up.

    ``frame`` may be a matrix whose columns are ``features`` in order (with ``transformed``).
    """
    if isinstance(frame, np.ndarray) and transformed is None:
        frame = pd.DataFrame(frame, columns=list(features))
    terms = contributions(pipeline, frame if isinstance(frame, pd.DataFrame) else
                          pd.DataFrame(), transformed)
    group_of = dict(zip(registry["feature"], registry["group"], strict=True))
    wording = dict(zip(registry["feature"], registry["description"], strict=True))
    groups = np.array([group_of.get(f, f) for f in features])
    names, g_of_f = np.unique(groups, return_inverse=True)
    group_terms = np.zeros((terms.shape[0], names.size))
    np.add.at(group_terms.T, g_of_f, terms.T)
    values = (frame[list(features)].to_numpy(float) if isinstance(frame, pd.DataFrame)
              else np.asarray(frame, dtype=float))
    out = []
    for i in range(terms.shape[0]):
        row = []
        for g in np.argsort(-group_terms[i])[:top]:
            if group_terms[i, g] <= 0:
                break
            members = np.flatnonzero(g_of_f == g)
            f = members[np.argmax(terms[i, members])]
            description = str(wording.get(features[f], features[f]))
            row.append(word_value(values[i, f], description))
        out.append(row)
    return out
