"""Which FAQ entry answers each resident-relevant passage of each document (policies/faq/coverage.yaml).

The table lists, per document, every passage the document's data cites, and either the entry (with the status
when the passage is a status's own rule for a topic) whose answer cites that passage, or why residents do not
ask about it (a task table, the addressees). tests/faq/test_coverage.py renders each answer and checks that it
cites the passage, and that every passage the data cites is in the table: a passage no entry answers shows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from bot.policy.loader import policy_dir
from bot.policy.model import Citation, PolicyDocument


@dataclass(frozen=True)
class CoverageRow:
    document: str
    passage: str
    entry: str | None
    status: str | None
    not_for_residents: str | None


def load_coverage(path: Path | None = None) -> list[CoverageRow]:
    path = path or policy_dir() / "faq" / "coverage.yaml"
    raw: dict[str, list[dict[str, Any]]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    rows = []
    for document, items in raw.items():
        for item in items:
            rows.append(CoverageRow(document, str(item["passage"]), item.get("entry"), item.get("status"),
                                    item.get("not_for_residents")))
    return rows


def cited_passages(document: PolicyDocument) -> list[str]:
    """Every distinct quote the document's data cites, in file order."""
    return list(dict.fromkeys(citation.quote for citation in _citations(document)))


def _citations(node: object) -> Iterator[Citation]:
    if isinstance(node, Citation):
        yield node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _citations(getattr(node, name))
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from _citations(item)
    elif isinstance(node, dict):
        for item in node.values():
            yield from _citations(item)


# Lines shorter than this (whitespace removed) are headings, signatures and table rows.
PARAGRAPH_MIN_CHARS = 25
PARAGRAPH_KEY_CHARS = 16


@dataclass(frozen=True)
class ParagraphNote:
    """A paragraph of a source document that holds no cited passage: why residents do not ask about it, or the
    question it answers that no entry answers yet (``gap``)."""

    document: str
    starts: str
    why: str | None
    gap: str | None


def load_paragraph_notes(path: Path | None = None) -> list[ParagraphNote]:
    path = path or policy_dir() / "faq" / "paragraphs.yaml"
    raw: dict[str, list[dict[str, Any]]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [ParagraphNote(document, str(item["starts"]), item.get("why"), item.get("gap"))
            for document, items in raw.items() for item in items]


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def uncited_paragraphs(document: PolicyDocument, source_text: str) -> list[str]:
    """The document's paragraphs (lines, whitespace removed) of PARAGRAPH_MIN_CHARS or more that share no
    passage with the data: neither holds the other, and no 12 characters of the paragraph are in a quote
    (a quote may join two lines of the source)."""
    quotes = [_squeeze(quote) for quote in cited_passages(document)]
    uncited = []
    for line in source_text.splitlines():
        paragraph = _squeeze(line)
        if len(paragraph) < PARAGRAPH_MIN_CHARS:
            continue
        if any(paragraph in quote or quote in paragraph for quote in quotes):
            continue
        if any(paragraph[i : i + 12] in quote for quote in quotes for i in range(0, len(paragraph) - 11, 4)):
            continue
        uncited.append(paragraph)
    return uncited
