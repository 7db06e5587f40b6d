"""The Telegram channel: a thin adapter between python-telegram-bot and the dialog engine.

Every text message (commands included) and every tapped button goes to
``DialogService.handle(key, ...)`` (key ``telegram:<chat id>``, or ``telegram:<chat id>:<user id>`` in a group:
``telegram_routing``) with HTML output; each :class:`~bot.dialog.replies.Reply`
becomes one message (an inline keyboard from its buttons; split on line boundaries when over 4096
characters), or an edit of the tapped message when ``replaces_previous`` (a multi-select keyboard
update).  The engine writes the resident's state before any reply is sent.

Scheduling (``telegram_processing``): chats are handled concurrently, one chat's updates in order, a
double-tapped button once.  Delivery (``telegram_delivery``): 429s wait ``retry_after`` (AIORateLimiter, ``telegram_limiter``),
failed sends are repeated only when that cannot send a message twice, an uncertain ``sendMessage`` is
reconciled first.

Entry points: :func:`build_application` (used by :func:`run` and by the tests) and :func:`run`
(``python -m bot telegram``), configured by environment variables (``deploy/env.example``).

Logs never carry message texts, names, chat or user ids, birth dates or statuses: only update ids, template
ids, counts, timings and exception types (with code locations, never exception messages from the engine).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import inspect
import logging
import os
import re
import signal
import sqlite3
import sys
import threading
import time
import traceback
from collections.abc import AsyncIterator, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Final, Literal, Protocol, TypeAlias, cast
from urllib.parse import urlsplit

from telegram import Bot, BotCommand, Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackContext,
    CallbackQueryHandler,
    CommandHandler,
    ExtBot,
    MessageHandler,
    filters,
)

from bot.channels.telegram_delivery import (
    MAX_MESSAGE_LENGTH,
    ChatBlocked,
    Delivery,
    RetryPolicy,
    describe,
    keyboard,
    split_html,
    utf16_length,
)
from bot.channels.telegram_limiter import FloodLimiter
from bot.channels.telegram_polling import acknowledge_after_handling
from bot.channels.telegram_processing import PerChatUpdateProcessor
from bot.channels.telegram_routing import addressed_to_another_bot, conversation_key
from bot.channels.telegram_store_outage import StoreOutages
from bot.dialog.replies import Incoming, Reply, carries_target_state
from bot.dialog.unavailable import StoreUnavailable
from bot.render import Format

_LOGGER = logging.getLogger(__name__)

Context: TypeAlias = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]
TelegramApplication: TypeAlias = Application[
    ExtBot[int], Context, dict[Any, Any], dict[Any, Any], dict[Any, Any], None
]
"""The application's type (``ExtBot[int]``: the rate limiter's per-call argument is an int)."""

# ------------------------------------------------------------------------------------------------ wording

COMMANDS: Final[tuple[tuple[str, str], ...]] = (
    ("start", "开始咨询缴费"),
    ("help", "使用说明"),
    ("back", "返回上一步"),
    ("restart", "重新开始"),
    ("forget", "删除我的信息"),
    ("faq", "常见问题"),
)
"""The command menu set with setMyCommands at start; the engine understands each one as text."""

NON_TEXT_REPLY: Final = "抱歉，我只能看懂文字。请直接输入文字回答，或点选消息下方的按钮。"
ERROR_REPLY: Final = "抱歉，系统出了点问题，请稍后再发一次。如果仍然不行，可以输入 /restart 重新开始。"
STORE_UNAVAILABLE_REPLY: Final = "您的消息已收到。系统正在恢复，恢复后会自动回复您，不用重新发送。"

ALLOWED_UPDATES: Final = (Update.MESSAGE, Update.CALLBACK_QUERY)
"""Only new messages and button taps are fetched: edited messages, channel posts, membership changes are
not (an edited answer is not taken back: the resident can say "出生日期改成…")."""

BOOTSTRAP_RETRIES: Final = 10
"""Start-up calls (getMe, deleteWebhook/setWebhook) retried this often with a back-off growing to 30 s
(about two minutes), so a Telegram 5xx at start does not kill the bot; after that the process exits
with one line and systemd starts it again."""

POLL_TIMEOUT: Final = 30
"""Seconds a getUpdates long poll may wait for an update."""

CHINA_STANDARD_TIME: Final = timezone(timedelta(hours=8), "CST")


def china_today() -> date:
    """Today in China (UTC+8, no daylight saving), whatever the server's time zone: the residents' "今天"."""
    return datetime.now(CHINA_STANDARD_TIME).date()


# ------------------------------------------------------------------------------------------------ adapter


class DialogHandler(Protocol):
    """What the adapter needs from the engine side (``bot.dialog.service.DialogService``)."""

    def handle(self, key: str, incoming: Incoming, today: date, output: Format) -> list[Reply]: ...


class AsyncDialogHandler(Protocol):
    """The same, asynchronous: the shared PostgreSQL store (``bot.dialog.shared_service``), whose turn
    waits on the database rather than on a thread."""

    async def handle(self, key: str, incoming: Incoming, today: date, output: Format) -> list[Reply]: ...


@dataclass(frozen=True)
class Timeouts:
    """Seconds for every Bot API call (getUpdates adds its long-poll time to ``read``)."""

    connect: float = 5.0
    read: float = 10.0
    write: float = 10.0
    pool: float = 5.0


@dataclass
class Stats:
    """Counters for the logs and the admins' /stats (no personal data)."""

    started: float = field(default_factory=time.monotonic)
    texts: int = 0
    taps: int = 0
    non_text: int = 0
    errors: int = 0
    blocked: int = 0
    store_unavailable: int = 0  # updates left for redelivery: the state store could not be reached
    completed: int = 0  # updates whose handling finished (replied, failed or blocked)


