"""The Telegram adapter's own behaviour: residents side by side, old buttons, non-text messages, long replies,
HTML escaping, the typing action, errors and their logs, the admin command, start-up (command menu,
bootstrap retries, webhook with its secret) and the configuration."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import Harness, Turn, assert_shown
from fake_bot_api import FakeBotApi

from bot.channels.telegram import (
    COMMANDS,
    ERROR_REPLY,
    NON_TEXT_REPLY,
    Config,
    TelegramApplication,
    adapter_of,
    build_application,
    configure_logging,
    load_config,
    run,
    serve,
)
from bot.dialog.replies import Button, Incoming, Reply
from bot.dialog.service import DialogService
from bot.dialog.store import MemoryStore, SQLiteStore
from bot.render import Format

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")

CHAT = 731_054_926  # a realistic private chat id: long enough that finding it in a log is never a coincidence


# --------------------------------------------------------------------------------------------- residents


async def test_two_residents_writing_at_once_each_get_only_their_own_dialog(harness: Harness) -> None:
    """Both residents' whole dialogs are queued interleaved before the bot runs a single turn."""
    dialogs = {
        101: ["朔州", "今天", "1980-05-01", "低保"],  # 76
        202: ["乌拉特前旗", "今天", "1980年1月1日", "没有"],  # 400
    }
    await harness.start()
    for a, b in zip(dialogs[101], dialogs[202], strict=True):
        harness.api.send_text(101, a)
        harness.api.send_text(202, b)
    await harness.settle(8)

    for chat_id, texts in dialogs.items():
        reference = DialogService(harness.engine, MemoryStore())
        expected = [r for text in texts for r in reference.handle("ref", Incoming(text=text), harness.today, "html")]
        assert_shown(Turn(harness.api.bot_messages(chat_id), []), expected, tapped=False)
    answer_101 = harness.api.bot_messages(101)[-1].text
    answer_202 = harness.api.bot_messages(202)[-1].text
    assert "您需缴纳：76元" in answer_101 and "乌拉特前旗" not in answer_101
    assert "您需缴纳：400元" in answer_202 and "朔州" not in answer_202


async def test_every_menu_command_reaches_the_engine_as_text(harness: Harness) -> None:
    await harness.start()
    reference = DialogService(harness.engine, MemoryStore())
    for text in ["朔州", *(f"/{name}" for name, _ in COMMANDS), "朔州"]:
        replies = reference.handle("ref", Incoming(text=text), harness.today, "html")
        assert_shown(await harness.say(CHAT, text), replies, tapped=False)
    assert [r.template for r in replies] == ["welcome", "ask_date"], "after /forget the dialog starts afresh"


async def test_an_old_button_is_answered_and_the_current_question_asked_again(harness: Harness) -> None:
    await harness.start()
    await harness.say(CHAT, "/start")
    await harness.tap(CHAT, "朔州市")  # now at the date question

    turn = await harness.tap(CHAT, "沁源县")  # the region keyboard is still on the first message

    assert turn.texts[0] == "这个按钮已过期，我们继续当前的问题。"
    assert turn.texts[1].startswith("您打算哪天缴费")
    assert harness.adapter.stats.errors == 0


async def test_a_tap_on_a_deleted_message_still_gets_its_reply(harness: Harness) -> None:
    await harness.start()
    await harness.say(CHAT, "朔州")
    await harness.tap(CHAT, "今天")
    await harness.say(CHAT, "1980-05-01")
    message_id, data = harness.find_button(CHAT, "低保对象")
    harness.api.message(CHAT, message_id).deleted = True  # e.g. the resident deleted it

    turn = await harness.act(CHAT, lambda: harness.api.tap_button(CHAT, message_id, data=data), 5)

    assert len(turn.sent) == 1 and "已选：低保对象" in turn.texts[0], "a new message replaces the failed edit"


