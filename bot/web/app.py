"""The hotline console over HTTP: a Starlette app, thin over `ConsoleService`.

`console_routes()` gives the routes so the webhook app can serve the console too; `create_app()` serves them
alone (`python -m bot web`). Pages and API are relative to where they are mounted.

Nothing personal is kept: no store, no access log (the query string holds birth dates), only method, route,
status and time are logged; responses carry `Cache-Control: no-store`.
"""

from __future__ import annotations

import hmac
import logging
import os
import time
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.errors import ExplainedError, NotCoveredError, UserInputError
from bot.render import environment
from bot.web.openapi import openapi_document
from bot.web.params import BadParameter, Params, quote_request
from bot.web.service import ConsoleService

STATIC_DIR = Path(__file__).with_name("static")
TOKEN_ENV = "BOT_WEB_TOKEN"
TOKEN_COOKIE = "console_token"
log = logging.getLogger("bot.web")

Endpoint = Callable[[Request], Awaitable[Response]]
CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")


def china_today() -> date:
    """Today at the hotline (UTC+8), whatever the server's time zone: the calculator's default payment date.
    (The Telegram channel has the same rule; a channel does not import another.)"""
    return datetime.now(CHINA_STANDARD_TIME).date()


SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # Everything the page uses is served from here: no CDN, no outside request, no inline script.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "frame-ancestors 'none'",
}


def _params(request: Request) -> Params:
    query = request.query_params
    return Params(dict(query), {key: query.getlist(key) for key in query})


def _error(status: int, kind: str, error: ExplainedError) -> JSONResponse:
    return JSONResponse({"error": kind, "field": error.field, "message": error.one_line(),
                         "suggestions": list(error.suggestions), "example": error.example}, status_code=status)


def _answer(work: Callable[[Request], Any]) -> Endpoint:
    """Runs `work` and maps the user-facing errors to HTTP: unreadable 400, rejected 422, not covered 404."""

    async def endpoint(request: Request) -> Response:
        try:
            return JSONResponse(work(request))
        except BadParameter as error:
            return _error(400, "bad_parameter", error)
        except UserInputError as error:
            return _error(422, "bad_input", error)
        except NotCoveredError as error:
            return _error(404, "not_covered", error)

    return endpoint


class Console:
    """The routes' handlers, sharing one service and the optional token."""

    def __init__(self, service: ConsoleService, token: str | None, today: Callable[[], date]) -> None:
        self.service = service
        self.token = token or None
        self.today = today

    # --- access ------------------------------------------------------------------------------------------------

    def _authorised(self, request: Request) -> bool:
        if self.token is None:
            return True
        header = request.headers.get("authorization", "")
        offered = [header.removeprefix("Bearer ").strip(), request.cookies.get(TOKEN_COOKIE, ""),
                   request.query_params.get("token", "")]
        return any(value and hmac.compare_digest(value.encode(), self.token.encode()) for value in offered)

    def guard(self, endpoint: Endpoint) -> Endpoint:
        async def guarded(request: Request) -> Response:
            started = time.perf_counter()
            if not self._authorised(request):
                response: Response
                if request.url.path.rstrip("/").endswith(("openapi.json",)) or "/api/" in request.url.path:
                    response = JSONResponse({"error": "unauthorized", "message": "需要访问口令（BOT_WEB_TOKEN）"},
                                            status_code=401)
                else:
                    page = environment("html").get_template("web/login.j2").render(
                        wrong=bool(request.query_params.get("token")))
                    response = HTMLResponse(page, status_code=401)
            else:
                response = await endpoint(request)
                if self.token and request.query_params.get("token") and request.method == "GET" \
                        and "/api/" not in request.url.path:
                    # The token came in the address: keep it in a cookie and take it out of the address bar.
                    redirect = RedirectResponse(request.url.remove_query_params("token"), status_code=303)
                    redirect.set_cookie(TOKEN_COOKIE, self.token, httponly=True, samesite="strict")
                    response = redirect
            response.headers.update(SECURITY_HEADERS)
            elapsed = (time.perf_counter() - started) * 1000
            response.headers["Server-Timing"] = f"app;dur={elapsed:.1f}"  # the server's own time, for benchmarks
            # Method, route and status only: the query (birth dates, questions) never reaches a log.
            route = request.scope.get("route")
            log.info("%s %s %d %.1fms", request.method, getattr(route, "path", "?"), response.status_code, elapsed)
            return response

        return guarded

    # --- pages ----------------------------------------------------------------------------------------------------

    async def index(self, request: Request) -> Response:
        page = environment("html").get_template("web/index.j2").render(
            jurisdictions=self.service.jurisdictions,
            documents=sorted(self.service.documents.values(), key=lambda d: d.jurisdiction.name),
            today=self.today().isoformat(),
        )
        return HTMLResponse(page)

    async def document(self, request: Request) -> Response:
        document_id = request.path_params["document_id"]
        text = self.service.texts.get(document_id)
        if text is None:
            return HTMLResponse(environment("html").get_template("web/not_found.j2").render(
                documents=sorted(self.service.documents.values(), key=lambda d: d.jurisdiction.name)),
                status_code=404)
        current = request.query_params.get("p")
        page = environment("html").get_template("web/document.j2").render(
            doc=text.document, name=text.name, body=text.render(current),
            passages=sorted((p for p in text.passages.values()), key=lambda p: (p.start < 0, p.start)),
            current=text.passages.get(current or ""),
        )
        return HTMLResponse(page)

    # --- API ------------------------------------------------------------------------------------------------------

    def quote(self, request: Request) -> Any:
        return self.service.quote(quote_request(_params(request), self.today()))

    def calculate(self, request: Request) -> Any:
        return self.service.calculate(quote_request(_params(request), self.today()))

    def ask(self, request: Request) -> Any:
        params = _params(request)
        return self.service.ask(params.required("q", "低保交多少"), params.get("region"))

    def search(self, request: Request) -> Any:
        params = _params(request)
        region = params.get("region")
        return self.service.search(params.get("q") or "", None if region in (None, "all", "全部") else region)

    def statuses(self, request: Request) -> Any:
        params = _params(request)
        return self.service.match_statuses(params.required("region", "山丹"), params.required("q", "低保和残疾"))

    def options(self, request: Request) -> Any:
        return self.service.options(self.today())

    async def openapi(self, request: Request) -> Response:
        return JSONResponse(openapi_document())


