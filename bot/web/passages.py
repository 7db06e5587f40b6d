"""Full-text search over the documents themselves, for what the FAQ has no entry for ("断保", "一卡通").

A paragraph matches by the two-character words of the question it contains (after folding traditional
characters and punctuation, and without question words); the best few are shown under the FAQ answers, each
linked to its place in the document view.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bot.faq.normalize import fold
from bot.policy.citations import squeeze
from bot.web.documents import DocumentText

# Words of the question, not of its subject: they would match half of every document.
_QUESTION_WORDS = ("怎么", "怎样", "如何", "多少", "什么", "哪里", "哪个", "哪些", "可以", "能不能", "能否", "是否",
                   "请问", "要不要", "需要", "还能", "没有", "我们", "我家", "你们", "吗", "呢", "吧", "啊", "了", "的",
                   "么", "啥", "咋", "嘛")
EXCERPT_BEFORE, EXCERPT_AFTER = 20, 80  # characters around the first hit
MAX_RESULTS = 6


@dataclass(frozen=True)
class PassageHit:
    document_id: str
    region: str
    section: str
    anchor: str
    excerpt: str
    score: float


def _terms(query: str) -> list[str]:
    text = fold(query)
    for word in _QUESTION_WORDS:
        text = text.replace(word, " ")
    pieces = [piece for piece in text.split() if piece]
    terms: list[str] = []
    for piece in pieces:
        if len(piece) == 1:
            continue
        terms.extend(piece[i:i + 2] for i in range(len(piece) - 1))
    return list(dict.fromkeys(terms))


def find_passages(query: str, texts: list[DocumentText], limit: int = MAX_RESULTS) -> list[PassageHit]:
    terms = _terms(query)
    if not terms:
        return []
    needed = max(1, math.ceil(len(terms) * 0.6))  # most of the question's words, not one stray pair
    hits: list[PassageHit] = []
    for text in texts:
        section = ""
        for paragraph in text.paragraphs:
            if paragraph.heading:
                section = paragraph.heading
            # The documents are simplified Chinese already: the folded question's words are looked for in the
            # text as written, so the excerpt keeps its punctuation.
            body = squeeze(text.text[paragraph.start:paragraph.end])
            found = [term for term in terms if term in body]
            if len(found) < needed:
                continue
            first = min(body.find(term) for term in found)
            start = max(0, first - EXCERPT_BEFORE)
            end = first + EXCERPT_AFTER
            excerpt = ("…" if start else "") + body[start:end] + ("…" if end < len(body) else "")
            hits.append(PassageHit(text.document.id, text.document.jurisdiction.name, section or "正文",
                                   paragraph.anchor or "", excerpt, len(found) / len(terms)))
    hits.sort(key=lambda hit: -hit.score)
    return hits[:limit]
