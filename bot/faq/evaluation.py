"""Measuring the FAQ on residents' questions per jurisdiction (tests/faq/resident_questions.yaml).

Every question has an expected outcome for the jurisdiction it was asked in: a faq entry (and, when the
question joins a status to a topic, the status the answer must be about), or ``decline``. Four counts:

- right: answered with the expected entry (and status), or not answered when a decline was expected;
- wrong: answered with another entry, without the status asked about, or answered when it should decline
  ("confidently wrong": the worst outcome, worse than any "not sure");
- not_sure_right_first: "not sure", with the expected entry as the first suggestion;
- declined: not answered otherwise (out of scope, chitchat, or not sure without the right entry first).

The split into ``tune`` and ``heldout`` is a hash of the question text: stable, and chosen by no one.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from bot.quote.engine import QuoteEngine

RESIDENT_QUESTIONS = Path(__file__).resolve().parents[2] / "tests" / "faq" / "resident_questions.yaml"
DECLINE = "decline"


@dataclass(frozen=True)
class Question:
    text: str
    region: str
    expect: str  # a faq entry id, or DECLINE
    status: str | None = None

    @property
    def split(self) -> str:
        return "heldout" if zlib.crc32(self.text.encode("utf-8")) % 2 else "tune"


@dataclass(frozen=True)
class Outcome:
    """What the FAQ did with one question."""

    kind: str  # answer | not_sure | out_of_scope | chitchat | empty
    faq_id: str | None
    status: str | None = None
    first_suggestion: str | None = None


@dataclass
class Counts:
    right: int = 0
    wrong: int = 0
    not_sure_right_first: int = 0
    declined: int = 0

    @property
    def total(self) -> int:
        return self.right + self.wrong + self.not_sure_right_first + self.declined

    def add(self, other: Counts) -> None:
        self.right += other.right
        self.wrong += other.wrong
        self.not_sure_right_first += other.not_sure_right_first
        self.declined += other.declined

    def describe(self) -> str:
        total = self.total or 1
        return (f"right {self.right:3d} ({100 * self.right / total:5.1f}%)  wrong {self.wrong:3d} "
                f"({100 * self.wrong / total:4.1f}%)  not-sure/right-first {self.not_sure_right_first:3d}  "
                f"declined {self.declined:3d}  of {self.total}")


def asked_on(quotes: QuoteEngine, region: str) -> date:
    """The day a question about `region` is read as asked: 10 November of its newest document's collection year,
    inside every document's window and on a payment day, so "这个月26号" and "下个月" mean the same in every run
    (bot.faq.timing reads them against today)."""
    documents = quotes.documents_for(quotes.places.resolve(region).jurisdiction)
    collection = max(documents, key=lambda d: d.benefit_year).collection
    opening = collection.start or collection.end
    assert opening is not None  # the schema requires a dated start or end
    return date(opening.year, 11, 10)


def load_questions(path: Path = RESIDENT_QUESTIONS) -> list[Question]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    questions = []
    for region, items in raw["regions"].items():
        for item in items:
            text, expect, *rest = item
            questions.append(Question(str(text), str(region), str(expect), str(rest[0]) if rest else None))
    return questions


def classify(question: Question, outcome: Outcome) -> str:
    """right | wrong | not_sure_right_first | declined."""
    if outcome.kind == "answer":
        if question.expect == DECLINE:
            return "wrong"
        if outcome.faq_id == question.expect and (question.status is None or outcome.status == question.status):
            return "right"
        return "wrong"
    if question.expect == DECLINE:
        return "right"
    if outcome.kind == "not_sure" and outcome.first_suggestion == question.expect:
        return "not_sure_right_first"
    return "declined"


def evaluate(questions: Iterable[Question], answer: Callable[[Question], Outcome]) -> dict[str, Counts]:
    """Counts per region, plus "all"."""
    counts: dict[str, Counts] = {}
    for question in questions:
        verdict = classify(question, answer(question))
        per_region = counts.setdefault(question.region, Counts())
        setattr(per_region, verdict, getattr(per_region, verdict) + 1)
    total = Counts()
    for region_counts in counts.values():
        total.add(region_counts)
    counts["all"] = total
    return counts
