"""The best entries for a query under ``fuzz.ratio`` without scoring every text: exact, and bounded work.

``fuzz.ratio(q, t)`` is 200 * LCS(q, t) / (len(q) + len(t)), and the longest common subsequence cannot be
longer than the multiset intersection of the two keys' syllables (how many of each syllable both hold). That
intersection is counted for every text at once with numpy from an inverted index (per syllable and count:
"holds 交 at least twice"), giving an upper bound on every text's score for the cost of a few vector additions.
Texts are then scored with rapidfuzz best bound first, in rounds, until no text left unscored could still
enter the result: the ``overall`` best entries and the ``faq`` best faq entries (the decision needs the best
two entries and the three suggestions). The entries returned therefore have exactly the scores, and come in
exactly the order, that scoring every text would give: ``every_entry`` does that, for tests and benchmarks.

Why not a fixed top-K of candidates: a K that is large enough for a vague query is wasted on a precise one,
and a K that is too small changes answers silently. The bound stops as soon as the result is certain.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

# Inverted-index rows are kept as dense 0/1 vectors (summed in one vector operation), the most common first,
# while they fit in this many bytes (one byte per text and row); rarer rows are lists of positions. At 1,000
# entries every row is dense (2 MB); at 10,000 the ~90 most common ones are.
_DENSE_BYTES = 8_000_000
# The first round scores texts whose bound is within this many points of the best bound; later rounds lower the
# bar to the score the result needs, or by this much again while too few entries have been scored.
_FIRST_ROUND_SPAN = 10.0
# Bounds are computed in float32: this slack (far below the gap between two distinct ratios of short keys) keeps
# a rounding error from skipping a text that ties.
_SLACK = 1e-3

FloatArray = npt.NDArray[np.float64]
PenaltyArray = npt.NDArray[np.float32]


class CandidateIndex:
    """Built once from the matcher's keys. ``owners[i]`` is the entry index of ``keys[i]``; ``is_faq[e]`` tells
    whether entry e is a faq entry (the suggestions are faq entries only)."""

    def __init__(self, keys: Sequence[str], owners: Sequence[int], is_faq: Sequence[bool]) -> None:
        self._keys = np.array(keys, dtype=object)
        self._key_list = list(keys)  # every_entry's argument, not rebuilt from the array per query
        self._owners = np.array(owners, dtype=np.intp)
        self._is_faq = np.array(is_faq, dtype=bool)
        self._lengths = np.array([len(key) for key in keys], dtype=np.float32)
        self._entry_count = len(is_faq)
        size = len(keys)
        # Inverted index on (syllable, k): the texts holding the syllable at least k times.
        layers: dict[tuple[str, int], list[int]] = {}
        for position, key in enumerate(keys):
            for code, count in Counter(key).items():
                for times in range(1, count + 1):
                    layers.setdefault((code, times), []).append(position)
        dense_rows: list[npt.NDArray[np.uint8]] = []
        self._dense: dict[tuple[str, int], int] = {}
        self._sparse: dict[tuple[str, int], npt.NDArray[np.intp]] = {}
        dense_count = _DENSE_BYTES // max(size, 1)
        for rank, (layer, positions) in enumerate(sorted(layers.items(), key=lambda item: -len(item[1]))):
            if rank < dense_count:
                row = np.zeros(size, dtype=np.uint8)
                row[positions] = 1
                self._dense[layer] = len(dense_rows)
                dense_rows.append(row)
            else:
                self._sparse[layer] = np.array(positions, dtype=np.intp)
        self._dense_rows = np.array(dense_rows, dtype=np.uint8).reshape(len(dense_rows), size)

    def shared_syllables(self, key: str) -> npt.NDArray[np.uint8]:
        """Per text, how many syllables it shares with ``key`` (multiset intersection; keys are ≤ 255 long)."""
        dense: list[int] = []
        sparse: list[npt.NDArray[np.intp]] = []
        for code, count in Counter(key).items():
            for times in range(1, count + 1):
                layer = (code, times)
                if layer in self._dense:
                    dense.append(self._dense[layer])
                elif layer in self._sparse:
                    sparse.append(self._sparse[layer])
        shared: npt.NDArray[np.uint8] = self._dense_rows[np.array(dense, dtype=np.intp)].sum(axis=0, dtype=np.uint8)
        for positions in sparse:
            shared[positions] += 1  # a layer lists each text once
        return shared

    def best_entries(self, key: str, overall: int, faq: int, skip: Collection[int] = (),
                     penalty: PenaltyArray | None = None) -> dict[int, float]:
        """Entry index -> exact fuzz.ratio score (best over its texts) for the ``overall`` best entries and the
        ``faq`` best faq entries, entries in ``skip`` left out (fewer when there are fewer). Ties go to the lower
        entry index, as everywhere in the matcher. ``penalty[i]``, if given, is taken off text i's score (never
        below 0): its bound drops by as much, so the result stays exact."""
        eligible = np.ones(self._entry_count, dtype=bool)
        eligible[list(skip)] = False
        overall = min(overall, int(eligible.sum()))
        faq = min(faq, int((eligible & self._is_faq).sum()))
        best = np.full(self._entry_count, -1.0)
        shared = self.shared_syllables(key)
        bound = shared * (np.float32(200.0) / (self._lengths + np.float32(len(key))))
        if penalty is not None:
            bound -= penalty  # in place, float32: a float64 bound would slow every round's comparisons
        unscored = shared > 0  # a text sharing no syllable scores exactly 0
        if skip:
            unscored &= eligible[self._owners]
        bar = float(bound.max(initial=0.0)) - _FIRST_ROUND_SPAN
        while True:
            chosen = np.flatnonzero(unscored & (bound >= bar - _SLACK))
            if len(chosen):
                unscored[chosen] = False
                scores = process.cdist([key], self._keys[chosen].tolist(), scorer=fuzz.ratio, dtype=np.float64,
                                       workers=1)[0]
                if penalty is not None:
                    scores = np.maximum(scores - penalty[chosen], 0.0)
                np.maximum.at(best, self._owners[chosen], scores)
            needed = self._needed_score(best, eligible, overall, faq)
            if needed is not None and needed >= bar:
                # Every text that could reach the needed score has been scored: the result is certain.
                if needed <= 0.0:
                    # The last wanted entries score 0, and so does every entry not scored (no shared syllable,
                    # or a penalty at least its bound): they tie at 0, and ties go to the lower index.
                    best[eligible & (best < 0)] = 0.0
                break
            if needed is not None:
                bar = needed
            elif not unscored.any():
                # Too few entries share any syllable with the query: the others score 0.
                best[eligible & (best < 0)] = 0.0
                break
            else:
                bar -= _FIRST_ROUND_SPAN
        return self._top(best, eligible, overall, faq)

    def every_entry(self, key: str, scorer: Callable[..., Any] = fuzz.ratio,
                    penalty: PenaltyArray | None = None) -> dict[int, float]:
        """Entry index -> best score over its texts, every text scored (the reference the filter must equal)."""
        best = np.full(self._entry_count, 0.0)
        scores = process.cdist([key], self._key_list, scorer=scorer, dtype=np.float64, workers=1)[0]
        if penalty is not None:
            scores = np.maximum(scores - penalty, 0.0)
        np.maximum.at(best, self._owners, scores)
        return dict(enumerate(best.tolist()))

    def _ranked(self, best: FloatArray, eligible: npt.NDArray[np.bool_]) -> npt.NDArray[np.intp]:
        """Scored eligible entries, best first, ties to the lower index."""
        seen = np.flatnonzero(eligible & (best >= 0))
        ranked: npt.NDArray[np.intp] = seen[np.lexsort((seen, -best[seen]))]
        return ranked

    def _needed_score(self, best: FloatArray, eligible: npt.NDArray[np.bool_], overall: int, faq: int) -> float | None:
        """The lowest score among the wanted entries so far, or None if fewer than wanted were scored."""
        ranked = self._ranked(best, eligible)
        ranked_faq = ranked[self._is_faq[ranked]]
        if len(ranked) < overall or len(ranked_faq) < faq:
            return None
        wanted = [best[ranked[overall - 1]]] if overall else []
        if faq:
            wanted.append(best[ranked_faq[faq - 1]])
        return float(min(wanted)) if wanted else float("inf")

    def _top(self, best: FloatArray, eligible: npt.NDArray[np.bool_], overall: int, faq: int) -> dict[int, float]:
        ranked = self._ranked(best, eligible)
        chosen = [*ranked[:overall].tolist(), *ranked[self._is_faq[ranked]][:faq].tolist()]
        return {index: float(best[index]) for index in chosen}
