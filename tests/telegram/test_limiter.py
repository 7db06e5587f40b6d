"""The flood limiter (``bot.channels.telegram_limiter``): still limits, in order, without busy-waiting under uvloop."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
import uvloop
from aiolimiter import AsyncLimiter

from bot.channels.telegram_limiter import FloodLimiter, MillisecondLimiter

RATE = 20.0  # per second; a burst of RATE goes at once, the rest one every 1 / RATE s


def _run(loop_kind: str, main: Coroutine[Any, Any, Any]) -> Any:
    return uvloop.run(main) if loop_kind == "uvloop" else asyncio.run(main)


async def _acquire_all(limiter: AsyncLimiter, count: int) -> tuple[list[float], int]:
    """Times (from the start) at which each of ``count`` waiters got through, and the limiter's wake-ups."""
    wakeups = 0
    wake_next: Callable[..., None] = limiter._wake_next

    def counted(*args: object) -> None:
        nonlocal wakeups
        wakeups += 1
        wake_next(*args)

    limiter._wake_next = counted  # type: ignore[method-assign]
    # The limiter's own clock: the bucket's guarantee holds in loop.time(), which uvloop reads once per loop
    # iteration. time.monotonic() read when a waiter resumes adds the scheduler's stalls between two waiters
    # of one iteration, so on a busy machine it once showed a burst that the limiter never let through.
    clock = asyncio.get_running_loop().time
    started = clock()
    passed: list[tuple[int, float]] = []

    async def one(index: int) -> None:
        async with limiter:
            passed.append((index, clock() - started))

    await asyncio.gather(*(one(n) for n in range(count)))
    assert [index for index, _ in passed] == list(range(count)), "waiters went out of their order"
    return [at for _, at in passed], wakeups


@pytest.mark.parametrize("loop_kind", ["uvloop", "asyncio"])
def test_the_limit_holds(loop_kind: str) -> None:
    count = 2 * int(RATE) + 10
    times, _ = _run(loop_kind, _acquire_all(MillisecondLimiter(RATE, 1), count))
    # A leaky bucket of RATE draining RATE per second lets at most RATE + RATE * T through in any T seconds:
    # waiters i..j (j - i + 1 of them) span at least (j - i + 1 - RATE) / RATE s.  From the start (i = 0) it
    # is the burst then one every 1 / RATE s.
    for i in range(count):
        for j in range(i + int(RATE), count):
            least = (j - i + 1 - RATE) / RATE
            assert times[j] - times[i] >= least - 0.002, f"waiters {i}..{j} within {times[j] - times[i]:.3f} s"
    assert times[-1] >= (count - RATE) / RATE - 0.002


def test_no_busy_wait_under_uvloop() -> None:
    count = 2 * int(RATE)
    waiting = count - int(RATE)
    _, ours = uvloop.run(_acquire_all(MillisecondLimiter(RATE, 1), count))
    # About one timer per waiter, plus one per waiter going and one per future done: a few per message,
    # where aiolimiter's own re-arms its sub-millisecond timer until uvloop's clock ticks (thousands).
    assert ours <= 4 * count, f"{ours} wake-ups for {waiting} waits"


def test_flood_limiter_uses_the_millisecond_buckets() -> None:
    limiter = FloodLimiter(overall_max_rate=30, group_max_rate=20, max_retries=2)
    assert isinstance(limiter._base_limiter, MillisecondLimiter)
    assert (limiter._base_limiter.max_rate, limiter._base_limiter.time_period) == (30, 1)
    group = limiter._get_group_limiter(-100123)
    assert isinstance(group, MillisecondLimiter)
    assert (group.max_rate, group.time_period) == (20, 60)
    assert limiter._get_group_limiter(-100123) is group
    assert isinstance(limiter._apb_limiter, MillisecondLimiter)
    assert FloodLimiter(overall_max_rate=0, group_max_rate=0, max_retries=0)._base_limiter is None


def test_flood_limiter_limits_sends() -> None:
    """Through PTB's request path: sendMessage calls to different private chats share the overall limit."""

    async def main() -> list[float]:
        limiter = FloodLimiter(overall_max_rate=RATE, group_max_rate=0, max_retries=0)
        started = time.monotonic()
        sent: list[float] = []

        async def send(*_args: object, **_kwargs: object) -> bool:
            sent.append(time.monotonic() - started)
            return True

        await asyncio.gather(*(
            limiter.process_request(send, (), {}, "sendMessage", {"chat_id": 1000 + n, "text": "x"}, None)
            for n in range(int(RATE) + 10)
        ))
        return sorted(sent)

    sent = uvloop.run(main())
    assert sent[-1] >= 10 / RATE - 0.002, f"{len(sent)} sends in {sent[-1]:.3f} s at {RATE:.0f}/s"
