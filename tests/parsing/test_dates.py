"""Table-driven tests for bot.parsing.dates: the cases live in date_cases.yaml, each named by a sentence."""

from __future__ import annotations

import random
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.errors import UserInputError
from bot.parsing import dates
from bot.parsing.dates import MAX_INPUT_CHARS, Prefer, parse_birth_date, parse_date, parse_payment_date

CASES_FILE = Path(__file__).with_name("date_cases.yaml")
CASES: list[dict[str, Any]] = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))
ERROR_CASES = [case for case in CASES if "error_contains" in case]

# The field each wrapper reports, and the preference it implies (the YAML states both for readability).
WRAPPERS: dict[str, tuple[str, str]] = {
    "parse_birth_date": ("birth", "past"),
    "parse_payment_date": ("date", "future"),
}


def _as_date(value: Any) -> date:
    """YAML turns an unquoted 2023-08-20 into a date already; accept a string too."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _text(case: dict[str, Any]) -> str:
    return str(case["input"]) * int(case.get("repeat", 1))


def _call(case: dict[str, Any]) -> date:
    """Run the case through the function it names."""
    today = _as_date(case["today"])
    call = case.get("call", "parse_date")
    if call == "parse_date":
        return parse_date(_text(case), today=today, prefer=case["prefer"], field=case.get("field", "date"))
    wrapper: Callable[..., date] = {
        "parse_birth_date": parse_birth_date,
        "parse_payment_date": parse_payment_date,
    }[call]
    return wrapper(_text(case), today=today)


def _expected_field(case: dict[str, Any]) -> str:
    call = case.get("call", "parse_date")
    return str(case.get("field", WRAPPERS[call][0] if call in WRAPPERS else "date"))


def test_the_case_table_is_well_formed() -> None:
    names = [case["name"] for case in CASES]
    assert len(names) == len(set(names)), "case names are pytest ids and must be unique"
    for case in CASES:
        assert ("expect" in case) != ("error_contains" in case), case["name"]
        assert case["prefer"] in ("future", "past"), case["name"]
        assert case.get("call", "parse_date") in ("parse_date", *WRAPPERS), case["name"]
        if case.get("call") in WRAPPERS:
            assert case["prefer"] == WRAPPERS[case["call"]][1], f"{case['name']}: prefer contradicts the call"
        assert " " in case["name"], f"{case['name']!r} should be a sentence"
        assert case["name"].isascii(), f"{case['name']!r}: pytest would escape it in the test id"


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_date_case(case: dict[str, Any]) -> None:
    if "expect" in case:
        assert _call(case) == _as_date(case["expect"])
    else:
        with pytest.raises(UserInputError) as caught:
            _call(case)
        assert case["error_contains"] in caught.value.message


@pytest.mark.parametrize("case", ERROR_CASES, ids=[case["name"] for case in ERROR_CASES])
def test_every_error_names_the_field_and_carries_a_usable_example(case: dict[str, Any]) -> None:
    with pytest.raises(UserInputError) as caught:
        _call(case)
    error = caught.value
    assert error.field == _expected_field(case)
    assert error.one_line().startswith(f"{error.field}: ")
    assert error.example, "every rejection shows the resident a date that would work"
    # The example must itself be accepted, or the advice is useless.
    today = _as_date(case["today"])
    assert parse_date(error.example, today=today) is not None
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error.message), "messages are Chinese sentences"


def test_the_wrappers_match_parse_date_with_their_preference() -> None:
    today = date(2023, 8, 20)
    for text in ("9月1日", "5号", "周三", "23年12月1日"):
        assert parse_payment_date(text, today=today) == parse_date(text, today=today, prefer="future")
        past = parse_date(text, today=today, prefer="past")
        assert parse_birth_date(text, today=today) == past


def test_garbage_never_escapes_as_anything_but_a_user_input_error() -> None:
    """Random mixes of the characters the patterns care about: a date or a UserInputError, nothing else."""
    alphabet = list("0123456789０１２３年月日号天周后前下上这本个底末今明昨大过岁农历初一二三十廿零〇两.-/ ")
    rng = random.Random(20230820)
    today = date(2023, 8, 20)
    prefers: tuple[Prefer, ...] = ("future", "past")
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        for prefer in prefers:
            try:
                parse_date(text, today=today, prefer=prefer)
            except UserInputError as error:
                assert error.example and error.field == "date", text
                # The range message is only for the edges of datetime; normal "today" must never hit it.
                assert "超出了可以计算" not in error.message, text


def test_the_start_character_prefilter_never_changes_what_matches() -> None:
    """_PATTERN = lookahead over possible first characters + _FORMS; the lookahead must be a pure speed-up."""
    unfiltered = re.compile(dates._FORMS, re.VERBOSE)
    alphabet = [*dates._STARTS, *"0123456789嗯我交的.-/("]
    rng = random.Random(7)
    texts = [dates._CN_RUN.sub(dates._cn_replace, _text(case)) for case in CASES if "repeat" not in case]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) for _ in range(5000)]
    for text in texts:
        expected = [(m.lastgroup, m.span()) for m in unfiltered.finditer(text)]
        assert [(m.lastgroup, m.span()) for m in dates._PATTERN.finditer(text)] == expected, text


def test_a_huge_message_is_rejected_as_too_long() -> None:
    # Speed is measured in benchmarks/, not asserted here: shared machines make timings noisy.
    today = date(2023, 8, 20)
    for size in (MAX_INPUT_CHARS + 1, 10_000, 1_000_000):
        with pytest.raises(UserInputError, match="输入太长"):
            parse_date("9" * size, today=today)


def test_a_message_at_the_length_limit_is_still_read() -> None:
    text = "嗯" * (MAX_INPUT_CHARS - len("9月1号")) + "9月1号"
    assert parse_date(text, today=date(2023, 8, 20)) == date(2023, 9, 1)


def test_importing_the_parser_pulls_in_no_heavy_nlp_library() -> None:
    code = (
        "import sys, bot.parsing.dates; "
        "print(','.join(m for m in ('cn2an', 'dateparser', 'jionlp', 'jieba') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_date_kinds_of_text_already_read_are_the_date_kinds_of_the_text() -> None:
    """The reader normalises a clause once and asks read_date_kinds: the same forms as date_kinds on the raw text."""
    texts = [str(case["input"]) for case in CASES if len(str(case["input"])) <= MAX_INPUT_CHARS]
    texts += ["二〇二三年九月一日", "七十岁", "１９８０年５月", "今天", "下个月初", "60年", "属猴"]
    kinds = [dates.date_kinds(text) for text in texts]
    assert sum(bool(k) for k in kinds) > len(texts) // 2, "most of these name a date"
    assert [dates.read_date_kinds(dates.read_numerals(text)) for text in texts] == kinds
