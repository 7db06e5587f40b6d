"""Replies to questions about the answer on show ("怎么交", "在哪交"): the payment channels of this answer, or,
for a resident who pays nothing, that there is nothing to pay and what (if anything) the document asks of them.
"依据是啥" is the 依据 button's reply (bot.dialog.answer.follow_up)."""

from __future__ import annotations

from bot.dialog.answer import quote_on_show
from bot.dialog.replies import Button, Reply
from bot.quote.engine import QuoteEngine
from bot.quote.result import QuoteRequest
from bot.render import Format, render
from bot.resident import REGISTER, channel_message, choices


def pay_how(quotes: QuoteEngine, request: QuoteRequest | None, output: Format) -> Reply | None:
    """How to pay the amount of the answer on show; None when there is no answer to ask about."""
    quote = quote_on_show(quotes, request)
    if quote is None:
        return None
    offered = choices(quote)
    buttons = tuple((Button(choice.label, f"b:channel:{choice.id}"),) for choice in offered)
    status = (quote.winning_category or "").split("（")[0]
    if quote.personal_payment == 0:
        register = next((choice for choice in offered if choice.id == REGISTER), None)
        text = render("dialog/nothing_to_pay", output, q=quote, status=status,
                      register_label=register.label if register else None)
        return Reply("nothing_to_pay", text, {"personal_payment": 0, "channels": [c.id for c in offered]}, buttons)
    channels = [choice for choice in offered if choice.id != REGISTER]
    if len(offered) == 1 and channels:
        # One way to pay: its steps at once, as tapping its button would show.
        return Reply("channel_steps", channel_message(quote, channels[0].id, output), {"channel": channels[0].id})
    text = render("dialog/pay_how", output, q=quote, channels=channels, offered=offered)
    return Reply("pay_how", text, {"channels": [c.id for c in offered]}, buttons)
