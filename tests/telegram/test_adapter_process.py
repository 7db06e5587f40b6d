"""``python -m bot telegram`` as a real process against the fake Bot API: killed with SIGKILL mid-turn (after
the engine wrote the state, before the reply reached the resident), then restarted on the same SQLite file.

The update is not confirmed to Telegram before it is handled, so it comes again after the restart: it is not
handled twice, and the resident gets the reply that was lost (saved with the state: bot.dialog.outbox).  The
process's log (at DEBUG) holds no message text, date, status, chat id or token; a wrong token exits with one
line.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from conftest import Harness
from fake_bot_api import FakeBotApi

pytestmark = [
    pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"),
    pytest.mark.slow,
]

ROOT = Path(__file__).resolve().parents[2]
CHAT = 5550123


class BotProcess:
    def __init__(self, api: FakeBotApi, state: Path, log: Path, token: str | None = None) -> None:
        self.env = {
            **os.environ,
            "BOT_TOKEN": token or api.token,
            "BOT_STATE_PATH": str(state),
            "BOT_API_BASE_URL": api.base_url,
            "BOT_LOG_LEVEL": "DEBUG",
            "BOT_MODE": "polling",
        }
        self.log = log
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "telegram", cwd=ROOT, env=self.env, stdout=log, stderr=log
            )

    async def wait(self, timeout: float = 15) -> int:
        assert self.process is not None
        return await asyncio.wait_for(self.process.wait(), timeout)

    async def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
            await self.wait()


@pytest.fixture
async def bot(api: FakeBotApi, tmp_path: Path) -> AsyncIterator[BotProcess]:
    process = BotProcess(api, tmp_path / "state.sqlite3", tmp_path / "bot.log")
    try:
        yield process
    finally:
        await process.kill()


async def test_a_process_killed_after_the_state_write_resumes_the_resident_at_the_next_step(
    api: FakeBotApi, bot: BotProcess, harness: Harness, tmp_path: Path
) -> None:
    await bot.start()
    await api.wait_for_calls("getUpdates", timeout=20)
    assert [c["command"] for c in api.commands] == ["start", "help", "back", "restart", "forget", "faq"]

    api.send_text(CHAT, "朔州")
    await api.wait_for_bot_messages(CHAT, 2, timeout=10)
    api.send_text(CHAT, "2023年10月8日")
    [*_, ask_birth] = await api.wait_for_bot_messages(CHAT, 3, timeout=10)
    assert ask_birth.text.startswith("请告诉我参保人的出生日期")

    # The reply to the birth date hangs: the state (now at the status question) is already written.
    api.hang("sendMessage", seconds=60)
    api.send_text(CHAT, "1980-05-01")
    await api.wait_for_calls("sendMessage", 4, timeout=10)
    await asyncio.sleep(0.5)
    assert api.pending_updates == 1, "an update being handled is not confirmed to Telegram yet"
    await bot.kill()
    assert len(api.bot_messages(CHAT)) == 3, "the reply was lost with the process"

    # A new process on the same file gets the update again: not handled twice, and the reply that was lost
    # (saved with the state: bot.dialog.outbox) is sent, not "where we were" and the question again.
    harness.state_path = tmp_path / "state.sqlite3"
    await harness.start()
    await harness.settle(1, timeout=10)
    *_, ask_categories = api.bot_messages(CHAT)
    assert len(api.bot_messages(CHAT)) == 4
    assert "参保人属于以下哪些身份" in ask_categories.text
    assert not any(m.text.startswith("我们继续刚才的问题") for m in api.bot_messages(CHAT))
    turn = await harness.say(CHAT, "低保")
    assert len(turn.sent) == 1 and "您需缴纳：76元" in turn.texts[0], "continued at the status question"

    log = bot.log.read_text(encoding="utf-8")
    assert "update 1002: replies ask_categories" in log or "replies ask_categories" in log
    for secret in ("朔州", "2023年10月8日", "1980", "低保", str(CHAT), api.token, "fake-token"):
        assert secret not in log, f"{secret!r} in the log"
    assert "Traceback" not in log


async def test_a_token_telegram_refuses_exits_with_one_line(api: FakeBotApi, tmp_path: Path) -> None:
    process = BotProcess(api, tmp_path / "state.sqlite3", tmp_path / "bot.log", token="123456:wrong-token-here")
    await process.start()
    code = await process.wait()

    log = process.log.read_text(encoding="utf-8")
    assert code == 2
    [*_, before, last] = log.strip().splitlines()
    assert last == "error: Telegram refused BOT_TOKEN (unauthorized): check the token from @BotFather"
    assert before.endswith("starting (polling)"), "nothing else about it"
    assert "Traceback" not in log and "wrong-token" not in log


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


async def test_webhook_mode_answers_telegram_only_after_the_turn_and_checks_the_secret(
    api: FakeBotApi, tmp_path: Path
) -> None:
    """``python -m bot telegram`` with BOT_MODE=webhook is served by the ASGI app of ``serve`` (one worker):
    the secret token is checked, setWebhook registers it, and the 200 comes once the replies are sent (PTB's
    own webhook server answered before handling, so a crash lost the update)."""
    port = _free_port()
    process = BotProcess(api, tmp_path / "state.sqlite3", tmp_path / "bot.log")
    process.env.update({
        "BOT_MODE": "webhook", "BOT_WEBHOOK_URL": "https://bot.example.org/tg/3f9c1e7a",
        "BOT_WEBHOOK_SECRET": "s3cret_Token-1", "BOT_WEBHOOK_LISTEN": "127.0.0.1", "BOT_WEBHOOK_PORT": str(port),
        "BOT_LOG_LEVEL": "INFO",
    })
    update = {"update_id": 5, "message": {
        "message_id": 1, "date": 0, "chat": {"id": CHAT, "type": "private", "first_name": "测试居民"},
        "from": {"id": CHAT, "is_bot": False, "first_name": "测试居民"}, "text": "朔州"}}
    url = f"http://127.0.0.1:{port}/tg/3f9c1e7a"
    await process.start()
    try:
        await api.wait_until(lambda: _listening(port), timeout=30, what="the webhook server", poll=0.1)
        async with aiohttp.ClientSession() as http:
            statuses = []
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                async with http.post(url, json=update, headers=headers) as response:
                    statuses.append(response.status)
            async with http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret_Token-1"}) as response:
                statuses.append(response.status)
                sent_when_answered = len(api.calls_to("sendMessage"))
        assert statuses == [403, 403, 200]
        assert sent_when_answered == 2, "answered once the turn's two replies were sent"
        assert process.process is not None
        process.process.send_signal(signal.SIGTERM)
        # uvicorn shuts down gracefully, then re-raises the signal it caught: systemd counts that as clean
        assert await process.wait(30) in (0, -signal.SIGTERM)
    finally:
        await process.kill()
    [registered] = api.calls_to("setWebhook")
    assert registered.params["url"] == "https://bot.example.org/tg/3f9c1e7a"
    assert registered.params["secret_token"] == "s3cret_Token-1"
    assert registered.params.get("allowed_updates") == ["message", "callback_query"]
    assert api.calls_to("getUpdates") == []
    log = process.log.read_text(encoding="utf-8")
    assert "python -m bot serve" in log and "Traceback" not in log
