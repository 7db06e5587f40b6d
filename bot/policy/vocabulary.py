"""Turning a resident's words for their status ("低保和残疾", "五保户", "低报", "都不是") into vocabulary ids."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from rapidfuzz import fuzz, process

from bot.errors import UserInputError
from bot.policy.model import Vocabulary, VocabularyTerm

# Separators and filler residents put around several statuses ("我是低保户，也是脱贫户").
_SEPARATORS = re.compile(
    r"(?:\s|[,，、;；/。.!！?？]|和|及|与|跟|还有|也是|并且|以及|同时|又是|还是|我们家|我家|家里|我们|我是|我|是|属于|都|吧|啊|呢|的|有)+"
)
CATEGORY_EXAMPLE = "低保、特困、监测户、脱贫户、重度残疾，可以说几个；都不是请回答“没有”"
FUZZY_ACCEPT = 90.0  # a homophone or near spelling this close is taken without asking
FUZZY_SUGGEST = 60.0


@dataclass(frozen=True)
class Refinement:
    """A status too broad for this document: which of `options` (vocabulary ids) is meant."""

    term: str
    options: tuple[str, ...]


def _spoken(word: str) -> str:
    """Pronunciation without tones (低报 → dibao). pypinyin loads large dictionaries (~0.25 s), so it is
    imported only when an answer is not an exact synonym."""
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(word))


class VocabularyIndex:
    def __init__(self, vocabulary: Vocabulary) -> None:
        self.terms: dict[str, VocabularyTerm] = {term.id: term for term in vocabulary.terms}
        self._words: dict[str, str] = {}
        for term in vocabulary.terms:
            for word in [term.name, *term.synonyms, term.id]:
                self._words[word] = term.id
        self._none_words = set(vocabulary.none_words)
        # The graph is small and read on every quote: walk it once here.
        self._ancestors = {term: frozenset(self._walk_up(term)) for term in self.terms}
        self._descendants = {
            term: frozenset(other for other in self.terms if other != term and term in self._ancestors[other])
            for term in self.terms
        }

    def _walk_up(self, term_id: str) -> set[str]:
        seen: set[str] = set()
        stack = [term_id]
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(self.terms[current].parents)
        return seen

    @cached_property
    def _by_length(self) -> list[str]:
        # Latin ids (dibao) are matched only as whole answers, never inside other words.
        return sorted((w for w in self._words if not w.isascii()), key=len, reverse=True)

    @cached_property
    def _pinyin(self) -> dict[str, str]:
        return {_spoken(word): term_id for word, term_id in self._words.items()}

    def ancestors(self, term_id: str) -> frozenset[str]:
        """The term and everything above it (农村一类低保 → 农村低保 → 低保)."""
        return self._ancestors[term_id]

    def descendants(self, term_id: str) -> frozenset[str]:
        return self._descendants[term_id]

    def leaves_under(self, term_id: str) -> list[str]:
        return list(self._leaves[term_id])

    @cached_property
    def _leaves(self) -> dict[str, tuple[str, ...]]:
        # Worked out once: a quote for a broad status (低保) looks its kinds up every time.
        leaves: dict[str, tuple[str, ...]] = {}
        for term_id in self.terms:
            below = self.descendants(term_id)
            leaves[term_id] = tuple(t for t in self.terms if t in below
                                    and not any(t in self.terms[o].parents for o in below))
        return leaves

    def name(self, term_id: str) -> str:
        return self.terms[term_id].name

    def is_none(self, text: str) -> bool:
        return text.strip().rstrip("。.!！") in self._none_words

    def parse(self, text: str) -> list[str]:
        """Ids for a free-text answer; [] for "none"; UserInputError naming what was not understood."""
        text = text.strip()[:200]
        if self.is_none(text):
            return []
        if text in self._words:
            return [self._words[text]]
        # Known words first, longest first, so that 二级及以上残疾 is not split at 及.
        ids: list[str] = []
        rest = text
        for word in self._by_length:
            if word in rest:
                ids.append(self._words[word])
                rest = rest.replace(word, " ")
        for piece in _SEPARATORS.split(rest):
            if len(piece) < 2 or piece in self._none_words:
                continue
            ids.append(self.resolve_word(piece))
        if not ids:
            raise UserInputError("category", "没有听懂您的身份类别", example=CATEGORY_EXAMPLE)
        return list(dict.fromkeys(ids))

    def resolve_all(self, words: Iterable[str]) -> list[str]:
        ids: list[str] = []
        for word in words:
            ids.extend(self.parse(word))
        return list(dict.fromkeys(ids))

    def resolve_word(self, word: str) -> str:
        if word in self._words:
            return self._words[word]
        if word in self.terms:
            return word
        # Homophones (低报 → 低保) and pinyin input (dibao): compare pronunciations.
        spoken = _spoken(word)
        hit = process.extractOne(spoken, list(self._pinyin), scorer=fuzz.ratio)
        if hit and hit[1] >= FUZZY_ACCEPT:
            return self._pinyin[hit[0]]
        suggestions = self.suggest(word)
        raise UserInputError(
            "category",
            f"不认识的身份类别「{word[:20]}」",
            example=CATEGORY_EXAMPLE,
            suggestions=tuple(self.name(s) for s in suggestions),
        )

    def suggest(self, word: str, limit: int = 3) -> list[str]:
        spoken = _spoken(word)
        scored: dict[str, float] = {}
        for candidate, score, _ in process.extract(word, list(self._words), scorer=fuzz.ratio, limit=10):
            term = self._words[candidate]
            scored[term] = max(scored.get(term, 0.0), float(score))
        for candidate, score, _ in process.extract(spoken, list(self._pinyin), scorer=fuzz.ratio, limit=10):
            term = self._pinyin[candidate]
            scored[term] = max(scored.get(term, 0.0), float(score))
        ranked = sorted(scored.items(), key=lambda item: -item[1])
        return [term for term, score in ranked if score >= FUZZY_SUGGEST][:limit]
