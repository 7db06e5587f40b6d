"""Where conversation state lives between turns. SQLite is the embedded default; tests use memory.

Exactly-once handling, for every store (this contract is what a new store implements):

* ``save(key, state)`` writes the whole state in one transaction, ``state.last_update_id`` included: after
  a crash either the answer and the id of the update that carried it are both stored, or neither is.
* Before a turn the service asks :func:`is_repeat`: an update whose id is not above the stored
  ``last_update_id`` was already handled (a redelivery after a restart, or the same update twice in one
  batch) and is skipped.
* ``forget(key, last_update_id)`` deletes the resident's answers and keeps only that id (a tombstone), so a
  redelivered older update is still skipped and cannot bring the deleted answers back.
* The turn's replies are written in that same transaction (``outbox``, see ``bot.dialog.outbox``);
  ``mark_delivered(key, update_id)`` once the channel has sent them drops their text.  A redelivered last
  update gets its saved replies again if they were not marked delivered (``load_outbox``).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Protocol

from bot.dialog.outbox import Outbox, delivered_json
from bot.dialog.state import DialogState


def is_repeat(state: DialogState | None, update_id: int | None) -> bool:
    """True when the update `update_id` was already handled for this state (update ids only grow)."""
    if state is None or update_id is None or state.last_update_id is None:
        return False
    return update_id <= state.last_update_id


class StateStore(Protocol):
    def load(self, key: str) -> DialogState | None: ...
    def save(self, key: str, state: DialogState, outbox: Outbox | None = None) -> None: ...
    def delete(self, key: str) -> None: ...
    def forget(self, key: str, last_update_id: int | None, outbox: Outbox | None = None) -> None: ...
    def load_outbox(self, key: str) -> Outbox | None: ...
    def mark_delivered(self, key: str, update_id: int) -> None: ...


class MemoryStore:
    """Keeps serialised states, so tests exercise the same round trip as SQLite."""

    def __init__(self) -> None:
        self._rows: dict[str, str] = {}
        self._outboxes: dict[str, str] = {}

    def load(self, key: str) -> DialogState | None:
        row = self._rows.get(key)
        return DialogState.from_json(row) if row else None

    def save(self, key: str, state: DialogState, outbox: Outbox | None = None) -> None:
        self._rows[key] = state.to_json()
        if outbox is not None:
            self._outboxes[key] = outbox.to_json()
        else:
            self._outboxes.pop(key, None)

    def delete(self, key: str) -> None:
        self._rows.pop(key, None)
        self._outboxes.pop(key, None)

    def forget(self, key: str, last_update_id: int | None, outbox: Outbox | None = None) -> None:
        self.delete(key)
        if last_update_id is not None:
            self.save(key, DialogState.tombstone(last_update_id), outbox)

    def load_outbox(self, key: str) -> Outbox | None:
        return Outbox.from_json(self._outboxes.get(key))

    def mark_delivered(self, key: str, update_id: int) -> None:
        outbox = self.load_outbox(key)
        if outbox is not None and outbox.update_id == update_id:
            self._outboxes[key] = delivered_json(update_id)


class SQLiteStore:
    """One row per conversation, committed on every save: a killed process resumes at the same step.

    Deleted answers do not stay on disk: ``secure_delete`` zeroes freed content, and after a forget the
    write-ahead log (which still holds the old pages) is checkpointed and truncated. The file is created
    readable by its owner only (0600); SQLite gives its -wal and -shm files the same mode.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _create_private(self.path)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA secure_delete=ON")
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable across a process kill
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS conversations (key TEXT PRIMARY KEY, state TEXT NOT NULL, updated REAL NOT NULL, "
            "outbox TEXT)"
        )
        # A file written before the outbox existed: add the column (its rows have no outbox: NULL).
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(conversations)")}
        if "outbox" not in columns:
            self._db.execute("ALTER TABLE conversations ADD COLUMN outbox TEXT")

    def load(self, key: str) -> DialogState | None:
        with self._lock:
            row = self._db.execute("SELECT state FROM conversations WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        try:
            return DialogState.from_json(row[0])
        except (ValueError, TypeError, KeyError):
            return None  # an unreadable row (older format): start afresh rather than fail the resident

    def save(self, key: str, state: DialogState, outbox: Outbox | None = None) -> None:
        with self._lock:
            self._upsert(key, state, outbox)

    def delete(self, key: str) -> None:
        self.forget(key, None)

    def forget(self, key: str, last_update_id: int | None, outbox: Outbox | None = None) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute("DELETE FROM conversations WHERE key = ?", (key,))
                if last_update_id is not None:
                    self._upsert(key, DialogState.tombstone(last_update_id), outbox)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            # The WAL still holds the pages as they were before the delete: copy the new ones back, empty it.
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def load_outbox(self, key: str) -> Outbox | None:
        with self._lock:
            row = self._db.execute("SELECT outbox FROM conversations WHERE key = ?", (key,)).fetchone()
        return Outbox.from_json(row[0]) if row is not None else None

    def mark_delivered(self, key: str, update_id: int) -> None:
        """Drops the replies of update ``update_id`` once sent (unless a later turn already replaced them)."""
        with self._lock:
            self._db.execute(
                "UPDATE conversations SET outbox = ? WHERE key = ? AND outbox IS NOT NULL "
                "AND json_extract(outbox, '$.update_id') = ?",
                (delivered_json(update_id), key, update_id),
            )

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _upsert(self, key: str, state: DialogState, outbox: Outbox | None = None) -> None:
        self._db.execute(
            "INSERT INTO conversations (key, state, updated, outbox) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET state = excluded.state, updated = excluded.updated, "
            "outbox = excluded.outbox",
            (key, state.to_json(), time.time(), outbox.to_json() if outbox is not None else None),
        )


def _create_private(path: Path) -> None:
    """Create the database file 0600 before SQLite opens it (SQLite would use the umask: often 0644);
    an existing file is narrowed to 0600 as well."""
    descriptor = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(descriptor)
    with contextlib.suppress(OSError):  # not ours to change (another owner): leave it
        os.chmod(path, 0o600)