class TelegramAdapter:
    """The handlers. One instance per Application; it holds no per-resident state except, per chat, the
    last message id seen (to reconcile an uncertain send)."""

    def __init__(
        self,
        service: DialogHandler | AsyncDialogHandler,
        *,
        clock: Callable[[], date],
        delivery: Delivery,
        engine_in_thread: bool,
        typing_after: float | None,
    ) -> None:
        self.service = service
        # The shared store's service is asynchronous (awaited on the loop); SQLite's runs in a thread.
        self._async_service = cast(AsyncDialogHandler, service) if inspect.iscoroutinefunction(service.handle) else None
        self._sync_service = cast(DialogHandler, service)
        self.clock = clock
        self.delivery = delivery
        self.engine_in_thread = engine_in_thread
        self.typing_after = typing_after
        self.stats = Stats()
        self.processor: PerChatUpdateProcessor | None = None
        self._engine_lock = threading.Lock()  # the engine runs one turn at a time, whichever thread
        self.outages = StoreOutages()

    # -------------------------------------------------------------------------------------- handlers

    async def on_text(self, update: Update, context: Context) -> None:
        message = update.message
        if message is None or message.text is None:
            return
        async with self._handling(update, context.bot):
            if addressed_to_another_bot(message.text, context.bot.username):
                return  # "/start@otherbot" in a group: meant for another bot
            self.stats.texts += 1
            chat_id = message.chat.id
            self.delivery.saw(chat_id, message.message_id)
            incoming = Incoming(text=message.text, update_id=update.update_id)
            replies = await self._turn(context.bot, update, chat_id, incoming)
            await self._deliver(context.bot, chat_id, replies, tapped=None)
            await self._delivered(update, chat_id)

    async def on_tap(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None:
            return
        async with self._handling(update, context.bot):
            self.stats.taps += 1
            # The spinner on the button stops while the turn runs; the answer is awaited before returning.
            answered = asyncio.ensure_future(self.delivery.answer_query(context.bot, query.id))
            try:
                if query.data is None or query.message is None:  # a game or an inline message: not ours
                    return
                chat_id = query.message.chat.id
                incoming = Incoming(payload=query.data, update_id=update.update_id)
                replies = await self._turn(context.bot, update, chat_id, incoming)
                await self._deliver(context.bot, chat_id, replies, tapped=query.message.message_id)
                await self._delivered(update, chat_id)
            finally:
                await answered

    async def on_non_text(self, update: Update, context: Context) -> None:
        message = update.message
        if message is None:
            return
        async with self._handling(update, context.bot):
            self.stats.non_text += 1
            self.delivery.saw(message.chat.id, message.message_id)
            await self.delivery.send_text(context.bot, message.chat.id, NON_TEXT_REPLY, None)

    async def on_stats(self, update: Update, context: Context) -> None:
        """/stats, for the user ids in BOT_ADMIN_IDS only (others' /stats goes to the engine as text)."""
        message = update.message
        if message is None:
            return
        async with self._handling(update, context.bot):
            self.delivery.saw(message.chat.id, message.message_id)
            await self.delivery.send_text(context.bot, message.chat.id, self.stats_text(), None)

    async def on_error(self, update: object, context: Context) -> None:
        """PTB's error handler: errors outside the handlers above (those report their own), e.g. polling."""
        error = context.error
        if error is None:
            return
        if isinstance(update, Update):
            await self._report(context.bot, update, error)
        else:
            _LOGGER.warning("error outside an update: %s", describe(error))

    # -------------------------------------------------------------------------------------- the turn

    @contextlib.asynccontextmanager
    async def _handling(self, update: Update, bot: Bot) -> AsyncIterator[None]:
        started = time.monotonic()
        try:
            yield
        except ChatBlocked:
            self.stats.blocked += 1
            _LOGGER.info("update %s: the resident has blocked the bot; nothing sent", update.update_id)
        except StoreUnavailable as error:
            # Nothing was stored: the update is to come again (the webhook answers 503), so no apology
            # asking the resident to resend; a notice that it will be answered, once per update.
            self.stats.store_unavailable += 1
            _LOGGER.warning("update %s: state store unavailable (%s); left for redelivery", update.update_id, error)
            chat = update.effective_chat
            if self.outages.failed(update.update_id) and chat is not None:
                with contextlib.suppress(TelegramError, ChatBlocked):
                    await self.delivery.send_text(bot, chat.id, STORE_UNAVAILABLE_REPLY, None)
        except Exception as error:  # every failure is logged and the resident told
            await self._report(bot, update, error)
        finally:
            self.stats.completed += 1
            _LOGGER.debug("update %s done in %.0f ms", update.update_id, (time.monotonic() - started) * 1000)

    async def _turn(self, bot: Bot, update: Update, chat_id: int, incoming: Incoming) -> list[Reply]:
        key = conversation_key(update) or f"telegram:{chat_id}"
        today = self.clock()
        if self._async_service is not None:
            replies = await self._async_turn(bot, chat_id, key, incoming, today)
        elif not self.engine_in_thread:
            replies = self._sync_service.handle(key, incoming, today, "html")
        else:
            loop = asyncio.get_running_loop()
            turn = loop.run_in_executor(None, self._handle_one_at_a_time, key, incoming, today)
            if self.typing_after is not None:
                done, _ = await asyncio.wait({turn}, timeout=self.typing_after)
                if not done:
                    await self.delivery.typing(bot, chat_id)
            replies = await turn
        _LOGGER.info("update %s: replies %s", update.update_id, ",".join(r.template for r in replies) or "-")
        return replies

    async def _async_turn(self, bot: Bot, chat_id: int, key: str, incoming: Incoming, today: date) -> list[Reply]:
        """The shared store's turn, awaited on the loop; still running after ``typing_after`` seconds (the
        database slow, the chat's lock held by another worker), it shows "typing…".  A timer rather than a
        task per turn: nothing to pay for the turns that finish in time, which is nearly all of them."""
        assert self._async_service is not None
        if self.typing_after is None:
            return await self._async_service.handle(key, incoming, today, "html")
        loop = asyncio.get_running_loop()
        typing: list[asyncio.Task[None]] = []
        timer = loop.call_later(
            self.typing_after, lambda: typing.append(loop.create_task(self.delivery.typing(bot, chat_id))))
        try:
            return await self._async_service.handle(key, incoming, today, "html")
        finally:
            timer.cancel()
            if typing:
                await typing[0]  # "typing…" goes out before the reply, never after it (it never raises)

    def _handle_one_at_a_time(self, key: str, incoming: Incoming, today: date) -> list[Reply]:
        with self._engine_lock:
            return self._sync_service.handle(key, incoming, today, "html")

    async def _delivered(self, update: Update, chat_id: int) -> None:
        """Marks the update's saved replies (the outbox, ``bot.dialog.outbox``) as sent, so a redelivery
        of it (this process killed before Telegram heard it was handled) sends nothing twice.  Services
        without an outbox have no ``delivered``."""
        mark = getattr(self.service, "delivered", None)
        if mark is None:
            return
        key = conversation_key(update) or f"telegram:{chat_id}"
        try:
            if self._async_service is not None:
                await mark(key, update.update_id)
            else:
                mark(key, update.update_id)
        except (StoreUnavailable, sqlite3.Error) as error:
            # The replies are out: the update is answered.  Unmarked, a redelivery would send them again.
            _LOGGER.warning("update %s: replies sent but not marked delivered (%s)", update.update_id,
                            type(error).__name__)

    async def _deliver(self, bot: Bot, chat_id: int, replies: Sequence[Reply], *, tapped: int | None) -> None:
        for reply in replies:
            markup = keyboard(reply.buttons)
            if (
                reply.replaces_previous
                and tapped is not None
                and utf16_length(reply.text) <= MAX_MESSAGE_LENGTH
                and await self.delivery.edit_text(bot, chat_id, tapped, reply.text, markup)
            ):
                continue
            parts = split_html(reply.text)
            for index, part in enumerate(parts):
                last = index == len(parts) - 1
                await self.delivery.send_text(bot, chat_id, part, markup if last else None)

    async def _report(self, bot: Bot, update: Update, error: BaseException) -> None:
        """Logs the failure without personal data and tells the resident, in Chinese, to try again."""
        self.stats.errors += 1
        _LOGGER.error("update %s failed: %s at %s", update.update_id, describe(error), _where(error))
        chat = update.effective_chat
        if chat is None or isinstance(error, ChatBlocked):
            return
        try:
            await self.delivery.send_text(bot, chat.id, ERROR_REPLY, None)
        except (TelegramError, ChatBlocked) as failure:
            _LOGGER.warning("update %s: the apology could not be sent either: %s", update.update_id, describe(failure))

    # -------------------------------------------------------------------------------------- admin

    def stats_text(self) -> str:
        s = self.stats
        uptime = int(time.monotonic() - s.started)
        processor = self.processor
        lines = [
            f"运行时间：{uptime // 3600}小时{uptime % 3600 // 60}分",
            f"已处理：文字 {s.texts}，按钮 {s.taps}，非文字 {s.non_text}",
            f"出错 {s.errors}，被屏蔽 {s.blocked}",
            f"重复点击忽略 {processor.duplicates_dropped if processor else 0}，"
            f"重发 {self.delivery.retries}，对账确认已送达 {self.delivery.reconciled}",
            f"正在处理的对话 {processor.active_chats if processor else 0}",
        ]
        return "\n".join(lines)

    async def post_init(self, application: TelegramApplication) -> None:
        """After getMe, before fetching updates: the command menu. A failure is logged, not fatal."""
        try:
            await application.bot.set_my_commands([BotCommand(name, text) for name, text in COMMANDS])
        except TelegramError as error:
            _LOGGER.warning("setMyCommands failed (%s): the command menu may be out of date", describe(error))
        _LOGGER.info("connected as @%s", application.bot.username)


    async def post_shutdown(self, application: TelegramApplication) -> None:
        """Also after a failed start (getMe refused): PTB shuts the bot's HTTP clients down only after a
        successful one, and an aiohttp session left open is reported at exit, after our one-line error."""
        await application.bot.shutdown()


def _where(error: BaseException) -> str:
    """Where an exception was raised (file:line function, innermost last) without its message or locals,
    which may contain what the resident typed."""
    frames = traceback.extract_tb(error.__traceback__)[-3:]
    return " < ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames)) or "?"


def build_application(
    token: str,
    service: DialogHandler | AsyncDialogHandler,
    *,
    base_url: str | None = None,
    clock: Callable[[], date] = china_today,
    admin_ids: Collection[int] = (),
    timeouts: Timeouts = Timeouts(),
    retry_policy: RetryPolicy | None = None,
    concurrent: bool = True,
    max_running: int = 64,
    flood_limit: float | None = 30.0,
    rate_limit_retries: int = 3,
    engine_in_thread: bool = True,
    typing_after: float | None = 0.5,
    http_client: Literal["aiohttp", "httpx"] = "aiohttp",
    polling: bool = True,
    message_objects: bool = False,
) -> TelegramApplication:
    """The Application, handlers registered; start it with :func:`serve` (or the tests' ``running``).

    Args:
        token: the bot token.
        service: the engine side (``DialogService``); called with the key of ``telegram_routing.conversation_key``.
        base_url: the Bot API's base URL (PTB appends the token); None for api.telegram.org.
        clock: the bot's "today" (default: the date in China).
        admin_ids: Telegram user ids allowed to use /stats.
        timeouts: for every Bot API call.
        retry_policy: how often and after what pause a failed send or edit is repeated.
        concurrent: chats handled side by side (``PerChatUpdateProcessor``); False: PTB's default, one
            update after another (kept for the benchmark's comparison).
        max_running: handlers running at once across chats.  Each holds at most one Bot API call at a
            time (plus a button's answer), so the HTTP connection pool is ``max_running + 8``.  It was 16
            while httpcore's pool, whose CPU grows with connections times waiting requests, carried the
            calls; on the aiohttp transport benchmarks/telegram_bench.py (100 residents, 50 ms per call)
            measured 135-151 updates/s and p99 0.85-0.99 s at 16, 209-222 and 0.60 s at 32, 283-288 and
            0.40-0.42 s at 64.  With Telegram's 30 messages/s limit on, that limit sets the pace anyway.
        flood_limit: messages per second across all chats (Telegram's broadcast limit is about 30);
            None: no limit (a fake server, a benchmark).  Groups are also limited to 20 per minute.
        rate_limit_retries: times a 429 is retried after its ``retry_after``.
        engine_in_thread: run each engine turn in a worker thread (one at a time), so a slow disk write
            of the state never stalls other chats; False: call it on the event loop.
        typing_after: seconds after which a turn still running shows "typing…"; None: never.
        http_client: the Bot API's HTTP client: aiohttp (``bot.channels.telegram_http``: far less CPU per
            call under load) or PTB's default httpx (kept for the benchmark's comparison).
        polling: updates come from getUpdates, which then confirms them only once handled
            (``telegram_polling``); False for a webhook.
        message_objects: build PTB's ``Message`` from every send's answer, as ``bot.send_message`` does
            (kept for the benchmark's comparison); False: read only its id (``telegram_delivery``).
    """
    adapter = TelegramAdapter(
        service,
        clock=clock,
        delivery=Delivery(retry_policy, message_objects=message_objects),
        engine_in_thread=engine_in_thread,
        typing_after=typing_after,
    )
    limiter = FloodLimiter(
        overall_max_rate=flood_limit or 0,
        group_max_rate=20 if flood_limit else 0,
        max_retries=rate_limit_retries,
    )
    builder = (
        ApplicationBuilder().token(token).job_queue(None).rate_limiter(limiter)
        .post_init(adapter.post_init).post_shutdown(adapter.post_shutdown)
    )
    if http_client == "aiohttp":
        from bot.channels.telegram_http import AiohttpRequest

        limits = {"read_timeout": timeouts.read, "write_timeout": timeouts.write,
                  "connect_timeout": timeouts.connect, "pool_timeout": timeouts.pool}
        builder = builder.request(AiohttpRequest(max_running + 8, **limits)).get_updates_request(
            AiohttpRequest(1, **limits)
        )
    else:
        builder = (
            builder.connect_timeout(timeouts.connect)
            .read_timeout(timeouts.read)
            .write_timeout(timeouts.write)
            .pool_timeout(timeouts.pool)
            .connection_pool_size(max_running + 8)  # see the note on max_running
            .get_updates_connect_timeout(timeouts.connect)
            .get_updates_read_timeout(timeouts.read)
            .get_updates_write_timeout(timeouts.write)
            .get_updates_pool_timeout(timeouts.pool)
        )
    if base_url is not None:
        builder = builder.base_url(base_url)
    if concurrent:
        adapter.processor = PerChatUpdateProcessor(max_running=max_running, repeatable=carries_target_state)
        builder = builder.concurrent_updates(adapter.processor)
    application: TelegramApplication = builder.build()

    if admin_ids:
        application.add_handler(
            CommandHandler("stats", adapter.on_stats, filters=filters.User(user_id=list(admin_ids)))
        )
    application.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT, adapter.on_text))
    application.add_handler(CallbackQueryHandler(adapter.on_tap))
    application.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & ~filters.TEXT & ~filters.StatusUpdate.ALL,
            adapter.on_non_text,
        )
    )
    application.add_error_handler(adapter.on_error)
    application.bot_data["adapter"] = adapter
    if polling:
        acknowledge_after_handling(application)
    return application


