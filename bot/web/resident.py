"""The two answers the console shares with the resident-facing channels, behind one function each.

- `resident_text`: the text staff copy into an SMS or WeChat message for the resident.
- `reference_quote`: for a payment date after every document of the place, the labelled reference answer
  computed from the newest document (never presented as that date's figure).

They are small on purpose: when the resident messages of the answers issue land (`bot.resident`), these
become calls to them, and the console follows without other changes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from bot.errors import NotCoveredError
from bot.policy.model import PolicyDocument
from bot.quote.engine import QuoteEngine
from bot.quote.result import Quote, QuoteRequest
from bot.render import render

RESIDENT_TEXT_LIMIT = 400  # one phone screen


def resident_text(quote: Quote, document: PolicyDocument, reference: bool = False) -> str:
    """A short message for the resident: what to pay, by when, from when covered, what to do, the source."""
    sections = list(dict.fromkeys(source.section for source in quote.sources))[:4]
    text = render("web/resident_message", "text", q=quote, doc=document, sections=sections, reference=reference)
    return text


@dataclass(frozen=True)
class ReferenceAnswer:
    quote: Quote
    document: PolicyDocument
    label: str


def reference_quote(engine: QuoteEngine, request: QuoteRequest) -> ReferenceAnswer | None:
    """The newest document's answer for a date after all of a place's documents; None for other dates.

    The figures are those of the newest document's campaign, computed as if paid inside its collection window;
    the label says so.
    """
    place = engine.places.resolve(request.region)
    documents = engine.documents_for(place.jurisdiction)
    if not documents:
        return None
    newest = max(documents, key=lambda d: d.benefit_year)
    _, last = engine.covered_dates(newest)
    if request.payment_date <= last:
        return None
    for day in _days_inside(newest):
        try:
            quote = engine.quote(replace(request, payment_date=day))
        except NotCoveredError:
            continue
        if quote.document_id != newest.id:
            continue
        label = render("web/reference_label", "text", doc=newest, asked=request.payment_date, assumed=day)
        return ReferenceAnswer(quote, newest, label)
    return None


def _days_inside(document: PolicyDocument) -> list[date]:
    """Payment dates inside the document's collection window, first the earliest."""
    collection = document.collection
    days = [d for d in (collection.start, collection.end) if d is not None]
    rule = collection.days_of_month
    if collection.start is not None and rule is not None:
        days.insert(0, collection.start.replace(day=max(collection.start.day, rule.first)))
    return list(dict.fromkeys(days))
