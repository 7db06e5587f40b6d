"""Conversation state in PostgreSQL, shared by several worker processes (``BOT_STORE=postgresql://…``).

SQLite (``bot.dialog.store``) stays the embedded default: one process, one file.  This store is for the
webhook deployment with several workers behind one URL, where two workers may hold updates of the same
chat at the same moment.  Every turn is ONE transaction (:meth:`PostgresStore.turn`):

1. ``pg_advisory_xact_lock`` on the chat's key: a second worker with an update of the same chat waits
   here until the first commits, so one chat's turns never interleave, whichever process holds them;
2. read the state;
3. the caller runs the dialog turn on it (or finds that the update was already handled);
4. write the state with the id of the update handled (or, for /forget, only that id) and the turn's
   replies (the outbox, ``bot.dialog.outbox``) and commit, which releases the lock.  The state, the
   dedupe id and the replies change together or not at all; :meth:`PostgresStore.mark_delivered` drops
   the replies' text once the channel has sent them.

A worker killed between 1 and 4 never commits: PostgreSQL rolls the transaction back when the connection
drops, the lock is released, and the update (not acknowledged to Telegram) is handled again elsewhere.

The schema is created and migrated explicitly (``python -m bot migrate``), never implicitly at start:
a worker checks the schema version when it opens the store and refuses to run against a schema it does
not know (:class:`SchemaError`, one line naming the command to run).
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Final

import psycopg
from psycopg_pool import AsyncConnectionPool

from bot.dialog.outbox import Outbox
from bot.dialog.pgmarks import DeliveryMarks
from bot.dialog.state import DialogState
from bot.dialog.unavailable import StoreUnavailable

SCHEMA_VERSION: Final = 3
"""The schema this code reads and writes; ``MIGRATIONS`` brings any older one up to it."""

MIGRATIONS: Final[dict[int, Sequence[str]]] = {
    1: (
        "CREATE TABLE bot_schema (singleton BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton), "
        "version INTEGER NOT NULL)",
        # state NULL: a tombstone (the resident used /forget); the row remains so a late repeat of an
        # update already handled is still recognised.
        "CREATE TABLE conversations (key TEXT PRIMARY KEY, state TEXT, "
        "updated TIMESTAMPTZ NOT NULL DEFAULT now())",
    ),
    # The id of the last update handled, written in the same transaction as the state: a redelivered
    # update is recognised (bot.dialog.store.is_repeat) even after /forget, where state is NULL.
    2: ("ALTER TABLE conversations ADD COLUMN last_update_id BIGINT",),
    # The replies of the last update handled, written with the state (bot.dialog.outbox): a redelivered
    # update whose replies never went out gets them.  NULL in rows from version 2: the current question.
    3: ("ALTER TABLE conversations ADD COLUMN outbox TEXT",),
}
"""Statements that take the schema from version ``n - 1`` to ``n``, applied in order in one transaction."""

_BEGIN_LOCK_READ: Final = (
    "BEGIN; SELECT pg_advisory_xact_lock(%s); SELECT state, last_update_id, outbox FROM conversations WHERE key = %s"
)
_WRITE_COMMIT: Final = (
    "INSERT INTO conversations (key, state, last_update_id, outbox) VALUES (%s, %s, %s, %s) "
    "ON CONFLICT (key) DO UPDATE SET state = excluded.state, last_update_id = excluded.last_update_id, "
    "outbox = excluded.outbox, updated = now(); COMMIT"
)
"""A turn's two round trips (see :meth:`PostgresStore.turn`), each one simple query of several statements."""

_MIGRATION_LOCK: Final = 0x6D656469636172  # any constant: concurrent `migrate` runs wait for each other


class StoreError(Exception):
    """The store cannot be used (unreachable, wrong schema): the message is the one line printed."""


class SchemaError(StoreError):
    """The database's schema is missing, older or newer than this code's."""


def lock_id(key: str) -> int:
    """The advisory lock's 64-bit id for a conversation key (stable across processes and Python runs)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


def describe_dsn(dsn: str) -> str:
    """The DSN without its password, for messages."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        return "postgresql://…"
    host, port, db = info.get("host", "localhost"), info.get("port", 5432), info.get("dbname", "")
    return f"postgresql://{info.get('user', '')}@{host}:{port}/{db}"


