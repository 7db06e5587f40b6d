"""Webhook mode as an ASGI app: the secret token, answers only after the turn, several workers on one
PostgreSQL store, and the ``serve`` command's checks."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import aiohttp
import pytest
import uvicorn
from conftest import FAST_RETRIES, TEST_TIMEOUTS
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from webhook_telegram import WebhookTelegram

from bot.channels.telegram import build_application
from bot.channels.webhook import build_app
from bot.cli import main
from bot.dialog.engine import DialogEngine
from bot.dialog.pgstore import PostgresStore, migrate
from bot.dialog.service import DialogService
from bot.dialog.shared_service import SharedDialogService
from bot.dialog.store import SQLiteStore

TODAY = date(2024, 3, 10)
SECRET = "s3cret-token_for-tests"
PATH = "tg/3f9c1e7a"


@contextlib.asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[str]:
    """``app`` under uvicorn on a free loopback port (lifespan included); yields its base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("uvicorn stopped before it started")
            await asyncio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


def webhook_app(api: WebhookTelegram, service: object, **kwargs: object) -> Starlette:
    application = build_application(
        api.token, service, base_url=api.base_url, clock=lambda: TODAY,  # type: ignore[arg-type]
        timeouts=TEST_TIMEOUTS, retry_policy=FAST_RETRIES, flood_limit=None,
    )
    return build_app(application, path=PATH, secret=SECRET, **kwargs)  # type: ignore[arg-type]


async def shuozhou_dialog(api: WebhookTelegram, chat: int) -> None:
    api.send_text(chat, "朔州")
    messages = await api.wait_for_bot_messages(chat, 2)
    button = next(m for m in messages if any(b.text == "今天" for b in m.buttons))
    api.tap_button(chat, button.message_id, text="今天")
    await api.wait_for_bot_messages(chat, 3)
    api.send_text(chat, "2024年2月1日")
    messages = await api.wait_for_bot_messages(chat, 4)
    assert "您需缴纳：0元" in messages[-1].text


async def test_a_dialog_runs_over_the_webhook(engine: DialogEngine, tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "state.sqlite3")
    async with WebhookTelegram() as api:
        async with serving(webhook_app(api, DialogService(engine, store))) as base:
            api.deliver_to(f"{base}/{PATH}", secret=SECRET)
            await asyncio.gather(*(shuozhou_dialog(api, chat) for chat in (11, 12, 13)))
        assert api.failed_attempts == 0 and not api.acknowledged_twice
    store.close()


async def test_the_secret_token_is_checked_and_bad_bodies_refused(engine: DialogEngine, tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "state.sqlite3")
    extra = [Route("/console", lambda request: PlainTextResponse("console"))]
    update = {"update_id": 5, "message": {"message_id": 1, "date": 0, "chat": {"id": 21, "type": "private"},
                                          "from": {"id": 21, "is_bot": False, "first_name": "x"}, "text": "朔州"}}
    async with WebhookTelegram() as api, serving(webhook_app(api, DialogService(engine, store), extra_routes=extra)) as base:
        url = f"{base}/{PATH}"
        async with aiohttp.ClientSession() as http:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                async with http.post(url, json=update, headers=headers) as response:
                    assert response.status == 403
            right = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            async with http.post(url, data=b"{not json", headers=right) as response:
                assert response.status == 400
            async with http.post(url, data=b"[1, 2]", headers=right) as response:
                assert response.status == 400
            async with http.post(url, data=b" " * (1 << 20) + b"{}", headers=right) as response:
                assert response.status == 413
            assert api.calls_to("sendMessage") == []
            async with http.post(url, json=update, headers=right) as response:
                assert response.status == 200
                # answered only once the turn is stored and its replies sent
                assert len(api.calls_to("sendMessage")) == 2
            async with http.get(f"{base}/healthz") as response:
                assert response.status == 200 and await response.text() == "ok"
            async with http.get(f"{base}/console") as response:
                assert await response.text() == "console"
            async with http.get(f"{base}/{PATH}") as response:
                assert response.status == 405 and response.headers["Allow"] == "POST"
    store.close()


async def test_two_workers_share_one_postgresql_store(engine: DialogEngine, postgres_dsn: str) -> None:
    """Each chat's updates alternate between two apps (two workers): every dialog still completes."""
    await migrate(postgres_dsn)
    stores = [PostgresStore(postgres_dsn), PostgresStore(postgres_dsn)]
    async with WebhookTelegram() as api:
        apps = [
            webhook_app(api, SharedDialogService(engine, store), on_startup=[store.open], on_shutdown=[store.close])
            for store in stores
        ]
        async with serving(apps[0]) as first, serving(apps[1]) as second:
            api.deliver_to(f"{first}/{PATH}", f"{second}/{PATH}", secret=SECRET)
            await asyncio.gather(*(shuozhou_dialog(api, chat) for chat in range(31, 39)))
        assert not api.acknowledged_twice


def test_serve_refuses_several_workers_on_sqlite(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123456:abcdefghijkl")
    monkeypatch.setenv("BOT_WEBHOOK_URL", "https://bot.example.org/tg/x")
    monkeypatch.setenv("BOT_WEBHOOK_SECRET", SECRET)
    monkeypatch.delenv("BOT_STORE", raising=False)
    assert main(["serve", "--workers", "2"]) == 2
    assert "BOT_STORE" in capsys.readouterr().err


def test_serve_needs_the_webhook_settings(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123456:abcdefghijkl")
    monkeypatch.delenv("BOT_WEBHOOK_URL", raising=False)
    assert main(["serve"]) == 2
    assert "BOT_WEBHOOK_URL is required" in capsys.readouterr().err


def test_serve_refuses_a_database_without_the_schema(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], postgres_dsn: str
) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123456:abcdefghijkl")
    monkeypatch.setenv("BOT_WEBHOOK_URL", "https://bot.example.org/tg/x")
    monkeypatch.setenv("BOT_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("BOT_STORE", postgres_dsn)
    assert main(["serve", "--workers", "2", "--no-set-webhook"]) == 2
    assert "run `python -m bot migrate`" in capsys.readouterr().err


def test_the_worker_app_serves_the_webhook_and_the_hotline_console(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from bot.channels.webhook import create_app

    monkeypatch.setenv("BOT_TOKEN", "123456:abcdefghijkl")
    monkeypatch.setenv("BOT_WEBHOOK_URL", "https://bot.example.org/tg/3f9c1e7a")
    monkeypatch.setenv("BOT_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("BOT_STATE_PATH", str(tmp_path / "state.sqlite3"))
    monkeypatch.delenv("BOT_STORE", raising=False)
    paths = {getattr(route, "path", "") for route in create_app().routes}
    assert {"/tg/3f9c1e7a", "/healthz", "/", "/api/quote"} <= paths


def test_flood_limit_is_shared_by_the_workers_and_checked() -> None:
    from bot.channels.telegram import ConfigError
    from bot.channels.webhook import WORKERS_ENV, fixed_today, flood_limit

    assert flood_limit({}) == 30.0
    assert flood_limit({"BOT_FLOOD_LIMIT": "30", WORKERS_ENV: "4"}) == 7.5
    assert flood_limit({"BOT_FLOOD_LIMIT": "0"}) is None
    with pytest.raises(ConfigError, match="BOT_FLOOD_LIMIT"):
        flood_limit({"BOT_FLOOD_LIMIT": "fast"})
    assert fixed_today({"BOT_TODAY": "2024-03-10"}) == date(2024, 3, 10)
    with pytest.raises(ConfigError, match="BOT_TODAY"):
        fixed_today({"BOT_TODAY": "yesterday"})
