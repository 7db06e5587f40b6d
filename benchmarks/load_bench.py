"""Load test on loopback: ``python -m bot serve --workers N`` on PostgreSQL, 1,000 residents doing whole dialogs.

The real command runs as a subprocess (uvicorn, N worker processes sharing one port, the shared PostgreSQL
store in a schema of its own that is dropped afterwards).  The fake Telegram (``tests/telegram/
webhook_telegram.py``) delivers each resident's updates by webhook as Telegram does: one chat's updates one at
a time and in order, chats side by side (up to 100 connections), and an update that gets no 200 (a worker
killed mid-request) is delivered again.  Its Bot API side answers the workers' calls.  Each resident:

    "朔州" -> welcome + date question (2 messages) | tap 今天 -> birth question | "2024年2月1日" -> the answer

waiting for the bot's reply before the next step.  Printed per run: updates/s over the whole load, p50 and
p99 of the wait for each reply, the workers' CPU per update, and the checks:

* **order kept**: every resident's messages are exactly the reference dialog's, in its order;
* **nothing lost**: every update acknowledged, every resident at the answer (none stuck);
* **nothing doubled**: no message twice, no update acknowledged twice, the stored state of every resident
  at the answer step.

With ``--kill`` one worker is killed with SIGKILL when a third of the updates are answered: its chats carry
on on the others (uvicorn also starts a replacement), with the same checks.  A resident whose update the
killed worker had committed but not acknowledged gets, on redelivery, the replies saved with that turn
(``bot.dialog.outbox``) unless they were marked sent; a state written before the outbox existed would get
"where we were" and the current question again: counted as "re-asked", not as doubled.

    .venv/bin/python benchmarks/load_bench.py [--residents 1000] [--workers 1,2,4] [--kill 2] [--latency 0]
                                              [--noop] [--flood-limit]

``--noop`` first runs the baseline, PTB with a no-op handler (``benchmarks/ptb_noop.py``, polling the same
fake), with the same residents, latency and limiter, and compares one worker with it.  ``--flood-limit``
turns Telegram's 30 messages/s limiter on (AIORateLimiter; the fake does not enforce it): shared by the
workers (``BOT_FLOOD_LIMIT``), and in the baseline.

Needs PostgreSQL (``BOT_TEST_POSTGRES``, default postgresql://postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "telegram"))

import aiohttp  # noqa: E402
import psycopg  # noqa: E402
from fake_bot_api import ChatMessage, ChatWakingBotApi  # noqa: E402
from webhook_telegram import WebhookTelegram  # noqa: E402

from bot.dialog.pgstore import migrate  # noqa: E402
from bot.dialog.state import DialogState  # noqa: E402

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
SECRET = "load-test-secret"
PATH = "tg/load"
FIRST_CHAT = 500_000
DIALOG: tuple[tuple[str, str, int], ...] = (("say", "朔州", 2), ("tap", "今天", 1), ("say", "2024年2月1日", 1))
ANSWER = "您需缴纳：0元"


@dataclass
class LoadResult:
    workers: int
    residents: int
    updates: int
    wall: float
    waits: list[float]
    cpu: float  # CPU seconds of the worker processes (those alive at the end)
    kills: int = 0
    problems: list[str] = field(default_factory=list)
    order_kept: bool = True
    lost: int = 0
    doubled: int = 0
    redelivered: int = 0
    resumed: int = 0  # residents asked a question again after a worker died (see ``resumed``)
    resent: int = 0  # residents who got a turn's saved replies twice after a worker died (see ``resent``)
    answer_not_reshown: int = 0
    label: str = ""  # the first column: the number of workers, or "no-op" for the PTB baseline
    idle_cpu: float | None = None  # the workers' CPU seconds per second with no update arriving (``--idle``)
    idle_wakeups: float | None = None  # times per second the workers' threads slept and woke, then
    kernel_cpu: float | None = None  # the part of ``cpu`` spent in the kernel (sampled: see cpu_seconds)
    load_wakeups: int | None = None  # times the workers' threads slept and woke during the measured load
    instructions: int | None = None  # the worker's instructions over the measured load (``--callgrind``)
    idle_instructions: float | None = None  # ... per second with no update arriving (``--callgrind --idle``)

    @property
    def rate(self) -> float:
        return self.updates / self.wall

    def pct(self, q: float) -> float:
        ordered = sorted(self.waits)
        return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else float("nan")

    def row(self) -> str:
        verdict = "ok" if not self.problems else f"{len(self.problems)} problems"
        figures = (f"{self.label or self.workers:>7} {self.kills:>5} {self.residents:>9} {self.rate:>9.1f} "
                   f"{self.pct(0.5) * 1000:>8.0f} {self.pct(0.99) * 1000:>8.0f} {self.cpu / self.updates * 1000:>9.2f} ")
        if self.label == "no-op":  # the baseline is checked only for every resident's messages (run_noop)
            return figures + f"{'-':>6} {'-':>5} {'-':>7} {'-':>11} {'-':>8} {'-':>6}  {verdict}" + self.extras()
        return figures + (f"{'yes' if self.order_kept else 'NO':>6} {self.lost:>5} {self.doubled:>7} "
                          f"{self.redelivered:>11} {self.resumed:>8} {self.resent:>6}  {verdict}" + self.extras())

    def extras(self) -> str:
        """The optional figures: kernel share, wake-ups, instructions, idle cost; and the CPU per update net
        of what the process spends idle over the same wall time (shown beside the raw figure, not instead)."""
        net = ""
        if self.idle_cpu is not None:
            net = f"  net of idle {(self.cpu - self.idle_cpu * self.wall) / self.updates * 1000:.2f} ms"
        return (net
                + (f"  kernel {self.kernel_cpu / self.updates * 1000:.2f} ms" if self.kernel_cpu is not None else "")
                + (f"  {self.load_wakeups / self.updates:.1f} wake-ups/upd" if self.load_wakeups is not None else "")
                + (f"  {self.instructions / self.updates / 1e6:.2f} M instr/upd" if self.instructions else "")
                + (f"  idle {self.idle_instructions / 1e6:.2f} M instr/s" if self.idle_instructions else "")
                + (f"  idle {self.idle_cpu * 1000:.2f} ms CPU/s, {self.idle_wakeups:.1f} wake-ups/s"
                   if self.idle_cpu is not None and self.idle_wakeups is not None else ""))


HEADER = (f"{'workers':>7} {'kills':>5} {'residents':>9} {'updates/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms/upd':>9} "
          f"{'order':>6} {'lost':>5} {'doubled':>7} {'redelivered':>11} {'re-asked':>8} {'resent':>6}  checks")


def resent(texts: list[str], reference: list[str]) -> bool:
    """A dialog in which a worker died after committing a turn and sending (some of) its replies, before it
    marked them delivered (``bot.dialog.outbox``): the update came again and the turn's saved replies were
    sent again, as delivery was unknown.  True when the messages are the reference dialog's with the replies
    of one turn (from its first reply to where the first sending stopped) repeated once, right after they
    first went out; anything else (a turn handled twice, a reply missing) is not."""
    starts, total = [], 0
    for _, _, replies in DIALOG:
        starts.append(total)
        total += replies
    for start, replies in zip(starts, (r for _, _, r in DIALOG), strict=True):
        for stop in range(start + 1, start + replies + 1):
            if texts == reference[:stop] + reference[start:start + replies] + reference[start + replies:]:
                return True
    return False


def resumed(texts: list[str], reference: list[str]) -> bool:
    """A dialog in which a worker died after committing a turn but before Telegram had its 200: the update came
    again, was recognised as handled, and got a "where we were" note and the current question again (the
    resident is never left waiting: ``bot.dialog.store``'s contract).  True when, without that note (at most
    one per resident) and with the repeated question counted once, the messages are the reference dialog's in
    its order, every question and the answer there once; only a part of the killed turn's reply that had not
    gone out before the question may be missing."""
    notes = [t for t in texts if t not in reference]
    shown = [t for t in texts if t in reference]
    collapsed = [t for i, t in enumerate(shown) if i == 0 or t != shown[i - 1]]
    ends, total = [], 0
    for _, _, replies in DIALOG:
        total += replies
        ends.append(total - 1)
    position = 0
    for text in collapsed:  # a subsequence of the reference, in order
        while position < len(reference) and reference[position] != text:
            position += 1
        if position == len(reference):
            return False
        position += 1
    return len(notes) <= 1 and all(reference[i] in collapsed for i in ends) and len(collapsed) == len(set(collapsed))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def workers_of(pid: int, workers: int) -> list[int]:
    """The worker processes of ``python -m bot serve`` (uvicorn serves in the process itself with one)."""
    return [pid] if workers == 1 else children(pid)


def children(pid: int) -> list[int]:
    """uvicorn's worker processes (multiprocessing's resource tracker, also a child, is not one)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                command = Path(f"/proc/{child}/cmdline").read_bytes()
            except OSError:
                continue
            if b"resource_tracker" not in command:
                found.append(int(child))
    return found


