"""Building the engine stack once per process, from the knowledge base and the flow on disk."""

from __future__ import annotations

import os
from pathlib import Path

from bot.dialog.engine import DialogEngine, FaqResponder
from bot.dialog.store import SQLiteStore
from bot.policy.loader import default_knowledge_base
from bot.quote.engine import QuoteEngine

DEFAULT_STATE_PATH = Path("state") / "conversations.sqlite3"


def build_engine(with_faq: bool = True) -> DialogEngine:
    """The dialog engine over the policy knowledge base, answering free-text questions from the FAQ."""
    quotes = QuoteEngine(default_knowledge_base())
    faq: FaqResponder | None = None
    if with_faq:
        from bot.faq.service import build_faq_service  # the matcher's tables load only when it is used

        faq = build_faq_service(quotes)
    return DialogEngine(quotes, faq=faq)


def state_path(explicit: str | None = None) -> Path:
    return Path(explicit or os.environ.get("BOT_STATE_PATH") or DEFAULT_STATE_PATH)


def build_store(explicit: str | None = None) -> SQLiteStore:
    return SQLiteStore(state_path(explicit))
