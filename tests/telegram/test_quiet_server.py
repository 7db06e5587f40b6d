"""The webhook's uvicorn server with one wake-up a second (``bot.channels.quiet_server``): it still serves,
refreshes its Date header on every tick, and stops at once on a stop signal however long its tick.  (Its
supervisor for several workers, ``QuietMultiprocess``, runs in tests/telegram/test_load.py, a worker killed and
replaced.)"""

from __future__ import annotations

import asyncio
import signal
from email.utils import parsedate_to_datetime

import aiohttp
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from bot.channels import quiet_server
from bot.channels.quiet_server import QuietServer


async def _ok(request: object) -> PlainTextResponse:
    del request
    return PlainTextResponse("ok")


def _server() -> QuietServer:
    app = Starlette(routes=[Route("/", _ok)])
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, access_log=False, lifespan="off")
    return QuietServer(config)


async def _started(server: QuietServer) -> asyncio.Task[None]:
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("the server stopped before it started")
        await asyncio.sleep(0.01)
    return task


async def test_a_stop_signal_ends_the_main_loop_without_waiting_for_the_tick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(quiet_server, "TICK", 3600.0)  # were the signal not to wake it, the loop would sleep an hour
    server = _server()
    task = await _started(server)
    server.handle_exit(signal.SIGTERM, None)  # what the SIGTERM handler calls
    server._captured_signals.clear()  # uvicorn raises a captured signal again once stopped: not in pytest's process
    await asyncio.wait_for(task, 30)
    assert server.should_exit


async def test_every_tick_refreshes_the_date_header_and_requests_are_served(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(quiet_server, "TICK", 0.01)
    counters: list[int] = []
    server = _server()
    original = server.on_tick

    async def recording(counter: int) -> bool:
        counters.append(counter)
        return await original(counter)

    server.on_tick = recording  # type: ignore[method-assign]
    task = await _started(server)
    try:
        while len(counters) < 5:
            await asyncio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}/") as response:
            assert await response.text() == "ok"
            assert parsedate_to_datetime(response.headers["Date"]).year >= 2024
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 30)
    assert all(counter % 10 == 0 for counter in counters), "uvicorn's on_tick refreshes the header on multiples of 10"
    assert len(set(counters)) == len(counters), "a new counter each tick"



def test_every_worker_of_the_supervisor_is_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    """uvicorn's supervisor builds a worker by its module's name ``Process`` in four places (start, a dead
    worker's replacement, a restart on SIGHUP, one more on SIGTTIN): while QuietMultiprocess runs, each is quiet."""
    from uvicorn.supervisors import multiprocess

    built: list[type] = []
    monkeypatch.setattr(multiprocess.Multiprocess, "run", lambda self: built.append(multiprocess.Process))
    plain = multiprocess.Process
    config = uvicorn.Config(Starlette(), host="127.0.0.1", port=0, log_config=None, workers=2)
    quiet_server.QuietMultiprocess(config, sockets=[]).run()
    assert built == [quiet_server.QuietProcess]
    assert multiprocess.Process is plain  # put back after the run
