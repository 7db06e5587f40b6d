"""Checks that every citation quotes its source verbatim and that every cited number stands in its quote.

"Verbatim" ignores white space only: the source texts were extracted from PDFs, with line breaks inside
sentences and spaces around numbers ("2024 年度"), so both sides are compared with white space removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from bot.policy.cited import Cited, Unit, marker
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


_ZERO_WORDS = ("不需缴费", "无需缴费", "不缴费", "免缴", "全额资助", "全额代缴")
_RANGE_DASH = re.escape("—–-~～至到")
DATE_PATTERN = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})[日号]")
_YEAR = re.compile(r"(\d{4})年")
_UNIT_SUFFIX = {"yuan": "(?:元|$)", "percent": "[%％]", "days": "(?:天|日|个工作日)", "year": "年"}
_YEAR_WORDS = {0: ("当年", "本年"), -1: ("上年", "上一年", "前一年", "去年")}


@dataclass(frozen=True)
class Figure:
    """One cited value of a document, with the passage that must state it."""

    path: str
    unit: Unit
    value: Any
    quote: str  # white space removed; several passages joined
    owner: int  # id() of the model holding the field: its figures each need their own occurrence
    offset: int = 0  # year_offset: the offset itself (value is the year it gives)
    followed_by: str = ""


def _walk_models(
    node: Any, path: str, ancestors: tuple[BaseModel, ...]
) -> Iterator[tuple[str, BaseModel, tuple[BaseModel, ...]]]:
    if isinstance(node, BaseModel):
        yield path, node, ancestors
        for name in type(node).model_fields:
            yield from _walk_models(getattr(node, name), f"{path}.{name}" if path else name, (*ancestors, node))
    elif isinstance(node, list | tuple):
        for index, item in enumerate(node):
            yield from _walk_models(item, f"{path}[{index}]", ancestors)
    elif isinstance(node, dict):
        for key, item in node.items():
            yield from _walk_models(item, f"{path}.{key}", ancestors)


def _passages(node: BaseModel, ancestors: tuple[BaseModel, ...], by: str) -> list[Citation] | None:
    """The citations named by a marker's `by` (see bot.policy.cited.Cited)."""
    if by == "parent":
        for ancestor in reversed(ancestors):
            if isinstance(getattr(ancestor, "cite", None), Citation):
                return _own_passages(ancestor)
        return None
    if by == "cite":
        return _own_passages(node) if isinstance(getattr(node, "cite", None), Citation) else None
    target: Any = node
    for part in by.split("."):
        target = getattr(target, part, None)
    return [target] if isinstance(target, Citation) else None


def _own_passages(node: BaseModel) -> list[Citation]:
    cite: Citation = node.__dict__["cite"]
    return [cite, *(node.__dict__.get("extra_cites") or [])]


def cited_figures(document: PolicyDocument) -> tuple[list[Figure], list[CitationProblem]]:
    """Every value of `document` whose schema field is marked Cited, with its passage; problems for a marked
    value that has no passage to be checked against."""
    figures: list[Figure] = []
    problems: list[CitationProblem] = []
    for path, node, ancestors in _walk_models(document, "", ()):
        fields = type(node).model_fields
        for name, info in fields.items():
            mark = marker(info)
            value = getattr(node, name)
            if not isinstance(mark, Cited) or value is None or value == [] or isinstance(value, bool):
                continue
            where = f"{path}.{name}" if path else name
            passages = _passages(node, ancestors, mark.by)
            if passages is None:
                problems.append(CitationProblem(document.id, where, f"{value} has no citation ({mark.by}) to check"))
                continue
            quote = squeeze(" ".join(c.quote for c in passages))
            if mark.unit == "day_of_month":
                if name == "first":  # the pair is one figure: first and last as a range
                    figures.append(Figure(path, mark.unit, (value, node.__dict__["last"]), quote, id(node)))
                continue
            values = value if isinstance(value, list) else [value]
            for index, item in enumerate(values):
                label = f"{where}[{index}]" if isinstance(value, list) else where
                if mark.unit == "year_offset":
                    figures.append(Figure(label, mark.unit, document.benefit_year + item, quote, id(node), item))
                else:
                    figures.append(Figure(label, mark.unit, item, quote, id(node), followed_by=mark.followed_by))
    return figures, problems


