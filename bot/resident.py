"""The messages a resident receives for a quote, sized for a phone. Channel-free: Telegram, the console, the web
console's "copy for the resident" text and `quote --format resident` all use these functions.

Order: the first message (at most FIRST_MESSAGE_LIMIT characters: what you pay, by when, from when benefits
run, whether the chosen date works, one line on what to do next, short references); then, when there is
anything to add, the notes that apply to this resident. A payment channel's steps, the registration steps and
the quoted passages come on demand (buttons, `/sources`, `quote --channel`). All wording is in
dialogs/templates/resident/.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.errors import UserInputError
from bot.policy.model import RESERVED_CHANNEL_ID
from bot.quote.result import ChannelGuide, Quote
from bot.render import Format, render

FIRST_MESSAGE_LIMIT = 400  # characters a resident sees on one phone screen
REGISTER = RESERVED_CHANNEL_ID  # the "channel" id of the registration (or status) instructions
_TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Choice:
    """A button under the answer: a payment channel, or the registration/status instructions."""

    id: str
    label: str


def resident_messages(quote: Quote, output: Format = "text", channel: str | None = None,
                      buttons: bool = True) -> list[str]:
    """Every message a resident receives for `quote`, in order: the first message, the notes that apply (if
    any) and, with `channel` (a channel id of `quote.channels`, or "register"), that channel's steps.

    `output` is "html" for Telegram (values escaped, figures in <b>), "text" for everything else.
    `buttons` False: the text is copied elsewhere (SMS, WeChat by hotline staff), so it never points at a button."""
    messages = [first_message(quote, output, buttons)]
    details = details_message(quote, output)
    if details:
        messages.append(details)
    if channel is not None:
        messages.append(channel_message(quote, channel, output, buttons))
    return messages


def visible_length(text: str) -> int:
    """Characters the resident sees (HTML tags do not count; entities count as one)."""
    plain = _TAGS.sub("", text)
    return len(re.sub(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);", "_", plain))


def first_message(quote: Quote, output: Format = "text", buttons: bool = True) -> str:
    """The figures, on one screen. References are shortened until the message fits."""
    text = ""
    offered = bool(choices(quote))
    hint = quote.status_steps[0] if quote.status_steps and not quote.reference else ""
    common = common_steps(quote)[0] if offered and common_steps(quote) else ""
    # What gives way first when the screen is full: further references, the step every channel shares, then the
    # status's instruction; the first reference stays as long as the figures fit.
    for with_common, with_hint, limit in ((True, True, 3), (True, True, 1), (False, True, 1), (False, False, 1),
                                          (False, False, 0)):
        text = render("resident/first", output, q=quote, verdict=verdict(quote), next_step=next_step(quote),
                      register_label=register_label(quote),
                      references=short_references(quote, limit), hint=hint if with_hint else "",
                      common=common if with_common else "", buttons=buttons)
        if visible_length(text) <= FIRST_MESSAGE_LIMIT:
            break
    return text


def common_steps(quote: Quote) -> list[str]:
    """Steps every one of several channels shares (冷市镇: 缴费地点必须选择安化县): worth saying before the choice."""
    if len(quote.channels) < 2:
        return []
    first, *others = quote.channels
    return [step for step in first.steps if all(step in other.steps for other in others)]


def has_details(quote: Quote) -> bool:
    """Whether details_message has anything to say, without rendering it (the 注意事项 button is offered then):
    each part of resident/details renders text exactly when its condition here holds."""
    return bool(quote.missing_facts or any(p.payer for p in quote.subsidy_payers)
                or any(not a.paid_by for a in quote.optional_addons) or any(note.strip() for note in quote.notes))


def details_message(quote: Quote, output: Format = "text") -> str | None:
    """The notes that apply, once each; None when there is nothing to add."""
    notes = list(dict.fromkeys(note.strip() for note in quote.notes if note.strip()))
    addons = quote.optional_addons
    payers = [p for p in quote.subsidy_payers if p.payer]
    if not (notes or addons or payers or quote.missing_facts):
        return None
    return render("resident/details", output, q=quote, notes=notes, payers=payers) or None


def choices(quote: Quote) -> list[Choice]:
    """What the resident can open under the answer. No payment channel for a date that cannot be paid (nor a
    later one), for a reference answer, or when nothing is to be paid."""
    if quote.reference:
        return []
    payable = quote.payable_on_date is not False or quote.next_payable_date is not None
    found: list[Choice] = []
    if payable:
        found.extend(Choice(c.id, c.name) for c in quote.channels)
    if quote.channels and payable and quote.registration_steps:
        found.insert(0, Choice(REGISTER, register_label(quote)))
    elif not quote.channels and payable and (quote.registration_steps or quote.status_steps):
        found.append(Choice(REGISTER, register_label(quote)))
    return found


def register_label(quote: Quote) -> str:
    """The registration button's label: for everyone on the path, for this status, or for new enrolees only."""
    if quote.registration_required:
        return "参保登记"
    if quote.status_steps or quote.channels:
        return "办理说明" if not quote.channels else "首次参保登记"
    return "首次参保登记"


