"""Policy mutations: every cited figure of a document changed once, the way a typing slip would change it.

Generated from the schema (``bot.policy.cited``): for each cited value, ``number+1``, the number swapped with
each other number of its own quote, a date's year one earlier or later (or swapped with another date of the
quote), the payment days of the month cut short (1–25 → 1–12), a newborn's birth-year offset moved by one,
the benefit year moved by one.  :func:`caught` says whether ``python -m bot check`` (loading, citations,
consistency) rejects the mutated document; ``check --mutations`` and tests/policy/test_mutations.py require
that it rejects every one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import ValidationError

from bot.policy.check import check_document_consistency
from bot.policy.citations import DATE_PATTERN, Figure, check_document, cited_figures
from bot.policy.model import PolicyDocument

_NUMBER = re.compile(r"\d+")


@dataclass(frozen=True)
class Mutation:
    document_id: str
    path: str  # key path of the field, as check reports it
    kind: str
    before: Any
    after: Any

    def __str__(self) -> str:
        return f"{self.document_id}: {self.path}: {self.kind}: {self.before} → {self.after}"


def mutations(document: PolicyDocument) -> Iterator[Mutation]:
    figures, _ = cited_figures(document)
    for figure in figures:
        yield from _of_figure(document, figure)


def _of_figure(document: PolicyDocument, figure: Figure) -> Iterator[Mutation]:
    def make(kind: str, after: Any) -> Mutation:
        return Mutation(document.id, figure.path, kind, figure.value, after)

    value = figure.value
    if figure.unit == "day_of_month":
        first, last = value
        yield make("number+1", (first + 1, last))
        yield make("number+1", (first, last + 1))
        if last != 12:
            yield make("days cut short", (first, 12))
        return
    if figure.unit == "year_offset":
        yield make("year+1", value + 1)
        yield make("year-1", value - 1)
        return
    if isinstance(value, date):
        yield make("year+1", value.replace(year=value.year + 1))
        yield make("year-1", value.replace(year=value.year - 1))
        for other in _dates_in(figure.quote, value):
            yield make("swapped", other)
        return
    yield make("number+1", value + 1)
    if figure.unit == "year":
        yield make("number-1", value - 1)
    for number in sorted({int(n) for n in _NUMBER.findall(figure.quote)} - {value}):
        yield make("swapped", number)


def _dates_in(quote: str, value: date) -> list[date]:
    """The other dates written with day and month in `quote`, in the year of `value` (a swap keeps the year)."""
    found = []
    for match in DATE_PATTERN.finditer(quote):
        try:
            other = date(value.year, int(match.group(2)), int(match.group(3)))
        except ValueError:
            continue
        if other != value and other not in found:
            found.append(other)
    return found


def apply(document: PolicyDocument, mutation: Mutation) -> PolicyDocument:
    """The document with the mutation made; raises ValidationError when the schema itself refuses it."""
    data = document.model_dump()
    path = mutation.path
    value = mutation.after
    if path.endswith("days_of_month"):
        value = {"first": value[0], "last": value[1]}
    elif path == "benefit_year" or ".born_year_offsets[" in path:
        value = value - document.benefit_year if ".born_year_offsets[" in path else value
    _set(data, path, value)
    return PolicyDocument.model_validate(data)


def _set(data: Any, path: str, value: Any) -> None:
    parts = [int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", path)]
    target = data
    for part in parts[:-1]:
        target = target[part]
    target[parts[-1]] = value


def caught(document: PolicyDocument, source: str, mutation: Mutation) -> bool:
    """True when check rejects the mutated document (the schema refuses it, or a citation or sum fails)."""
    try:
        mutated = apply(document, mutation)
    except ValidationError:
        return True
    return bool(check_document(mutated, source) or check_document_consistency(mutated))
