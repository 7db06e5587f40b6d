"""Find the FAQ entry a resident's question is about, or decide not to answer.

How a query is scored (each step measured on tests/faq/eval_set.yaml; see benchmarks/faq_bench.py):
1. The query and every entry text (its question and phrasings) are normalised (normalize.py: half-width,
   simplified, synonyms and dialect words) and turned into sound keys: one code per pinyin syllable, with
   the synonym table's stop words (医保, 怎么) left out. Homophone typos and typed pinyin thus match.
2. rapidfuzz ``fuzz.ratio`` (normalised Indel similarity, 0-100) between the query key and each text key;
   an entry scores the best of its texts. Not every text is scored: candidates.py bounds every text's score
   by the syllables it shares with the query (counted with numpy from an inverted index) and scores texts
   best bound first until the two best entries and the three best faq entries are certain. The result is
   exactly what scoring every text gives (``candidate_filter=False`` does that; a test compares them), at a
   cost bounded by how many texts come close to the query rather than by how many there are. Below
   FILTER_FROM_TEXTS texts every text is scored: the filter's fixed cost is then more than it saves.
3. An entry whose keyword (entries.yaml) occurs in the normalised query gets KEYWORD_BONUS points, capped at
   100: one distinctive word (公积金, 意外险, 下岗) is strong evidence that edit distance alone underrates.
4. The best entry decides, after losing DEFAULT_UNKNOWN_PENALTY points per query syllable no entry text
   contains: below the threshold the answer is "not_sure" with the three best faq entries as suggestions;
   below DEFAULT_SURE_SCORE a faq entry is answered only with a lead of DEFAULT_MARGIN over the next entry
   (else "not_sure"); an out_of_scope or chitchat entry makes the bot decline or chat rather than answer the
   nearest FAQ with false confidence, unless the query holds an IN_SCOPE_WORDS word (then the faq entries
   decide among themselves: the lead is over the next faq entry, not over the vetoed one). A decline or a chat
   reply needs the lead an answer needs, over the best faq entry (below DEFAULT_SURE_SCORE): else "not sure",
   with the faq entries suggested, since a question sharing a word with such an entry may still be ours.
5. Before scoring, term_penalties.py takes points off texts that match only through a word the query does not
   hold: a term cut in two (新生 is not 新生儿) or its opposite (已交 is not 没交).
Figures and dates are replaced by question words before keys are made (generalise_numbers), in entry texts
and queries alike: "2023年医保是380吗" asks what "今年医保多少钱" asks. The names of the places served
(``place_names``: 朔州, 沁源 and their towns) are taken out the same way: they say where, not what.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from operator import itemgetter
from typing import Any, Literal, NamedTuple

from rapidfuzz import fuzz

from bot.faq.candidates import CandidateIndex
from bot.faq.model import FaqEntry
from bot.faq.normalize import Normalizer, default_normalizer
from bot.faq.term_penalties import TermPenalties
from bot.faq.told import asking_part

MatchKind = Literal["answer", "not_sure", "out_of_scope", "chitchat", "empty"]
# A similarity 0-100 in rapidfuzz's scorer form; fuzz.ratio unless a benchmark swaps in another.
Scorer = Callable[..., Any]

# From `benchmarks/faq_bench.py --sweep` over tests/faq/eval_set.yaml, scoring +1 for a right answer or
# refusal, +0.5 for "not sure" with the right suggestion and -1 for a wrong answer: utility is flat from 42
# to 62 (best 212.5, 212.0 at 60). 60 is the most cautious threshold within 1% of the best, and stays within
# 1% when a wrong answer costs -2 (204.0 against 205.0). Between 50 and 60 the bot asks "did you mean".
DEFAULT_THRESHOLD = 55.0
KEYWORD_BONUS = 10.0
# A keyword the synonym table folds into one character (续费, 续交 -> 交) names no topic any more: nearly every
# question holds it. Such a keyword is ignored rather than given to every query.
MIN_KEYWORD_CHARS = 2
SUGGESTIONS = 3
# The decision (issue 9), from benchmarks/faq_eval.py on the tune half of tests/faq/resident_questions.yaml:
# below DEFAULT_SURE_SCORE an answer needs DEFAULT_MARGIN points over the next entry, and every query syllable
# that no entry text contains takes DEFAULT_UNKNOWN_PENALTY points off the best score. Swept again after the
# preamble drop words (margin 6/8/10 x sure 80/85/90 x penalty 2/3/4): penalty 2 gives 168 right and 2 wrong
# of 216 (penalty 3: 166 and 2); margins below 10 answer more but wrongly (3-5 wrong).
DEFAULT_MARGIN = 10.0
DEFAULT_SURE_SCORE = 90.0
DEFAULT_UNKNOWN_PENALTY = 2.0
# Words (normalised) that only a question about resident insurance uses: they veto an out-of-scope decline.
IN_SCOPE_WORDS = ("参保", "居民医保", "城乡居民医保", "交医保", "医保交")
# Resident questions are a sentence or two. Longer input is cut before normalising (cost stays bounded) and
# the key is cut again: a key many times longer than any phrasing scores low against all of them anyway,
# so a pasted essay ends as "not_sure" quickly instead of slowly. 64 also keeps rapidfuzz on its
# single-machine-word algorithm.
MAX_QUERY_CHARS = 200
MAX_KEY_CHARS = 64
# The candidate filter (step 2) pays from this many texts on: below it one rapidfuzz call over every text costs
# less than the filter's numpy rounds. benchmarks/faq_speed.py --sizes 59 200: at 519 texts (today's entries)
# p50 158 µs filtered, 114 µs every text; at 1,872 texts 122 µs filtered, 242 µs every text. Either way the result
# is the same (test_matcher compares them).
FILTER_FROM_TEXTS = 1_000


# Figures and dates say which case, not which topic: "2023年医保是380吗" asks the fee like "今年医保多少钱".
# They are replaced by the words a resident would use for the question itself, in entry texts and queries alike
# (keywords are still found in the text with its figures).
_NUMBER_RULES = (
    (re.compile(r"\d{4}年度?"), "今年"),
    (re.compile(r"\d{1,2}月\d{1,2}[日号]?"), "几月几号"),
    (re.compile(r"\d{1,2}月(底|初|份)?"), "几月"),
    (re.compile(r"\d{1,2}[日号]"), "几号"),
    (re.compile(r"\d+天"), "几天"),
    (re.compile(r"\d+岁"), "几岁"),
    (re.compile(r"\d+元?"), "多少钱"),
)


def generalise_numbers(normalized: str) -> str:
    if not any(char.isdigit() for char in normalized):
        return normalized
    for pattern, words in _NUMBER_RULES:
        normalized = pattern.sub(words, normalized)
    return normalized


class _Alphabet:
    """Re-codes keys onto the fewest code points, the most frequent first. rapidfuzz compares characters below
    256 through a plain table and others through a hash map: with syllable codes in the private use area
    (U+E000...) scoring was 5-6 times slower than with the same keys re-coded (benchmarks/faq_speed.py).
    A character no entry text holds gets one spare code that no text holds either, so it matches nothing."""

    class _Table(dict[int, str]):
        def __init__(self, codes: dict[int, str], spare: str) -> None:
            super().__init__(codes)
            self.spare = spare

        def __missing__(self, key: int) -> str:
            return self.spare

    def __init__(self, keys: Iterable[str]) -> None:
        counts = Counter(char for key in keys for char in key)
        # Code 0 is left unused; the spare code comes after every text character.
        codes = {ord(char): chr(rank + 1) for rank, (char, _) in enumerate(counts.most_common())}
        self._table = self._Table(codes, chr(len(codes) + 1))

    def encode(self, key: str) -> str:
        return key.translate(self._table)


class Suggestion(NamedTuple):
    faq_id: str
    question: str
    score: float


@dataclass(frozen=True)
class MatchResult:
    """``faq_id`` is the matched entry (a faq, out_of_scope or chitchat entry id) or None for not_sure and
    empty; ``score`` is the best entry's score (0-100); ``suggestions``
    are the three best faq entries, best first (fewer only if there are fewer faq entries; none for empty)."""

    faq_id: str | None
    kind: MatchKind
    score: float
    suggestions: tuple[Suggestion, ...]
    out_of_scope_topic: str | None = None


class FaqMatcher:
    """Built once from the entries (keys are precomputed); ``match`` is then a pure function of the query."""

    def __init__(
        self,
        entries: Sequence[FaqEntry],
        threshold: float = DEFAULT_THRESHOLD,
        normalizer: Normalizer | None = None,
        scorer: Scorer = fuzz.ratio,
        margin: float = DEFAULT_MARGIN,
        sure_score: float = DEFAULT_SURE_SCORE,
        unknown_penalty: float = DEFAULT_UNKNOWN_PENALTY,
        candidate_filter: bool | None = None,
        place_names: Iterable[str] = (),
    ) -> None:
        if not entries:
            raise ValueError("FaqMatcher needs at least one entry")
        self.entries = tuple(entries)
        self.threshold = threshold
        self._normalizer = normalizer or default_normalizer()
        # The places we serve: a resident naming one says where, which the dialog already knows, not what is asked.
        # Taken out of entry texts and queries alike ("能在朔州参保不" asks what "能在这参保不" asks).
        places = sorted({name for name in map(self._normalizer, place_names) if len(name) >= 2}, key=lambda n: (-len(n), n))
        self._places_re = re.compile("|".join(map(re.escape, places))) if places else None
        self._scorer = scorer
        keys, self._owners, texts = self._index_texts(self.entries)
        self._alphabet = _Alphabet(keys)
        self._keys = [self._alphabet.encode(key) for key in keys]
        self._keys_by_entry: list[list[int]] = [[] for _ in self.entries]  # key positions
        for position, owner in enumerate(self._owners):
            self._keys_by_entry[owner].append(position)
        self._term_penalties = TermPenalties(self._normalizer.canonical_forms, texts)
        self._known_codes = frozenset(code for key in self._keys for code in key)
        self._index = CandidateIndex(self._keys, self._owners, [entry.kind == "faq" for entry in self.entries])
        # The bound on scores holds for fuzz.ratio only: another scorer (a benchmark's) scores every text.
        # candidate_filter None: filter from FILTER_FROM_TEXTS texts on; True or False: always, never (tests).
        if candidate_filter is None:
            candidate_filter = len(self._keys) >= FILTER_FROM_TEXTS
        self._candidates_filtered = candidate_filter and scorer is fuzz.ratio
        self._keyword_owners, self._keyword_re = self._index_keywords(self.entries)
        self.margin = margin
        self.sure_score = sure_score
        self.unknown_penalty = unknown_penalty
        self._in_scope_re = re.compile("|".join(map(re.escape, IN_SCOPE_WORDS)))

    def _index_texts(self, entries: Sequence[FaqEntry]) -> tuple[list[str], list[int], list[list[str]]]:
        """Every distinct key with the index of its entry and the normalised texts it stands for."""
        keys: list[str] = []
        owners: list[int] = []
        texts: list[list[str]] = []
        owner_of: dict[str, int] = {}
        position_of: dict[str, int] = {}
        for index, entry in enumerate(entries):
            for text in (entry.question, *entry.phrasings):
                normalized = self._normalize(text)
                key = self._normalizer.match_key(generalise_numbers(normalized))
                if not key:
                    raise ValueError(f"{entry.id}: {text!r} has nothing left to match after normalisation")
                if key in owner_of:
                    if owner_of[key] != index:
                        # One key in two entries makes the winner arbitrary: a data error, caught at start-up.
                        other = entries[owner_of[key]].id
                        raise ValueError(f"{text!r} in {entry.id} matches exactly like a text of {other}")
                    # Two texts of one entry that match alike: the key is scored once.
                    texts[position_of[key]].append(normalized)
                    continue
                owner_of[key] = index
                position_of[key] = len(keys)
                keys.append(key)
                owners.append(index)
                texts.append([normalized])
        return keys, owners, texts

    def _index_keywords(self, entries: Sequence[FaqEntry]) -> tuple[dict[str, set[int]], re.Pattern[str] | None]:
        owners: dict[str, set[int]] = {}
        for index, entry in enumerate(entries):
            for keyword in entry.keywords:
                normalized = self._normalizer(keyword)
                if len(normalized) >= MIN_KEYWORD_CHARS:
                    owners.setdefault(normalized, set()).add(index)
        # Longest first and non-overlapping, like the synonym table: 低保边缘 counts as 低保边缘, not 低保.
        ordered = sorted(owners, key=lambda k: (-len(k), k))
        pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None
        return owners, pattern

    def _normalize(self, text: str) -> str:
        normalized = self._normalizer(text)
        return normalized if self._places_re is None else self._places_re.sub("", normalized)

    def _key(self, text: str) -> str:
        return self._normalizer.match_key(generalise_numbers(self._normalize(text)))

    def match(self, query: str) -> MatchResult:
        query = query.strip()[:MAX_QUERY_CHARS]
        normalized = self._normalize(query)
        if not normalized:
            # Blank, or only punctuation, emoji, filler words and place names: nothing to match.
            return MatchResult(None, "empty", 0.0, ())
        key = self._alphabet.encode(self._normalizer.match_key(generalise_numbers(normalized))[:MAX_KEY_CHARS])
        # Keywords count where the question is asked, not in a clause telling a payment already made (told.py).
        asking = asking_part(query)
        ranked = self._rank(key, normalized, None if asking is None else self._normalize(asking))
        return self._decide(ranked, key, normalized)

    def _decide(self, ranked: list[tuple[int, float]], key: str, normalized: str) -> MatchResult:
        """Answer, decline, chat or "not sure" from the ranked entries (module docstring, step 4)."""
        # Only the first SUGGESTIONS are built: every entry is ranked when every text is scored (FILTER_FROM_TEXTS).
        suggestions = tuple(islice((
            Suggestion(self.entries[i].id, self.entries[i].question, score)
            for i, score in ranked
            if self.entries[i].kind == "faq"
        ), SUGGESTIONS))
        penalty = self.unknown_penalty * self._unknown_syllables(key)
        if self.entries[ranked[0][0]].kind == "out_of_scope" and self._in_scope_re.search(normalized):
            # Words only an in-scope question uses (参保, 居民医保) veto a decline: the faq entries decide among
            # themselves, so the vetoed entry is no runner-up either.
            ranked = [(i, sc) for i, sc in ranked if self.entries[i].kind == "faq"]
            if not ranked:
                return MatchResult(None, "not_sure", 0.0, suggestions)
        best_index, best_score = ranked[0]  # never empty: the entries have texts, the scan keeps the best
        best_score -= penalty
        best = self.entries[best_index]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        lead = best_score - runner_up
        sure = best_score >= self.sure_score or (best_score >= self.threshold and lead >= self.margin)
        if best.kind != "faq" and not sure:
            # A decline or a chat reply needs the same lead as an answer, over the best faq entry: a question sharing
            # a word with an out-of-scope entry (住院押金要交多少: 交多少) or a chitchat one (补助的钱哪个单位出:
            # 哪个) may still be ours.
            best_faq = next((sc for i, sc in ranked if self.entries[i].kind == "faq"), 0.0)
            sure = best_score >= self.threshold and best_score - best_faq >= self.margin
        if not sure:
            return MatchResult(None, "not_sure", best_score, suggestions)
        if best.kind == "faq":
            return MatchResult(best.id, "answer", best_score, suggestions)
        if best.kind == "out_of_scope":
            return MatchResult(best.id, "out_of_scope", best_score, suggestions, best.topic)
        return MatchResult(best.id, "chitchat", best_score, suggestions)

    def _rank(self, key: str, normalized: str, keyword_text: str | None = None) -> list[tuple[int, float]]:
        """Entries as (index, score), best first: the two best entries, the SUGGESTIONS best faq entries and any
        entry a keyword names, with exact scores (all the decision looks at). Keywords are looked for in
        ``keyword_text`` (default: the whole normalised query)."""
        keyword_entries = self._keyword_hits(normalized if keyword_text is None else keyword_text)
        penalty = self._term_penalties.penalties(normalized)
        if self._candidates_filtered:
            scores = self._index.best_entries(key, overall=2, faq=SUGGESTIONS, skip=keyword_entries, penalty=penalty)
        else:
            scores = self._index.every_entry(key, self._scorer, penalty)
        for index in keyword_entries:
            base = max(
                max(0.0, float(self._scorer(key, self._keys[position])) - (0.0 if penalty is None else float(penalty[position])))
                for position in self._keys_by_entry[index]
            )
            scores[index] = min(100.0, base + KEYWORD_BONUS)
        # Ties go to the entry listed first in entries.yaml, so results are reproducible: entries in order, then a
        # stable sort by score (best first keeps the order of equals), with C-level keys (every entry is ranked).
        ranked = sorted(scores.items())
        ranked.sort(key=itemgetter(1), reverse=True)
        return ranked

    def _unknown_syllables(self, key: str) -> int:
        """Query syllables no entry text contains: words the entries know nothing about (押金, 贷款) make
        the best match less trustworthy, however well the rest matches."""
        return sum(1 for code in key if code not in self._known_codes)

    def _keyword_hits(self, normalized: str) -> set[int]:
        if self._keyword_re is None:
            return set()
        hits: set[int] = set()
        for found in self._keyword_re.finditer(normalized):
            hits |= self._keyword_owners[found.group()]
        return hits
