"""Fixtures shared across test folders: a PostgreSQL database for the shared state store.

The PostgreSQL tests run against ``BOT_TEST_POSTGRES`` (default: the machines' server,
``postgresql://postgres@127.0.0.1:5432/test``), each test in a schema of its own that is dropped after it.
Where no server answers they are skipped with the reason, unless ``BOT_REQUIRE_PG=1`` (CI: ``.ci/run``),
which turns that skip into a failure, so CI cannot pass without having run them.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from urllib.parse import quote

import pytest

DEFAULT_TEST_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def _server() -> str:
    return os.environ.get("BOT_TEST_POSTGRES") or DEFAULT_TEST_POSTGRES


def _unreachable(dsn: str) -> str | None:
    """Why ``dsn`` cannot be used (None: it can)."""
    try:
        import psycopg
    except ImportError as error:  # pragma: no cover - psycopg is a dependency
        return f"psycopg is not installed ({error})"
    try:
        with psycopg.connect(dsn, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as error:
        return f"no PostgreSQL at {dsn} ({type(error).__name__}); set BOT_TEST_POSTGRES or start one"
    return None


@pytest.fixture(scope="session")
def postgres_server() -> str:
    dsn = _server()
    problem = _unreachable(dsn)
    if problem is not None:
        if os.environ.get("BOT_REQUIRE_PG") == "1":
            pytest.fail(f"BOT_REQUIRE_PG=1 but {problem}")
        pytest.skip(problem)
    return dsn


@pytest.fixture
def postgres_dsn(postgres_server: str) -> Iterator[str]:
    """A DSN whose search_path is a new, empty schema (dropped afterwards): tests never see each other's
    tables, nor anything else in the database."""
    import psycopg

    schema = f"bot_test_{secrets.token_hex(6)}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}".encode())
    separator = "&" if "?" in postgres_server else "?"
    try:
        yield f"{postgres_server}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with psycopg.connect(postgres_server, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE".encode())
