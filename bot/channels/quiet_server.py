"""uvicorn's server, woken once a second instead of ten times when no update arrives.

uvicorn's ``Server.main_loop`` sleeps 0.1 s at a time to refresh its ``Date`` header (once a second) and to
notice a stop signal.  Each of those ten wake-ups a second costs a webhook worker about 0.17 ms of CPU on
the 2-core machine the load figures come from (``benchmarks/cold_bench.py``: a bare uvloop wake-up after
0.1 s asleep), 1.6-2.3 ms of CPU a second in all: for a county bot that gets an update a minute, most of
what it spends.  :class:`QuietServer` ticks once a second (the header still changes every second, as
uvicorn's does) and is woken at once by SIGTERM or SIGINT, so a stop is not delayed.  Everything else is
uvicorn's own code.

:class:`QuietMultiprocess` is uvicorn's supervisor for ``--workers N`` with its workers on
:class:`QuietServer`, the replacement of a dead worker and those of a restart included.
"""

from __future__ import annotations

import asyncio
from types import FrameType
from typing import Final

from uvicorn import Server
from uvicorn.supervisors import multiprocess
from uvicorn.supervisors.multiprocess import Multiprocess, Process

TICK: Final = 1.0
"""Seconds between two ticks of the main loop (uvicorn's: 0.1)."""

_TICKS_PER_HEADER: Final = 10
"""uvicorn's ``on_tick`` refreshes the Date header on every tenth tick (counter % 10 == 0)."""


class QuietServer(Server):
    """``uvicorn.Server`` whose main loop ticks every :data:`TICK` seconds, or at once after a stop signal."""

    _wake: asyncio.Event | None = None

    async def main_loop(self) -> None:
        loop = asyncio.get_running_loop()
        wake = self._wake = asyncio.Event()
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + _TICKS_PER_HEADER) % 864000  # every tick a whole second: the header refreshed
            timer = loop.call_later(TICK, wake.set)
            await wake.wait()
            timer.cancel()
            wake.clear()
            should_exit = await self.on_tick(counter)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        # A Python-level signal handler: it runs on the event loop's thread, between two of its callbacks.
        if self._wake is not None:
            self._wake.set()


class QuietProcess(Process):
    """A worker process of uvicorn's supervisor, serving with :class:`QuietServer`."""

    @property
    def server(self) -> Server:
        if self._server is None:
            self._server = QuietServer(config=self.config)
        return self._server


class QuietMultiprocess(Multiprocess):
    """uvicorn's ``Multiprocess`` (uvicorn 0.55.0, pinned) whose every worker is a :class:`QuietProcess`: the first
    ones, a dead worker's replacement, those of a restart (SIGHUP) and one added (SIGTTIN). uvicorn builds each of
    them by the module's name ``Process``, which points at :class:`QuietProcess` while this supervisor runs, rather
    than a copy of each of those four methods here."""

    def run(self) -> None:
        builds = multiprocess.Process
        multiprocess.Process = QuietProcess  # type: ignore[misc]
        try:
            super().run()
        finally:
            multiprocess.Process = builds  # type: ignore[misc]