async def test_a_sticker_or_photo_gets_a_request_for_text_and_the_dialog_is_unchanged(harness: Harness) -> None:
    await harness.start()
    await harness.say(CHAT, "朔州")
    user = {"id": CHAT, "is_bot": False, "first_name": "测试居民"}
    base = {"date": int(time.time()), "chat": {"id": CHAT, "type": "private", "first_name": "测试居民"}, "from": user}
    sticker = {"file_id": "s1", "file_unique_id": "u1", "type": "regular", "width": 512, "height": 512,
               "is_animated": False, "is_video": False}
    photo = [{"file_id": "p1", "file_unique_id": "u2", "width": 90, "height": 90}]
    voice = {"file_id": "v1", "file_unique_id": "u3", "duration": 2}

    for attachment in ({"sticker": sticker}, {"photo": photo}, {"voice": voice}):
        before = len(harness.api.bot_messages(CHAT))
        target = harness.adapter.stats.completed + 1
        harness.api.push_update({"message": {**base, "message_id": 900 + before, **attachment}})
        await harness.settle(target)
        assert [m.text for m in harness.api.bot_messages(CHAT)[before:]] == [NON_TEXT_REPLY]

    turn = await harness.tap(CHAT, "今天")
    assert turn.texts[0].startswith("请告诉我参保人的出生日期"), "still at the date question"
    assert harness.adapter.stats.non_text == 3


async def test_the_html_a_resident_types_is_shown_escaped(harness: Harness) -> None:
    await harness.start()
    await harness.say(CHAT, "/start")

    turn = await harness.say(CHAT, "<b>x</b>")

    assert "「&lt;b&gt;x&lt;/b&gt;」" in turn.texts[0]
    assert "<b>x</b>" not in turn.texts[0]
    assert turn.sent[0].parse_mode == "HTML"


class _LongReplies:
    """A stand-in engine whose replies are over Telegram's limit."""

    def __init__(self) -> None:
        lines = [f"<b>第{n}条</b> 依据文件第{n}段：“缴费标准为每人每年380元” &amp; 说明" for n in range(1, 301)]
        self.multiline = "\n".join(lines)
        self.one_line = "很长" * 2600  # 5200 characters, no line break at all

    def handle(self, key: str, incoming: Incoming, today: date, output: Format) -> list[Reply]:
        keyboard = ((Button("知道了", "b:done:ok"),),)
        return [Reply("answer", self.multiline, buttons=keyboard), Reply("answer", self.one_line)]


async def test_a_reply_over_4096_characters_is_split_on_line_boundaries(harness: Harness) -> None:
    service = _LongReplies()
    harness.service_factory = lambda store: service
    await harness.start()

    turn = await harness.say(CHAT, "你好")

    texts = turn.texts
    assert len(service.multiline) > 2 * 4096
    assert all(len(text) <= 4096 for text in texts)
    multiline_parts = texts[:-2]
    assert len(multiline_parts) == 4  # 300 lines of about 45 characters: 13,500 characters
    for part, following in itertools.pairwise(multiline_parts):
        assert len(part) + 1 + len(following.split("\n")[0]) > 4096, "each part filled before cutting"
    assert "\n".join(multiline_parts).split("\n") == service.multiline.split("\n"), "cut between lines only"
    assert all(part.count("<b>") == part.count("</b>") for part in multiline_parts)
    assert [bool(m.buttons) for m in turn.sent[:4]] == [False, False, False, True], "keyboard under the last part"
    assert "".join(texts[-2:]) == service.one_line


class _SlowTurns:
    def __init__(self, inner: DialogService, seconds: float) -> None:
        self.inner = inner
        self.seconds = seconds

    def handle(self, key: str, incoming: Incoming, today: date, output: Format) -> list[Reply]:
        time.sleep(self.seconds)
        return self.inner.handle(key, incoming, today, output)


