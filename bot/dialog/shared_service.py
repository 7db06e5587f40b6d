"""The conversation service for several worker processes sharing one PostgreSQL store.

Same contract as :class:`bot.dialog.service.DialogService` (load, run one turn, store, return the replies),
but asynchronous and with the whole turn inside the store's per-chat transaction
(:meth:`bot.dialog.pgstore.PostgresStore.turn`): two workers holding updates of the same chat run them one
after the other, each on the state the other committed.
"""

from __future__ import annotations

from datetime import date

from bot.dialog.engine import DialogEngine
from bot.dialog.outbox import record_turn, replies_for_repeat
from bot.dialog.pgstore import PostgresStore
from bot.dialog.replies import Incoming, Reply
from bot.dialog.state import DialogState
from bot.dialog.store import is_repeat
from bot.render import Format


class SharedDialogService:
    def __init__(self, engine: DialogEngine, store: PostgresStore) -> None:
        self.engine = engine
        self.store = store

    async def handle(self, key: str, incoming: Incoming, today: date, output: Format = "text") -> list[Reply]:
        """The replies to ``incoming``; the state is committed before they are returned, and a failure
        anywhere in the turn rolls it back (nothing half-written).

        Updates already handled are treated as ``DialogService.handle`` does (``bot.dialog.store``'s
        contract): the last one handled, redelivered (its worker died before answering Telegram), gets its
        saved replies again unless they were marked delivered (a row from before the outbox: the current
        question); older ones get nothing; neither changes the state."""
        async with self.store.turn(key) as turn:
            stored = turn.state
            if stored is not None and is_repeat(stored, incoming.update_id):
                turn.keep()
                assert incoming.update_id is not None
                if stored.last_update_id == incoming.update_id:
                    saved = replies_for_repeat(turn.outbox, incoming.update_id)
                    if saved is not None:
                        return saved
                    if stored.step != "start":
                        return self.engine.current_question(stored, today, output)
                return []
            state = stored or DialogState()
            result = self.engine.handle(state, incoming, today, output)
            outbox = record_turn(state, incoming, result.replies)
            if result.forget:
                turn.forget(state.last_update_id, outbox)
            else:
                turn.state = state
                turn.outbox = outbox
        return result.replies

    async def delivered(self, key: str, update_id: int) -> None:
        """The replies to update ``update_id`` were sent: a redelivery of it gets nothing more."""
        await self.store.mark_delivered(key, update_id)
