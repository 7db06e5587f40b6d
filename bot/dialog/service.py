"""A conversation service for channels: load state, run one turn, store state. One call per message."""

from __future__ import annotations

from datetime import date

from bot.dialog.engine import DialogEngine
from bot.dialog.replies import Incoming, Reply
from bot.dialog.state import DialogState
from bot.dialog.store import StateStore
from bot.render import Format


class DialogService:
    def __init__(self, engine: DialogEngine, store: StateStore) -> None:
        self.engine = engine
        self.store = store

    def handle(self, key: str, incoming: Incoming, today: date, output: Format = "text") -> list[Reply]:
        """`key` is channel:user. The state is written before the replies are returned, so a crash after
        this call never loses an answer the resident already gave."""
        state = self.store.load(key) or DialogState()
        result = self.engine.handle(state, incoming, today, output)
        if result.forget:
            self.store.delete(key)
        else:
            self.store.save(key, state)
        return result.replies
