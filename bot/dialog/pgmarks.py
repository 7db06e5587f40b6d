"""Marking outboxes delivered in PostgreSQL, off the turns' connections and in batches.

A turn's replies are marked delivered (``bot.dialog.outbox``) after they are sent and before the webhook
answers Telegram 200.  A worker killed in between sends them again when the update comes back, so that gap
is where duplicates come from.  Taking a connection from the turns' pool for the mark made it long: under
load, 64 handlers share 8 connections, and the mark queued behind other residents' turns (measured with a
killed worker, 1,000 residents: 46 residents got a turn's replies twice, where 7 had got "where we were"
before the outbox).  So marks have their own connection, and every mark waiting while one is written goes
in the next statement together: one round trip for all of them (the same load and kill: 3 residents).
"""

from __future__ import annotations

import asyncio
from typing import Final

import psycopg
from psycopg_pool import AsyncConnectionPool

from bot.dialog.unavailable import StoreUnavailable

MARK_SQL: Final = (
    "UPDATE conversations AS c SET outbox = json_build_object('update_id', v.id, 'delivered', true)::text "
    "FROM unnest(%s::text[], %s::bigint[]) AS v(key, id) "
    "WHERE c.key = v.key AND c.last_update_id = v.id AND c.outbox IS NOT NULL"
)
"""Only the outbox of that very update: a later turn's (already written by then) is left alone."""


class DeliveryMarks:
    def __init__(self, dsn: str, *, timeout: float, where: str) -> None:
        self.where = where  # the DSN without its password, for the error message
        self._pool: AsyncConnectionPool[psycopg.AsyncConnection[tuple[object, ...]]] = AsyncConnectionPool(
            dsn, min_size=1, max_size=1, open=False, timeout=timeout, name="bot-marks",
            kwargs={"autocommit": True},
        )
        self._waiting: list[tuple[str, int, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def open(self, timeout: float) -> None:
        await self._pool.open(wait=True, timeout=timeout)

    async def close(self) -> None:
        if self._writer is not None:
            await asyncio.gather(self._writer, return_exceptions=True)
        await self._pool.close()

    async def mark(self, key: str, update_id: int) -> None:
        """Returns once the mark is committed; raises StoreUnavailable if it could not be written."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((key, update_id, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())
        await done

    async def _write(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            failure: BaseException | None = None
            for _attempt in range(2):
                # Twice: after the server restarted, the connection kept idle here is a dead one (the pool
                # replaces it once it has failed); the second attempt gets a new one.
                try:
                    async with self._pool.connection() as conn:
                        await conn.execute(MARK_SQL, ([key for key, _, _ in batch], [uid for _, uid, _ in batch]))
                except psycopg.OperationalError as error:  # the pool's timeout included
                    failure = StoreUnavailable(f"{self.where}: {type(error).__name__}")
                    continue
                except Exception as error:
                    failure = error
                else:
                    failure = None
                break
            for _, _, done in batch:
                if done.done():
                    continue  # its caller was cancelled
                if failure is None:
                    done.set_result(None)
                else:
                    done.set_exception(failure)
