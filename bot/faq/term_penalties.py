"""Texts that match a query only through a word it does not hold lose points: the whole-term rule (issue 9, class 2)
and the opposed-term rule (class 4).

Whole terms: a query holding part of a term does not match a text holding the whole term.

A first-year student's "大学新生医保从什么时候开始能报" shares 新生 with the newborn entry's "新生儿医保从什么时候
开始能用", and edit distance counts those two syllables as matched: the newborn entry came first. Words that are
terms of their own mean something else when cut: 新生 is not 新生儿, 低保 is not 低保边缘, 医保 is not 职工医保,
什么 is not 什么时候. The terms are the synonym table's canonical forms of three characters or more (the table
already rewrites every way of writing them to that one form, so a term in a text is the term, whatever the
resident typed). When the normalised query holds a part of a term (two characters or more) but not the term,
every text holding the term scores SPLIT_TERM_PENALTY points less: its match rests on a word cut in two.

On the tune half of tests/faq/resident_questions.yaml this turned "大学新生…" from declined (newborn suggested
first) into "not sure" with the new-student entry first, and changed nothing else there.

Opposed terms: "去年交过了今年还要跑医保站吗" (已交 after normalisation) scored as high against "去年没交今年还能交"
as against the renewal entry: only one syllable differs. A query holding one of two OPPOSED_TERMS and not the other
scores every text holding the other (and not the first) OPPOSED_TERM_PENALTY points less. The pairs are canonical
forms of the synonym table, which rewrites 交过了, 已经交了, 已缴 ... to 已交 and 没有交, 未缴, 漏交 ... to 没交.
On the tune half this turned that question from "not sure" (right entry first by 0.6 points) into its answer, and
changed nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt

SPLIT_TERM_PENALTY = 10.0
OPPOSED_TERM_PENALTY = 10.0
# Done is not missed: a resident who has paid asks about renewing, one who has not asks about the deadline.
OPPOSED_TERMS: tuple[tuple[str, str], ...] = (("已交", "没交"),)
MIN_TERM_CHARS = 3
MIN_PART_CHARS = 2

# float32 like the candidate filter's score bounds, which it is taken off in place.
PenaltyArray = npt.NDArray[np.float32]


class TermPenalties:
    """Built once from the terms and, for every matcher key, the normalised texts it stands for (``texts[i]`` for
    key i: usually one; texts that match alike share a key)."""

    def __init__(self, terms: Iterable[str], texts: Sequence[Collection[str]],
                 opposed: Iterable[tuple[str, str]] = OPPOSED_TERMS) -> None:
        self._size = len(texts)
        # Query term -> (its opposite, the keys holding the opposite and not the term itself).
        self._opposed: dict[str, tuple[str, npt.NDArray[np.intp]]] = {}
        for first, second in opposed:
            for held, other in ((first, second), (second, first)):
                holders = [position for position, alike in enumerate(texts)
                           if all(other in text and held not in text for text in alike)]
                if holders:
                    self._opposed[held] = (other, np.array(holders, dtype=np.intp))
        # Only terms some text holds can make a text score less.
        self._holders: dict[str, npt.NDArray[np.intp]] = {}
        for term in sorted({t for t in terms if len(t) >= MIN_TERM_CHARS}):
            # A key holds the term only if all its texts do: the others match as well without it.
            holders = [position for position, alike in enumerate(texts) if all(term in text for text in alike)]
            if holders:
                self._holders[term] = np.array(holders, dtype=np.intp)
        self._terms_of_part: dict[str, list[str]] = {}
        for term in self._holders:
            parts = {term[i:j] for i in range(len(term)) for j in range(i + MIN_PART_CHARS, len(term) + 1)}
            for part in sorted(parts - {term}):
                self._terms_of_part.setdefault(part, []).append(term)
        # A lookahead finds overlapping parts too (新生 and 生儿 in 新生儿), longest first at each position.
        ordered = sorted(self._terms_of_part, key=lambda p: (-len(p), p))
        self._parts_re = re.compile("(?=(" + "|".join(map(re.escape, ordered)) + "))") if ordered else None

    def split_terms(self, normalized: str) -> set[str]:
        """Terms of which the query holds a part but not the whole."""
        if self._parts_re is None:
            return set()
        found: set[str] = set()
        for hit in self._parts_re.finditer(normalized):
            longest = hit.group(1)
            # Shorter parts starting at the same place are prefixes of the longest one found there.
            found.update(longest[:end] for end in range(MIN_PART_CHARS, len(longest) + 1))
        return {term for part in found for term in self._terms_of_part.get(part, ()) if term not in normalized}

    def opposed_terms(self, normalized: str) -> set[str]:
        """Terms the query holds whose opposite it does not hold (and some text does)."""
        return {held for held, (other, _) in self._opposed.items() if held in normalized and other not in normalized}

    def penalties(self, normalized: str) -> PenaltyArray | None:
        """Points to take off each key's score for this query, or None when no rule applies. Points do not add
        up: a text cut both ways loses the larger penalty once. The array is shared and read-only."""
        split = self.split_terms(normalized)
        opposed = self.opposed_terms(normalized)
        if not split and not opposed:
            return None
        return self._penalty(frozenset(split), frozenset(opposed))

    @lru_cache(maxsize=256)  # noqa: B019 (one instance per matcher, kept as long as the matcher)
    def _penalty(self, split: frozenset[str], opposed: frozenset[str]) -> PenaltyArray:
        # Most queries split the same few terms (医保 is part of 职工医保): the array is built once per set.
        penalty = np.zeros(self._size, dtype=np.float32)
        for term in opposed:
            penalty[self._opposed[term][1]] = OPPOSED_TERM_PENALTY
        for term in split:
            penalty[self._holders[term]] = np.maximum(penalty[self._holders[term]], SPLIT_TERM_PENALTY)
        penalty.setflags(write=False)
        return penalty
