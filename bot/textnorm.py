"""Character-level normalisation shared by every reader of residents' text: full-width to half-width,
traditional to simplified (OpenCC t2s), lower case. One character in, one character out, so a position in the
normalised text is the same position in what the resident typed (the spans the understanding reports)."""

from __future__ import annotations

import unicodedata
from functools import cache

from opencc import OpenCC

_T2S = OpenCC("t2s")


@cache
def simple_char(char: str) -> str:
    """The simplified, half-width, lower-case form of one character (itself when that would not be one char)."""
    folded = unicodedata.normalize("NFKC", char)
    if len(folded) != 1:
        folded = char
    simplified = _T2S.convert(folded) if not folded.isascii() else folded
    if len(simplified) != 1:
        simplified = folded
    return simplified.lower()


def simplify(text: str) -> str:
    """`text` with every character folded by simple_char; same length as `text`."""
    if text.isascii():
        return text.lower()
    return "".join([simple_char(char) for char in text])
