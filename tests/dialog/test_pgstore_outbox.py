"""The outbox in the shared PostgreSQL store: the same semantics as tests/dialog/test_outbox.py (replies
written in the turn's transaction, resent for a redelivered last update unless marked delivered, wiped by
/forget), and the schema upgrade that adds it.  Skipped where no PostgreSQL is reachable."""

from __future__ import annotations

import asyncio
from datetime import date

import psycopg
import pytest

from bot.dialog.engine import DialogEngine
from bot.dialog.factory import build_engine
from bot.dialog.pgstore import MIGRATIONS, SCHEMA_VERSION, PostgresStore, SchemaError, migrate
from bot.dialog.replies import Incoming, Reply
from bot.dialog.shared_service import SharedDialogService
from bot.dialog.state import DialogState

TODAY = date(2023, 10, 10)
DIALOG = ["朔州", "今天", "1937年4月19日", "没有"]


@pytest.fixture(scope="module")
def engine() -> DialogEngine:
    return build_engine()


def _texts(replies: list[Reply]) -> list[tuple[str, str]]:
    return [(r.template, r.text) for r in replies]


async def _opened(dsn: str) -> PostgresStore:
    store = PostgresStore(dsn)
    await store.open()
    return store


async def test_the_final_answer_lost_with_a_worker_is_sent_by_the_next(postgres_dsn: str, engine: DialogEngine) -> None:
    await migrate(postgres_dsn)
    first, second = await _opened(postgres_dsn), await _opened(postgres_dsn)
    try:
        one, two = SharedDialogService(engine, first), SharedDialogService(engine, second)
        for update_id, text in enumerate(DIALOG[:-1], start=1):
            await one.handle("telegram:1", Incoming(text=text, update_id=update_id), TODAY)
            await one.delivered("telegram:1", update_id)
        answer = await one.handle("telegram:1", Incoming(text=DIALOG[-1], update_id=4), TODAY)
        assert "answer" in [r.template for r in answer]
        # the first worker died before sending: update 4 comes to the second
        again = await two.handle("telegram:1", Incoming(text=DIALOG[-1], update_id=4), TODAY)
        assert _texts(again) == _texts(answer)
        await two.delivered("telegram:1", 4)
        assert await two.handle("telegram:1", Incoming(text=DIALOG[-1], update_id=4), TODAY) == []
        stored = await second.load("telegram:1")
        assert stored is not None and stored.last_update_id == 4 and stored.reasks == 0
    finally:
        await first.close()
        await second.close()


async def test_a_late_mark_does_not_cover_a_later_turn(postgres_dsn: str, engine: DialogEngine) -> None:
    await migrate(postgres_dsn)
    store = await _opened(postgres_dsn)
    try:
        service = SharedDialogService(engine, store)
        await service.handle("telegram:2", Incoming(text="朔州", update_id=1), TODAY)
        asked = await service.handle("telegram:2", Incoming(text="今天", update_id=2), TODAY)
        await service.delivered("telegram:2", 1)
        assert _texts(await service.handle("telegram:2", Incoming(text="今天", update_id=2), TODAY)) == _texts(asked)
    finally:
        await store.close()


async def test_forget_wipes_the_saved_replies(postgres_dsn: str, engine: DialogEngine) -> None:
    await migrate(postgres_dsn)
    store = await _opened(postgres_dsn)
    try:
        service = SharedDialogService(engine, store)
        for update_id, text in enumerate(DIALOG, start=1):
            answer = await service.handle("telegram:3", Incoming(text=text, update_id=update_id), TODAY)
        fee_line = next(line for r in answer for line in r.text.splitlines() if "缴纳" in line)
        async with await psycopg.AsyncConnection.connect(postgres_dsn) as conn:
            cursor = await conn.execute("SELECT outbox FROM conversations WHERE key = 'telegram:3'")
            row = await cursor.fetchone()
            assert row is not None and fee_line in str(row[0]), "the answer is saved until it is sent"
        forgotten = await service.handle("telegram:3", Incoming(text="/forget", update_id=5), TODAY)
        async with await psycopg.AsyncConnection.connect(postgres_dsn) as conn:
            cursor = await conn.execute("SELECT state, outbox FROM conversations WHERE key = 'telegram:3'")
            row = await cursor.fetchone()
            assert row is not None and row[0] is None and fee_line not in str(row[1])
            assert "1937" not in str(row[1])
        again = await service.handle("telegram:3", Incoming(text="/forget", update_id=5), TODAY)
        assert _texts(again) == _texts(forgotten)
        assert await store.load("telegram:3") == DialogState.tombstone(5)
    finally:
        await store.close()


async def test_migrate_upgrades_a_version_2_schema_keeping_its_conversations(
    postgres_dsn: str, engine: DialogEngine
) -> None:
    async with await psycopg.AsyncConnection.connect(postgres_dsn, autocommit=True) as conn:
        for version in (1, 2):
            for statement in MIGRATIONS[version]:
                await conn.execute(statement.encode())
        await conn.execute("INSERT INTO bot_schema (version) VALUES (2)")
        await conn.execute("INSERT INTO conversations (key, state, last_update_id) VALUES ('telegram:9', %s, 7)",
                           (DialogState(step="birth", region="朔州市", payment_date=TODAY, last_update_id=7).to_json(),))
    with pytest.raises(SchemaError, match="version 2, this code needs"):
        await _opened(postgres_dsn)
    assert await migrate(postgres_dsn) == (2, SCHEMA_VERSION)
    store = await _opened(postgres_dsn)
    try:
        service = SharedDialogService(engine, store)
        # no saved replies for update 7 (written by version 2): the current question, as before
        again = await service.handle("telegram:9", Incoming(text="今天", update_id=7), TODAY)
        assert [r.template for r in again][-1] == "ask_birth"
        replies = await service.handle("telegram:9", Incoming(text="1937年4月19日", update_id=8), TODAY)
        assert _texts(await service.handle("telegram:9", Incoming(text="x", update_id=8), TODAY)) == _texts(replies)
    finally:
        await store.close()


async def test_marks_sent_at_once_are_all_written(postgres_dsn: str, engine: DialogEngine) -> None:
    """Marks waiting together go in one statement (bot.dialog.pgmarks): each one still lands on its own row."""
    await migrate(postgres_dsn)
    store = await _opened(postgres_dsn)
    try:
        service = SharedDialogService(engine, store)
        keys = [f"telegram:{100 + n}" for n in range(20)]
        await asyncio.gather(*(service.handle(key, Incoming(text="朔州", update_id=1), TODAY) for key in keys))
        await asyncio.gather(*(service.delivered(key, 1) for key in keys[:15]))
        outboxes = [await store.load_outbox(key) for key in keys]
        assert all(o is not None and o.delivered for o in outboxes[:15])
        assert all(o is not None and not o.delivered and o.replies for o in outboxes[15:])
    finally:
        await store.close()
