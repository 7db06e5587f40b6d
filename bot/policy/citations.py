"""Checks that every citation quotes its source verbatim and that every cited number stands in its quote.

"Verbatim" ignores white space only: the source texts were extracted from PDFs, with line breaks inside
sentences and spaces around numbers ("2024 年度"), so both sides are compared with white space removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel

from bot.policy.loader import KnowledgeBase
from bot.policy.model import Citation, PolicyDocument, Vocabulary

_WHITESPACE = re.compile(r"\s+")


def squeeze(text: str) -> str:
    return _WHITESPACE.sub("", text)


@dataclass(frozen=True)
class CitationProblem:
    document_id: str
    key_path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.document_id}: {self.key_path}: {self.reason}"


def _walk(node: Any, path: str) -> Iterator[tuple[str, Any]]:
    yield path, node
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _walk(getattr(node, name), f"{path}.{name}" if path else name)
    elif isinstance(node, list | tuple):
        for index, item in enumerate(node):
            yield from _walk(item, f"{path}[{index}]")
    elif isinstance(node, dict):
        for key, item in node.items():
            yield from _walk(item, f"{path}.{key}")


def _date_forms(value: date) -> tuple[str, ...]:
    return (f"{value.month}月{value.day}日", f"{value.month}月{value.day}号")


_ZERO_WORDS = ("不需缴费", "无需缴费", "不缴费", "免缴", "全额资助", "全额代缴")


def _number_in(number: int, quote: str) -> bool:
    if number == 0:
        # A personal payment of zero is written in words (个人不需缴费), never as a digit.
        return any(word in quote for word in _ZERO_WORDS)
    # The number must stand alone: 80 must not be found inside 380.
    return re.search(rf"(?<![0-9]){number}(?![0-9])", quote) is not None


def _numbers_of(node: BaseModel) -> list[tuple[str, object]]:
    """The values of `node` that its own citation must contain: amounts, percents, dates, day ranges."""
    checked: list[tuple[str, object]] = []
    for name in ("amount", "percent", "first", "last", "start", "end", "window_until", "window_days",
                 "benefit_start_days", "benefit_start_date", "born_on_or_before", "personal_stated"):
        if name in type(node).model_fields:
            value = getattr(node, name)
            if value is not None and not isinstance(value, bool):
                checked.append((name, value))
    return checked


def check_document(document: PolicyDocument, source: str) -> list[CitationProblem]:
    problems: list[CitationProblem] = []
    plain_source = squeeze(source)
    for path, node in _walk(document, ""):
        if isinstance(node, Citation) and squeeze(node.quote) not in plain_source:
            problems.append(CitationProblem(document.id, path, f"quote not found in source: {node.quote!r}"))
        if not isinstance(node, BaseModel):
            continue
        cite = _own_citation(node)
        if cite is None:
            continue
        # A derived amount may rest on further passages (参照低保对象标准): any of them may hold the number.
        quote = squeeze(" ".join([cite.quote, *(c.quote for c in getattr(node, "extra_cites", []) or [])]))
        for name, value in _numbers_of(node):
            if isinstance(value, date):
                if not any(form in quote for form in _date_forms(value)):
                    problems.append(CitationProblem(document.id, f"{path}.{name}",
                                                    f"{value} does not occur in its quote {cite.quote!r}"))
            elif isinstance(value, int) and not _number_in(value, quote):
                problems.append(CitationProblem(document.id, f"{path}.{name}",
                                                f"{value} does not occur in its quote {cite.quote!r}"))
        problems.extend(_check_nested(document, path, node, quote))
    return problems


def _own_citation(node: BaseModel) -> Citation | None:
    for name in ("cite", "age_cite"):
        value = getattr(node, name, None)
        if isinstance(value, Citation):
            return value
    # DayRange and Payer have no citation of their own: their parent's is used (see _check_nested).
    return None


def _check_nested(document: PolicyDocument, path: str, node: BaseModel, quote: str) -> list[CitationProblem]:
    """Numbers of citation-less children (day ranges, payer amounts) are checked against the parent's quote."""
    problems: list[CitationProblem] = []
    children: list[tuple[str, BaseModel]] = []
    days = getattr(node, "days_of_month", None)
    if isinstance(days, BaseModel):
        children.append((f"{path}.days_of_month", days))
    for index, payer in enumerate(getattr(node, "payers", []) or []):
        children.append((f"{path}.payers[{index}]", payer))
    for child_path, child in children:
        for name, value in _numbers_of(child):
            if isinstance(value, int) and not _number_in(value, quote):
                problems.append(CitationProblem(document.id, f"{child_path}.{name}",
                                                f"{value} does not occur in the quote {quote!r}"))
    if getattr(node, "kind", None) == "full" and "全额" not in quote and not _number_in(
        document.standard_fee.amount, quote
    ):
        problems.append(CitationProblem(document.id, path, "a full subsidy's quote must say 全额 or the amount"))
    return problems


def check_vocabulary(vocabulary: Vocabulary, documents: tuple[PolicyDocument, ...]) -> list[CitationProblem]:
    """Every shared id used by a document exists; parents exist; no synonym names two terms."""
    problems: list[CitationProblem] = []
    ids = {term.id for term in vocabulary.terms}
    owner: dict[str, str] = {}
    for term in vocabulary.terms:
        for parent in term.parents:
            if parent not in ids:
                problems.append(CitationProblem("categories", term.id, f"unknown parent {parent}"))
        for word in [term.name, *term.synonyms]:
            if word in owner and owner[word] != term.id:
                problems.append(CitationProblem("categories", term.id, f"synonym {word} also names {owner[word]}"))
            owner[word] = term.id
    for document in documents:
        for index, category in enumerate(document.categories):
            for shared in [*category.matches, *category.all_of, *category.excludes]:
                if shared not in ids:
                    problems.append(CitationProblem(document.id, f"categories[{index}]",
                                                    f"unknown shared category id {shared}"))
        for index, path in enumerate(document.paths):
            for shared in [*path.when.any_category, *([path.when.situation] if path.when.situation else [])]:
                if shared not in ids:
                    problems.append(CitationProblem(document.id, f"paths[{index}].when",
                                                    f"unknown shared category id {shared}"))
    return problems


def check_knowledge_base(kb: KnowledgeBase) -> list[CitationProblem]:
    problems = check_vocabulary(kb.vocabulary, kb.documents)
    for document in kb.documents:
        problems.extend(check_document(document, kb.source_text(document)))
    return problems
