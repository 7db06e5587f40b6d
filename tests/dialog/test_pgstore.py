"""The shared PostgreSQL store: explicit schema, state round trip, /forget, and one chat's turns serialised
across several stores (as across worker processes). Skipped where no PostgreSQL is reachable."""

from __future__ import annotations

import asyncio
from datetime import date

import psycopg
import pytest

from bot.cli import main
from bot.dialog.engine import DialogEngine
from bot.dialog.factory import build_engine, store_url
from bot.dialog.outbox import Outbox
from bot.dialog.pgstore import MIGRATIONS, SCHEMA_VERSION, PostgresStore, SchemaError, lock_id, migrate
from bot.dialog.replies import Incoming, Reply
from bot.dialog.shared_service import SharedDialogService
from bot.dialog.state import DialogState

TODAY = date(2023, 10, 10)


@pytest.fixture(scope="module")
def engine() -> DialogEngine:
    return build_engine()


async def opened(dsn: str, **options: int) -> PostgresStore:
    store = PostgresStore(dsn, **options)
    await store.open()
    return store


async def test_a_store_without_a_schema_refuses_to_start_and_names_the_command(postgres_dsn: str) -> None:
    with pytest.raises(SchemaError, match="python -m bot migrate"):
        await opened(postgres_dsn)


async def test_migrate_creates_the_schema_once_and_is_idempotent(postgres_dsn: str) -> None:
    assert await migrate(postgres_dsn) == (0, SCHEMA_VERSION)
    assert await migrate(postgres_dsn) == (SCHEMA_VERSION, SCHEMA_VERSION)
    store = await opened(postgres_dsn)
    await store.close()


async def test_concurrent_migrations_wait_for_each_other(postgres_dsn: str) -> None:
    results = await asyncio.gather(*(migrate(postgres_dsn) for _ in range(4)))
    assert sorted(results) == [(0, SCHEMA_VERSION)] + [(SCHEMA_VERSION, SCHEMA_VERSION)] * 3


async def test_a_schema_newer_than_the_code_is_refused(postgres_dsn: str) -> None:
    await migrate(postgres_dsn)
    async with await psycopg.AsyncConnection.connect(postgres_dsn, autocommit=True) as conn:
        await conn.execute("UPDATE bot_schema SET version = %s", (SCHEMA_VERSION + 1,))
    with pytest.raises(SchemaError, match="newer than this code"):
        await opened(postgres_dsn)
    with pytest.raises(SchemaError, match="never migrate down"):
        await migrate(postgres_dsn)


