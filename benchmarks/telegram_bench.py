"""Telegram adapter under load: many residents at once, every Bot API call slowed down as over a real network.

The real adapter (``bot.channels.telegram.build_application``: PTB Application, SQLite state, the dialog engine)
polls the fake Bot API of the tests (``tests/telegram/fake_bot_api.py``) on 127.0.0.1, which adds
``--latency`` seconds (default 50 ms) to every call.  ``--residents`` residents (default 100) start at the same
moment; each does a short scripted dialog with a button, waiting for the bot's reply before the next step:

    "朔州" -> welcome + date question (2 messages) | tap 今天 -> birth question | "2024年2月1日" -> the answer

Printed per configuration: updates per second over the whole load, and p50 / p99 of the time from an update
being queued at the fake Telegram to the last message of its reply existing there (what the resident waits).
Configurations, in the same run:

* per-chat concurrency (``PerChatUpdateProcessor``), the engine in a worker thread (the production setting);
* the same with the engine called on the event loop (``engine_in_thread=False``);
* PTB's default sequential processing (``concurrent=False``): the baseline of the ratio;
* optionally (``--flood-limit``) the production setting with AIORateLimiter's 30 messages/s overall limit,
  which the fake does not enforce but Telegram does: then Telegram's limit, not the adapter, sets the pace.

Every run also checks that every resident got exactly its replies (none lost, none doubled).

    .venv/bin/python benchmarks/telegram_bench.py [--residents 100] [--latency 0.05] [--flood-limit]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from datetime import date
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "telegram"))

from fake_bot_api import FakeBotApi, running  # noqa: E402

from bot.channels.telegram import adapter_of, build_application  # noqa: E402
from bot.dialog.engine import DialogEngine  # noqa: E402
from bot.dialog.factory import build_engine  # noqa: E402
from bot.dialog.service import DialogService  # noqa: E402
from bot.dialog.store import SQLiteStore  # noqa: E402

TODAY = date(2024, 3, 10)  # dialogs/scripts/happy_path/shuozhou_newborn_is_not_asked_about_status.yaml
# (what the resident does, how many bot messages it brings)
DIALOG: tuple[tuple[str, str, int], ...] = (
    ("say", "朔州", 2),
    ("tap", "今天", 1),
    ("say", "2024年2月1日", 1),
)
FIRST_CHAT = 10_000


@dataclass
class Result:
    name: str
    updates: int
    wall: float
    latencies: list[float]
    cpu: float  # CPU seconds of the bot's process
    telegram_cpu: float  # CPU seconds of the fake Telegram and the residents (another process)

    @property
    def rate(self) -> float:
        return self.updates / self.wall

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * q))]

    def row(self) -> str:
        return (f"{self.name:<44} {self.rate:>9.1f} {self.pct(0.5) * 1000:>8.0f} {self.pct(0.99) * 1000:>8.0f}"
                f" {self.wall:>7.1f} {self.cpu / self.updates * 1000:>8.2f} {self.telegram_cpu / self.wall:>8.0%}")


class _Telegram(FakeBotApi):
    """The fake, plus one event per chat set whenever the bot sends there: a resident waiting for its reply
    wakes only for its own chat (``wait_until`` wakes every waiter on every call, which with a hundred
    residents costs the fake more CPU than the bot under test)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.arrived: dict[int, asyncio.Event] = {}

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        result = super()._send_message(params)
        self.arrived.setdefault(int(params["chat_id"]), asyncio.Event()).set()
        return result


async def resident(api: _Telegram, chat_id: int, latencies: list[float], timeout: float) -> None:
    arrived = api.arrived.setdefault(chat_id, asyncio.Event())
    deadline = time.monotonic() + timeout
    for action, value, replies in DIALOG:
        before = len(api.bot_messages(chat_id))
        started = time.monotonic()
        if action == "say":
            api.send_text(chat_id, value)
        else:
            message = next(m for m in reversed(api.bot_messages(chat_id)) if any(b.text == value for b in m.buttons))
            api.tap_button(chat_id, message.message_id, text=value)
        while len(api.bot_messages(chat_id)) < before + replies:
            arrived.clear()
            await asyncio.wait_for(arrived.wait(), max(0.0, deadline - time.monotonic()))
        latencies.append(time.monotonic() - started)


def telegram_side(conn: Connection, residents: int, latency: float, timeout: float) -> None:
    """The fake Telegram and the residents, in their own process (so their CPU is not the bot's)."""
    warnings.filterwarnings("ignore", message=".*retry_after.*")
    asyncio.run(_telegram_side(conn, residents, latency, timeout))


