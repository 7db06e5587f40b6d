"""Peeling known words off the end of a text, for the place reader: what stands right before one of our names
is judged only after the words that may stand there (our own province and city, whom the insurance is for) are
taken away, in any order and any number of times (山西省长治市, 俺家老头)."""

from __future__ import annotations

from collections.abc import Iterable


def strip_trailing(text: str, words: Iterable[str]) -> str:
    """`text` without any of `words` at its end, repeatedly, until none of them ends it."""
    candidates = tuple(word for word in words if word)
    # One C-level check of every word first: most texts end with none of them, and the loop finds which one does.
    while text and text.endswith(candidates):
        for word in candidates:
            if text.endswith(word):
                text = text[: -len(word)]
                break
    return text
