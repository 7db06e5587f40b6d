"""How the Telegram channel schedules updates: chats run side by side, one chat's updates run in order.

python-telegram-bot hands each update to ``BaseUpdateProcessor.process_update``, which takes a slot of
the processor's own semaphore (``max_concurrent_updates``: updates admitted at once) and then awaits
``do_process_update``.  :class:`PerChatUpdateProcessor` implements that hook so that

* updates of different chats are handled concurrently, at most ``max_running`` at the same time;
* updates of one chat are handled strictly one after another, in the order Telegram delivered them
  (a per-chat ``asyncio.Lock``, which is FIFO; the entry is dropped as soon as the chat is idle, so
  memory does not grow with the number of chats ever seen);
* an update waiting for its chat's turn does not hold one of the ``max_running`` slots, so one chat
  sending many messages cannot starve the others;
* a tapped button whose ``(chat, message_id, callback_data)`` is being handled, or was handled within
  ``duplicate_window`` seconds, is answered (the spinner on the resident's button stops) but not handled
  again: :class:`DuplicateCallbackGuard`.  A double tap otherwise runs a step of the dialog twice.

Callback data should therefore name the target state ("pay:annual") rather than a relative move
("next"): tapping the same button on the same message twice within the window is taken as one tap.

The order holds for handlers registered with ``block=True`` (PTB's default): a ``block=False`` handler
runs as a separate task that this processor does not wait for.

This module knows nothing of the dialog engine; it only schedules PTB's own handler coroutine.
Logs carry update ids, never chat ids, names or texts.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import BaseUpdateProcessor

_LOGGER = logging.getLogger(__name__)

CallbackKey = tuple[int, int, str]
"""(chat id, message id, callback data) of a tapped button."""

DEFAULT_DUPLICATE_WINDOW = 3.0


def ordering_key(update: object) -> Hashable | None:
    """The sequence an update belongs to: its chat, else its user, else none (handled unordered)."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return ("chat", update.effective_chat.id)
    if update.effective_user is not None:
        return ("user", update.effective_user.id)
    return None


def callback_key(update: object) -> CallbackKey | None:
    """The identity of a button tap, or None if the update is not a tap on a message's button."""
    if not isinstance(update, Update) or update.callback_query is None:
        return None
    query = update.callback_query
    if query.message is None or query.data is None:
        return None
    return (query.message.chat.id, query.message.message_id, query.data)


class DuplicateCallbackGuard:
    """Remembers button taps being handled and, for ``window`` seconds after, recently handled ones.

    ``claim(key)`` is True for the first tap (go ahead, then call ``release(key)`` when done) and False
    for a repeat while the first is in flight or within the window after it finished.  Entries expire,
    so memory is bounded by the taps of the last ``window`` seconds.
    """

    def __init__(self, window: float = DEFAULT_DUPLICATE_WINDOW, *, clock: Callable[[], float] = time.monotonic):
        if window < 0:
            raise ValueError("window must not be negative")
        self.window = window
        self._clock = clock
        self._in_flight: set[CallbackKey] = set()
        self._recent: dict[CallbackKey, float] = {}  # key -> expiry
        self._expiries: deque[tuple[float, CallbackKey]] = deque()

    def claim(self, key: CallbackKey) -> bool:
        self._prune()
        if key in self._in_flight or key in self._recent:
            return False
        self._in_flight.add(key)
        return True

    def release(self, key: CallbackKey) -> None:
        self._in_flight.discard(key)
        if self.window > 0:
            expiry = self._clock() + self.window
            self._recent[key] = expiry
            self._expiries.append((expiry, key))
        self._prune()

    def __len__(self) -> int:
        """Taps currently remembered (in flight or within the window)."""
        self._prune()
        return len(self._in_flight) + len(self._recent)

    def _prune(self) -> None:
        now = self._clock()
        while self._expiries and self._expiries[0][0] <= now:
            expiry, key = self._expiries.popleft()
            if self._recent.get(key) == expiry:
                del self._recent[key]