async def test_a_slow_turn_shows_typing_before_the_reply_and_a_fast_one_does_not(harness: Harness) -> None:
    harness.service_factory = lambda store: _SlowTurns(DialogService(harness.engine, store), 0.0)
    await harness.start()  # typing_after: 0.5 s by default
    await harness.say(CHAT, "朔州")
    assert harness.api.calls_to("sendChatAction") == []

    service = harness.adapter.service
    assert isinstance(service, _SlowTurns)
    service.seconds = 0.4
    harness.adapter.typing_after = 0.05
    await harness.tap(CHAT, "今天")

    [action] = harness.api.calls_to("sendChatAction")
    assert action.params["action"] == "typing" and action.params["chat_id"] == CHAT
    reply = harness.api.calls_to("sendMessage")[-1]
    assert action.at < reply.at


class _SlowAsyncTurns:
    """An asynchronous service (as the shared PostgreSQL store's), waiting ``seconds`` on the loop per turn."""

    def __init__(self, inner: DialogService, seconds: float) -> None:
        self.inner = inner
        self.seconds = seconds

    async def handle(self, key: str, incoming: Incoming, today: date, output: Format) -> list[Reply]:
        await asyncio.sleep(self.seconds)
        return self.inner.handle(key, incoming, today, output)


async def test_a_slow_turn_of_the_asynchronous_store_shows_typing_before_the_reply_too(harness: Harness) -> None:
    harness.service_factory = lambda store: _SlowAsyncTurns(DialogService(harness.engine, store), 0.0)  # type: ignore[return-value]
    harness.options["typing_after"] = 0.05
    await harness.start()
    await harness.say(CHAT, "朔州")
    assert harness.api.calls_to("sendChatAction") == [], "a fast turn: no typing"

    service = harness.adapter.service
    assert isinstance(service, _SlowAsyncTurns)
    service.seconds = 0.4
    await harness.tap(CHAT, "今天")
    [action] = harness.api.calls_to("sendChatAction")
    assert action.params["action"] == "typing" and action.params["chat_id"] == CHAT
    reply = harness.api.calls_to("sendMessage")[-1]
    assert action.at < reply.at
    await asyncio.sleep(0.1)
    assert len(harness.api.calls_to("sendChatAction")) == 1, "once per turn"


# --------------------------------------------------------------------------------------------- errors and logs


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in ("bot", "httpx", "httpcore", "telegram", "tornado")}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, value in levels.items():
        logging.getLogger(name).setLevel(value)


class _Failing:
    def handle(self, key: str, incoming: Incoming, today: date, output: Format) -> list[Reply]:
        raise ValueError(f"cannot parse {incoming.text!r} born 1980-05-01")


