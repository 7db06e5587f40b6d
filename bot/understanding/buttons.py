"""A button's text typed instead of tapped, with a typo ("都部是", "选号了", "注意是项") or in pinyin ("dou bu shi"):
read as the tap when exactly one of the buttons on offer is that close. Only used for a message nothing else
understood, so a typed answer is never overridden by a guess at a button."""

from __future__ import annotations

import re

from rapidfuzz.distance import Levenshtein

from bot.textnorm import simplify
from bot.understanding.sounds import syllable

_STRIP = re.compile(r"[\s,.!?;:，。！？；：、~～“”\"'✓]+|吧$|啊$|呀$|嘞$|哩$|噻$")


def _sound(text: str) -> str:
    return "".join(syllable(char) for char in text)


def _typed(text: str) -> str:
    return _STRIP.sub("", simplify(text))


def may_name_a_button(text: str) -> bool:
    """False for a message too long (or empty) to be a button's text: the buttons need not be worked out."""
    return 0 < len(_typed(text)) <= 20


def typed_button(text: str, labels: dict[str, str]) -> str | None:
    """The payload of the one button (label -> payload) `text` names despite a typo; None otherwise.

    Same sound (a homophone, or pinyin), or one character off for labels of three characters or more."""
    typed = _typed(text)
    if not 0 < len(typed) <= 20:
        return None
    matches: set[str] = set()
    for label, payload in labels.items():
        name = _STRIP.sub("", simplify(label))
        if not name:
            continue
        one_off = len(name) >= 3 and abs(len(name) - len(typed)) <= 1 and Levenshtein.distance(typed, name) <= 1
        if typed == name or _sound(typed) == _sound(name) or one_off:
            matches.add(payload)
    return matches.pop() if len(matches) == 1 else None