def adapter_of(application: TelegramApplication) -> TelegramAdapter:
    """The adapter behind an application built by :func:`build_application` (its stats, for tests)."""
    adapter = application.bot_data["adapter"]
    assert isinstance(adapter, TelegramAdapter)
    return adapter


# ------------------------------------------------------------------------------------------------ config

EXIT_CONFIG = 2
EXIT_FAILED = 1

_TOKEN = re.compile(r"\d+:[A-Za-z0-9_-]{8,}")
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_WEBHOOK_PORTS = (443, 80, 88, 8443)
_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class ConfigError(Exception):
    """A missing or invalid setting: the message is the one line printed."""


@dataclass(frozen=True)
class Config:
    token: str = field(repr=False)
    state_path: Path
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    listen: str = "127.0.0.1"
    port: int = 8443
    admin_ids: frozenset[int] = frozenset()
    log_level: str = "INFO"
    base_url: str | None = None

    @property
    def webhook_path(self) -> str:
        return urlsplit(self.webhook_url or "").path.lstrip("/")


def load_config(env: Mapping[str, str]) -> Config:
    """The settings from the environment (``deploy/env.example``); raises :class:`ConfigError`."""
    from bot.dialog.factory import DEFAULT_STATE_PATH

    def get(name: str) -> str:
        return env.get(name, "").strip()

    token = get("BOT_TOKEN")
    if not token:
        raise ConfigError("BOT_TOKEN is not set: put the token from @BotFather in the environment file")
    if not _TOKEN.fullmatch(token):
        raise ConfigError("BOT_TOKEN does not look like a bot token (digits, ':', then letters, digits, _ or -)")

    mode = get("BOT_MODE").lower() or "polling"
    if mode not in ("polling", "webhook"):
        raise ConfigError(f"BOT_MODE must be polling or webhook, not {mode!r}")

    level = get("BOT_LOG_LEVEL").upper() or "INFO"
    if level not in _LEVELS:
        raise ConfigError(f"BOT_LOG_LEVEL must be one of {', '.join(_LEVELS)}, not {level!r}")

    admin_ids: set[int] = set()
    for item in filter(None, (part.strip() for part in get("BOT_ADMIN_IDS").split(","))):
        if not item.isdigit():
            raise ConfigError(f"BOT_ADMIN_IDS must be Telegram user ids (numbers) separated by commas, not {item!r}")
        admin_ids.add(int(item))

    port_text = get("BOT_WEBHOOK_PORT") or "8443"
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise ConfigError(f"BOT_WEBHOOK_PORT must be a port number (1-65535), not {port_text!r}")

    base_url = get("BOT_API_BASE_URL") or None
    if base_url is not None and urlsplit(base_url).scheme not in ("http", "https"):
        raise ConfigError("BOT_API_BASE_URL must be an http(s) URL such as http://127.0.0.1:8081/bot")

    webhook_url = get("BOT_WEBHOOK_URL") or None
    secret = get("BOT_WEBHOOK_SECRET") or None
    if mode == "webhook":
        if webhook_url is None:
            raise ConfigError("BOT_WEBHOOK_URL is required with BOT_MODE=webhook (e.g. https://bot.example.org/tg/3f9c1e7a)")
        parts = urlsplit(webhook_url)
        try:
            url_port = parts.port
        except ValueError:
            url_port = -1
        if parts.scheme != "https" or not parts.hostname:
            raise ConfigError("BOT_WEBHOOK_URL must be an https:// URL with a host name (Telegram only calls https)")
        if url_port not in (None, *_WEBHOOK_PORTS):
            raise ConfigError("BOT_WEBHOOK_URL may only use port 443, 80, 88 or 8443 (Telegram calls no other)")
        if secret is None:
            raise ConfigError(
                "BOT_WEBHOOK_SECRET is required with BOT_MODE=webhook "
                '(generate one: python3 -c "import secrets; print(secrets.token_urlsafe(48))")'
            )
        if not _SECRET.fullmatch(secret):
            raise ConfigError("BOT_WEBHOOK_SECRET must be 1-256 characters of A-Z a-z 0-9 _ -")

    return Config(
        token=token,
        state_path=Path(get("BOT_STATE_PATH") or DEFAULT_STATE_PATH),
        mode="webhook" if mode == "webhook" else "polling",
        webhook_url=webhook_url,
        webhook_secret=secret,
        listen=get("BOT_WEBHOOK_LISTEN") or "127.0.0.1",
        port=int(port_text),
        admin_ids=frozenset(admin_ids),
        log_level=level,
        base_url=base_url,
    )