def _occurrences(figure: Figure) -> set[int] | None:
    """Where in its quote the figure is written in its unit; None: found, in words that need no position."""
    quote, value = figure.quote, figure.value
    if figure.unit == "date":
        found = set()
        for match in DATE_PATTERN.finditer(quote):
            # A date written without its year takes the year written last before it (2023年9月1日至12月25日),
            # else the first one after it (a further passage giving the year of the window).
            before = _YEAR.findall(quote[: match.start()])
            after = _YEAR.findall(quote[match.end():])
            year = int(match.group(1)) if match.group(1) else int((before[-1:] or after[:1] or ["0"])[0])
            if (year, int(match.group(2)), int(match.group(3))) == (value.year, value.month, value.day):
                found.add(match.start())
        return found
    if figure.unit == "day_of_month":
        first, last = value
        pattern = rf"(?<!\d){first}[日号]?[{_RANGE_DASH}]{last}[日号]"
        return {m.start() for m in re.finditer(pattern, quote)}
    if figure.unit == "yuan" and value == 0:
        return None if any(word in quote for word in _ZERO_WORDS) else set()
    if figure.unit == "year_offset":
        return _birth_year_occurrences(figure)
    # A count of days is not the day of a date (9月1日, 每月1日): no 月 right before it.
    lead = r"(?<![\d.月])" if figure.unit == "days" else r"(?<![\d.])"
    pattern = rf"{lead}{value}{_UNIT_SUFFIX[figure.unit]}{re.escape(figure.followed_by)}"
    return {m.start() for m in re.finditer(pattern, quote)}


def _birth_year_occurrences(figure: Figure) -> set[int]:
    """A birth year: where the passage names birth years (2023年出生), one of those; else a year it writes
    (not a benefit-year label such as 2024年度), or 当年 for the benefit year itself."""
    quote = figure.quote
    stated = {m.start(): int(m.group(1)) for m in re.finditer(r"(?<!\d)(\d{4})年出生", quote)}
    if stated:
        return {position for position, year in stated.items() if year == figure.value}
    found = {m.start() for m in re.finditer(rf"(?<!\d){figure.value}年(?!度)", quote)}
    for word in _YEAR_WORDS.get(figure.offset, ()):
        found |= {m.start() for m in re.finditer(word, quote)}
    return found


def check_figures(document: PolicyDocument) -> list[CitationProblem]:
    """Each cited value stands in its passage, in its unit and (dates) with its year; the values of one model
    each have an occurrence of their own (two fields cannot both rest on one "380元")."""
    figures, problems = cited_figures(document)
    groups: dict[tuple[int, str], list[tuple[Figure, set[int]]]] = {}
    for figure in figures:
        found = _occurrences(figure)
        if found is None:
            continue
        if not found:
            problems.append(CitationProblem(document.id, figure.path,
                                            f"{_shown(figure)} does not occur in its quote {figure.quote!r}"))
            continue
        groups.setdefault((figure.owner, figure.unit), []).append((figure, found))
    for members in groups.values():
        unmatched = _unmatched(members)
        for figure in unmatched:
            problems.append(CitationProblem(
                document.id, figure.path,
                f"{_shown(figure)} has no occurrence of its own in its quote (another value of the same rule "
                f"rests on it) {figure.quote!r}"))
    return problems


def _unmatched(members: list[tuple[Figure, set[int]]]) -> list[Figure]:
    """The figures left without an occurrence by a maximum one-to-one matching (Kuhn's algorithm)."""
    taken: dict[int, int] = {}

    def assign(index: int, seen: set[int]) -> bool:
        for position in members[index][1]:
            if position in seen:
                continue
            seen.add(position)
            if position not in taken or assign(taken[position], seen):
                taken[position] = index
                return True
        return False

    return [members[i][0] for i in range(len(members)) if not assign(i, set())]


def _shown(figure: Figure) -> str:
    if figure.unit == "day_of_month":
        return f"days {figure.value[0]}–{figure.value[1]} of the month"
    if figure.unit == "year_offset":
        return f"birth year {figure.value}"
    return f"{figure.value} ({figure.unit})"


def check_document(document: PolicyDocument, source: str) -> list[CitationProblem]:
    problems: list[CitationProblem] = []
    plain_source = squeeze(source)
    for path, node in _walk(document, ""):
        if isinstance(node, Citation) and squeeze(node.quote) not in plain_source:
            problems.append(CitationProblem(document.id, path, f"quote not found in source: {node.quote!r}"))
        if isinstance(node, BaseModel) and getattr(node, "kind", None) == "full" and isinstance(
            getattr(node, "cite", None), Citation
        ):
            quote = squeeze(" ".join(c.quote for c in _own_passages(node)))
            if "全额" not in quote and not re.search(rf"(?<!\d){document.standard_fee.amount}元", quote):
                problems.append(CitationProblem(document.id, path, "a full subsidy's quote must say 全额 or the amount"))
    problems.extend(check_figures(document))
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
