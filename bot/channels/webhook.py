"""Webhook mode as an ASGI app (Starlette under uvicorn): ``python -m bot serve --workers N``.

Telegram POSTs each update to ``BOT_WEBHOOK_URL`` (behind nginx, which terminates TLS); uvicorn's
workers share the listening socket, so any worker may receive any update.  The app

* checks Telegram's secret token (``X-Telegram-Bot-Api-Secret-Token`` must equal ``BOT_WEBHOOK_SECRET``;
  anything else is answered 403 and not looked at);
* hands the update to the same PTB ``Application`` and handlers as polling mode (``bot.channels.telegram``),
  through its per-chat processor, and answers 200 only once the turn is committed and its replies sent.
  A worker killed mid-update never answers, so Telegram delivers that update again (to a worker still
  alive); the turn it was running was rolled back with its connection, or, if it had committed, the
  update id recorded with it makes the repeat a no-op.
  When the state store cannot be reached the turn stores nothing and the update is answered 503, not 200
  (``bot.dialog.unavailable``): Telegram delivers it again until the store is back; the resident is told
  once that the message will be answered.

Several workers need the shared PostgreSQL store (``BOT_STORE=postgresql://…``), whose per-chat advisory
lock keeps one chat's turns in order across processes; with the SQLite default only one worker is allowed.

:func:`build_app` is the app itself (the tests and the hotline web console mount onto it with
``extra_routes``); :func:`create_app` builds it from the environment in each worker; :func:`run` is the
command.  ``setWebhook`` is called once by the command, before the workers start, not by every worker.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import hmac
import json
import logging
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from datetime import date
from typing import Any, Final

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send
from telegram import Bot, Update

from bot.channels.telegram import (
    ALLOWED_UPDATES,
    BOOTSTRAP_RETRIES,
    EXIT_CONFIG,
    EXIT_FAILED,
    Config,
    ConfigError,
    TelegramApplication,
    adapter_of,
    build_application,
    configure_logging,
    load_config,
)

_LOGGER = logging.getLogger(__name__)

SECRET_HEADER: Final = b"x-telegram-bot-api-secret-token"
"""As ASGI gives header names: lower case, bytes."""
MAX_BODY: Final = 1 << 20
"""Bytes accepted in one update (Telegram's are a few kilobytes); more is answered 413."""

RETRY_AFTER: Final = 5
"""Seconds in the 503's Retry-After when the state store is down (Telegram retries on its own schedule)."""

MAX_CONNECTIONS: Final = 40
"""setWebhook's max_connections: updates Telegram delivers at once (its own default, and its maximum is 100)."""

Hook = Callable[[], Awaitable[None]]


def build_app(
    application: TelegramApplication,
    *,
    path: str,
    secret: str,
    extra_routes: Sequence[BaseRoute] = (),
    on_startup: Sequence[Hook] = (),
    on_shutdown: Sequence[Hook] = (),
) -> Starlette:
    """The ASGI app: ``POST /<path>`` for Telegram, ``GET /healthz`` for the proxy and monitoring, then
    ``extra_routes`` (the hotline web console).  ``on_startup`` runs before the application starts (open
    the store), ``on_shutdown`` after it stopped (close the store)."""
    if not secret:
        raise ValueError("a webhook needs a secret token")
    receive = _Webhook(application, secret.encode())

    async def health(request: Request) -> Response:
        del request
        return PlainTextResponse("ok")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        del app
        for hook in on_startup:
            await hook()
        await application.initialize()
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        freeze_startup_objects()
        try:
            yield
        finally:
            await application.stop()
            await application.shutdown()
            for hook in on_shutdown:
                await hook()

    hook_path = f"/{path.strip('/')}"
    routes: list[BaseRoute] = [
        Route(hook_path, receive),  # reached only past _WebhookApp's shortcut (e.g. under a root path)
        Route("/healthz", health, methods=["GET"]),
        *extra_routes,
    ]
    return _WebhookApp(hook_path, receive, routes=routes, lifespan=lifespan)


def freeze_startup_objects() -> None:
    """Moves everything built at start (the policies, the templates, the engine, PTB, the modules: some
    300,000 objects tracked by the garbage collector) out of the collector's reach.

    They live as long as the process, but every full collection walked them all again: in a webhook worker
    under load (1,000 residents, 3,000 updates) a full collection took 60-80 ms and ran about twice, some
    0.06 ms per update; frozen, it walks only what was made since (3 ms).  Garbage made at start is
    collected first, so none of it is kept for good."""
    gc.collect()
    gc.freeze()


class _Webhook:
    """The webhook itself, as a bare ASGI app: every update passes here, so it reads the headers and the
    body from the ASGI messages directly instead of through Starlette's ``Request``, ``Response`` and
    middleware (see :class:`_WebhookApp`)."""

    def __init__(self, application: TelegramApplication, secret: bytes) -> None:
        self.application = application
        self.secret = secret
        self.outages = adapter_of(application).outages

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] != "POST":
            await _answer(send, 405, ((b"allow", b"POST"),))
            return
        given = b""
        for name, value in scope["headers"]:
            if name == SECRET_HEADER:
                given = value
                break
        if not hmac.compare_digest(given, self.secret):
            _LOGGER.warning("webhook call without the right secret token: refused")
            await _answer(send, 403)
            return
        body = await _read_body(receive)
        if body is None:
            return  # the caller hung up: no answer to give; Telegram delivers the update again
        if len(body) > MAX_BODY:
            await _answer(send, 413)
            return
        application = self.application
        try:
            update = Update.de_json(json.loads(body), application.bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            _LOGGER.warning("webhook body is not an update: answered 400")
            await _answer(send, 400)
            return
        await application.update_processor.process_update(update, application.process_update(update))
        if self.outages.take(update.update_id):
            # The state store was down: nothing stored.  Not 200, so Telegram delivers the update again.
            await _answer(send, 503, ((b"retry-after", str(RETRY_AFTER).encode()),))
            return
        await _answer(send, 200)


class _WebhookApp(Starlette):
    """The Starlette app, with the webhook's requests handed straight to its ASGI handler.

    Every update is one request to one path, so Starlette's per-request layers (error and exception
    middleware, the router's matching, ``Request`` and ``Response`` objects) were a fixed cost on each
    one; the webhook handler needs none of them (it answers with a status only and catches its own
    errors).  The hotline console, ``/healthz`` and the lifespan go through Starlette as before."""

    def __init__(self, hook_path: str, hook: ASGIApp, **options: Any) -> None:
        super().__init__(**options)
        self._hook_path = hook_path
        self._hook = hook

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == self._hook_path:
            await self._hook(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


async def _read_body(receive: Receive) -> bytes | None:
    """The request's body (at most a little over MAX_BODY is read), or None if the client disconnected."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk: bytes = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_BODY or not message.get("more_body", False):
            return b"".join(chunks)


async def _answer(send: Send, status: int, headers: tuple[tuple[bytes, bytes], ...] = ()) -> None:
    """A response with a status (and headers) and no body: all Telegram reads of it."""
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-length", b"0"), *headers]})
    await send({"type": "http.response.body", "body": b""})


# ------------------------------------------------------------------------------------------------ from the environment


def serve_config(env: Mapping[str, str]) -> Config:
    """The settings of ``serve``: those of ``python -m bot telegram`` in webhook mode."""
    return load_config({**env, "BOT_MODE": "webhook"})


WORKERS_ENV: Final = "BOT_SERVE_WORKERS"
"""Set by ``run`` for its workers: how many share Telegram's message rate limit."""


def flood_limit(env: Mapping[str, str]) -> float | None:
    """This worker's share of ``BOT_FLOOD_LIMIT`` (messages/s for the whole bot; default Telegram's 30;
    0: no limit, for a self-hosted Bot API server or a load test).  Raises ConfigError."""
    text = env.get("BOT_FLOOD_LIMIT", "").strip() or "30"
    try:
        total = float(text)
    except ValueError:
        raise ConfigError(f"BOT_FLOOD_LIMIT must be messages per second (e.g. 30, or 0 for none), not {text!r}") from None
    if total < 0:
        raise ConfigError(f"BOT_FLOOD_LIMIT must not be negative, not {text!r}")
    workers = max(1, int(env.get(WORKERS_ENV, "1") or 1))
    return total / workers if total else None


def fixed_today(env: Mapping[str, str]) -> date | None:
    """``BOT_TODAY`` (YYYY-MM-DD): the bot's "today" for a staging bot or a load test replaying a campaign's
    dates; unset in production (the date in China).  Raises ConfigError."""
    text = env.get("BOT_TODAY", "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"BOT_TODAY must be a date YYYY-MM-DD, not {text!r}") from None


def create_app() -> Starlette:
    """The app of one worker, from the environment (uvicorn calls this in every worker process)."""
    config = serve_config(os.environ)
    configure_logging(config.log_level)
    today = fixed_today(os.environ)
    options: dict[str, Any] = {
        "base_url": config.base_url,
        "admin_ids": config.admin_ids,
        "flood_limit": flood_limit(os.environ),
        "polling": False,
    }
    if today is not None:
        options["clock"] = lambda: today

    from bot.dialog.factory import build_engine, build_store, store_url

    url = store_url(os.environ)
    engine = build_engine()
    on_startup: list[Hook] = []
    on_shutdown: list[Hook] = []
    if url is not None:
        from bot.dialog.pgstore import PostgresStore
        from bot.dialog.shared_service import SharedDialogService

        store = PostgresStore(url)
        on_startup.append(store.open)
        on_shutdown.append(store.close)
        application = build_application(config.token, SharedDialogService(engine, store), **options)
    else:
        from bot.dialog.service import DialogService

        sqlite = build_store(str(config.state_path))

        async def close_sqlite() -> None:
            sqlite.close()

        on_shutdown.append(close_sqlite)
        application = build_application(config.token, DialogService(engine, sqlite), **options)
    return build_app(
        application,
        path=config.webhook_path,
        secret=config.webhook_secret or "",
        extra_routes=_console_routes(),
        on_startup=on_startup,
        on_shutdown=on_shutdown,
    )


def _console_routes() -> list[BaseRoute]:
    """The hotline web console's routes when that module is installed (it shares this app and port)."""
    import importlib

    try:
        web = importlib.import_module("bot.web")
    except ImportError:
        return []
    routes: list[BaseRoute] = list(web.console_routes())
    return routes


async def _check_store(url: str) -> None:
    from bot.dialog.pgstore import PostgresStore

    store = PostgresStore(url, min_size=1, max_size=1)
    await store.open()
    await store.close()


async def _set_webhook(config: Config) -> None:
    """setWebhook once for all workers, retried like polling mode's start-up calls."""
    bot = Bot(config.token, base_url=config.base_url or "https://api.telegram.org/bot")
    delay = 1.0
    async with bot:
        for attempt in range(BOOTSTRAP_RETRIES + 1):
            try:
                await bot.set_webhook(
                    url=config.webhook_url or "",
                    secret_token=config.webhook_secret,
                    allowed_updates=list(ALLOWED_UPDATES),
                    max_connections=MAX_CONNECTIONS,
                    drop_pending_updates=False,
                )
                return
            except Exception as error:
                from telegram.error import InvalidToken, TelegramError

                if isinstance(error, InvalidToken) or not isinstance(error, TelegramError) or attempt == BOOTSTRAP_RETRIES:
                    raise
                _LOGGER.warning("setWebhook failed (%s), retrying in %.0f s", type(error).__name__, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)


def run(args: argparse.Namespace, env: Mapping[str, str] | None = None) -> int:
    """``python -m bot serve --workers N``: 0 after a stop signal, 2 for a bad setting, 1 if it cannot start."""
    environment = os.environ if env is None else env
    try:
        config = serve_config(environment)
        from bot.dialog.factory import store_url

        url = store_url(environment)
        flood_limit(environment)
        fixed_today(environment)
    except (ConfigError, ValueError) as error:
        return _fail(str(error), EXIT_CONFIG)
    workers: int = args.workers
    port: int = config.port if getattr(args, "port", None) is None else args.port
    if not 1 <= port <= 65535:
        return _fail(f"--port must be a port number (1-65535), not {port}", EXIT_CONFIG)
    if workers < 1:
        return _fail(f"--workers must be at least 1, not {workers}", EXIT_CONFIG)
    if workers > 1 and url is None:
        return _fail(
            "--workers above 1 needs the shared PostgreSQL store: set BOT_STORE=postgresql://… "
            "(the SQLite file serves one process only)",
            EXIT_CONFIG,
        )
    configure_logging(config.log_level)
    if url is not None:
        from bot.dialog.pgstore import StoreError

        try:
            asyncio.run(_check_store(url))
        except StoreError as error:
            return _fail(str(error), EXIT_CONFIG)
    if not args.no_set_webhook:
        from telegram.error import InvalidToken, TelegramError

        try:
            asyncio.run(_set_webhook(config))
        except InvalidToken:
            return _fail("Telegram refused BOT_TOKEN (unauthorized): check the token from @BotFather", EXIT_CONFIG)
        except TelegramError as error:
            return _fail(f"could not set the webhook: {type(error).__name__}", EXIT_FAILED)

    import uvicorn

    os.environ[WORKERS_ENV] = str(workers)  # inherited by the worker processes

    _LOGGER.info("serving the webhook on %s:%s with %d worker(s)", config.listen, port, workers)
    options: dict[str, Any] = {
        "factory": True,
        "host": config.listen,
        "port": port,
        "workers": workers,
        "log_config": None,  # our logging (configure_logging); uvicorn's would log request paths
        "access_log": False,  # the path carries the webhook's secret part
        "proxy_headers": True,
        "timeout_graceful_shutdown": 30,
    }
    # uvicorn.run's own steps, with its server and supervisor replaced by quieter ones (bot.channels.quiet_server:
    # one wake-up a second when idle, not ten).
    from uvicorn.config import STARTUP_FAILURE

    from bot.channels.quiet_server import QuietMultiprocess, QuietServer

    server_config = uvicorn.Config("bot.channels.webhook:create_app", **options)
    server = QuietServer(config=server_config)
    try:
        if workers > 1:
            QuietMultiprocess(server_config, sockets=[server_config.bind_socket()]).run()
        else:
            server.run()
    except KeyboardInterrupt:
        pass
    except OSError as error:
        return _fail(f"could not start: {error.strerror or type(error).__name__} "
                     f"(BOT_WEBHOOK_LISTEN={config.listen} port {port})", EXIT_FAILED)
    if workers == 1 and not server.started:
        raise SystemExit(STARTUP_FAILURE)  # as uvicorn.run: the app failed to load or start
    return 0


def _fail(message: str, code: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code