# ------------------------------------------------------------------------------------------------ logging

_QUIET_LIBRARIES: Final = ("httpx", "httpcore", "telegram", "tornado", "apscheduler", "aiohttp", "uvicorn", "psycopg")


class _NoLibraryTracebacks(logging.Filter):
    """Library records keep their message but lose the traceback (its exception messages are not ours to
    vet), replaced by the exception's type; PTB's record of a refused token is dropped (``run`` reports it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.name.startswith(_QUIET_LIBRARIES):
            error = record.exc_info[1]
            if isinstance(error, InvalidToken):
                return False  # run() says it in one line of its own
            if error is not None:
                record.msg = f"{record.msg} [{describe(error)}]"
            record.exc_info = None
            record.exc_text = None
        return True


def configure_logging(level: str) -> None:
    """The bot's own loggers at ``level``; httpx (URLs carry the token at INFO), telegram (whole updates at
    DEBUG) and the web server (request paths) at WARNING whatever ``level`` says."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_NoLibraryTracebacks())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    logging.getLogger("bot").setLevel(level)
    for name in _QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)


# ------------------------------------------------------------------------------------------------ running

DEFAULT_STOP_SIGNALS: Final = (signal.SIGINT, signal.SIGTERM, signal.SIGABRT)


def serve(
    application: TelegramApplication,
    config: Config,
    *,
    stop_signals: Sequence[int] | None = DEFAULT_STOP_SIGNALS,
    close_loop: bool = True,
) -> None:
    """Runs polling until a stop signal (deleting any webhook).

    Never drops pending updates: what residents wrote while the bot was down is handled on start.

    Webhook mode is not served here: PTB's own webhook server answers Telegram 200 as soon as an update is
    queued, before it is handled, so a crash lost it.  ``bot.channels.webhook`` (the ASGI app of ``python -m
    bot serve``) answers only once the turn is committed and its replies sent; :func:`run` uses it.
    """
    if config.mode == "webhook":
        raise ValueError("webhook mode is served by bot.channels.webhook (python -m bot serve), not by serve()")
    application.run_polling(
        timeout=POLL_TIMEOUT,
        allowed_updates=ALLOWED_UPDATES,
        drop_pending_updates=False,
        bootstrap_retries=BOOTSTRAP_RETRIES,
        stop_signals=stop_signals,
        close_loop=close_loop,
    )