def cpu_seconds(pid: int, *, kernel_only: bool = False) -> float:
    """The process's CPU time (user and kernel; or the kernel's part only).

    The total is the scheduler's own count, to the nanosecond (``/proc/<pid>/task/*/schedstat``), not the
    user and system times of ``/proc/<pid>/stat``: those are sampled at the clock's tick (every few
    milliseconds), coarse for a few hundred updates at low load.  The kernel's part can only come from the
    sampled figures.  (A thread that ended between two readings is missed: the workers' threads live as
    long as they do.)"""
    if not kernel_only:
        try:
            return sum(int((task / "schedstat").read_text().split()[0])
                       for task in Path(f"/proc/{pid}/task").iterdir()) / 1e9
        except OSError:
            pass
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return ((0 if kernel_only else int(fields[11])) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wakeups(pid: int) -> int:
    """The voluntary context switches of the process's threads (each a sleep, then a wake-up)."""
    total = 0
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            for line in (task / "status").read_text().splitlines():
                if line.startswith("voluntary_ctxt_switches:"):
                    total += int(line.split()[1])
    except OSError:
        pass
    return total


def callgrind(pid: int, *args: str) -> None:
    """``callgrind_control`` on a worker run under ``valgrind --tool=callgrind`` (``--callgrind``)."""
    subprocess.run(["callgrind_control", *args, str(pid)], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def callgrind_window(pid: int, out: Path, reason: str) -> int:
    """Dumps the instructions counted since instrumentation was switched on, switches it off, and returns them."""
    before = set(out.parent.glob(out.name + "*"))
    callgrind(pid, "--instr=off")
    callgrind(pid, "--dump=" + reason)
    dumps = sorted(set(out.parent.glob(out.name + "*")) - before)
    for line in dumps[-1].read_text().splitlines() if dumps else []:
        if line.startswith("totals:"):
            return int(line.split()[1])
    raise RuntimeError(f"no callgrind dump for {reason}")


class Schema:
    """A schema of its own in the test database for one run, dropped afterwards."""

    def __init__(self, server: str) -> None:
        self.server = server
        self.name = f"bot_load_{secrets.token_hex(5)}"

    def __enter__(self) -> str:
        with psycopg.connect(self.server, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {self.name}".encode())
        separator = "&" if "?" in self.server else "?"
        return f"{self.server}{separator}options={quote(f'-csearch_path={self.name}')}"

    def __exit__(self, *exc: object) -> None:
        with psycopg.connect(self.server, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {self.name} CASCADE".encode())


async def wait_healthy(url: str, process: subprocess.Popen[bytes], workers: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as http:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"bot serve exited with {process.returncode}")
            try:
                async with http.get(f"{url}/healthz") as response:
                    if response.status == 200 and len(workers_of(process.pid, workers)) >= workers:
                        break
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("the workers did not come up")
            await asyncio.sleep(0.2)
    await asyncio.sleep(0.5 * workers)  # every worker through its lifespan start (getMe, pool open)


async def resident(api: WebhookTelegram, chat: int, waits: list[float], timeout: float) -> None:
    arrived = api.arrived.setdefault(chat, asyncio.Event())
    deadline = time.monotonic() + timeout
    for step, (action, value, replies) in enumerate(DIALOG):
        before = len(api.bot_messages(chat))
        started = time.monotonic()
        if action == "say":
            api.send_text(chat, value)
        else:
            message = next(m for m in reversed(api.bot_messages(chat)) if any(b.text == value for b in m.buttons))
            api.tap_button(chat, message.message_id, text=value)
        following = DIALOG[step + 1] if step + 1 < len(DIALOG) else None

        while not answered(api.bot_messages(chat)[before:], replies, following):
            arrived.clear()
            await asyncio.wait_for(arrived.wait(), max(0.0, deadline - time.monotonic()))
        waits.append(time.monotonic() - started)


async def residents_one_after_another(api: WebhookTelegram, chats: list[int], waits: list[float],
                                      timeout: float) -> None:
    for chat in chats:
        await resident(api, chat, waits, timeout)


def answered(messages: list[ChatMessage], replies: int, following: tuple[str, str, int] | None) -> bool:
    """The bot's reply to a step is complete: its messages are there, and the button tapped next (a
    redelivered update's reply may come in two parts), or at the end the answer."""
    if len(messages) < replies:
        return False
    if following is None:
        # the answer; or, after a kill, "where we were" and the closing question instead (see check)
        return ANSWER in messages[-1].text or len(messages) >= 2
    return following[0] != "tap" or any(b.text == following[1] for m in messages for b in m.buttons)


class _Telegram(ChatWakingBotApi, WebhookTelegram):
    """The webhook fake, waking residents one by one."""


async def run_load(
    *, workers: int, residents: int, dsn: str, latency: float = 0.0, kill: bool = False, kill_at: float = 1 / 3,
    timeout: float = 300.0, python: str = sys.executable, flood_limit: float | None = None,
    code: Path = ROOT, idle: float = 0.0, profile: str | None = None, warmup: int = 0, rounds: int = 1,
    callgrind_dir: Path | None = None,
) -> LoadResult:
    await migrate(dsn)
    port = free_port()
    async with _Telegram(latency=latency, max_connections=100) as api:
        url = f"http://127.0.0.1:{port}"
        api.deliver_to(f"{url}/{PATH}", secret=SECRET)
        env = {
            **os.environ,
            "BOT_TOKEN": api.token,
            "BOT_API_BASE_URL": api.base_url,
            "BOT_WEBHOOK_URL": f"https://bot.example.invalid/{PATH}",
            "BOT_WEBHOOK_SECRET": SECRET,
            "BOT_WEBHOOK_LISTEN": "127.0.0.1",
            "BOT_STORE": dsn,
            "BOT_FLOOD_LIMIT": str(flood_limit or 0),  # the whole bot's messages/s, shared by the workers; 0: none
            "BOT_LOG_LEVEL": "WARNING",
            "BOT_TODAY": "2024-03-10",
        }
        profiler = ["-m", "cProfile", "-o", profile] if profile else []
        out = None
        valgrind: list[str] = []
        if callgrind_dir is not None:  # instructions counted only in the idle and the measured windows
            callgrind_dir.mkdir(parents=True, exist_ok=True)
            out = callgrind_dir / f"callgrind.{port}"
            valgrind = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
                        f"--log-file={out}.log", "--dump-instr=no"]
        process = subprocess.Popen(
            [*valgrind, python, *profiler, "-m", "bot", "serve", "--workers", str(workers), "--port", str(port),
             "--no-set-webhook"],
            cwd=code, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        kills = 0
        idle_instructions = None
        instructions = None
        try:
            await wait_healthy(url, process, workers, timeout=600.0 if out else 60.0)
            idle_cpu = idle_wakeups = None
            if idle:
                pids = workers_of(process.pid, workers)
                if out:
                    callgrind(process.pid, "--instr=on")
                idle_before, woken_before = sum(cpu_seconds(pid) for pid in pids), sum(wakeups(pid) for pid in pids)
                await asyncio.sleep(idle)
                idle_cpu = (sum(cpu_seconds(pid) for pid in pids) - idle_before) / idle
                idle_wakeups = (sum(wakeups(pid) for pid in pids) - woken_before) / idle
                if out:
                    idle_instructions = callgrind_window(process.pid, out, "idle") / idle
            waits: list[float] = []
            total = residents * rounds * len(DIALOG)
            chats = [FIRST_CHAT + n for n in range(residents * rounds)]
            warmed = [FIRST_CHAT + residents * rounds + n for n in range(warmup)]
            if warmed:  # the first updates' one-off costs (pool connections, first renders) left out
                await asyncio.gather(*(resident(api, chat, [], timeout) for chat in warmed))
            if out:
                callgrind(process.pid, "--instr=on")
            started = time.monotonic()
            cpu_before = {pid: cpu_seconds(pid) for pid in workers_of(process.pid, workers)}
            kernel_before = {pid: cpu_seconds(pid, kernel_only=True) for pid in workers_of(process.pid, workers)}
            load_woken_before = {pid: wakeups(pid) for pid in workers_of(process.pid, workers)}
            load = asyncio.gather(*(residents_one_after_another(api, chats[slot::residents], waits, timeout)
                                    for slot in range(residents)))
            if kill:
                while len(api.answered) < len(warmed) * len(DIALOG) + total * kill_at and not load.done():
                    await asyncio.sleep(0.01)
                victim = children(process.pid)[0]
                os.kill(victim, signal.SIGKILL)
                kills += 1
                cpu_before.pop(victim, None)
            await load
            wall = time.monotonic() - started
            cpu = sum(cpu_seconds(pid) - cpu_before.get(pid, 0.0) for pid in workers_of(process.pid, workers))
            kernel = sum(cpu_seconds(pid, kernel_only=True) - kernel_before.get(pid, 0.0)
                         for pid in workers_of(process.pid, workers))
            woken = sum(wakeups(pid) - load_woken_before.get(pid, 0) for pid in workers_of(process.pid, workers))
            if out:
                instructions = callgrind_window(process.pid, out, "load")
        finally:
            # uvicorn raises a captured SIGTERM again once shut down, which ends the process before cProfile
            # writes its file; SIGINT's KeyboardInterrupt lets it write.
            process.send_signal(signal.SIGINT if profile else signal.SIGTERM)
            try:
                _, errors = await asyncio.to_thread(process.communicate, timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                _, errors = await asyncio.to_thread(process.communicate)
        result = LoadResult(workers, residents, total, wall, waits, cpu, kills=kills, idle_cpu=idle_cpu,
                            idle_wakeups=idle_wakeups, kernel_cpu=kernel, load_wakeups=woken,
                            instructions=instructions, idle_instructions=idle_instructions)
        await check(result, api, chats + warmed, dsn)
        if errors.strip() and not kill:
            result.problems.append("the workers logged: " + errors.decode(errors="replace").strip()[-500:])
        return result


class _PollingTelegram(ChatWakingBotApi):
    """The fake without a webhook (the PTB baseline polls it), waking residents as ``_Telegram`` does."""


async def run_noop(
    *, residents: int, latency: float = 0.0, flood_limit: float | None = None, timeout: float = 300.0,
    python: str = sys.executable, warmup: int = 0, rounds: int = 1, idle: float = 0.0,
) -> LoadResult:
    """The baseline: PTB with a no-op handler (``benchmarks/ptb_noop.py``, polling) under the same residents,
    the same latency and limiter, the same ``warmup`` residents left out and ``rounds`` of residents in turn;
    checked only for every resident getting its four messages and the answer."""
    async with _PollingTelegram(latency=latency) as api:
        env = {**os.environ, "BOT_TOKEN": api.token, "BOT_API_BASE_URL": api.base_url,
               "BOT_FLOOD_LIMIT": str(flood_limit or 0)}
        process = subprocess.Popen([python, str(ROOT / "benchmarks" / "ptb_noop.py")], cwd=ROOT, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            await api.wait_for_calls("getUpdates", timeout=60)
            idle_cpu = idle_wakeups = None
            if idle:  # long-polling: an idle PTB waits in getUpdates (the fake answers [] after its timeout)
                idle_before, woken_before = cpu_seconds(process.pid), wakeups(process.pid)
                await asyncio.sleep(idle)
                idle_cpu = (cpu_seconds(process.pid) - idle_before) / idle
                idle_wakeups = (wakeups(process.pid) - woken_before) / idle
            waits: list[float] = []
            chats = [FIRST_CHAT + n for n in range(residents * rounds)]
            warmed = [FIRST_CHAT + residents * rounds + n for n in range(warmup)]
            if warmed:
                await asyncio.gather(*(resident(api, chat, [], timeout) for chat in warmed))  # type: ignore[arg-type]
            started, cpu_before, woken_before = time.monotonic(), cpu_seconds(process.pid), wakeups(process.pid)
            await asyncio.gather(*(residents_one_after_another(api, chats[slot::residents], waits, timeout)  # type: ignore[arg-type]
                                   for slot in range(residents)))
            wall, cpu = time.monotonic() - started, cpu_seconds(process.pid) - cpu_before
            woken = wakeups(process.pid) - woken_before
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.to_thread(process.communicate, timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                await asyncio.to_thread(process.communicate)
        result = LoadResult(1, residents, len(chats) * len(DIALOG), wall, waits, cpu, label="no-op",
                            idle_cpu=idle_cpu, idle_wakeups=idle_wakeups, load_wakeups=woken)
        expected = sum(r for _, _, r in DIALOG)
        for chat in chats + warmed:
            texts = [m.text for m in api.bot_messages(chat)]
            if len(texts) != expected or ANSWER not in texts[-1]:
                result.problems.append(f"resident {chat}: {len(texts)} messages")
        return result


async def check(result: LoadResult, api: _Telegram, chats: list[int], dsn: str) -> None:
    # The reference: the dialog most residents saw (any one of them may be a re-asked one, after a kill).
    # Of the dialogs of the expected length: after an early kill, residents whose first turn was resent can
    # outnumber the others.
    expected = sum(r for _, _, r in DIALOG)
    dialogs = [tuple(m.text for m in api.bot_messages(chat)) for chat in chats]
    seen = Counter(d for d in dialogs if len(d) == expected) or Counter(dialogs)
    reference = list(seen.most_common(1)[0][0])
    if len(reference) != expected or ANSWER not in reference[-1]:
        result.problems.append(f"the residents' usual dialog is not the expected one: {len(reference)} messages")
    for chat in chats:
        texts = [m.text for m in api.bot_messages(chat)]
        if texts == reference:
            continue
        if resent(texts, reference):
            result.resent += 1
            continue
        if resumed(texts, reference):
            result.resumed += 1
            continue
        if not any(ANSWER in t for t in texts):
            # The killed worker had committed the last turn but not sent the fee: the redelivered update
            # got "where we were" and the closing question, not the answer again.
            result.answer_not_reshown += 1
            result.problems.append(f"resident {chat}: the answer was not shown again after the kill")
            continue
        result.order_kept = False
        if len(texts) < expected:
            result.lost += 1
        elif len(texts) > expected:
            result.doubled += 1
        result.problems.append(f"resident {chat}: {len(texts)} messages, not the reference dialog")
    pushed = len(chats) * len(DIALOG)
    if len(api.answered) != pushed or api.undelivered:
        result.lost += pushed - len(api.answered)
        result.problems.append(f"{pushed - len(api.answered)} updates never acknowledged")
    if api.acknowledged_twice:
        result.doubled += len(api.acknowledged_twice)
        result.problems.append(f"{len(api.acknowledged_twice)} updates acknowledged twice")
    result.redelivered = api.failed_attempts
    async with await psycopg.AsyncConnection.connect(dsn) as conn:
        cursor = await conn.execute("SELECT key, state FROM conversations")
        rows = await cursor.fetchall()
    steps: dict[str, int] = {}
    for _, state in rows:
        step = DialogState.from_json(state).step if isinstance(state, str) else "forgotten"
        steps[step] = steps.get(step, 0) + 1
    if len(rows) != len(chats) or len(steps) != 1:
        result.problems.append(f"stored states: {len(rows)} rows, steps {steps}")


async def main_async(args: argparse.Namespace) -> None:
    server = os.environ.get("BOT_TEST_POSTGRES") or DEFAULT_POSTGRES
    flood_limit = 30.0 if args.flood_limit else None
    print(f"{args.residents} residents at once, {len(DIALOG)} updates each, {args.latency * 1000:.0f} ms added to every "
          f"Bot API call, Telegram's 30 messages/s limiter {'on' if flood_limit else 'off'}; `python -m bot serve` on "
          f"PostgreSQL; {os.cpu_count()} CPU cores on this machine")
    print(HEADER)
    results: list[LoadResult] = []
    if args.noop:
        baseline = await run_noop(residents=args.residents, latency=args.latency, flood_limit=flood_limit,
                                  warmup=args.warmup, rounds=args.rounds, idle=args.idle)
        print(baseline.row(), flush=True)
        for problem in baseline.problems[:5]:
            print("   ", problem)
        results.append(baseline)
    runs = [(int(n), False) for n in args.workers.split(",")] + ([(args.kill, True)] if args.kill else [])
    # --compare: each run first on the other checkout's code ("before"), then on this one, --repeat times,
    # alternated so that both see the same moments of the shared machine.
    codes = [(Path(args.compare).resolve(), "before"), (ROOT, "after")] if args.compare else [(ROOT, "")]
    for (workers, kill), _, (code, tag) in itertools.product(runs, range(args.repeat), codes):
        with Schema(server) as dsn:
            result = await run_load(workers=workers, residents=args.residents, dsn=dsn, latency=args.latency,
                                    kill=kill, flood_limit=flood_limit, code=code, idle=args.idle,
                                    profile=args.profile, warmup=args.warmup, rounds=args.rounds,
                                    callgrind_dir=Path(args.callgrind) if args.callgrind else None)
        result.label = f"{workers}{' ' + tag if tag else ''}"
        results.append(result)
        print(result.row(), flush=True)
        for problem in result.problems[:5]:
            print("   ", problem)
    if args.noop:
        for result in results[1:]:
            if result.workers == 1 and not result.kills:
                print(f"one worker: {result.rate:.1f} updates/s, {result.rate / results[0].rate:.0%} of PTB with a no-op "
                      f"handler ({results[0].rate:.1f}); CPU per update {result.cpu / result.updates * 1000:.2f} ms "
                      f"against {results[0].cpu / results[0].updates * 1000:.2f} ms; p99 {result.pct(0.99) * 1000:.0f} ms "
                      f"against {results[0].pct(0.99) * 1000:.0f} ms")
    if all(not r.problems for r in results):
        print("all checks passed: per-chat order kept, nothing lost, nothing doubled"
              + (", including the run with a worker killed" if args.kill else ""))
    else:
        raise SystemExit("checks failed")
    waits = [w for r in results for w in r.waits]
    print(f"mean wait over all runs {statistics.mean(waits) * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=1000)
    parser.add_argument("--workers", default="1,2,4", help="comma-separated worker counts, one run each")
    parser.add_argument("--kill", type=int, default=2, help="also a run with this many workers, one killed (0: none)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every Bot API call")
    parser.add_argument("--noop", action="store_true",
                        help="first the baseline: PTB with a no-op handler (polling), the same residents and latency")
    parser.add_argument("--idle", type=float, default=0.0,
                        help="first measure the workers' CPU over this many seconds with no update arriving")
    parser.add_argument("--rounds", type=int, default=1,
                        help="each of the residents at once is followed by this many others in turn (more updates, "
                             "the same concurrency)")
    parser.add_argument("--warmup", type=int, default=0,
                        help="first this many other residents through the dialog, not counted (one-off costs left out)")
    parser.add_argument("--compare", metavar="CHECKOUT",
                        help="also run every line on the code of this other checkout (before), alternated with this one")
    parser.add_argument("--repeat", type=int, default=1, help="times each line is run (with --compare: each pair)")
    parser.add_argument("--profile", metavar="FILE", help="run the worker (--workers 1) under cProfile, stats to FILE")
    parser.add_argument("--callgrind", metavar="DIR",
                        help="run the worker (--workers 1) under valgrind's callgrind and count its instructions in the "
                             "idle and the measured windows only (dumps in DIR, for callgrind_annotate)")
    parser.add_argument("--flood-limit", action="store_true",
                        help="Telegram's 30 messages/s limiter on (in the workers, shared, and in the baseline)")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message=".*retry_after.*")
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