class _ChatTurn:
    """The lock that serialises one chat, and how many of its updates hold or wait for it."""

    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Concurrent across chats, in order within a chat, with double-tapped buttons handled once.

    Use with ``ApplicationBuilder().concurrent_updates(PerChatUpdateProcessor())``.

    Args:
        max_concurrent_updates: updates admitted into the processor at once, running or waiting for
            their chat's turn (PTB's own bound; further updates wait in PTB's queue).
        max_running: updates whose handlers run at the same time, across all chats.
        duplicate_window: seconds after a button tap was handled during which the same tap (same chat,
            message and callback data) is only answered; ``None`` turns the guard off.
        key: maps an update to the sequence it must be ordered in (default: :func:`ordering_key`).
        repeatable: callback data that is handled on every tap, never dropped as a double tap (a button
            that names the state it sets, so a quick second tap on the same message is a real change,
            e.g. ticking and unticking a status).
    """

    def __init__(
        self,
        max_concurrent_updates: int = 256,
        *,
        max_running: int = 32,
        duplicate_window: float | None = DEFAULT_DUPLICATE_WINDOW,
        key: Callable[[object], Hashable | None] = ordering_key,
        repeatable: Callable[[str], bool] | None = None,
    ) -> None:
        super().__init__(max_concurrent_updates)
        if max_running < 1:
            raise ValueError("max_running must be a positive integer")
        self.max_running = max_running
        self.callback_guard = DuplicateCallbackGuard(duplicate_window) if duplicate_window is not None else None
        self.duplicates_dropped = 0
        self._key = key
        self._repeatable = repeatable
        self._running_slots = asyncio.Semaphore(max_running)
        self._running = 0
        self._turns: dict[Hashable, _ChatTurn] = {}

    @property
    def active_chats(self) -> int:
        """Chats with an update running or waiting; 0 when idle (no per-chat state is kept then)."""
        return len(self._turns)

    @property
    def running(self) -> int:
        """Updates whose handlers are running right now."""
        return self._running

    async def initialize(self) -> None:
        """Nothing to allocate: locks are created per chat on demand."""

    async def shutdown(self) -> None:
        """Nothing to free: PTB's ``Application.stop`` has already awaited every update task."""

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        tap = callback_key(update) if self.callback_guard is not None else None
        if tap is not None and self._repeatable is not None and self._repeatable(tap[2]):
            tap = None
        try:
            if tap is not None and self.callback_guard is not None:
                if not self.callback_guard.claim(tap):
                    await self._drop_duplicate(update)
                    return
                try:
                    await self._in_turn(update, coroutine)
                finally:
                    self.callback_guard.release(tap)
            else:
                await self._in_turn(update, coroutine)
        finally:
            # A coroutine that was never started (a duplicate, or cancelled while waiting for its turn)
            # is closed, so Python does not warn that it was never awaited.
            if inspect.iscoroutine(coroutine) and inspect.getcoroutinestate(coroutine) == inspect.CORO_CREATED:
                coroutine.close()

    async def _in_turn(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = self._key(update)
        if key is None:
            await self._run(coroutine)
            return
        turn = self._turns.get(key)
        if turn is None:
            turn = self._turns[key] = _ChatTurn()
        turn.users += 1
        try:
            async with turn.lock:
                await self._run(coroutine)
        finally:
            turn.users -= 1
            if turn.users == 0:
                del self._turns[key]

    async def _run(self, coroutine: Awaitable[Any]) -> None:
        async with self._running_slots:
            self._running += 1
            try:
                await coroutine
            finally:
                self._running -= 1

    async def _drop_duplicate(self, update: object) -> None:
        self.duplicates_dropped += 1
        update_id = update.update_id if isinstance(update, Update) else None
        _LOGGER.debug("update %s repeats a button tap still in its window: answered, not handled", update_id)
        if isinstance(update, Update) and update.callback_query is not None:
            try:
                await update.callback_query.answer()
            except TelegramError as exc:
                _LOGGER.warning("answering the repeated tap of update %s failed: %s", update_id, type(exc).__name__)