async def test_an_engine_failure_is_logged_without_personal_data_and_the_resident_told(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    harness.service_factory = lambda store: _Failing()
    await harness.start()
    caplog.set_level(logging.DEBUG, logger="bot")

    turn = await harness.say(CHAT, "我叫张三，低保户")

    assert turn.texts == [ERROR_REPLY]
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    message = record.getMessage()
    assert "ValueError" in message and "update 1" in message
    assert record.exc_info is None
    for secret in ("张三", "低保", "1980", str(CHAT), harness.api.token):
        assert secret not in caplog.text


@pytest.mark.usefixtures("restore_logging")
async def test_a_whole_dialog_logs_no_personal_data_even_at_debug(harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "telegram", "aiohttp"):
        logging.getLogger(name).setLevel(logging.WARNING)  # as configure_logging does in production
    await harness.start()
    for text in ("朔州", "今天", "1980-05-01", "低保"):
        await harness.say(CHAT, text)

    assert "update" in caplog.text and "answer" in caplog.text, "update ids and template ids are logged"
    for secret in ("朔州", "1980", "低保", f"{CHAT}", harness.api.token):
        assert secret not in caplog.text, secret


# --------------------------------------------------------------------------------------------- admin


async def test_stats_answers_admins_only(harness: Harness) -> None:
    harness.options["admin_ids"] = {CHAT}
    await harness.start()
    await harness.say(CHAT, "朔州")

    admin = await harness.say(CHAT, "/stats")
    other = await harness.say(CHAT + 1, "/stats")

    assert admin.texts[0].startswith("运行时间") and "文字 1" in admin.texts[0]
    assert other.texts[0].startswith("您好") or other.texts[0].startswith("可用命令"), "others reach the engine"


# --------------------------------------------------------------------------------------------- start-up


class ServeThread:
    """``serve`` (the production entry point, run_polling / run_webhook) in its own thread and loop."""

    def __init__(self, app: TelegramApplication, config: Config) -> None:
        self.app = app
        self.config = config
        self.loop: asyncio.AbstractEventLoop | None = None
        self.started = threading.Event()
        self.future: asyncio.Future[None] | None = None

    def _target(self) -> None:
        async def remember_loop(_: TelegramApplication) -> None:
            self.loop = asyncio.get_running_loop()
            self.started.set()

        original = self.app.post_init

        async def post_init(app: TelegramApplication) -> None:
            await remember_loop(app)
            if original is not None:
                await original(app)

        self.app.post_init = post_init
        try:
            serve(self.app, self.config, stop_signals=None, close_loop=False)
        finally:
            loop = asyncio.get_event_loop_policy().get_event_loop()
            loop.run_until_complete(self.app.bot.request.shutdown())
            loop.close()

    async def __aenter__(self) -> ServeThread:
        self.future = asyncio.ensure_future(asyncio.to_thread(self._target))
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self.future is not None
        if not self.future.done() and self.loop is not None:
            self.loop.call_soon_threadsafe(self.app.stop_running)
        await asyncio.wait_for(asyncio.shield(self.future), timeout=10)


def _app(api: FakeBotApi, tmp_path: Path, engine: Any) -> tuple[TelegramApplication, SQLiteStore]:
    store = SQLiteStore(tmp_path / "state.sqlite3")
    app = build_application(api.token, DialogService(engine, store), base_url=api.base_url, flood_limit=None)
    return app, store


async def test_polling_survives_a_502_at_start_and_sets_the_chinese_command_menu(
    api: FakeBotApi, tmp_path: Path, engine: Any
) -> None:
    api.bad_gateway("getMe")
    app, store = _app(api, tmp_path, engine)
    config = Config(token=api.token, state_path=tmp_path / "state.sqlite3")
    async with ServeThread(app, config):
        await api.wait_for_calls("getUpdates", timeout=10)
        api.send_text(CHAT, "朔州")
        await api.wait_for_bot_messages(CHAT, 2)
    store.close()

    assert [c.status for c in api.calls_to("getMe")] == [502, 200]
    assert [(c["command"], c["description"]) for c in api.commands] == list(COMMANDS)
    [poll, *_] = api.calls_to("getUpdates")
    assert poll.params.get("allowed_updates") == ["message", "callback_query"]
    assert api.calls_to("deleteWebhook")[0].params.get("drop_pending_updates") in (None, False)


def test_serve_leaves_webhook_mode_to_the_asgi_app(tmp_path: Path, engine: Any, api: FakeBotApi) -> None:
    """PTB's own webhook server confirms an update before handling it: ``serve`` refuses webhook mode, and
    ``python -m bot telegram`` serves it through ``bot.channels.webhook`` (tests/telegram/test_adapter_process.py)."""
    app, store = _app(api, tmp_path, engine)
    config = Config(token=api.token, state_path=tmp_path / "state.sqlite3", mode="webhook",
                    webhook_url="https://bot.example.org/tg/3f9c1e7a", webhook_secret="s3cret_Token-1")
    with pytest.raises(ValueError, match="python -m bot serve"):
        serve(app, config, stop_signals=None, close_loop=False)
    store.close()


# --------------------------------------------------------------------------------------------- configuration

GOOD = {"BOT_TOKEN": "123456:ABCdef_ghi-jkl", "BOT_STATE_PATH": "/tmp/x.sqlite3"}


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({}, "BOT_TOKEN is not set"),
        ({**GOOD, "BOT_TOKEN": "not a token"}, "BOT_TOKEN does not look like a bot token"),
        ({**GOOD, "BOT_MODE": "push"}, "BOT_MODE must be polling or webhook"),
        ({**GOOD, "BOT_MODE": "webhook"}, "BOT_WEBHOOK_URL is required"),
        ({**GOOD, "BOT_MODE": "webhook", "BOT_WEBHOOK_URL": "http://x.org/tg"}, "must be an https:// URL"),
        ({**GOOD, "BOT_MODE": "webhook", "BOT_WEBHOOK_URL": "https://x.org:8080/tg"}, "port 443, 80, 88 or 8443"),
        ({**GOOD, "BOT_MODE": "webhook", "BOT_WEBHOOK_URL": "https://x.org/tg"}, "BOT_WEBHOOK_SECRET is required"),
        (
            {**GOOD, "BOT_MODE": "webhook", "BOT_WEBHOOK_URL": "https://x.org/tg", "BOT_WEBHOOK_SECRET": "a b!"},
            "BOT_WEBHOOK_SECRET must be 1-256 characters",
        ),
        ({**GOOD, "BOT_WEBHOOK_PORT": "http"}, "BOT_WEBHOOK_PORT must be a port number"),
        ({**GOOD, "BOT_WEBHOOK_PORT": "70000"}, "BOT_WEBHOOK_PORT must be a port number"),
        ({**GOOD, "BOT_ADMIN_IDS": "12, bob"}, "BOT_ADMIN_IDS must be Telegram user ids"),
        ({**GOOD, "BOT_LOG_LEVEL": "LOUD"}, "BOT_LOG_LEVEL must be one of"),
        ({**GOOD, "BOT_API_BASE_URL": "ftp://x"}, "BOT_API_BASE_URL must be an http(s) URL"),
    ],
)
def test_a_missing_or_invalid_setting_exits_with_one_clear_line(
    env: dict[str, str], complaint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(argparse.Namespace(), env) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and complaint in lines[0], captured.err
    assert "Traceback" not in captured.err and captured.out == ""
    assert "ABCdef" not in captured.err, "the token is never printed"


def test_a_state_path_that_cannot_be_created_exits_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(argparse.Namespace(), {**GOOD, "BOT_STATE_PATH": "/proc/no/such/dir/state.sqlite3"}) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("error: cannot open BOT_STATE_PATH")


def test_a_complete_configuration_is_read() -> None:
    config = load_config(
        {
            **GOOD,
            "BOT_MODE": "Webhook",
            "BOT_WEBHOOK_URL": "https://bot.example.org/tg/3f9c1e7a",
            "BOT_WEBHOOK_SECRET": "abc_DEF-123",
            "BOT_WEBHOOK_LISTEN": "0.0.0.0",
            "BOT_WEBHOOK_PORT": "8444",
            "BOT_ADMIN_IDS": "11, 22",
            "BOT_LOG_LEVEL": "debug",
        }
    )
    assert (config.mode, config.webhook_path, config.listen, config.port) == ("webhook", "tg/3f9c1e7a", "0.0.0.0", 8444)
    assert config.admin_ids == {11, 22} and config.log_level == "DEBUG"
    assert "ABCdef" not in repr(config) and "abc_DEF" not in repr(config)
    assert load_config(GOOD).mode == "polling"


@pytest.mark.usefixtures("restore_logging")
def test_library_loggers_stay_at_warning_whatever_bot_log_level_says() -> None:
    configure_logging("DEBUG")
    assert logging.getLogger("bot.channels.telegram").getEffectiveLevel() == logging.DEBUG
    for name in ("httpx", "httpcore", "telegram", "telegram.ext.Application", "tornado.access"):
        assert logging.getLogger(name).getEffectiveLevel() == logging.WARNING, name


def test_adapter_of_gives_the_adapter_behind_an_application() -> None:
    app = build_application("123:abcdefghij", DialogService(object(), MemoryStore()))  # type: ignore[arg-type]
    assert adapter_of(app).stats.completed == 0
