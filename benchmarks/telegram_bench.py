"""Telegram adapter under load: many residents at once, every Bot API call slowed down as over a real network.

The real adapter (``bot.channels.telegram.build_application``: PTB Application, SQLite state, the dialog engine)
polls the fake Bot API of the tests (``tests/telegram/fake_bot_api.py``) on 127.0.0.1, which adds
``--latency`` seconds (default 50 ms) to every call.  ``--residents`` residents (default 100) start at the same
moment; each does a short scripted dialog with a button, waiting for the bot's reply before the next step:

    "朔州" -> welcome + date question (2 messages) | tap 今天 -> birth question | "2024年2月1日" -> the answer

Printed per configuration: updates per second over the whole load, p50 / p99 of the time from an update
being queued at the fake Telegram to the last message of its reply existing there (what the resident waits),
and the bot process's CPU time per update (all its threads).  Configurations, in the same run:

* **PTB with a no-op handler**, the baseline: PTB as documented (``ApplicationBuilder`` defaults, httpx, its
  own ``concurrent_updates``), handlers that only send the fixed messages the residents wait for;
* the bot as in production (``build_application``: per-chat ordering, delivery checks, SQLite state, the
  engine in a worker thread, the aiohttp transport of ``bot/channels/telegram_http.py``);
* the same with the engine on the event loop (as the webhook workers on PostgreSQL run it);
* the same with PTB's httpx transport (what the bot used before);
* the same with PTB's default sequential processing;

first at ``--latency`` (default 50 ms per Bot API call), then at 0 ms (throughput bound by CPU, not by the
network); with ``--flood-limit`` also the no-op baseline and the bot with AIORateLimiter's 30 messages/s
(Telegram's limit, which the fake does not enforce): then that limit, not the code, sets the pace.

Every run also checks that every resident got exactly its replies (none lost, none doubled).

    .venv/bin/python benchmarks/telegram_bench.py [--residents 100] [--latency 0.05] [--flood-limit]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "telegram"))

from fake_bot_api import ChatWakingBotApi, running  # noqa: E402
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update  # noqa: E402
from telegram.ext import AIORateLimiter, ApplicationBuilder, CallbackQueryHandler, MessageHandler, filters  # noqa: E402

from bot.channels.telegram import build_application  # noqa: E402
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


async def resident(api: ChatWakingBotApi, chat_id: int, latencies: list[float], timeout: float) -> None:
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
    api = ChatWakingBotApi(latency=latency)
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


def bot_application(engine: DialogEngine, store: SQLiteStore, token: str, base_url: str, **options: Any) -> Any:
    """The bot itself, as ``python -m bot telegram`` builds it (``options`` override the production ones)."""
    return build_application(token, DialogService(engine, store), base_url=base_url, clock=lambda: TODAY, **options)


def noop_application(token: str, base_url: str, flood_limit: float | None = None) -> Any:
    """The baseline: PTB as its documentation sets it up (``ApplicationBuilder`` defaults, httpx, PTB's own
    concurrent updates), with handlers that do no work of their own: they send the fixed messages the
    residents wait for (the same count and the same button) and answer the tap, with no dialog engine,
    no state store, no per-chat ordering, no delivery checks."""
    builder = ApplicationBuilder().token(token).base_url(base_url).concurrent_updates(True)
    if flood_limit:
        builder = builder.rate_limiter(AIORateLimiter(overall_max_rate=flood_limit, group_max_rate=20))
    app = builder.build()
    today = InlineKeyboardMarkup([[InlineKeyboardButton("今天", callback_data="b:date:today")]])

    async def on_text(update: Update, context: Any) -> None:
        assert update.message is not None
        chat_id = update.message.chat_id
        if update.message.text == "朔州":
            await context.bot.send_message(chat_id, "欢迎")
            await context.bot.send_message(chat_id, "哪天缴费？", reply_markup=today)
        else:
            await context.bot.send_message(chat_id, "您需缴纳：0元")

    async def on_tap(update: Update, context: Any) -> None:
        query = update.callback_query
        assert query is not None and query.message is not None
        await query.answer()
        await context.bot.send_message(query.message.chat.id, "出生日期？")

    app.add_handler(MessageHandler(filters.TEXT, on_text))
    app.add_handler(CallbackQueryHandler(on_tap))
    return app


async def measure(
    name: str, make_app: Callable[[str, str], Any], residents: int, latency: float, timeout: float
) -> Result:
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    side = context.Process(target=telegram_side, args=(theirs, residents, latency, timeout), daemon=True)
    side.start()
    try:
        base_url, token = await asyncio.to_thread(ours.recv)
        app = make_app(token, base_url)
        async with running(app, poll_timeout=10):
            cpu = time.process_time()
            ours.send("go")
            wall, latencies, problems, telegram_cpu = await asyncio.to_thread(ours.recv)
            cpu = time.process_time() - cpu
            adapter = app.bot_data.get("adapter")
            errors = adapter.stats.errors if adapter is not None else 0
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
    with tempfile.TemporaryDirectory() as folder:
        stores: list[SQLiteStore] = []

        def bot(**options: Any) -> Callable[[str, str], Any]:
            def make(token: str, base_url: str) -> Any:
                store = SQLiteStore(Path(folder) / f"state{len(stores)}.sqlite3")
                stores.append(store)
                return bot_application(engine, store, token, base_url, **options)

            return make

        await run_all(args, bot)
        for store in stores:
            store.close()


async def run_all(args: argparse.Namespace, bot: Callable[..., Callable[[str, str], Any]]) -> None:
    async def row(name: str, make_app: Callable[[str, str], Any], latency: float) -> Result:
        result = await measure(name, make_app, args.residents, latency, 300.0)
        print(result.row(), flush=True)
        return result

    def header(latency: float) -> None:
        print(f"\n{args.residents} residents at once, {len(DIALOG)} turns each ({args.residents * len(DIALOG)} updates, "
              f"{args.residents * sum(r for _, _, r in DIALOG)} messages), {latency * 1000:.0f} ms added to every Bot API call")
        print(f"{'configuration':<44} {'updates/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'wall s':>7} "
              f"{'bot CPU ms/update':>8} {'fake CPU':>8}")

    header(args.latency)
    noop = await row("PTB no-op handler (baseline)", lambda t, u: noop_application(t, u), args.latency)
    ours = await row("bot, aiohttp transport (production)", bot(flood_limit=None), args.latency)
    on_loop = await row("bot, aiohttp, engine on the event loop", bot(flood_limit=None, engine_in_thread=False),
                        args.latency)
    httpx = await row("bot, httpx transport (PTB's default)", bot(flood_limit=None, http_client="httpx"), args.latency)
    sequential = await row("bot, PTB sequential processing", bot(flood_limit=None, concurrent=False), args.latency)
    header(0.0)
    noop0 = await row("PTB no-op handler (baseline)", lambda t, u: noop_application(t, u), 0.0)
    ours0 = await row("bot, aiohttp transport (production)", bot(flood_limit=None), 0.0)
    on_loop0 = await row("bot, aiohttp, engine on the event loop", bot(flood_limit=None, engine_in_thread=False), 0.0)
    objects0 = await row("the same, a Message object per send (before)",
                         bot(flood_limit=None, engine_in_thread=False, message_objects=True), 0.0)
    if args.flood_limit:
        print("\nwith the 30 messages/s limiter on (AIORateLimiter), latency as above:")
        noop_l = await row("PTB no-op handler, 30 msg/s", lambda t, u: noop_application(t, u, 30.0), args.latency)
        ours_l = await row("bot, aiohttp, 30 msg/s", bot(flood_limit=30.0), args.latency)
        print(f"limiter on: bot {ours_l.rate:.1f} vs no-op {noop_l.rate:.1f} updates/s ({ours_l.rate / noop_l.rate:.0%}); "
              f"p99 {ours_l.pct(0.99) * 1000:.0f} vs {noop_l.pct(0.99) * 1000:.0f} ms")
    print()
    print(f"limiter off, {args.latency * 1000:.0f} ms: bot {ours.rate:.1f} vs no-op PTB {noop.rate:.1f} updates/s "
          f"({ours.rate / noop.rate:.0%}); p99 {ours.pct(0.99) * 1000:.0f} ms (no-op {noop.pct(0.99) * 1000:.0f} ms)")
    print(f"limiter off, 0 ms: bot {ours0.rate:.1f} vs no-op PTB {noop0.rate:.1f} updates/s ({ours0.rate / noop0.rate:.0%})")
    print(f"bot CPU per update: {ours.cpu / ours.updates * 1000:.2f} ms (aiohttp) vs {httpx.cpu / httpx.updates * 1000:.2f} ms "
          f"(httpx); at 0 ms latency {ours0.cpu / ours0.updates * 1000:.2f} ms; no-op PTB "
          f"{noop.cpu / noop.updates * 1000:.2f} ms")
    print(f"engine on the event loop: {on_loop.cpu / on_loop.updates * 1000:.2f} ms CPU per update at "
          f"{args.latency * 1000:.0f} ms, {on_loop0.cpu / on_loop0.updates * 1000:.2f} ms at 0 ms; "
          f"{on_loop0.rate:.1f} updates/s at 0 ms ({on_loop0.rate / noop0.rate:.0%} of no-op PTB)")
    print(f"reading only the id of a sent message: {on_loop0.cpu / on_loop0.updates * 1000:.2f} ms CPU per update, "
          f"a Message object per send {objects0.cpu / objects0.updates * 1000:.2f} ms (engine on the loop, 0 ms)")
    print(f"per-chat concurrency vs PTB sequential: {ours.rate / sequential.rate:.1f}x updates/s, "
          f"p99 {sequential.pct(0.99) / ours.pct(0.99):.1f}x shorter")


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