async def _telegram_side(conn: Connection, residents: int, latency: float, timeout: float) -> None:
    api = _Telegram(latency=latency)
    async with api:
        conn.send((api.base_url, api.token))
        await asyncio.to_thread(conn.recv)  # the bot is running
        await api.wait_for_calls("getUpdates", timeout=10)
        latencies: list[float] = []
        started, cpu = time.monotonic(), time.process_time()
        await asyncio.gather(*(resident(api, FIRST_CHAT + n, latencies, timeout) for n in range(residents)))
        wall = time.monotonic() - started
        cpu = time.process_time() - cpu
        problems: list[str] = []
        expected = sum(r for _, _, r in DIALOG)
        for n in range(residents):
            messages = api.bot_messages(FIRST_CHAT + n)
            if len(messages) != expected:
                problems.append(f"resident {n}: {len(messages)} messages, expected {expected}")
            elif "您需缴纳：0元" not in messages[-1].text:
                problems.append(f"resident {n}: not the expected answer")
        conn.send((wall, latencies, problems, cpu))
        await asyncio.to_thread(conn.recv)  # the bot has stopped (its last getUpdates was answered)


async def measure(
    name: str, engine: DialogEngine, residents: int, latency: float, timeout: float, **options: Any
) -> Result:
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    side = context.Process(target=telegram_side, args=(theirs, residents, latency, timeout), daemon=True)
    side.start()
    try:
        base_url, token = await asyncio.to_thread(ours.recv)
        with tempfile.TemporaryDirectory() as folder:
            store = SQLiteStore(Path(folder) / "state.sqlite3")
            app = build_application(
                token, DialogService(engine, store), base_url=base_url, clock=lambda: TODAY, **options
            )
            async with running(app, poll_timeout=10):
                cpu = time.process_time()
                ours.send("go")
                wall, latencies, problems, telegram_cpu = await asyncio.to_thread(ours.recv)
                cpu = time.process_time() - cpu
                errors = adapter_of(app).stats.errors
            store.close()
        ours.send("done")
    finally:
        await asyncio.to_thread(side.join, 10)
        if side.is_alive():
            side.kill()
    if problems or errors:
        raise SystemExit(f"{name}: {errors} errors; {problems[:5]}")
    return Result(name, residents * len(DIALOG), wall, latencies, cpu, telegram_cpu)


async def main_async(args: argparse.Namespace) -> None:
    engine = build_engine()
    common = {"engine": engine, "residents": args.residents, "latency": args.latency, "timeout": 300.0}
    print(f"{args.residents} residents at once, {len(DIALOG)} turns each ({args.residents * len(DIALOG)} updates, "
          f"{args.residents * sum(r for _, _, r in DIALOG)} messages), {args.latency * 1000:.0f} ms added to every "
          "Bot API call")
    print(f"{'configuration':<44} {'updates/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'wall s':>7} "
          f"{'bot CPU ms/update':>8} {'fake CPU':>8}")
    concurrent = await measure("per-chat concurrent, engine in thread", flood_limit=None, **common)
    print(concurrent.row(), flush=True)
    on_loop = await measure("per-chat concurrent, engine on event loop", flood_limit=None,
                            engine_in_thread=False, **common)
    print(on_loop.row(), flush=True)
    sequential = await measure("PTB default sequential (baseline)", flood_limit=None, concurrent=False, **common)
    print(sequential.row(), flush=True)
    if args.flood_limit:
        limited = await measure("per-chat concurrent, 30 msg/s flood limit", flood_limit=30.0, **common)
        print(limited.row(), flush=True)
    print(
        f"concurrent vs sequential: {concurrent.rate / sequential.rate:.1f}x updates/s, "
        f"p50 {sequential.pct(0.5) / concurrent.pct(0.5):.1f}x and p99 {sequential.pct(0.99) / concurrent.pct(0.99):.1f}x "
        "shorter waits"
    )
    print(f"engine in thread vs on loop: p50 {concurrent.pct(0.5) * 1000:.0f} vs {on_loop.pct(0.5) * 1000:.0f} ms, "
          f"p99 {concurrent.pct(0.99) * 1000:.0f} vs {on_loop.pct(0.99) * 1000:.0f} ms, "
          f"{concurrent.rate:.0f} vs {on_loop.rate:.0f} updates/s; "
          f"mean wait {statistics.mean(concurrent.latencies) * 1000:.0f} vs {statistics.mean(on_loop.latencies) * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added to every Bot API call")
    parser.add_argument("--flood-limit", action="store_true", help="also run with the 30 messages/s limit")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message=".*retry_after.*")
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
