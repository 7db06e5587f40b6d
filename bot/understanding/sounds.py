"""Finding words by how they sound: a homophone typed by an input method (沁原 for 沁源, 低报 for 低保), or the
word typed in pinyin (qinyuan, dibao). Pinyin is looked up per character and cached; pypinyin is imported on
first use only (its dictionaries take ~0.25 s to load)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Generic, TypeVar

T = TypeVar("T")

_LATIN = re.compile(r"[a-z]+(?:\s+[a-z]+)*")


@cache
def syllable(char: str) -> str:
    """Toneless pinyin of one Chinese character; the character itself otherwise."""
    if not ("\u4e00" <= char <= "\u9fff"):
        return char
    from pypinyin import lazy_pinyin

    return lazy_pinyin(char)[0]


@dataclass(frozen=True)
class SoundHit(Generic[T]):
    value: T
    word: str  # the known word it sounds like
    start: int
    end: int
    typed_pinyin: bool  # typed in Latin letters (an exact spelling) rather than a homophone


class SoundIndex(Generic[T]):
    """Known words (each at least two characters) found by their sound in a message."""

    def __init__(self, words: Mapping[str, T]) -> None:
        self._words = {word: value for word, value in words.items() if len(word) >= 2 and not word.isascii()}
        self._built: dict[tuple[str, ...], tuple[str, T]] | None = None

    def _by_sound(self) -> dict[tuple[str, ...], tuple[str, T]]:
        if self._built is None:
            built: dict[tuple[str, ...], tuple[str, T]] = {}
            for word in sorted(self._words, key=len):
                built.setdefault(tuple(syllable(c) for c in word), (word, self._words[word]))
            self._built = built
        return self._built

    def find(self, text: str, taken: list[bool] | None = None) -> list[SoundHit[T]]:
        """Homophones of known words (not the words themselves) and pinyin spellings, longest first."""
        by_sound = self._by_sound()
        lengths = sorted({len(key) for key in by_sound}, reverse=True)
        sounds = [syllable(c) for c in text]
        used = list(taken) if taken is not None else [False] * len(text)
        hits: list[SoundHit[T]] = []
        for length in lengths:
            for start in range(len(text) - length + 1):
                end = start + length
                if any(used[start:end]) or not all("\u4e00" <= c <= "\u9fff" for c in text[start:end]):
                    continue
                key = tuple(sounds[start:end])
                if key in by_sound:
                    word, value = by_sound[key]
                    if text[start:end] == word:
                        continue  # the word itself: exact matching found it (or chose not to)
                    hits.append(SoundHit(value, word, start, end, typed_pinyin=False))
                    used[start:end] = [True] * length
        latin_keys = {"".join(key): entry for key, entry in by_sound.items()}
        for match in _LATIN.finditer(text):
            spelled = match.group().replace(" ", "")
            if spelled in latin_keys:
                word, value = latin_keys[spelled]
                hits.append(SoundHit(value, word, match.start(), match.end(), typed_pinyin=True))
        return hits
