"""The input and output of a quote: plain values, serialisable to the JSON contract hotline staff rely on."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class QuoteRequest:
    region: str
    birth: date | None  # None only where the document has no rule by age (see uses_birth)
    payment_date: date
    categories: tuple[str, ...] = ()  # vocabulary ids or resident words
    facts: tuple[tuple[str, bool], ...] = ()  # (fact id, answer)
    local_hukou: bool = True  # registered (户籍) in the region asked about

    def fact(self, fact_id: str) -> bool | None:
        return dict(self.facts).get(fact_id)


@dataclass(frozen=True)
class Source:
    document: str
    section: str
    quote: str


@dataclass(frozen=True)
class PayerShare:
    payer: str | None  # None: the document does not say who pays
    amount: int | None


@dataclass(frozen=True)
class AddonOffer:
    id: str
    name: str
    amount: int
    voluntary: bool
    paid_by: str | None  # None: the resident pays it, if they choose it


@dataclass(frozen=True)
class MissingFact:
    id: str
    question: str


@dataclass
class Quote:
    region: str
    document_id: str
    document_title: str
    benefit_year: int
    standard_fee: int
    subsidy: int | None
    subsidy_payers: list[PayerShare]
    personal_payment: int | None
    optional_addons: list[AddonOffer]
    deadline: date | None
    payable_on_date: bool | None
    next_payable_date: date | None
    payment_date: date
    benefit_start: date | None
    benefit_end: date | None
    benefit_text: str
    path: str
    path_label: str
    categories: list[str]  # labels of the document's categories that apply
    winning_category: str | None
    steps: list[str]
    sources: list[Source]
    notes: list[str]
    trace: list[str]
    missing_facts: list[MissingFact] = field(default_factory=list)
    enquiries: str = ""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, date):
                data[key] = value.isoformat()
        return data
