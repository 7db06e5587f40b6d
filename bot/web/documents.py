"""The policy documents as hotline staff read them: the source text with section anchors, every cited passage
marked, and for each passage the knowledge-base fields that rest on it.

A passage is identified by its document and its quote (white space ignored), so any `Source` the quote engine
or the FAQ returns can be linked to the exact place in the text: `passage_id(quote)` is the anchor.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape
from pydantic import BaseModel

from bot.policy.citations import squeeze
from bot.policy.model import Citation, PolicyDocument

# Headings as the documents number them: 二、 / （三） / 1. 1、 / 附件.
_MAJOR = re.compile(r"^([一二三四五六七八九十]+)、")
_MINOR = re.compile(r"^（([一二三四五六七八九十]+)）")
_ITEM = re.compile(r"^(\d+)\s*[.．、]")
_ANNEX = re.compile(r"^附件")

# Top-level fields of a PolicyDocument, in the words staff use.
FIELD_WORDS = {
    "source": "文件信息",
    "jurisdiction": "地区",
    "benefit_period": "待遇享受期",
    "standard_fee": "个人缴费标准",
    "full_financing": "筹资标准",
    "addons": "附加保险",
    "collection": "集中征缴期",
    "combination": "多重身份规则",
    "facts": "补充条件",
    "categories": "资助类别",
    "paths": "参保情形",
    "payment": "缴费方式",
    "refund": "退费",
    "coverage": "参保对象",
    "students": "学生参保",
    "migrants": "外来人员参保",
    "extras": "其他问答",
}


def passage_id(quote: str) -> str:
    """A stable anchor for a quoted passage: the same quote always gets the same id."""
    return "p-" + hashlib.sha1(squeeze(quote).encode("utf-8")).hexdigest()[:10]


def document_name(document: PolicyDocument) -> str:
    """The name under which `Source.document` cites a document (as the quote engine and the FAQ write it)."""
    number = f"（{document.source.number}）" if document.source.number else ""
    return f"《{document.source.title}》{number}"


@dataclass
class Passage:
    id: str
    section: str
    quote: str
    start: int  # offsets in the source text; -1 when the quote is not found (`bot check` reports that)
    end: int
    fields: list[str] = field(default_factory=list)  # knowledge-base fields citing it, readable


@dataclass
class Paragraph:
    start: int
    end: int
    anchor: str  # sec-二（三） when the paragraph opens a section, else para-<n>
    heading: str | None


def _walk(node: Any, path: str, label: str) -> Iterator[tuple[str, str, Citation]]:
    """(key path, readable label, citation) for every citation in a document."""
    if isinstance(node, Citation):
        yield path, label, node
        return
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            child = getattr(node, name)
            yield from _walk(child, f"{path}.{name}" if path else name, label)
    elif isinstance(node, list | tuple):
        for index, item in enumerate(node):
            key = getattr(item, "id", None) or getattr(item, "name", None) or str(index)
            item_label = getattr(item, "label", None) or getattr(item, "name", None) or getattr(item, "text", None)
            readable = f"{label}「{_short(str(item_label))}」" if item_label else label
            yield from _walk(item, f"{path}[{key}]", readable)
    elif isinstance(node, dict):
        for key, item in node.items():
            yield from _walk(item, f"{path}.{key}", f"{label}「{key}」")


def _short(text: str, limit: int = 18) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def citations_of(document: PolicyDocument) -> list[tuple[str, str, Citation]]:
    found: list[tuple[str, str, Citation]] = []
    for name in type(document).model_fields:
        found.extend(_walk(getattr(document, name), name, FIELD_WORDS.get(name, name)))
    return found


class DocumentText:
    """One document's source text, its sections and its cited passages."""

    def __init__(self, document: PolicyDocument, text: str) -> None:
        self.document = document
        self.text = text
        self.name = document_name(document)
        # squeezed index -> original index, to find a quote whatever the PDF's line breaks
        self._positions = [index for index, char in enumerate(text) if not char.isspace()]
        self._squeezed = "".join(text[index] for index in self._positions)
        self.paragraphs = self._split()
        self.passages: dict[str, Passage] = {}
        for key_path, label, citation in citations_of(document):
            passage = self.passage(citation.quote, citation.section)
            passage.fields.append(f"{label} · {key_path}")

    def _split(self) -> list[Paragraph]:
        paragraphs: list[Paragraph] = []
        major = minor = ""
        seen: set[str] = set()
        for match in re.finditer(r"[^\n]+", self.text):
            body = match.group().strip()
            if not body:
                continue
            heading = None
            if found := _MAJOR.match(body):
                major, minor = found.group(1), ""
                heading = major
            elif found := _MINOR.match(body):
                minor = f"（{found.group(1)}）"
                heading = major + minor
            elif found := _ITEM.match(body):
                heading = major + minor + found.group(1)
            elif _ANNEX.match(body):
                major, minor, heading = "附件", "", "附件"
            anchor = f"para-{len(paragraphs) + 1}"  # every paragraph can be linked to (full-text hits)
            if heading:
                anchor = "sec-" + heading
                # A document that numbers a section twice still gets distinct anchors; the first keeps the name.
                while anchor in seen:
                    anchor += "-"
                seen.add(anchor)
            paragraphs.append(Paragraph(match.start(), match.end(), anchor, heading))
        return paragraphs

    def passage(self, quote: str, section: str = "") -> Passage:
        """The passage for a quote, located in the text (registered on first use)."""
        pid = passage_id(quote)
        if pid not in self.passages:
            start, end = self._locate(quote, section)
            self.passages[pid] = Passage(pid, section, quote, start, end)
        return self.passages[pid]

    def _locate(self, quote: str, section: str) -> tuple[int, int]:
        needle = squeeze(quote)
        hits = [m.start() for m in re.finditer(re.escape(needle), self._squeezed)] if needle else []
        if not hits:
            return -1, -1
        # The same words may occur twice; prefer the occurrence inside the cited section.
        wanted = "sec-" + section
        opening = [p for p in self.paragraphs if p.heading and wanted.startswith(p.anchor)]
        section_start = max(opening, key=lambda p: len(p.anchor)).start if opening else None
        chosen = hits[0]
        if section_start is not None:
            after = [h for h in hits if self._positions[h] >= section_start]
            chosen = after[0] if after else hits[0]
        return self._positions[chosen], self._positions[chosen + len(needle) - 1] + 1

    def render(self, current: str | None = None) -> Markup:
        """The text as HTML paragraphs: passages marked (the `current` one highlighted), sections anchored."""
        located = [p for p in self.passages.values() if p.start >= 0]
        html: list[str] = []
        for paragraph in self.paragraphs:
            cuts = {paragraph.start, paragraph.end}
            for passage in located:
                for offset in (passage.start, passage.end):
                    if paragraph.start < offset < paragraph.end:
                        cuts.add(offset)
            ordered = sorted(cuts)
            pieces: list[str] = []
            for begin, finish in itertools.pairwise(ordered):
                covering = [p for p in located if p.start < finish and p.end > begin]
                for passage in located:
                    if passage.start == begin:
                        pieces.append(f'<span class="anchor" id="{passage.id}"></span>')
                chunk = str(escape(self.text[begin:finish]))
                if covering:
                    ids = " ".join(p.id for p in covering)
                    hit = " current" if current and any(p.id == current for p in covering) else ""
                    title = "；".join(f for p in covering for f in p.fields) or "引用"
                    chunk = (f'<mark class="cite{hit}" data-p="{ids}" title="{escape(title)}">'
                             f"{chunk}</mark>")
                pieces.append(chunk)
            attributes = f' id="{escape(paragraph.anchor)}"'
            css = ' class="heading"' if paragraph.heading and len(paragraph.heading) <= 2 else ""
            html.append(f"<p{attributes}{css}>{''.join(pieces)}</p>")
        return Markup("\n".join(html))
