"""PerChatUpdateProcessor, driven through a real Application polling the fake Bot API.

Handlers here sleep to stand in for the dialog engine and record when they ran, so the tests measure
what the processor promises: overlap across chats, order within a chat, one run per double tap.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import inspect
import time
from collections.abc import AsyncIterator

import pytest
from fake_bot_api import AnyApplication as App
from fake_bot_api import FakeBotApi, running, stray_tasks
from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.channels.telegram_processing import DuplicateCallbackGuard, PerChatUpdateProcessor


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as server:
        yield server
    await asyncio.sleep(0)
    assert not stray_tasks(), f"tasks left behind: {stray_tasks()}"


class Recorder:
    """Echo handler that sleeps ``delays.get(text, default)`` first and records each run's span."""

    def __init__(self, default_delay: float = 0.0, delays: dict[str, float] | None = None) -> None:
        self.default_delay = default_delay
        self.delays = delays or {}
        self.spans: dict[int, list[tuple[float, float]]] = {}
        self.running = 0
        self.most_running = 0
        self.taps: list[str] = []
        self.errors: list[BaseException] = []

    def install(self, app: App) -> App:
        app.add_handler(CommandHandler("menu", self.menu))
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, self.echo))
        app.add_handler(CallbackQueryHandler(self.tap))
        app.add_error_handler(self.on_error)
        return app

    async def echo(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        started = time.monotonic()
        self.running += 1
        self.most_running = max(self.most_running, self.running)
        try:
            await asyncio.sleep(self.delays.get(update.message.text, self.default_delay))
            await update.message.reply_text(update.message.text)
        finally:
            self.running -= 1
        self.spans.setdefault(update.message.chat_id, []).append((started, time.monotonic()))

    async def menu(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        keyboard = [
            [InlineKeyboardButton("按年缴费", callback_data="pay:annual")],
            [InlineKeyboardButton("查询档次", callback_data="tiers")],
        ]
        await update.message.reply_text("请选择：", reply_markup=InlineKeyboardMarkup(keyboard))

    async def tap(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answers, then sends a new message (the keyboard stays, so the same button can be tapped)."""
        query = update.callback_query
        assert query is not None and query.data is not None and query.message is not None
        self.taps.append(query.data)
        await query.answer()
        await asyncio.sleep(0.05)  # the engine's work: the second tap arrives while this one runs
        await context.bot.send_message(query.message.chat.id, f"已处理 {query.data}")

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert context.error is not None
        self.errors.append(context.error)

    def overlap(self, chat_a: int, chat_b: int) -> float:
        """Seconds during which two different handler runs, one of each chat, were both running."""
        return sum(
            max(0.0, min(e1, e2) - max(s1, s2))
            for i, (s1, e1) in enumerate(self.spans.get(chat_a, []))
            for j, (s2, e2) in enumerate(self.spans.get(chat_b, []))
            if chat_a != chat_b or i < j
        )


def replies(api: FakeBotApi, chat_id: int) -> list[str]:
    return [m.text for m in api.bot_messages(chat_id)]


async def test_two_chats_interleaved_are_handled_concurrently_and_each_in_order(api: FakeBotApi) -> None:
    recorder = Recorder(default_delay=0.2)
    app = recorder.install(api.application_builder().concurrent_updates(PerChatUpdateProcessor()).build())
    async with running(app):
        for n in range(2):  # one getUpdates batch: A1 B1 A2 B2
            api.send_text(1, f"甲{n}")
            api.send_text(2, f"乙{n}")
        await api.wait_for_bot_messages(1, 2)
        await api.wait_for_bot_messages(2, 2)

    assert replies(api, 1) == ["甲0", "甲1"] and replies(api, 2) == ["乙0", "乙1"]
    assert recorder.overlap(1, 1) == 0, "one chat's handlers never overlap"
    # Counts, not timings (a loaded machine stretches any duration): the two chats ran at the same time.
    assert recorder.most_running == 2, f"{recorder.most_running} handler(s) ran at once"
    assert recorder.errors == []


async def test_one_chats_updates_are_answered_in_the_order_sent_even_when_the_first_is_slow(
    api: FakeBotApi,
) -> None:
    recorder = Recorder(delays={"慢": 0.3})
    app = recorder.install(api.application_builder().concurrent_updates(PerChatUpdateProcessor()).build())
    async with running(app):
        for text in ("慢", "快一", "快二"):
            api.send_text(1, text)
        await api.wait_for_bot_messages(1, 3)

    assert replies(api, 1) == ["慢", "快一", "快二"]


async def test_a_plain_concurrent_application_answers_a_later_fast_message_first(api: FakeBotApi) -> None:
    """The contrast that shows the test above can fail: PTB's concurrent_updates=True reorders a chat."""
    recorder = Recorder(delays={"慢": 0.3})
    app = recorder.install(api.application_builder().concurrent_updates(True).build())
    async with running(app):
        for text in ("慢", "快一", "快二"):
            api.send_text(1, text)
        await api.wait_for_bot_messages(1, 3)

    assert replies(api, 1)[-1] == "慢"


async def test_a_double_tap_is_handled_once_and_both_taps_are_answered(api: FakeBotApi) -> None:
    recorder = Recorder()
    processor = PerChatUpdateProcessor()
    app = recorder.install(api.application_builder().concurrent_updates(processor).build())
    async with running(app):
        api.send_text(4, "/menu")
        [menu] = await api.wait_for_bot_messages(4, 1)
        taps = [
            api.tap_button(4, menu.message_id, data="pay:annual"),
            api.tap_button(4, menu.message_id, data="pay:annual"),  # the double tap
            api.tap_button(4, menu.message_id, data="tiers"),  # another button: not a duplicate
        ]
        for query_id in taps:
            await api.wait_for_answer(query_id)
        await api.wait_for_bot_messages(4, 3)

    assert recorder.taps == ["pay:annual", "tiers"]
    assert replies(api, 4) == ["请选择：", "已处理 pay:annual", "已处理 tiers"]
    assert processor.duplicates_dropped == 1
    assert recorder.errors == []


async def test_the_same_button_tapped_again_after_the_window_is_handled_again(api: FakeBotApi) -> None:
    recorder = Recorder()
    processor = PerChatUpdateProcessor(duplicate_window=0.2)
    app = recorder.install(api.application_builder().concurrent_updates(processor).build())
    async with running(app):
        api.send_text(4, "/menu")
        [menu] = await api.wait_for_bot_messages(4, 1)
        await api.wait_for_answer(api.tap_button(4, menu.message_id, data="tiers"))
        await api.wait_for_bot_messages(4, 2)
        await asyncio.sleep(0.3)
        await api.wait_for_answer(api.tap_button(4, menu.message_id, data="tiers"))
        await api.wait_for_bot_messages(4, 3)

    assert recorder.taps == ["tiers", "tiers"]
    assert processor.duplicates_dropped == 0


async def test_running_handlers_are_bounded_and_the_bound_is_reached(api: FakeBotApi) -> None:
    recorder = Recorder(default_delay=0.1)
    app = recorder.install(api.application_builder().concurrent_updates(PerChatUpdateProcessor(max_running=3)).build())
    async with running(app):
        for chat_id in range(1, 10):
            api.send_text(chat_id, "你好")
        for chat_id in range(1, 10):
            await api.wait_for_bot_messages(chat_id, 1)

    assert recorder.most_running == 3


async def test_a_chat_with_many_queued_messages_does_not_hold_back_another_chat(api: FakeBotApi) -> None:
    recorder = Recorder(default_delay=0.1)
    app = recorder.install(api.application_builder().concurrent_updates(PerChatUpdateProcessor(max_running=2)).build())
    async with running(app):
        for n in range(8):
            api.send_text(1, f"连发{n}")
        api.send_text(2, "别人")
        await api.wait_for_bot_messages(2, 1)
        busy_chat_done_by_then = len(api.bot_messages(1))
        await api.wait_for_bot_messages(1, 8)

    # Queued updates of chat 1 wait for their turn without taking a running slot, so chat 2 runs in the
    # second slot right away instead of after chat 1's eight messages (0.8 s).
    assert busy_chat_done_by_then <= 2
    assert replies(api, 1) == [f"连发{n}" for n in range(8)]


async def test_per_chat_state_is_dropped_once_chats_go_idle(api: FakeBotApi) -> None:
    recorder = Recorder(default_delay=0.05)
    processor = PerChatUpdateProcessor()
    app = recorder.install(api.application_builder().concurrent_updates(processor).build())
    busy: list[int] = []
    async with running(app):
        for chat_id in range(1, 41):
            api.send_text(chat_id, "一")
            api.send_text(chat_id, "二")
        await api.wait_until(lambda: recorder.running > 0, timeout=5, what="handlers to start")
        busy.append(processor.active_chats)
        for chat_id in range(1, 41):
            await api.wait_for_bot_messages(chat_id, 2)

    assert busy[0] > 1
    assert processor.active_chats == 0 and processor.running == 0


async def test_twenty_chats_behind_50ms_of_api_latency_are_handled_side_by_side_not_one_by_one(
    api: FakeBotApi,
) -> None:
    api.latency = 0.05

    async def most_running(app: App, recorder: Recorder) -> int:
        """Handlers running at once while 20 chats are answered (a count: no timing is asserted)."""
        api.calls.clear()
        async with running(app):
            for chat_id in range(1, 21):
                api.send_text(chat_id, "你好")
            await api.wait_until(
                lambda: len(api.calls_to("sendMessage")) == 20 and all(c.status for c in api.calls_to("sendMessage")),
                timeout=20,
                what="20 answers",
            )
        return recorder.most_running

    serial = Recorder()
    per_chat = Recorder()
    one_by_one = await most_running(serial.install(api.application_builder().build()), serial)
    side_by_side = await most_running(
        per_chat.install(api.application_builder().concurrent_updates(PerChatUpdateProcessor()).build()), per_chat
    )

    assert one_by_one == 1
    assert side_by_side >= 10, f"only {side_by_side} of 20 chats were handled at once"


def _update(update_id: int, chat_id: int) -> Update:
    chat = Chat(chat_id, Chat.PRIVATE)
    return Update(update_id, message=Message(update_id, dtm.datetime.now(dtm.UTC), chat, text="x"))


async def test_an_update_cancelled_while_waiting_for_its_turn_is_closed_and_leaves_no_state() -> None:
    processor = PerChatUpdateProcessor()
    gate = asyncio.Event()

    async def first_handler() -> None:
        await gate.wait()

    async def second_handler() -> None:
        raise AssertionError("never runs")

    second = second_handler()
    first_task = asyncio.ensure_future(processor.process_update(_update(1, 9), first_handler()))
    second_task = asyncio.ensure_future(processor.process_update(_update(2, 9), second))
    await asyncio.sleep(0.01)
    assert processor.active_chats == 1 and processor.running == 1

    second_task.cancel()
    gate.set()
    await first_task
    with pytest.raises(asyncio.CancelledError):
        await second_task

    assert inspect.getcoroutinestate(second) == inspect.CORO_CLOSED
    assert processor.active_chats == 0


def test_the_guard_forgets_taps_after_its_window() -> None:
    now = [100.0]
    guard = DuplicateCallbackGuard(window=3.0, clock=lambda: now[0])
    tap = (42, 7, "pay:annual")

    assert guard.claim(tap)
    assert not guard.claim(tap), "a repeat while the first is being handled"
    guard.release(tap)
    now[0] += 2.9
    assert not guard.claim(tap), "a repeat within the window"
    now[0] += 0.2
    assert len(guard) == 0, "expired taps are forgotten"
    assert guard.claim(tap), "a tap after the window is a new tap"
