"""One console service per test session: building it (knowledge base, FAQ, document index) takes ~1 s."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import date

import pytest

with warnings.catch_warnings():
    # starlette's notice that it prefers httpx2 (httpx is what the project locks)
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

from bot.web.app import create_app
from bot.web.service import ConsoleService

TODAY = date(2023, 10, 10)  # inside every 2024 campaign: the calculator's default payment date in tests


@pytest.fixture(scope="session")
def console_service() -> ConsoleService:
    return ConsoleService()


@pytest.fixture(scope="session")
def client(console_service: ConsoleService) -> Iterator[TestClient]:
    app = create_app(console_service, token="", today=lambda: TODAY)
    with TestClient(app) as test_client:
        yield test_client