@dataclass
class Turn:
    """One conversation inside its transaction: ``state`` is what was stored (None: a new resident; after
    /forget, a tombstone holding only ``last_update_id``).  Set :attr:`state` to what must be written, or
    call :meth:`forget` or :meth:`keep`."""

    key: str
    state: DialogState | None
    outbox: Outbox | None = None
    """Read: the replies of the last update handled (see ``bot.dialog.outbox``); set it to the replies of
    this turn, written with the state."""
    forgotten: bool = False
    kept: bool = False

    def forget(self, last_update_id: int | None, outbox: Outbox | None = None) -> None:
        """Delete the answers, keeping only the id of the last update handled (and the /forget reply)."""
        self.forgotten = True
        self.state = DialogState.tombstone(last_update_id)
        self.outbox = outbox

    def keep(self) -> None:
        """Write nothing (an update already handled)."""
        self.kept = True


class PostgresStore:
    """An asynchronous connection pool and the per-turn transaction.

    ``open()`` before use (it checks the schema version), ``close()`` at the end.  ``max_size`` bounds
    connections per worker: each turn in flight holds one for a few milliseconds.
    """

    def __init__(self, dsn: str, *, min_size: int = 1, max_size: int = 8, timeout: float = 10.0) -> None:
        self.dsn = dsn
        self.timeout = timeout
        self._pool: AsyncConnectionPool[psycopg.AsyncConnection[tuple[object, ...]]] = AsyncConnectionPool(
            dsn, min_size=min_size, max_size=max_size, open=False, timeout=timeout, name="bot-store",
            # turn() sends its own BEGIN and COMMIT, in one query string with its statements: client-side
            # binding (the values quoted by psycopg) is what lets several statements share one string.
            kwargs={"autocommit": True, "cursor_factory": psycopg.AsyncClientCursor},
        )
        self._marks = DeliveryMarks(dsn, timeout=timeout, where=describe_dsn(dsn))

    async def open(self) -> None:
        try:
            await self._pool.open(wait=True, timeout=self.timeout)
        except psycopg_pool_errors() as error:
            raise StoreError(f"cannot connect to {describe_dsn(self.dsn)}: {type(error).__name__}") from None
        try:
            async with self._pool.connection() as conn:
                found = await schema_version(conn)
        except BaseException:
            await self._pool.close()
            raise
        if found != SCHEMA_VERSION:
            await self._pool.close()
            raise SchemaError(schema_problem(found, self.dsn))
        try:
            await self._marks.open(self.timeout)
        except psycopg_pool_errors() as error:
            await self._pool.close()
            raise StoreError(f"cannot connect to {describe_dsn(self.dsn)}: {type(error).__name__}") from None

    async def close(self) -> None:
        await self._marks.close()
        await self._pool.close()

    @asynccontextmanager
    async def turn(self, key: str) -> AsyncIterator[Turn]:
        """The conversation ``key``, locked against every other worker until the write is committed.

        Two round trips to the server, each ONE query string of several statements (PostgreSQL's simple
        query protocol, the values quoted by psycopg's client-side binding): ``BEGIN; lock; read``, then
        ``write; COMMIT``.  psycopg's pipeline mode also sent them in two round trips but costs far more
        CPU in the worker (it wakes up and dispatches per statement): 0.50 ms against 0.31 ms per turn, the
        state's JSON and the delivery mark included (a microbenchmark, 64 turns at once).

        Raises :class:`~bot.dialog.unavailable.StoreUnavailable` when the server cannot be reached (no
        connection within ``timeout``, or the connection lost mid-turn): nothing was committed, or the
        commit's fate is unknown, and either way the update is to be handled again later (the dedupe id
        and the outbox make that safe)."""
        try:
            async with self._pool.connection() as conn:
                cursor = conn.cursor()
                await cursor.execute(_BEGIN_LOCK_READ, (lock_id(key), key))
                cursor.nextset()  # past BEGIN's and the lock's results to the read's
                cursor.nextset()
                row = await cursor.fetchone()
                turn = Turn(key, _state(row), _outbox(row))
                try:
                    yield turn
                except BaseException:
                    await conn.execute("ROLLBACK")
                    raise
                if turn.kept:
                    await cursor.execute("COMMIT")
                else:
                    state = turn.state or DialogState()
                    outbox = turn.outbox.to_json() if turn.outbox is not None else None
                    await cursor.execute(
                        _WRITE_COMMIT,
                        (key, None if turn.forgotten else state.to_json(), state.last_update_id, outbox),
                    )
        except psycopg.OperationalError as error:  # the pool's timeout included (PoolTimeout)
            raise StoreUnavailable(f"{describe_dsn(self.dsn)}: {type(error).__name__}") from None

    async def load(self, key: str) -> DialogState | None:
        """The stored state, without locking (for tools and tests; turns use :meth:`turn`)."""
        async with self._pool.connection() as conn:
            cursor = await conn.execute(
                "SELECT state, last_update_id, outbox FROM conversations WHERE key = %s", (key,))
            return _state(await cursor.fetchone())

    async def load_outbox(self, key: str) -> Outbox | None:
        """The saved replies of the last update handled, without locking (for tools and tests)."""
        async with self._pool.connection() as conn:
            cursor = await conn.execute(
                "SELECT state, last_update_id, outbox FROM conversations WHERE key = %s", (key,))
            return _outbox(await cursor.fetchone())

    async def mark_delivered(self, key: str, update_id: int) -> None:
        """The replies of update ``update_id`` were sent: drop their text (no lock: it changes nothing if
        a later turn has replaced that outbox since).  On a connection of its own, batched with the other
        marks waiting (``bot.dialog.pgmarks``): never queued behind other residents' turns."""
        await self._marks.mark(key, update_id)


