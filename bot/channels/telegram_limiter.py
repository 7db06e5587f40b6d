"""Telegram's flood limits (PTB's ``AIORateLimiter``) without busy-waiting under uvloop.

aiolimiter's leaky bucket arms a timer for the moment the next message may go
(``loop.call_at(last_check + needed / rate)``).  uvloop keeps its clock in whole milliseconds, cached per
loop iteration, and rounds a timer's delay to the nearest millisecond: a wait under half a millisecond
becomes "call soon", the callback finds the clock unchanged and the bucket still short of the fraction of
a message it needs, and arms itself again, until the millisecond ticks over.  Measured: 150 messages at
30/s woke the limiter 15,690 times under uvloop against 510 under asyncio's own loop (0.045 s of CPU
against 0.022 s).

:class:`MillisecondLimiter` is the same bucket (the same level, the same FIFO of waiters, the same
capacity check before every message) whose timer delay is rounded UP to whole milliseconds, never under
one: it never fires before the slot is free, at most a millisecond after.  The limit is unchanged: a
waiter goes only when ``has_capacity`` says so, as before; only the number of wake-ups changes.

Relies on aiolimiter 1.2's private ``_wake_next`` and its fields (pinned in ``requirements.lock``);
``tests/channels/test_telegram_limiter.py`` checks the rate and the wake-ups against the pinned version.
"""

from __future__ import annotations

import math
from heapq import heappop

from aiolimiter import AsyncLimiter
from telegram.ext import AIORateLimiter


class MillisecondLimiter(AsyncLimiter):
    """aiolimiter's ``AsyncLimiter`` whose timer for the next free slot is a whole number of milliseconds."""

    def _wake_next(self, *_args: object) -> None:
        # aiolimiter 1.2.1's _wake_next, but for the delay of the timer (see the module's docstring).
        heap, handle, self._waker_handle = self._waiters, self._waker_handle, None
        if handle is not None:
            handle.cancel()
        while heap and heap[0][-1].done():
            heappop(heap)
        if not heap:
            return
        amount, _, future = heap[0]
        self._leak()
        needed = amount - self.max_rate + self._level
        if needed <= 0:
            heappop(heap)
            future.set_result(None)
            return
        delay = max(1, math.ceil(needed / self._rate_per_sec * 1000)) / 1000
        self._waker_handle = self._loop.call_later(delay, self._wake_next)


class FloodLimiter(AIORateLimiter):
    """PTB's ``AIORateLimiter`` (its limits, its 429 retries) on :class:`MillisecondLimiter` buckets."""

    def __init__(self, *, overall_max_rate: float, group_max_rate: float, max_retries: int) -> None:
        super().__init__(overall_max_rate=overall_max_rate, group_max_rate=group_max_rate, max_retries=max_retries)
        if self._base_limiter is not None:
            self._base_limiter = MillisecondLimiter(self._base_limiter.max_rate, self._base_limiter.time_period)
        self._apb_limiter = MillisecondLimiter(self._apb_limiter.max_rate, self._apb_limiter.time_period)

    def _get_group_limiter(self, group_id: str | int | bool) -> AsyncLimiter:
        if group_id not in self._group_limiters:
            self._group_limiters[group_id] = MillisecondLimiter(self._group_max_rate, self._group_time_period)
        return super()._get_group_limiter(group_id)
