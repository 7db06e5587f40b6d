"""Table-driven tests of the quote engine, written from the five source documents (not from the YAML).

Every file in cases/ holds the cases of one policy document (cases/shuozhou.yaml ↔ shuozhou-2024). Each case
derives its expected numbers from the document in a YAML comment; the runner only compares the keys given.

Case keys:
  name            a sentence (the pytest id; ASCII, Chinese words in pinyin, because pytest escapes the rest)
  region, birth, date            the request (birth may be omitted where the document has no rule by age)
  categories      optional list of the resident's words (低保, 五保户 …)
  facts           optional map fact id → true/false
  local_hukou     optional, default true
  expect          Quote fields to compare (dates as YYYY-MM-DD; subsidy_payers as [{payer, amount}], only the
                  keys given in each item are compared; missing_facts as a list of ids; optional_addons as
                  [{name, amount, voluntary, paid_by}], likewise), plus
                  notes_contain / steps_contain / sources_contain: substrings that must each occur in some
                  note / step / source quote; notes_lack: substrings that must occur in no note (a claim the
                  document contradicts)
  error           the field an expected error names, with error_type: user_input | not_covered and optional
                  suggestions_contain (names the error must offer)
  xfail_reason    the case follows the document but the engine disagrees: the lead decides which side is wrong
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.errors import NotCoveredError, UserInputError
from bot.policy.loader import default_knowledge_base
from bot.policy.model import PolicyDocument
from bot.quote.engine import QuoteEngine
from bot.quote.result import Quote, QuoteRequest

CASES_DIR = Path(__file__).with_name("cases")
CASE_KEYS = {"name", "region", "birth", "date", "categories", "facts", "local_hukou", "expect", "error",
             "error_type", "suggestions_contain", "xfail_reason"}
CONTAIN_KEYS = {"notes_contain": "notes", "steps_contain": "steps", "sources_contain": "sources",
                "notes_lack": "notes"}
QUOTE_FIELDS = set(Quote.__dataclass_fields__)
ERROR_TYPES: dict[str, type[Exception]] = {"user_input": UserInputError, "not_covered": NotCoveredError}


def _load() -> dict[str, list[dict[str, Any]]]:
    files: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(CASES_DIR.glob("*.yaml")):
        cases = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        for case in cases:
            case["_file"] = path.stem
        files[path.stem] = cases
    return files


CASE_FILES = _load()
CASES = [case for cases in CASE_FILES.values() for case in cases]


def _param(case: dict[str, Any]) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=case["xfail_reason"])] if case.get("xfail_reason") else []
    return pytest.param(case, id=case["name"], marks=marks)


@pytest.fixture(scope="module")
def engine() -> QuoteEngine:
    return QuoteEngine(default_knowledge_base())


def _document_for_file(stem: str) -> PolicyDocument:
    matches = [d for d in default_knowledge_base().documents if d.id.startswith(f"{stem}-")]
    assert len(matches) == 1, f"cases/{stem}.yaml should name exactly one policy document, found {matches}"
    return matches[0]


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _as_date(value: Any) -> date | None:
    if value is None:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _request(case: dict[str, Any]) -> QuoteRequest:
    return QuoteRequest(
        region=str(case["region"]),
        birth=_as_date(case.get("birth")),
        payment_date=_as_date(case["date"]),  # type: ignore[arg-type]
        categories=tuple(str(word) for word in case.get("categories", [])),
        facts=tuple((str(key), bool(value)) for key, value in (case.get("facts") or {}).items()),
        local_hukou=bool(case.get("local_hukou", True)),
    )


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _compare(name: str, actual: Any, expected: Any) -> None:
    if name == "missing_facts":
        assert [fact["id"] for fact in actual] == expected, name
        return
    if isinstance(expected, list) and expected and all(isinstance(item, dict) for item in expected):
        assert len(actual) == len(expected), f"{name}: {actual}"
        for got, want in zip(actual, expected, strict=True):
            assert {key: got[key] for key in want} == want, f"{name}: {got}"
        return
    assert actual == _iso(expected), f"{name}: got {actual!r}, the document gives {_iso(expected)!r}"


def test_the_case_tables_are_well_formed() -> None:
    assert set(CASE_FILES) == {"shuozhou", "lengshi", "qinyuan", "wulateqianqi", "shandan"}
    names = [case["name"] for case in CASES]
    assert len(names) == len(set(names)), "case names are pytest ids and must be unique"
    for case in CASES:
        name = case["name"]
        assert " " in name and name.isascii(), f"{name!r}: names are ASCII sentences"
        assert not set(case) - CASE_KEYS - {"_file"}, f"{name}: unknown keys {set(case) - CASE_KEYS}"
        assert ("expect" in case) != ("error" in case), f"{name}: needs exactly one of expect and error"
        if "error" in case:
            assert case.get("error_type") in ERROR_TYPES, f"{name}: error_type must be one of {set(ERROR_TYPES)}"
        else:
            assert case["expect"], f"{name}: a case must expect something"
            unknown = set(case["expect"]) - QUOTE_FIELDS - set(CONTAIN_KEYS)
            assert not unknown, f"{name}: {unknown} are not Quote fields"
        _document_for_file(case["_file"])


@pytest.mark.parametrize("case", [_param(case) for case in CASES])
def test_quote_case(case: dict[str, Any], engine: QuoteEngine) -> None:
    request = _request(case)
    if "error" in case:
        with pytest.raises((UserInputError, NotCoveredError)) as caught:
            engine.quote(request)
        error = caught.value
        assert isinstance(error, ERROR_TYPES[case["error_type"]]), f"{type(error).__name__}: {error}"
        assert error.field == case["error"], str(error)
        for suggestion in case.get("suggestions_contain", []):
            assert suggestion in error.suggestions, f"{suggestion} not offered in {error.suggestions}"
        return
    quote = engine.quote(request)
    data = quote.to_json()
    for key, expected in case["expect"].items():
        if key in CONTAIN_KEYS:
            continue
        _compare(key, data[key], expected)
    for text in case["expect"].get("notes_contain", []):
        assert any(text in note for note in quote.notes), f"no note contains {text!r}: {quote.notes}"
    for text in case["expect"].get("notes_lack", []):
        assert not any(text in note for note in quote.notes), f"a note says {text!r}: {quote.notes}"
    for text in case["expect"].get("steps_contain", []):
        assert any(text in step for step in quote.steps), f"no step contains {text!r}: {quote.steps}"
    for text in case["expect"].get("sources_contain", []):
        assert any(_squeeze(text) in _squeeze(source.quote) for source in quote.sources), (
            f"no source quotes {text!r}: {[s.quote for s in quote.sources]}"
        )


@pytest.mark.parametrize("stem", sorted(CASE_FILES))
def test_every_category_of_the_document_is_exercised_by_some_case(stem: str, engine: QuoteEngine) -> None:
    """A category added to a policy document without a case here fails this test."""
    document = _document_for_file(stem)
    by_label = {category.label: category.id for category in document.categories}
    exercised: set[str] = set()
    for case in CASE_FILES[stem]:
        if "error" in case:
            continue
        try:
            quote = engine.quote(_request(case))
        except (UserInputError, NotCoveredError):
            continue
        exercised |= {by_label[label] for label in [*quote.categories, quote.winning_category] if label}
    missing = sorted(set(by_label.values()) - exercised)
    assert not missing, f"cases/{stem}.yaml has no case in which these categories apply: {missing}"