def _outbox(row: tuple[object, ...] | None) -> Outbox | None:
    if row is None or not isinstance(row[2], str):
        return None
    return Outbox.from_json(row[2])


def _state(row: tuple[object, ...] | None) -> DialogState | None:
    if row is None:
        return None
    text, last_update_id = row[0], row[1]
    if isinstance(text, str):
        state = _decode(text)
        if state is not None:
            return state
    # A tombstone (/forget), or an unreadable row: no answers, but the dedupe id survives.
    return DialogState.tombstone(int(str(last_update_id))) if last_update_id is not None else None


def _decode(text: str) -> DialogState | None:
    try:
        return DialogState.from_json(text)
    except (ValueError, TypeError, KeyError):
        return None  # an unreadable row (an older format): start afresh rather than fail the resident


def psycopg_pool_errors() -> tuple[type[BaseException], ...]:
    from psycopg_pool import PoolTimeout

    return (PoolTimeout, psycopg.OperationalError)


async def schema_version(conn: psycopg.AsyncConnection[tuple[object, ...]]) -> int:
    """The schema version in the database; 0 when there is no schema yet."""
    cursor = await conn.execute("SELECT to_regclass('bot_schema') IS NOT NULL")
    exists = await cursor.fetchone()
    if exists is None or not exists[0]:
        return 0
    cursor = await conn.execute("SELECT version FROM bot_schema")
    row = await cursor.fetchone()
    return int(str(row[0])) if row is not None else 0


def schema_problem(found: int, dsn: str) -> str:
    where = describe_dsn(dsn)
    if found == 0:
        return f"{where} has no conversation schema yet: run `python -m bot migrate` once before starting the bot"
    if found < SCHEMA_VERSION:
        return (f"{where} has conversation schema version {found}, this code needs {SCHEMA_VERSION}: "
                "run `python -m bot migrate`")
    return (f"{where} has conversation schema version {found}, newer than this code's {SCHEMA_VERSION}: "
            "deploy the newer code (never migrate down)")


async def migrate(dsn: str) -> tuple[int, int]:
    """Creates or upgrades the schema to :data:`SCHEMA_VERSION`; returns (version before, version after).

    Idempotent, and safe to run from several machines at once (they wait for each other)."""
    try:
        conn = await psycopg.AsyncConnection.connect(dsn, connect_timeout=10)
    except psycopg.OperationalError as error:
        raise StoreError(f"cannot connect to {describe_dsn(dsn)}: {type(error).__name__}") from None
    async with conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        before = await schema_version(conn)
        if before > SCHEMA_VERSION:
            raise SchemaError(schema_problem(before, dsn))
        for version in range(before + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[version]:
                await conn.execute(statement.encode())
        if before < SCHEMA_VERSION:
            await conn.execute(
                "INSERT INTO bot_schema (version) VALUES (%s) "
                "ON CONFLICT (singleton) DO UPDATE SET version = excluded.version",
                (SCHEMA_VERSION,),
            )
    return before, SCHEMA_VERSION
