"""Shared fixtures for the Telegram adapter tests: the fake Bot API, one engine per session, and a harness
that plays a resident through the real adapter (``bot.channels.telegram.build_application``).

Every wait is bounded (``FakeBotApi.wait_until`` raises ``TimeoutError`` naming what it waited for).
"""

from __future__ import annotations

import asyncio
import contextlib
import html
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fake_bot_api import ChatMessage, FakeBotApi, running, stray_tasks

from bot.channels.telegram import DialogHandler, TelegramAdapter, TelegramApplication, Timeouts, adapter_of, build_application
from bot.channels.telegram_delivery import RetryPolicy, split_html
from bot.dialog.engine import DialogEngine
from bot.dialog.factory import build_engine
from bot.dialog.replies import Reply
from bot.dialog.service import DialogService
from bot.dialog.store import SQLiteStore

FAST_RETRIES = RetryPolicy(delays=(0.05, 0.1, 0.2))
TEST_TIMEOUTS = Timeouts(connect=2.0, read=2.0, write=2.0, pool=2.0)


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as server:
        yield server
    await asyncio.sleep(0)  # let cancelled client-side tasks settle before counting
    assert not stray_tasks(), f"tasks left behind: {stray_tasks()}"


@pytest.fixture(scope="session")
def engine() -> DialogEngine:
    return build_engine()


@dataclass
class Turn:
    """What the bot did in one turn of one chat."""

    sent: list[ChatMessage]  # new bot messages, in order
    edited: list[ChatMessage]  # bot messages that existed before and were edited

    @property
    def texts(self) -> list[str]:
        return [m.text for m in self.sent]


@dataclass
class Harness:
    """The adapter on a SQLite file, polling ``api``; ``start``/``stop`` may be called repeatedly (a stop
    and a new start on the same file is a process restart)."""

    api: FakeBotApi
    engine: DialogEngine
    state_path: Path
    today: date = date(2023, 10, 10)
    options: dict[str, Any] = field(default_factory=dict)
    service_factory: Callable[[SQLiteStore], DialogHandler] | None = None  # default: DialogService
    app: TelegramApplication | None = None
    _stack: contextlib.AsyncExitStack | None = None
    store: SQLiteStore | None = None
    stores: list[SQLiteStore] = field(default_factory=list)

    def build(self) -> TelegramApplication:
        self.store = SQLiteStore(self.state_path)
        self.stores.append(self.store)
        service = self.service_factory(self.store) if self.service_factory else DialogService(self.engine, self.store)
        options: dict[str, Any] = {
            "base_url": self.api.base_url,
            "clock": lambda: self.today,
            "timeouts": TEST_TIMEOUTS,
            "retry_policy": FAST_RETRIES,
            "flood_limit": None,
            **self.options,
        }
        return build_application(self.api.token, service, **options)

    async def start(self) -> TelegramApplication:
        assert self._stack is None, "already running"
        self._stack = contextlib.AsyncExitStack()
        app = self.build()
        await self._stack.enter_async_context(running(app, poll_timeout=5))
        self.app = app
        return app

    async def stop(self) -> None:
        """Stops polling and the application (in-flight updates finish); the store is left open, as after
        a kill: the next start opens the same file again."""
        if self._stack is not None:
            stack, self._stack = self._stack, None
            await stack.aclose()

    def close_stores(self) -> None:
        for store in self.stores:
            store.close()
        self.stores.clear()

    @property
    def adapter(self) -> TelegramAdapter:
        assert self.app is not None, "not running"
        return adapter_of(self.app)

    # ------------------------------------------------------------------ the resident's side

    async def settle(self, completed: int, timeout: float = 5.0) -> None:
        """Waits until ``completed`` updates have been handled (replied to, failed or blocked)."""
        adapter = self.adapter
        await self.api.wait_until(
            lambda: adapter.stats.completed >= completed,
            timeout=timeout,
            what=f"{completed} handled update(s) (now {adapter.stats.completed})",
        )

    async def act(self, chat_id: int, act: Callable[[], object], timeout: float = 5.0) -> Turn:
        """Does ``act`` (queues an update) and waits until it is handled; what the bot did in the chat."""
        before = {m.message_id: m.edits for m in self.api.bot_messages(chat_id)}
        target = self.adapter.stats.completed + 1
        act()
        await self.settle(target, timeout)
        after = self.api.bot_messages(chat_id)
        sent = [m for m in after if m.message_id not in before]
        edited = [m for m in after if m.message_id in before and m.edits > before[m.message_id]]
        return Turn(sent, edited)

    async def say(self, chat_id: int, text: str, timeout: float = 5.0) -> Turn:
        return await self.act(chat_id, lambda: self.api.send_text(chat_id, text), timeout)

    def find_button(self, chat_id: int, label: str) -> tuple[int, str]:
        """(message id, callback data) of the latest bot message showing a button ``label`` (a selected
        button shows "✓ label")."""
        for message in reversed(self.api.bot_messages(chat_id)):
            for button in message.buttons:
                if button.callback_data is not None and label in (button.text, button.text.removeprefix("✓ ")):
                    return message.message_id, button.callback_data
        shown = [b.text for m in self.api.bot_messages(chat_id) for b in m.buttons]
        raise AssertionError(f"no button {label!r} in chat {chat_id}; buttons shown: {shown}")

    async def tap(self, chat_id: int, label: str, timeout: float = 5.0) -> Turn:
        message_id, data = self.find_button(chat_id, label)
        query: list[str] = []
        turn = await self.act(chat_id, lambda: query.append(self.api.tap_button(chat_id, message_id, data=data)), timeout)
        await self.api.wait_for_answer(query[0], timeout=timeout)
        return turn


