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
        self._latin: dict[str, tuple[str, T]] | None = None  # pinyin spelling -> word
        self._starts: dict[str, list[int]] | None = None  # first syllable -> lengths of words starting with it

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
        if self._starts is None:
            starts: dict[str, list[int]] = {}
            for key in by_sound:
                starts.setdefault(key[0], []).append(len(key))
            self._starts = {first: sorted(set(lengths), reverse=True) for first, lengths in starts.items()}
        sounds = [syllable(c) for c in text]
        used = list(taken) if taken is not None else [False] * len(text)
        candidates: list[tuple[int, int]] = []  # (length, start): only where a known word's first sound is
        for start, sound in enumerate(sounds):
            for length in self._starts.get(sound, ()):
                if start + length <= len(text):
                    candidates.append((length, start))
        hits: list[SoundHit[T]] = []
        for length, start in sorted(candidates, key=lambda item: (-item[0], item[1])):
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
        if self._latin is None:
            self._latin = {"".join(key): entry for key, entry in by_sound.items()}
        latin_keys = self._latin
        for match in _LATIN.finditer(text):
            # "qinyuan dibao", "qin yuan": any run of consecutive words may spell one known word.
            words = [(w.start(), w.end()) for w in re.finditer(r"[a-z]+", match.group())]
            base = match.start()
            first = 0
            while first < len(words):
                for last in range(len(words) - 1, first - 1, -1):
                    start, end = base + words[first][0], base + words[last][1]
                    spelled = text[start:end].replace(" ", "")
                    if spelled in latin_keys:
                        word, value = latin_keys[spelled]
                        hits.append(SoundHit(value, word, start, end, typed_pinyin=True))
                        first = last
                        break
                first += 1
        return hits
