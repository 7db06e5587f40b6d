"""Where conversation state lives between turns. SQLite is the embedded default; tests use memory."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Protocol

from bot.dialog.state import DialogState


class StateStore(Protocol):
    def load(self, key: str) -> DialogState | None: ...
    def save(self, key: str, state: DialogState) -> None: ...
    def delete(self, key: str) -> None: ...


class MemoryStore:
    """Keeps serialised states, so tests exercise the same round trip as SQLite."""

    def __init__(self) -> None:
        self._rows: dict[str, str] = {}

    def load(self, key: str) -> DialogState | None:
        row = self._rows.get(key)
        return DialogState.from_json(row) if row else None

    def save(self, key: str, state: DialogState) -> None:
        self._rows[key] = state.to_json()

    def delete(self, key: str) -> None:
        self._rows.pop(key, None)


class SQLiteStore:
    """One row per conversation, committed on every save: a killed process resumes at the same step."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable across a process kill
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS conversations (key TEXT PRIMARY KEY, state TEXT NOT NULL, updated REAL NOT NULL)"
        )

    def load(self, key: str) -> DialogState | None:
        with self._lock:
            row = self._db.execute("SELECT state FROM conversations WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        try:
            return DialogState.from_json(row[0])
        except (ValueError, TypeError, KeyError):
            return None  # an unreadable row (older format): start afresh rather than fail the resident

    def save(self, key: str, state: DialogState) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO conversations (key, state, updated) VALUES (?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET state = excluded.state, updated = excluded.updated",
                (key, state.to_json(), time.time()),
            )

    def delete(self, key: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM conversations WHERE key = ?", (key,))

    def close(self) -> None:
        with self._lock:
            self._db.close()