@pytest.fixture
async def harness(api: FakeBotApi, engine: DialogEngine, tmp_path: Path) -> AsyncIterator[Harness]:
    bot = Harness(api, engine, tmp_path / "state.sqlite3")
    try:
        yield bot
    finally:
        await bot.stop()
        bot.close_stores()


# --------------------------------------------------------------------------------------------- assertions


def _buttons(message: ChatMessage) -> list[list[tuple[str, str | None]]]:
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    return [[(b["text"], b.get("callback_data")) for b in row] for row in rows]


def _expected_buttons(reply: Reply) -> list[list[tuple[str, str | None]]]:
    return [[(b.label, b.payload) for b in row] for row in reply.buttons if row]


def assert_shown(turn: Turn, replies: list[Reply], *, tapped: bool) -> None:
    """Telegram shows exactly ``replies``: new messages in order, keyboard updates as edits."""
    sent = iter(turn.sent)
    edits = [r for r in replies if r.replaces_previous and tapped]
    assert len(turn.edited) == len(edits), f"{len(turn.edited)} edits for {[r.template for r in replies]}"
    for reply, message in zip(edits, turn.edited, strict=True):
        assert message.text == reply.text
        assert _buttons(message) == _expected_buttons(reply)
    expected_messages = sum(len(split_html(r.text)) for r in replies if r not in edits)
    assert len(turn.sent) == expected_messages, (
        f"expected {expected_messages} message(s) for {[r.template for r in replies]}, got {turn.texts}"
    )
    for reply in replies:
        if reply in edits:
            continue
        parts = split_html(reply.text)
        for index, part in enumerate(parts):
            message = next(sent)
            assert message.text == part, f"{reply.template}: text differs"
            assert message.parse_mode == "HTML"
            last = index == len(parts) - 1
            assert _buttons(message) == (_expected_buttons(reply) if last else [])


def shown_text(turn: Turn) -> str:
    """What the resident reads (HTML entities decoded, tags kept out of the way)."""
    return html.unescape("\n".join(m.text for m in [*turn.edited, *turn.sent]))