def console_routes(service: ConsoleService | None = None, token: str | None = None,
                   today: Callable[[], date] = china_today) -> list[BaseRoute]:
    """The console's routes, to serve alone or inside another Starlette app (the webhook app).

    `token` defaults to $BOT_WEB_TOKEN; when set, every page and API call needs it (header
    `Authorization: Bearer …`, or once as `?token=…` in the browser, kept in a cookie).
    """
    console = Console(service or ConsoleService(), token if token is not None else os.environ.get(TOKEN_ENV), today)
    guard = console.guard
    return [
        Route("/", guard(console.index), name="console_index"),
        Route("/doc/{document_id}", guard(console.document), name="console_document"),
        Route("/api/quote", guard(_answer(console.quote)), name="console_quote"),
        Route("/api/calculate", guard(_answer(console.calculate)), name="console_calculate"),
        Route("/api/ask", guard(_answer(console.ask)), name="console_ask"),
        Route("/api/search", guard(_answer(console.search)), name="console_search"),
        Route("/api/options", guard(_answer(console.options)), name="console_options"),
        Route("/api/statuses", guard(_answer(console.statuses)), name="console_statuses"),
        Route("/openapi.json", guard(console.openapi), name="console_openapi"),
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="console_static"),
    ]


def create_app(service: ConsoleService | None = None, token: str | None = None,
               today: Callable[[], date] = china_today) -> Starlette:
    return Starlette(routes=console_routes(service, token, today))


def server_config(app: Starlette, host: str, port: int) -> Any:
    """uvicorn's settings: no access log, since request lines carry birth dates and questions.

    uvicorn decides per connection whether to log requests from the state of the `uvicorn.access` logger,
    which any later logging configuration in the process may change; the protocol below never logs them.
    """
    import uvicorn
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class NoAccessLogProtocol(H11Protocol):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.access_log = False

    return uvicorn.Config(app, host=host, port=port, access_log=False, log_level="info", server_header=False,
                          http=NoAccessLogProtocol)


def run(args: Any) -> int:
    """`python -m bot web [--host H] [--port P]`: the console alone, on the embedded knowledge base."""
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    app = create_app()
    print(f"热线查询台：http://{args.host}:{args.port}/" + ("（需要访问口令）" if os.environ.get(TOKEN_ENV) else ""))
    uvicorn.Server(server_config(app, args.host, args.port)).run()
    return 0
