"""The readable Chinese answer for a quote (CLI and chat share one template)."""

from __future__ import annotations

from bot.quote.result import Quote
from bot.render import Format, render


def render_quote_text(quote: Quote, output: Format = "text", sources: bool = True) -> str:
    return render("quote", output, q=quote, show_sources=sources)
