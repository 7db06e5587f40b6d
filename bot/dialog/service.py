"""A conversation service for channels: load state, run one turn, store state. One call per message."""

from __future__ import annotations

from datetime import date

from bot.dialog.engine import DialogEngine
from bot.dialog.outbox import record_turn, replies_for_repeat
from bot.dialog.replies import Incoming, Reply
from bot.dialog.state import DialogState
from bot.dialog.store import StateStore, is_repeat
from bot.render import Format


class DialogService:
    def __init__(self, engine: DialogEngine, store: StateStore) -> None:
        self.engine = engine
        self.store = store

    def handle(self, key: str, incoming: Incoming, today: date, output: Format = "text") -> list[Reply]:
        """`key` is channel:user. The state is written before the replies are returned, so a crash after
        this call never loses an answer the resident already gave; with an `update_id`, the replies are
        written with it (the outbox, ``bot.dialog.outbox``): call :meth:`delivered` once they are sent.

        An update already handled (same or older `update_id`) changes nothing. The last one handled is
        redelivered when the process died before Telegram was told it was handled, perhaps before its
        replies went out: it gets its saved replies again unless they were marked delivered (a row from
        before the outbox: the current question). Older ones get no reply (a later update was answered
        since)."""
        stored = self.store.load(key)
        if is_repeat(stored, incoming.update_id):
            assert stored is not None and incoming.update_id is not None
            if stored.last_update_id == incoming.update_id:
                saved = replies_for_repeat(self.store.load_outbox(key), incoming.update_id)
                if saved is not None:
                    return saved
                return self.resume(key, today, output) or []
            return []
        state = stored or DialogState()
        result = self.engine.handle(state, incoming, today, output)
        outbox = record_turn(state, incoming, result.replies)
        if result.forget:
            self.store.forget(key, state.last_update_id, outbox)
        else:
            self.store.save(key, state, outbox)
        return result.replies

    def delivered(self, key: str, update_id: int) -> None:
        """The replies to update `update_id` were sent: a redelivery of it gets nothing more."""
        self.store.mark_delivered(key, update_id)

    def resume(self, key: str, today: date, output: Format = "text") -> list[Reply] | None:
        """The current question of a saved conversation (a console restarted on its state file); None when
        there is none to resume."""
        state = self.store.load(key)
        if state is None or state.step == "start":
            return None
        return self.engine.current_question(state, today, output)
