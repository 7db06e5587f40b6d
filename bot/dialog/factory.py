"""Building the engine stack once per process, from the knowledge base and the flow on disk."""

from __future__ import annotations

import os
from pathlib import Path

from bot.dialog.engine import DialogEngine, FaqResponder
from bot.dialog.store import SQLiteStore
from bot.policy.loader import default_knowledge_base
from bot.quote.engine import QuoteEngine

DEFAULT_STATE_PATH = Path("state") / "conversations.sqlite3"


def build_engine(faq: FaqResponder | None = None) -> DialogEngine:
    quotes = QuoteEngine(default_knowledge_base())
    return DialogEngine(quotes, faq=faq)


def state_path(explicit: str | None = None) -> Path:
    return Path(explicit or os.environ.get("BOT_STATE_PATH") or DEFAULT_STATE_PATH)


def build_store(explicit: str | None = None) -> SQLiteStore:
    return SQLiteStore(state_path(explicit))
