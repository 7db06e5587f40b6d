"""Building the engine stack once per process, from the knowledge base and the flow on disk."""

from __future__ import annotations

import os
from collections.abc import Mapping
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


POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def store_url(env: Mapping[str, str] | None = None) -> str | None:
    """``BOT_STORE`` when it names a PostgreSQL database (the shared store of several workers); None
    for the embedded SQLite file (``BOT_STATE_PATH``).  Raises ValueError for anything else."""
    value = (os.environ if env is None else env).get("BOT_STORE", "").strip()
    if not value:
        return None
    if not value.startswith(POSTGRES_SCHEMES):
        raise ValueError(
            "BOT_STORE must be a postgresql:// URL such as postgresql://bot@127.0.0.1:5432/bot "
            "(leave it unset for the SQLite file at BOT_STATE_PATH)"
        )
    return value
