"""What the pages and the API quote from the model card."""

from __future__ import annotations

import re

NO_CARD = ("This model was logged without a model card: ask the data science team for it "
           "before relying on its flags.")


def _section(markdown: str, title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", markdown, re.M | re.S)
    return match.group(1).strip() if match else ""


def card_sections(markdown: str) -> tuple[str, list[str]]:
    """(intended use, limits) from the card: one paragraph, and its caveats as a list."""
    if not markdown:
        return NO_CARD, []
    intended = " ".join(_section(markdown, "Intended use").split())
    not_for = " ".join(_section(markdown, "Not intended for").split())
    caveats = _section(markdown, "Caveats and recommendations")
    limits = [" ".join(item.split()) for item in re.split(r"^- ", caveats, flags=re.M)
              if item.strip()]
    return f"{intended} Not intended for: {not_for}".strip(), limits
