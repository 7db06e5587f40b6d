"""A real python-telegram-bot Application, polling the fake Bot API on 127.0.0.1, behaves as against Telegram.

These tests pin both the fake (so later tests can trust it) and the PTB behaviour the Telegram adapter
relies on: 429 handling by AIORateLimiter, bootstrap retries on a 502 at start, double taps.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest
from fake_bot_api import AnyApplication as App
from fake_bot_api import FakeBotApi, running
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import (
    AIORateLimiter,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

# PTB 22 warns whenever a RetryAfter is built that `retry_after` will become a timedelta in v23.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")


# The `api` fixture (a fake server that must leave no task behind) comes from conftest.py.


KEYBOARD = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("按年缴费", callback_data="pay:annual")],
        [InlineKeyboardButton("查询档次", callback_data="tiers")],
    ]
)


class EchoBot:
    """A trivial bot: echoes text, shows a keyboard on /start, and reports taps by editing the message."""

    def __init__(self) -> None:
        self.taps: list[str] = []
        self.errors: list[BaseException] = []

    def install(self, app: App) -> App:
        app.add_handler(CommandHandler("start", self.start))
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, self.echo))
        app.add_handler(CallbackQueryHandler(self.tap))
        app.add_error_handler(self.on_error)
        return app

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text("请选择：", reply_markup=KEYBOARD)

    async def echo(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(update.message.text)

    async def tap(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.data is not None
        self.taps.append(query.data)
        await query.answer()
        await query.edit_message_text(f"您选择了 {query.data}")

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert context.error is not None
        self.errors.append(context.error)


async def test_a_resident_message_is_answered_and_its_update_confirmed(api: FakeBotApi) -> None:
    bot = EchoBot()
    async with running(bot.install(api.application_builder().build())):
        api.send_text(101, "我想交医保")
        api.send_text(202, "你好")
        [reply_a] = await api.wait_for_bot_messages(101, 1)
        [reply_b] = await api.wait_for_bot_messages(202, 1)

    assert (reply_a.text, reply_b.text) == ("我想交医保", "你好")
    assert [(m.message_id, m.from_bot) for m in api.history(101)] == [(1, False), (2, True)]
    assert api.pending_updates == 0, "the final getUpdates on stop confirms what was handled"
    assert bot.errors == []


async def test_a_keyboard_sent_form_encoded_can_be_tapped_and_the_tap_edits_the_message(api: FakeBotApi) -> None:
    bot = EchoBot()
    async with running(bot.install(api.application_builder().build())):
        api.send_text(7, "/start")
        [menu] = await api.wait_for_bot_messages(7, 1)
        assert [(b.text, b.callback_data) for b in menu.buttons] == [
            ("按年缴费", "pay:annual"),
            ("查询档次", "tiers"),
        ]
        query_id = api.tap_button(7, menu.message_id, text="查询档次")
        await api.wait_for_answer(query_id)
        await api.wait_until(lambda: menu.edits == 1, timeout=5, what="the menu to be edited")

    assert menu.text == "您选择了 tiers"
    assert menu.buttons == [], "editMessageText without reply_markup removes the keyboard"
    assert bot.taps == ["tiers"]
    with pytest.raises(ValueError, match="no button"):
        api.tap_button(7, menu.message_id, data="pay:annual")  # no longer on the message


async def test_a_429_on_send_message_is_retried_after_retry_after_and_delivered_once(api: FakeBotApi) -> None:
    bot = EchoBot()
    app = bot.install(api.application_builder().rate_limiter(AIORateLimiter(max_retries=2)).build())
    api.rate_limit("sendMessage", retry_after=1)
    async with running(app):
        api.send_text(5, "缴费标准是多少")
        await api.wait_for_bot_messages(5, 1)
    # stopping the application awaited every handler: nothing more can arrive

    sends = api.calls_to("sendMessage")
    assert [c.status for c in sends] == [429, 200]
    assert sends[1].at - sends[0].at >= 1.0, "the retry waited retry_after seconds"
    assert [m.text for m in api.bot_messages(5)] == ["缴费标准是多少"]
    assert bot.errors == []


async def test_without_retries_a_429_reaches_the_error_handler_and_nothing_is_sent(api: FakeBotApi) -> None:
    bot = EchoBot()
    api.rate_limit("sendMessage", retry_after=3)
    async with running(bot.install(api.application_builder().build())):
        api.send_text(5, "你好")
        await api.wait_for_calls("sendMessage", answered=True)
        await api.wait_until(lambda: bool(bot.errors), timeout=5, what="the error handler")

    [error] = bot.errors
    assert isinstance(error, RetryAfter) and "Retry in 3 seconds" in error.message
    assert api.bot_messages(5) == []


class PollingThread:
    """``Application.run_polling`` (the production entry point) in its own thread and event loop.

    ``run_polling`` owns its loop, so it cannot run inside the test's loop; the fake server keeps
    running in the test's loop and the two talk over 127.0.0.1 as in production.
    """

    def __init__(self, build: Callable[[], App], **run_polling_kwargs: Any) -> None:
        self._build = build
        self._kwargs = run_polling_kwargs
        self._loop: asyncio.AbstractEventLoop | None = None
        self._app: App | None = None
        self.future: asyncio.Future[None] | None = None

    def _target(self) -> None:
        app = self._build()
        self._app = app

        async def remember_loop(_: App) -> None:
            self._loop = asyncio.get_running_loop()

        app.post_init = remember_loop
        try:
            app.run_polling(stop_signals=None, close_loop=False, **self._kwargs)
        finally:
            # When bootstrapping fails, Application.shutdown() skips the never-initialised bot and its
            # HTTP connection stays open (PTB 22.8); close it so no socket outlives the test.
            loop = asyncio.get_event_loop_policy().get_event_loop()
            loop.run_until_complete(app.bot.request.shutdown())
            loop.close()

    async def __aenter__(self) -> PollingThread:
        self.future = asyncio.ensure_future(asyncio.to_thread(self._target))
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self.future is not None
        if not self.future.done() and self._loop is not None and self._app is not None:
            self._loop.call_soon_threadsafe(self._app.stop_running)
        await asyncio.wait_for(asyncio.shield(self.future), timeout=10)


async def test_a_502_at_start_is_survived_when_bootstrap_retries_is_set(api: FakeBotApi) -> None:
    bot = EchoBot()
    api.bad_gateway("getMe")  # Application.initialize
    api.bad_gateway("deleteWebhook")  # the updater's bootstrap
    async with PollingThread(lambda: bot.install(api.application_builder().build()), bootstrap_retries=3, timeout=5):
        await api.wait_for_calls("getUpdates", timeout=10)
        api.send_text(9, "还在吗")
        [reply] = await api.wait_for_bot_messages(9, 1)

    assert reply.text == "还在吗"
    assert [c.status for c in api.calls_to("getMe")] == [502, 200]
    assert [c.status for c in api.calls_to("deleteWebhook")] == [502, 200]


async def test_a_502_at_start_stops_an_application_without_bootstrap_retries(api: FakeBotApi) -> None:
    api.bad_gateway("getMe")
    thread = PollingThread(lambda: EchoBot().install(api.application_builder().build()))
    with pytest.raises(NetworkError, match="Bad Gateway"):
        async with thread:
            assert thread.future is not None
            await asyncio.wait_for(asyncio.shield(thread.future), timeout=10)

    assert api.calls_to("getUpdates") == []


async def test_a_double_tapped_button_reaches_a_plain_application_twice(api: FakeBotApi) -> None:
    """Both taps arrive in one getUpdates batch; PTB alone runs the step twice (hence the guard in
    bot.channels.telegram_processing), and the second edit is refused as "not modified"."""
    bot = EchoBot()
    async with running(bot.install(api.application_builder().build())):
        api.send_text(3, "/start")
        [menu] = await api.wait_for_bot_messages(3, 1)
        first = api.tap_button(3, menu.message_id, data="pay:annual")
        second = api.tap_button(3, menu.message_id, data="pay:annual")
        await api.wait_for_answer(first)
        await api.wait_for_answer(second)
        await api.wait_until(lambda: bool(bot.errors), timeout=5, what="the refused second edit")

    assert bot.taps == ["pay:annual", "pay:annual"]
    [error] = bot.errors
    assert isinstance(error, BadRequest) and "not modified" in error.message
    assert menu.edits == 1


async def test_a_hung_send_fails_its_handler_after_the_read_timeout_and_polling_goes_on(api: FakeBotApi) -> None:
    bot = EchoBot()
    api.hang("sendMessage", seconds=10)
    app = bot.install(api.application_builder().read_timeout(0.3).build())
    async with running(app):
        api.send_text(6, "第一条")
        await api.wait_until(lambda: bool(bot.errors), timeout=3, what="the timed-out send")
        api.send_text(6, "第二条")
        [reply] = await api.wait_for_bot_messages(6, 1)

    assert reply.text == "第二条"
    [error] = bot.errors
    assert isinstance(error, TimedOut)


async def test_a_hung_call_times_the_client_out_and_is_not_applied(api: FakeBotApi) -> None:
    api.hang("sendMessage", seconds=5)
    async with Bot(api.token, base_url=api.base_url) as bot:
        started = time.monotonic()
        with pytest.raises(TimedOut):
            await bot.send_message(1, "第一条", read_timeout=0.3)
        assert time.monotonic() - started < 2
        await bot.send_message(1, "第二条", read_timeout=0.3)

    assert [m.text for m in api.bot_messages(1)] == ["第二条"]
    assert api.calls_to("sendMessage")[0].fault == "hang"


async def test_a_hung_call_with_deliver_sends_the_message_though_the_client_timed_out(api: FakeBotApi) -> None:
    api.hang("sendMessage", seconds=5, deliver=True)
    async with Bot(api.token, base_url=api.base_url) as bot:
        with pytest.raises(TimedOut):
            await bot.send_message(1, "可能重复", read_timeout=0.3)

    assert [m.text for m in api.bot_messages(1)] == ["可能重复"], "a retry here would send it twice"


async def test_latency_is_added_to_every_call(api: FakeBotApi) -> None:
    api.latency = 0.05
    async with Bot(api.token, base_url=api.base_url) as bot:
        started = time.monotonic()
        for n in range(3):
            await bot.send_message(1, f"消息{n}")
        elapsed = time.monotonic() - started

    # getMe (from `async with Bot`) happened before `started`; three sends follow one another
    assert elapsed >= 3 * 0.05
    sends = api.calls_to("sendMessage")
    assert [c.status for c in sends] == [200, 200, 200]
    assert all(c.answered_at is not None and c.answered_at - c.at >= 0.05 for c in sends)


async def test_a_long_poll_returns_as_soon_as_an_update_is_queued_and_offset_confirms_it(
    api: FakeBotApi,
) -> None:
    async with Bot(api.token, base_url=api.base_url) as bot:
        poll = asyncio.ensure_future(bot.get_updates(timeout=10))
        await api.wait_for_calls("getUpdates")
        started = time.monotonic()
        api.send_text(4, "第一条")
        [update] = await asyncio.wait_for(poll, timeout=5)
        waited = time.monotonic() - started

        assert update.message is not None and update.message.text == "第一条"
        assert waited < 1
        assert len(await bot.get_updates(timeout=0)) == 1, "unconfirmed updates are delivered again"
        assert len(await bot.get_updates(offset=update.update_id + 1, timeout=0)) == 0
        assert api.pending_updates == 0


async def test_json_bodies_are_accepted_and_a_wrong_token_is_unauthorized(api: FakeBotApi) -> None:
    keyboard = {"inline_keyboard": [[{"text": "好", "callback_data": "ok"}]]}
    async with aiohttp.ClientSession() as http:
        url = f"{api.base_url}{api.token}/sendMessage"
        async with http.post(url, json={"chat_id": 8, "text": "123", "reply_markup": keyboard}) as resp:
            sent = await resp.json()
        async with http.post(f"{api.base_url}0:wrong/getMe") as resp:
            wrong_token_status = resp.status

    assert sent["ok"] and sent["result"]["text"] == "123"
    [message] = api.bot_messages(8)
    assert message.text == "123", "a text of digits stays text"
    assert message.reply_markup == keyboard
    assert wrong_token_status == 401


async def test_closing_the_fake_releases_a_pending_long_poll_and_frees_the_port() -> None:
    server = FakeBotApi()
    await server.start()
    port = server.port
    async with aiohttp.ClientSession() as http:
        url = f"{server.base_url}{server.token}/getUpdates"
        poll = asyncio.ensure_future(http.post(url, data={"timeout": "30"}))
        await server.wait_for_calls("getUpdates")
        started = time.monotonic()
        await server.close()
        async with await asyncio.wait_for(poll, timeout=5) as resp:
            assert (await resp.json())["result"] == []
        assert time.monotonic() - started < 2

    with socket.socket() as probe, pytest.raises(ConnectionRefusedError):
        probe.connect(("127.0.0.1", port))
