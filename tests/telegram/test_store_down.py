"""PostgreSQL down under the webhook: the update is answered 503 (not 200), so Telegram delivers it again;
the resident is told once that the message will be answered (no apology asking to resend at every retry);
once the store is back, the redelivered update is handled as if nothing had happened."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import aiohttp
import psycopg
import pytest
from test_webhook import PATH, SECRET, serving, webhook_app
from webhook_telegram import WebhookTelegram

from bot.channels.telegram import ERROR_REPLY, STORE_UNAVAILABLE_REPLY
from bot.channels.telegram_store_outage import StoreOutages
from bot.dialog.engine import DialogEngine
from bot.dialog.pgstore import PostgresStore, migrate
from bot.dialog.shared_service import SharedDialogService

HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}


class Proxy:
    """A TCP relay in front of PostgreSQL that can be cut (every connection dropped, new ones refused) and
    restored: the database going down and coming back, as the workers see it."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def up(self) -> None:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def down(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        await self._server.wait_closed()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._writers |= {writer, upstream_writer}

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, ConnectionError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.transport.abort()

        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))
        self._writers -= {writer, upstream_writer}


@contextlib.asynccontextmanager
async def proxied(dsn: str) -> AsyncIterator[tuple[Proxy, str]]:
    info = psycopg.conninfo.conninfo_to_dict(dsn)
    proxy = Proxy(str(info.get("host") or "127.0.0.1"), int(str(info.get("port") or 5432)))
    await proxy.up()
    try:
        yield proxy, psycopg.conninfo.make_conninfo(dsn, host="127.0.0.1", port=str(proxy.port))
    finally:
        with contextlib.suppress(AssertionError):
            await proxy.down()


def _update(update_id: int, text: str) -> dict[str, object]:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": 0, "chat": {"id": 41, "type": "private"},
        "from": {"id": 41, "is_bot": False, "first_name": "x"}, "text": text}}


async def _stored_update_id(dsn: str) -> object:
    async with await psycopg.AsyncConnection.connect(dsn) as conn:
        cursor = await conn.execute("SELECT last_update_id FROM conversations WHERE key = 'telegram:41'")
        row = await cursor.fetchone()
        return row[0] if row else None


async def test_postgresql_down_gets_a_503_and_the_update_is_handled_once_it_is_back(
    engine: DialogEngine, postgres_dsn: str
) -> None:
    await migrate(postgres_dsn)
    async with proxied(postgres_dsn) as (proxy, dsn):
        store = PostgresStore(dsn, timeout=1.0)
        async with WebhookTelegram() as api, serving(webhook_app(
            api, SharedDialogService(engine, store), on_startup=[store.open], on_shutdown=[store.close]
        )) as base, aiohttp.ClientSession() as http:
            url = f"{base}/{PATH}"

            async def post(update_id: int, text: str) -> int:
                async with http.post(url, json=_update(update_id, text), headers=HEADERS) as response:
                    if response.status == 503:
                        assert response.headers["Retry-After"] == "5"
                    return response.status

            def sent() -> list[str]:
                return [str(call.params["text"]) for call in api.calls_to("sendMessage")]

            assert await post(1, "朔州") == 200
            assert len(sent()) == 2

            await proxy.down()
            assert await post(2, "今天") == 503, "not 200: Telegram must deliver it again"
            assert sent()[2:] == [STORE_UNAVAILABLE_REPLY], "told once that it will be answered"
            assert await post(2, "今天") == 503
            assert sent()[2:] == [STORE_UNAVAILABLE_REPLY], "not at every retry"
            assert ERROR_REPLY not in sent()
            assert await _stored_update_id(postgres_dsn) == 1, "nothing stored while it was down"

            await proxy.up()
            for _ in range(40):  # the pool reconnects with a back-off
                status = await post(2, "今天")
                if status == 200:
                    break
                await asyncio.sleep(0.25)
            assert status == 200
            assert len(sent()) == 4 and "出生日期" in sent()[-1], "the turn's own reply: the birth question"
            assert await _stored_update_id(postgres_dsn) == 2
            assert await post(2, "今天") == 200 and len(sent()) == 4, "and only once"


def test_outages_are_told_once_per_update_and_answered_503_once_per_failure() -> None:
    outages = StoreOutages(limit=2)
    assert outages.failed(1) and not outages.failed(1)
    assert outages.take(1) and not outages.take(1)
    assert not outages.take(2)
    outages.failed(2)
    outages.failed(3)
    assert outages.failed(1), "bounded: the oldest is forgotten"
    with pytest.raises(AssertionError):
        assert outages.take(4)