def _fail(message: str, code: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def run(args: argparse.Namespace, env: Mapping[str, str] | None = None) -> int:
    """``python -m bot telegram``: 0 after a stop signal, 2 for a bad setting, 1 if Telegram cannot be used."""
    del args  # configured by the environment only
    try:
        config = load_config(os.environ if env is None else env)
    except ConfigError as error:
        return _fail(str(error), EXIT_CONFIG)
    configure_logging(config.log_level)
    if config.mode == "webhook":
        # The same ASGI app as `python -m bot serve`, one worker: Telegram gets its 200 only after the turn
        # is committed and the replies sent (PTB's own webhook server confirms an update before handling it).
        from bot.channels.webhook import run as serve_webhook

        _LOGGER.info("BOT_MODE=webhook: serving the webhook app of `python -m bot serve` with one worker")
        return serve_webhook(argparse.Namespace(workers=1, port=None, no_set_webhook=False), env)

    from bot.dialog.factory import build_engine, build_store
    from bot.dialog.service import DialogService

    try:
        store = build_store(str(config.state_path))
    except (OSError, sqlite3.Error) as error:
        return _fail(f"cannot open BOT_STATE_PATH {config.state_path}: {error}", EXIT_CONFIG)
    try:
        service = DialogService(build_engine(), store)
        application = build_application(
            config.token, service, base_url=config.base_url, admin_ids=config.admin_ids,
            polling=config.mode == "polling",
        )
        _LOGGER.info("starting (%s)", config.mode)
        serve(application, config)
    except InvalidToken:
        return _fail("Telegram refused BOT_TOKEN (unauthorized): check the token from @BotFather", EXIT_CONFIG)
    except TelegramError as error:
        return _fail(f"could not start: Telegram unreachable after {BOOTSTRAP_RETRIES} retries ({describe(error)})",
                     EXIT_FAILED)
    except OSError as error:
        return _fail(f"could not start: {error.strerror or describe(error)} "
                     f"(BOT_WEBHOOK_LISTEN={config.listen} BOT_WEBHOOK_PORT={config.port})", EXIT_FAILED)
    finally:
        store.close()
    _LOGGER.info("stopped")
    return 0
