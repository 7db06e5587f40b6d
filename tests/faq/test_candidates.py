"""The candidate filter (bot/faq/candidates.py): the entries it returns are those scoring every text gives."""

from __future__ import annotations

import random

import numpy as np
import pytest

from bot.faq.candidates import CandidateIndex


def top(scores: dict[int, float], is_faq: list[bool], overall: int, faq: int, skip: set[int]) -> dict[int, float]:
    ranked = sorted(((i, s) for i, s in scores.items() if i not in skip), key=lambda item: (-item[1], item[0]))
    chosen = ranked[:overall] + [item for item in ranked if is_faq[item[0]]][:faq]
    return dict(chosen)


@pytest.mark.parametrize("seed", range(6))
def test_random_keys_give_the_same_best_entries_as_scoring_every_text(seed: int) -> None:
    rng = random.Random(seed)
    alphabet = "abcdefghij"[: rng.randint(3, 10)]  # few letters: many ties and near-copies
    entry_count = rng.randint(1, 40)
    keys = list({"".join(rng.choices(alphabet, k=rng.randint(1, 12))) for _ in range(entry_count * 4)})
    owners = [rng.randrange(entry_count) for _ in keys]
    is_faq = [rng.random() < 0.7 for _ in range(entry_count)]
    index = CandidateIndex(keys, owners, is_faq)
    for _ in range(60):
        query = "".join(rng.choices(alphabet + "xy", k=rng.randint(0, 14)))
        skip = {i for i in range(entry_count) if rng.random() < 0.1}
        expected = top(index.every_entry(query), is_faq, 2, 3, skip)
        assert index.best_entries(query, 2, 3, skip) == expected, (query, skip)


@pytest.mark.parametrize("seed", range(4))
def test_a_penalty_per_text_gives_the_same_best_entries_as_scoring_every_text(seed: int) -> None:
    rng = random.Random(100 + seed)
    alphabet = "abcdef"
    entry_count = rng.randint(2, 30)
    keys = list({"".join(rng.choices(alphabet, k=rng.randint(1, 10))) for _ in range(entry_count * 4)})
    owners = [rng.randrange(entry_count) for _ in keys]
    is_faq = [rng.random() < 0.7 for _ in range(entry_count)]
    index = CandidateIndex(keys, owners, is_faq)
    for _ in range(60):
        query = "".join(rng.choices(alphabet + "x", k=rng.randint(1, 12)))
        penalty = np.array([rng.choice([0.0, 0.0, 10.0, 30.0]) for _ in keys])
        expected = top(index.every_entry(query, penalty=penalty), is_faq, 2, 3, set())
        assert index.best_entries(query, 2, 3, penalty=penalty) == expected, query
        assert min(expected.values()) >= 0.0  # a penalty never makes a score negative


def test_a_penalty_lowers_only_the_texts_it_is_given_for() -> None:
    index = CandidateIndex(["abc", "abd"], [0, 1], [True, True])
    assert index.best_entries("abc", 2, 2) == {0: 100.0, 1: pytest.approx(66.67, abs=0.01)}
    penalised = index.best_entries("abc", 2, 2, penalty=np.array([40.0, 0.0]))
    assert penalised == {1: pytest.approx(66.67, abs=0.01), 0: 60.0}


def test_a_query_sharing_nothing_gets_the_first_entries_with_score_zero() -> None:
    index = CandidateIndex(["ab", "cd", "ef", "gh"], [0, 1, 2, 3], [True, True, False, True])
    assert index.best_entries("xyz", overall=2, faq=3) == {0: 0.0, 1: 0.0, 3: 0.0}


def test_shared_syllables_count_repeats_only_as_often_as_both_hold_them() -> None:
    index = CandidateIndex(["aab", "ab", "bbb"], [0, 1, 2], [True, True, True])
    assert index.shared_syllables("aabb").tolist() == [3, 2, 2]
