"""Keys re-coded onto a small alphabet (bot/faq/matcher.py, _Alphabet): fast in rapidfuzz, same scores."""

from __future__ import annotations

from rapidfuzz import fuzz

from bot.faq.matcher import _Alphabet


def test_the_most_frequent_characters_get_the_lowest_codes_and_scores_do_not_change() -> None:
    keys = ["\ue001\ue002\ue003", "\ue001\ue002", "\ue001\ue004x"]
    alphabet = _Alphabet(keys)
    encoded = [alphabet.encode(key) for key in keys]
    assert alphabet.encode("\ue001") == "\x01"  # the most frequent
    assert all(ord(char) < 256 for key in encoded for char in key)
    query = "\ue001\ue003x"
    for key, recoded in zip(keys, encoded, strict=True):
        assert fuzz.ratio(query, key) == fuzz.ratio(alphabet.encode(query), recoded)


def test_a_character_no_text_holds_matches_nothing() -> None:
    alphabet = _Alphabet(["ab", "bc"])
    spare = alphabet.encode("z")
    assert spare == alphabet.encode("y")
    assert spare not in alphabet.encode("abc")
    assert fuzz.ratio(alphabet.encode("zz"), alphabet.encode("ab")) == 0
