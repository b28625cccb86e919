"""The model's certainty in words and numbers, for a person who is not a statistician."""

from __future__ import annotations

BANDS = ("low", "raised", "high", "very high")


def band(probability: float, edges: tuple[float, ...]) -> str:
    """The band a probability falls in: ``edges`` are the lower bounds of all but the first."""
    return BANDS[sum(probability >= edge for edge in edges)]


def in_words(probability: float) -> str:
    """"about 3 in 100", "about 1 in 400": the chance as a count of similar children."""
    if probability >= 0.01:
        return f"about {round(probability * 100):d} in 100"
    if probability <= 0:
        return "less than 1 in 10,000"
    return f"about 1 in {round(1 / probability, -1 if probability > 0.001 else -2):,.0f}"


def certainty(probability: float, edges: tuple[float, ...]) -> str:
    return (f"{band(probability, edges)}: {in_words(probability)} children with records like "
            "these received a custodial sentence within a year")