def channel_message(quote: Quote, channel_id: str, output: Format = "text", buttons: bool = True) -> str:
    """One channel's steps (or, for "register", the registration and status instructions)."""
    offered = {choice.id: choice for choice in choices(quote)}
    if channel_id not in offered:
        names = "、".join(f"{c.id}（{c.label}）" for c in offered.values()) or "（此情形无需选择缴费方式）"
        raise UserInputError("channel", f"没有「{channel_id}」这一缴费方式", example=names,
                             suggestions=tuple(offered))
    if channel_id == REGISTER:
        return render("resident/register", output, q=quote, label=offered[channel_id].label, buttons=buttons)
    guide = next(c for c in quote.channels if c.id == channel_id)
    return render("resident/channel", output, q=quote, channel=guide, references=_channel_references(quote, guide),
                  buttons=buttons)


def basis_message(quote: Quote, output: Format = "text") -> str:
    """The quoted passages behind the answer, the document named once."""
    return render("resident/basis", output, q=quote)


def short_references(quote: Quote, limit: int = 3) -> str:
    """朔政办发〔2023〕29号 二（二）、二（三）等: the document's short name and its first cited sections."""
    if limit <= 0 or not quote.sources:
        return ""
    sections = list(dict.fromkeys(source.section for source in quote.sources))
    more = "等" if len(sections) > limit else ""
    return f"{quote.document_short} {'、'.join(sections[:limit])}{more}"


def verdict(quote: Quote) -> str:
    """Which sentence says whether the chosen date works (see resident/first.j2)."""
    if quote.reference:
        return "reference"
    if quote.payable_on_date is True:
        return "yes"
    if quote.payable_on_date is False:
        return "later" if quote.next_payable_date else "closed"
    if quote.window_opens_text and quote.deadline and quote.payment_date <= quote.deadline:
        return "undated_opening"  # 山丹: the notice's own date opens the window; the deadline is known
    return "unknown"


def next_step(quote: Quote) -> str:
    """Which one line says what to do next (see resident/first.j2)."""
    if quote.reference:
        return "reference"
    offered = choices(quote)
    if quote.personal_payment is None and quote.missing_facts:
        return "confirm"
    if quote.channels and offered:
        return "register_then_pay" if quote.registration_required else "choose_channel"
    if offered:
        return "registration"
    if quote.payable_on_date is False and not quote.next_payable_date:
        return "missed"
    if quote.personal_payment == 0:
        return "nothing"
    return "ask"


def _channel_references(quote: Quote, guide: ChannelGuide) -> str:
    return f"{quote.document_short} {'、'.join(guide.sections)}" if guide.sections else ""
