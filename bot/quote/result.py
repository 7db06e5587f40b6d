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
    # For a date after every document of the place: answer from the newest document, labelled as a reference
    # (Quote.reference), instead of refusing. Dates before every document are still refused.
    reference: bool = False

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
class ChannelGuide:
    """One way to pay (WeChat, a bank, the village collector …) and its steps for this resident."""

    id: str  # stable: the button payload b:channel:<id> and `quote --channel <id>`
    name: str
    steps: list[str]
    sections: list[str]  # the document sections the steps are cited from


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
    # The answer's structure, for messages that show one payment channel at a time (bot.resident).
    document_short: str = ""  # the document's number (朔政办发〔2023〕29号) or short title, for short references
    channels: list[ChannelGuide] = field(default_factory=list)  # empty: nothing to pay, or nowhere to pay it
    registration_steps: list[str] = field(default_factory=list)
    registration_required: bool = False  # True: this path starts by registering (newborns); else only new enrolees
    status_steps: list[str] = field(default_factory=list)  # the document's instructions for the resident's status
    window_opens_text: str | None = None  # how the document words an undated opening (山丹: 自本通知下发之日起)
    reference: bool = False  # computed from the newest document for a date after it: for reference only
    reference_date: date | None = None  # the date in that document's campaign the figures were computed for

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, date):
                data[key] = value.isoformat()
        return data


@dataclass(frozen=True)
class Outcome:
    """What a quote decides, without its wording (steps, channels, passages, notes, trace): what the dialog
    compares to tell whether an answer would change (QuoteEngine.outcome)."""

    personal_payment: int | None
    subsidy: int | None
    deadline: date | None
    payable_on_date: bool | None
    benefit_start: date | None
    path: str
    standard_fee: int
    winning_category: str | None
    missing_facts: tuple[MissingFact, ...]

    @classmethod
    def of(cls, quote: Quote) -> Outcome:
        return cls(quote.personal_payment, quote.subsidy, quote.deadline, quote.payable_on_date, quote.benefit_start,
                   quote.path, quote.standard_fee, quote.winning_category, tuple(quote.missing_facts))
