"""The Bot API's HTTP client for python-telegram-bot: aiohttp instead of httpx, for CPU per update.

Profiling the bot under load (100 residents, 50 ms per Bot API call; cProfile of the bot process) showed
httpx's transport, httpcore, spending most of the process's CPU choosing a connection: on every request
and every response ``AsyncConnectionPool._assign_requests_to_connections`` walks all connections x all
waiting requests, and asks each idle connection whether it ``has_expired``, which polls its socket
(``is_socket_readable`` -> ``select.poll``, plus anyio's ``extra_attributes`` dict built each time).
That cost grows with the pool size and the number of requests waiting, i.e. with load.  aiohttp's
connector keeps idle keep-alive connections in a deque per host and takes the most recent one: O(1),
with its HTTP parser in C.

:class:`AiohttpRequest` implements PTB's ``BaseRequest`` on one ``aiohttp.ClientSession``:

* HTTP/1.1 with keep-alive; at most ``connection_pool_size`` connections, which a request waits for at
  most ``pool_timeout`` seconds (a semaphore of our own, so a pool timeout is told apart from a connect
  timeout);
* parameters sent as a JSON body (the Bot API accepts ``application/json``; PTB's ``HTTPXRequest`` sends
  them form-encoded, which costs more: ``urlencode`` percent-escapes each byte of a Chinese text in Python);
* failures raised as PTB's ``TimedOut`` / ``NetworkError`` with the *httpx* exception type that
  describes the same event as their cause (``httpx.ConnectError`` for a refused connection,
  ``httpx.PoolTimeout`` for no free connection, ``httpx.ReadTimeout`` for no answer...), because
  ``bot.channels.telegram_delivery`` decides from that cause whether a request can have reached Telegram
  (repeat it) or not (reconcile first).  No httpx connection is ever made.
"""

from __future__ import annotations

import asyncio
import json
from typing import Final

import aiohttp
import httpx
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_JSON: Final = {"Content-Type": "application/json"}


class AiohttpRequest(BaseRequest):
    """PTB's transport on aiohttp (see the module's docstring).  One instance per ``Bot`` request kind
    (PTB uses one for getUpdates and one for everything else)."""

    def __init__(
        self,
        connection_pool_size: int = 16,
        *,
        read_timeout: float | None = 10.0,
        write_timeout: float | None = 10.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 5.0,
    ) -> None:
        if connection_pool_size < 1:
            raise ValueError("connection_pool_size must be at least 1")
        self.connection_pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._slots = asyncio.Semaphore(connection_pool_size)
        self._session: aiohttp.ClientSession | None = None
        self._timeouts: dict[tuple[float | None, float | None], aiohttp.ClientTimeout] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self.connection_pool_size,
                limit_per_host=self.connection_pool_size,
                keepalive_timeout=30.0,  # Telegram's front end keeps idle connections about a minute
                ttl_dns_cache=300,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": self.USER_AGENT},
                skip_auto_headers=("Accept-Encoding",),  # small JSON answers: compression costs more CPU
                auto_decompress=False,
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    def _timeout(self, read: float | None, connect: float | None) -> aiohttp.ClientTimeout:
        key = (read, connect)
        timeout = self._timeouts.get(key)
        if timeout is None:
            # The write has no separate limit in aiohttp; the read limit starts after it.
            timeout = self._timeouts[key] = aiohttp.ClientTimeout(total=None, sock_connect=connect, sock_read=read)
        return timeout

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("this AiohttpRequest is not initialized")
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        pool = self._pool_timeout if isinstance(pool_timeout, DefaultValue) else pool_timeout
        del write_timeout  # see _timeout

        body: bytes | aiohttp.FormData | None = None
        headers: dict[str, str] | None = None
        if request_data is not None:
            files = request_data.multipart_data
            if files:
                body = _form_with_files(request_data)
            else:
                # A JSON body (nested objects such as reply_markup as objects): json.dumps is C code,
                # where form-encoding percent-escapes every byte of a Chinese text in Python.
                body = json.dumps(request_data.parameters, separators=(",", ":")).encode()
                headers = _JSON

        await self._take_slot(pool)
        try:
            async with session.request(
                method, url, data=body, headers=headers, timeout=self._timeout(read, connect)
            ) as response:
                return response.status, await response.read()
        except aiohttp.ConnectionTimeoutError as error:
            raise TimedOut("connecting to the Bot API timed out") from _cause(httpx.ConnectTimeout, error)
        except (aiohttp.SocketTimeoutError, TimeoutError) as error:
            raise TimedOut("the Bot API did not answer in time") from _cause(httpx.ReadTimeout, error)
        except aiohttp.ClientConnectorError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}") from _cause(httpx.ConnectError, error)
        except (aiohttp.ClientError, OSError) as error:
            # The connection dropped after the request was (perhaps) sent: it may have been carried out.
            raise NetworkError(f"aiohttp.{type(error).__name__}") from _cause(httpx.RemoteProtocolError, error)
        finally:
            self._slots.release()

    async def _take_slot(self, pool_timeout: float | None) -> None:
        if not self._slots.locked():
            await self._slots.acquire()  # free: returns at once, no timer
            return
        try:
            await asyncio.wait_for(self._slots.acquire(), pool_timeout)
        except TimeoutError:
            raise TimedOut(
                "Pool timeout: all connections to the Bot API are busy; the request was not sent"
            ) from _cause(httpx.PoolTimeout, None)


def _cause(kind: type[httpx.TransportError], error: BaseException | None) -> httpx.TransportError:
    cause = kind(type(error).__name__ if error is not None else kind.__name__)
    cause.__cause__ = error
    return cause


def _form_with_files(request_data: RequestData) -> aiohttp.FormData:
    """A multipart body (a file upload; the bot sends none today, kept for completeness)."""
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, part in request_data.multipart_data.items():
        if isinstance(part, tuple):
            filename, content, *rest = part
            form.add_field(name, content, filename=filename, content_type=rest[0] if rest else None)
        else:
            form.add_field(name, part)
    return form
