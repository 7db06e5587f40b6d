"""Splitting a message into clauses: what a date or a place belongs to is read within its own clause."""

from __future__ import annotations

import re


def clause_spans(text: str, boundary: re.Pattern[str]) -> list[tuple[int, int]]:
    """(start, end) of each non-empty stretch of `text` between matches of `boundary` (which may be zero-width,
    a lookahead that starts the next clause)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in boundary.finditer(text):
        if match.start() > start:
            spans.append((start, match.start()))
        start = max(start, match.end())
    if start < len(text):
        spans.append((start, len(text)))
    return spans
