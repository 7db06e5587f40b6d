"""The console served by the webhook app (one ASGI app, one port): `console_routes()` mounted as extra routes."""

from __future__ import annotations

from pathlib import Path

from starlette.routing import Route
from starlette.testclient import TestClient

from bot.channels.telegram import build_application
from bot.channels.webhook import _console_routes, build_app
from bot.dialog.factory import build_engine
from bot.dialog.service import DialogService
from bot.dialog.store import SQLiteStore
from bot.web import console_routes
from bot.web.service import ConsoleService


def test_the_webhook_app_serves_the_console_beside_the_webhook(tmp_path: Path, console_service: ConsoleService) -> None:
    store = SQLiteStore(tmp_path / "state.sqlite3")
    application = build_application("123456:TEST", DialogService(build_engine(), store),
                                    base_url="http://127.0.0.1:9/bot")
    app = build_app(application, path="tg/abc", secret="s3cret", extra_routes=console_routes(console_service, token=""))
    client = TestClient(app)  # no lifespan: the bot is not started, and the console needs nothing of it
    assert client.get("/healthz").text == "ok"
    quote = client.get("/api/quote", params={"region": "朔州", "birth": "1980-05-01", "category": "低保",
                                             "date": "2023-10-10"})
    assert quote.json()["personal_payment"] == 76
    assert "热线查询台" in client.get("/").text
    assert client.post("/tg/abc", json={}).status_code == 403  # the webhook keeps its own secret
    store.close()


def test_the_deployed_webhook_app_includes_the_console() -> None:
    paths = {route.path for route in _console_routes() if isinstance(route, Route)}
    assert {"/", "/api/quote", "/api/ask", "/api/search", "/openapi.json"} <= paths
