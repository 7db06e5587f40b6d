"""The answer in the dialog: the resident messages of bot.resident as replies, with buttons for this
jurisdiction's payment channels and for the quoted passages (依据), and the replies to those buttons.

Payloads: b:channel:<channel id> (or b:channel:register), b:basis:notes (the notes that apply), b:basis:show (the
quoted passages; the console's /sources does the same).
A date after every document gets an offer (b:payment_date:reference) of a reference answer from the newest one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.dialog.replies import Button, Reply
from bot.errors import NotCoveredError, UserInputError
from bot.policy.model import Collection
from bot.quote.engine import QuoteEngine
from bot.quote.result import Quote, QuoteRequest
from bot.render import Format
from bot.resident import basis_message, channel_message, choices, details_message, first_message, has_details

FOLLOW_UP_STEPS = ("channel", "basis")
BASIS_PAYLOAD = "b:basis:show"
NOTES_PAYLOAD = "b:basis:notes"
REFERENCE_PAYLOAD = "b:payment_date:reference"
SOURCES_COMMAND = "/sources"


def answer_replies(quote: Quote, facts: dict[str, Any], output: Format) -> list[Reply]:
    """One reply, the first message (template `answer`, carrying the figures as facts), with buttons: this
    jurisdiction's payment channels (only when the date, or a later one, can be paid), the notes that apply
    (注意事项) and the quoted passages (依据). One reply keeps a turn's shape the same for every channel."""
    facts = {**facts, "reference": quote.reference, "channels": [c.id for c in choices(quote)]}
    return [Reply("answer", first_message(quote, output), facts, answer_buttons(quote, output))]


def answer_buttons(quote: Quote, output: Format) -> tuple[tuple[Button, ...], ...]:
    """The buttons under the answer (without rendering its message: a typed button's text is checked
    against them)."""
    rows: list[tuple[Button, ...]] = [(Button(choice.label, f"b:channel:{choice.id}"),) for choice in choices(quote)]
    extra = [Button("依据", BASIS_PAYLOAD)]
    if has_details(quote):
        extra.insert(0, Button("注意事项", NOTES_PAYLOAD))
    rows.append(tuple(extra))
    return tuple(rows)


def quote_on_show(quotes: QuoteEngine, request: QuoteRequest | None) -> Quote | None:
    """The quote of the answer on show, recomputed from the state's request; None when there is no answer (the
    request is incomplete, or its place or date no longer has one)."""
    if request is None:
        return None
    try:
        return quotes.quote(request)
    except (UserInputError, NotCoveredError):
        return None


def follow_up(quotes: QuoteEngine, request: QuoteRequest | None, step: str, value: str, output: Format) -> Reply | None:
    """The reply to a channel or 依据 button (or /sources); None when there is no answer to follow up on, or the
    button belongs to an earlier answer (the caller then says the button has expired)."""
    quote = quote_on_show(quotes, request)
    if quote is None:
        return None
    if step == "basis" and value == "notes":
        details = details_message(quote, output)
        return Reply("answer_details", details, {"notes": len(quote.notes)}) if details else None
    if step == "basis":
        return Reply("basis", basis_message(quote, output), {"sources": len(quote.sources)})
    try:
        text = channel_message(quote, value, output)
    except UserInputError:
        return None
    return Reply("channel_steps", text, {"channel": value})


@dataclass(frozen=True)
class ReferenceOffer:
    """For a date after every document of the place: the newest document, for the date_not_covered reply."""

    region: str
    day: date
    year: int
    number: str
    title: str
    collection: Collection

    @property
    def buttons(self) -> tuple[tuple[Button, ...], ...]:
        return ((Button(f"按{self.year}年度文件参考计算", REFERENCE_PAYLOAD),),)


def reference_offer(quotes: QuoteEngine, region: str, day: date) -> ReferenceOffer | None:
    """The offer of a reference answer from the newest document; None unless `day` is after every document."""
    found = quotes.reference_date(region, day)
    if found is None:
        return None
    document, _ = found
    source = document.source
    return ReferenceOffer(region, day, document.benefit_year, source.number or source.short_title or source.title,
                          source.title, document.collection)


def is_reference(pending: dict[str, str], payment_date: date | None) -> bool:
    """The resident accepted a reference answer for exactly this payment date (a new date ends it)."""
    return payment_date is not None and pending.get("reference") == payment_date.isoformat()
