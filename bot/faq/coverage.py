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


# A sentence needs a note when this many of its letters and digits lie in no cited passage: shorter remainders
# are headings run into the next sentence, list numbers and lead-ins ("为满足群众需求，") of cited rules.
SENTENCE_MIN_UNCITED = 12
SENTENCE_KEY_CHARS = 16


@dataclass(frozen=True)
class SentenceNote:
    """A sentence of a source document that the data cites too little of: why residents do not ask about the
    rest, or the question it answers that no entry answers yet (``gap``)."""

    document: str
    starts: str
    why: str | None
    gap: str | None


def load_sentence_notes(path: Path | None = None) -> list[SentenceNote]:
    path = path or policy_dir() / "faq" / "paragraphs.yaml"
    raw: dict[str, list[dict[str, Any]]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [SentenceNote(document, str(item["starts"]), item.get("why"), item.get("gap"))
            for document, items in raw.items() for item in items]


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def uncited_sentences(document: PolicyDocument, source_text: str) -> list[str]:
    """The source's sentences (whitespace removed, so a sentence broken across lines or pages is whole; ended
    by 。 or ；) with SENTENCE_MIN_UNCITED or more letters and digits in no passage the document's data cites.
    Which characters are cited is found by locating every quote in the text, so a sentence that is cited in
    part still shows when its uncited rest is long enough to hold a rule."""
    text = _squeeze(source_text)
    cited = bytearray(len(text))
    for quote in cited_passages(document):
        squeezed = _squeeze(quote)
        start = text.find(squeezed)
        while start >= 0:
            cited[start : start + len(squeezed)] = b"\x01" * len(squeezed)
            start = text.find(squeezed, start + 1)
    uncited = []
    for sentence in re.finditer(r"[^。；]+[。；]?", text):
        begin, end = sentence.span()
        rest = sum(1 for i in range(begin, end) if not cited[i] and text[i].isalnum())
        if rest >= SENTENCE_MIN_UNCITED:
            uncited.append(sentence.group())
    return uncited
