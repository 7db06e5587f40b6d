"""Optional access control by BOT_WEB_TOKEN, and nothing personal kept or logged."""

from __future__ import annotations

import asyncio
import logging
from datetime import date
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from bot.cli import build_parser
from bot.web.app import console_routes, create_app, server_config
from bot.web.service import ConsoleService

TOKEN = "s3cret-hotline"
QUERY = {"region": "朔州", "birth": "1961-07-23", "category": "低保", "date": "2023-10-10"}


@pytest.fixture(scope="module")
def guarded(console_service: ConsoleService) -> TestClient:
    return TestClient(create_app(console_service, token=TOKEN, today=lambda: date(2023, 10, 10)))


def test_without_the_token_the_api_refuses(guarded: TestClient) -> None:
    response = guarded.get("/api/quote", params=QUERY)
    assert response.status_code == 401
    assert "personal_payment" not in response.text


def test_a_wrong_token_is_refused(guarded: TestClient) -> None:
    response = guarded.get("/api/quote", params=QUERY, headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


def test_the_bearer_token_opens_the_api(guarded: TestClient) -> None:
    response = guarded.get("/api/quote", params=QUERY, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response.json()["personal_payment"] == 76


def test_the_page_asks_for_the_token_and_keeps_it_in_a_cookie(console_service: ConsoleService) -> None:
    browser = TestClient(create_app(console_service, token=TOKEN))
    login = browser.get("/")
    assert login.status_code == 401
    assert 'name="token"' in login.text
    assert browser.get("/doc/shuozhou-2024").status_code == 401
    entered = browser.get("/", params={"token": TOKEN}, follow_redirects=False)
    assert entered.status_code == 303
    assert "token" not in entered.headers["location"]  # out of the address bar and the history
    assert browser.get("/").status_code == 200
    assert browser.get("/api/options").status_code == 200


def test_the_token_comes_from_the_environment(console_service: ConsoleService, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_WEB_TOKEN", TOKEN)
    from starlette.applications import Starlette

    client = TestClient(Starlette(routes=console_routes(console_service)))
    assert client.get("/api/options").status_code == 401
    assert client.get("/api/options", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_no_birth_date_or_question_reaches_a_log(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        client.get("/api/quote", params=QUERY)
        client.get("/api/calculate", params=QUERY)
        client.get("/api/search", params={"q": "我叫王小明身份证142301196107230011低保交多少"})
        client.get("/api/ask", params={"q": "王小明低保交多少", "region": "朔州"})
        client.get("/api/quote", params={**QUERY, "birth": "1961年7月23日我是王小明"})
    # The test's own HTTP client (httpx) logs its URLs; everything else is the server side.
    logged = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("httpx"))
    assert "/api/quote" in logged  # the request is logged …
    for private in ("1961", "王小明", "142301", "%E7%8E%8B"):  # … but none of what was asked
        assert private not in logged


def test_the_server_writes_no_access_log(console_service: ConsoleService) -> None:
    config = server_config(create_app(console_service), "127.0.0.1", 8080)
    assert config.access_log is False
    # even when something in the process has given uvicorn's access logger a handler again
    access = logging.getLogger("uvicorn.access")
    handler = logging.NullHandler()
    access.addHandler(handler)
    try:
        from uvicorn.server import ServerState

        loop = asyncio.new_event_loop()
        try:
            protocol = config.http(config=config, server_state=ServerState(), app_state={}, _loop=loop)
        finally:
            loop.close()
        assert protocol.access_log is False
    finally:
        access.removeHandler(handler)


def test_the_console_writes_no_file(client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    client.get("/api/calculate", params=QUERY)
    client.get("/api/search", params={"q": "低保交多少"})
    assert list(tmp_path.iterdir()) == []


def test_the_web_command_takes_a_port() -> None:
    args = build_parser().parse_args(["web", "--port", "9090"])
    assert (args.command, args.port, args.host) == ("web", 9090, "127.0.0.1")


def test_the_default_payment_date_is_today_in_china(console_service: ConsoleService) -> None:
    from datetime import datetime, timedelta, timezone

    body = TestClient(create_app(console_service, token="")).get("/api/options").json()
    assert body["today"] == datetime.now(timezone(timedelta(hours=8))).date().isoformat()