def test_the_migrate_command_reports_what_it_did(postgres_dsn: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate", "--store", postgres_dsn]) == 0
    assert f"from version 0 to {SCHEMA_VERSION}" in capsys.readouterr().out
    assert main(["migrate", "--store", postgres_dsn]) == 0
    assert "nothing to do" in capsys.readouterr().out


def test_the_migrate_command_refuses_a_store_that_is_not_postgresql(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate", "--store", "mysql://x"]) == 2
    assert "BOT_STORE must be a postgresql:// URL" in capsys.readouterr().err


def test_bot_store_selects_postgresql_and_defaults_to_sqlite() -> None:
    assert store_url({}) is None
    assert store_url({"BOT_STORE": " postgresql://bot@db/bot "}) == "postgresql://bot@db/bot"
    with pytest.raises(ValueError, match="BOT_STORE"):
        store_url({"BOT_STORE": "state.sqlite3"})


async def test_a_dialog_continues_from_another_worker_with_the_same_database(
    postgres_dsn: str, engine: DialogEngine
) -> None:
    await migrate(postgres_dsn)
    first, second = await opened(postgres_dsn), await opened(postgres_dsn)
    try:
        one, two = SharedDialogService(engine, first), SharedDialogService(engine, second)
        await one.handle("telegram:1", Incoming(text="朔州"), TODAY)
        await two.handle("telegram:1", Incoming(text="今天"), TODAY)
        replies = await one.handle("telegram:1", Incoming(text="1980-05-01"), TODAY)
        assert [r.template for r in replies] == ["ask_categories"]
        stored = await second.load("telegram:1")
        assert stored is not None and stored.step == "categories" and stored.birth == date(1980, 5, 1)
        assert await second.load("telegram:2") is None
    finally:
        await first.close()
        await second.close()


async def test_forget_leaves_no_answers_behind(postgres_dsn: str, engine: DialogEngine) -> None:
    await migrate(postgres_dsn)
    store = await opened(postgres_dsn)
    try:
        service = SharedDialogService(engine, store)
        await service.handle("telegram:5", Incoming(text="朔州", update_id=10), TODAY)
        await service.handle("telegram:5", Incoming(text="/forget", update_id=11), TODAY)
        stored = await store.load("telegram:5")
        assert stored == DialogState.tombstone(11)
        async with await psycopg.AsyncConnection.connect(postgres_dsn) as conn:
            cursor = await conn.execute("SELECT state, last_update_id FROM conversations WHERE key = 'telegram:5'")
            assert await cursor.fetchall() == [(None, 11)]  # a tombstone: nothing the resident said
        # the redelivered older update cannot bring the deleted answer back
        assert await service.handle("telegram:5", Incoming(text="朔州", update_id=10), TODAY) == []
        assert await store.load("telegram:5") == DialogState.tombstone(11)
        replies = await service.handle("telegram:5", Incoming(text="朔州", update_id=12), TODAY)
        assert replies and (await store.load("telegram:5")) is not None
    finally:
        await store.close()


async def test_an_update_is_handled_once_whichever_worker_gets_it_again(postgres_dsn: str, engine: DialogEngine) -> None:
    await migrate(postgres_dsn)
    first, second = await opened(postgres_dsn), await opened(postgres_dsn)
    try:
        one, two = SharedDialogService(engine, first), SharedDialogService(engine, second)
        await one.handle("telegram:6", Incoming(text="朔州", update_id=20), TODAY)
        asked = await one.handle("telegram:6", Incoming(text="今天", update_id=21), TODAY)
        before = await first.load("telegram:6")
        assert before is not None and before.last_update_id == 21
        # the worker that handled 21 died before answering Telegram: 21 comes again, to the other worker
        again = await two.handle("telegram:6", Incoming(text="今天", update_id=21), TODAY)
        assert [r.template for r in again][-1] == asked[-1].template  # the current question, asked again
        assert await two.handle("telegram:6", Incoming(text="朔州", update_id=20), TODAY) == []
        assert await second.load("telegram:6") == before
    finally:
        await first.close()
        await second.close()


async def test_migrate_upgrades_a_version_1_schema_keeping_its_conversations(postgres_dsn: str) -> None:
    async with await psycopg.AsyncConnection.connect(postgres_dsn, autocommit=True) as conn:
        for statement in MIGRATIONS[1]:
            await conn.execute(statement.encode())
        await conn.execute("INSERT INTO bot_schema (version) VALUES (1)")
        await conn.execute("INSERT INTO conversations (key, state) VALUES ('telegram:8', %s)",
                           (DialogState(step="birth").to_json(),))
    with pytest.raises(SchemaError, match="version 1, this code needs"):
        await opened(postgres_dsn)
    assert await migrate(postgres_dsn) == (1, SCHEMA_VERSION)
    store = await opened(postgres_dsn)
    try:
        stored = await store.load("telegram:8")
        assert stored is not None and stored.step == "birth" and stored.last_update_id is None
    finally:
        await store.close()


async def test_a_failed_turn_writes_nothing(postgres_dsn: str) -> None:
    await migrate(postgres_dsn)
    store = await opened(postgres_dsn)
    try:
        async with store.turn("telegram:7") as turn:
            turn.state = DialogState(step="birth", region="朔州市")
        with pytest.raises(RuntimeError):
            async with store.turn("telegram:7") as turn:
                assert turn.state is not None
                turn.state.step = "categories"
                raise RuntimeError("the engine failed mid-turn")
        stored = await store.load("telegram:7")
        assert stored is not None and stored.step == "birth"
    finally:
        await store.close()


async def test_values_with_quotes_backslashes_and_semicolons_round_trip_unchanged(postgres_dsn: str) -> None:
    """A turn's statements share one query string with their values quoted into it (client-side binding):
    a resident's text that looks like SQL is stored as text, whole, and runs nothing."""
    await migrate(postgres_dsn)
    store = await opened(postgres_dsn)
    tricky = "O'Brien \\'; DROP TABLE conversations; -- \\x00 $$ 朔州\n"
    key = "telegram:'; DELETE FROM conversations; --"
    try:
        async with store.turn(key) as turn:
            turn.state = DialogState(step="birth", pending={"said": tricky}, last_update_id=3)
            turn.outbox = Outbox(3, (Reply(template="t", text=tricky),))
        async with store.turn("telegram:10") as turn:
            turn.state = DialogState(step="start")
        stored = await store.load(key)
        assert stored is not None and stored.pending == {"said": tricky}
        saved = await store.load_outbox(key)
        assert saved is not None and saved.replies[0].text == tricky
        assert await store.load("telegram:10") == DialogState(step="start")
    finally:
        await store.close()


async def test_one_chats_turns_never_interleave_across_workers(postgres_dsn: str) -> None:
    """Forty read-modify-write turns of one chat from two stores at once (two workers): each sees the
    previous one's write. Without the per-chat lock most increments would be lost."""
    await migrate(postgres_dsn)
    stores = [await opened(postgres_dsn, max_size=5), await opened(postgres_dsn, max_size=5)]
    inside = 0
    most_inside = 0

    async def increment(store: PostgresStore) -> None:
        nonlocal inside, most_inside
        async with store.turn("telegram:9") as turn:
            inside += 1
            most_inside = max(most_inside, inside)
            state = turn.state or DialogState()
            await asyncio.sleep(0.002)  # the turn takes time: another worker would overtake it here
            state.reasks += 1
            turn.state = state
            inside -= 1

    async def other_chat(store: PostgresStore, key: str) -> None:
        async with store.turn(key) as turn:
            turn.state = DialogState(step="birth")

    try:
        await asyncio.gather(
            *(increment(stores[n % 2]) for n in range(40)),
            *(other_chat(stores[n % 2], f"telegram:{100 + n}") for n in range(10)),
        )
        stored = await stores[0].load("telegram:9")
        assert stored is not None and stored.reasks == 40
        assert most_inside == 1
    finally:
        for store in stores:
            await store.close()


def test_lock_ids_are_stable_and_distinct() -> None:
    assert lock_id("telegram:1") == lock_id("telegram:1")
    assert len({lock_id(f"telegram:{n}") for n in range(10_000)}) == 10_000
    assert -(2**63) <= lock_id("telegram:1") < 2**63
