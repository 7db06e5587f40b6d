"""What the same work costs when it runs alone after a pause, as every update does at a low rate.

At a low rate a webhook worker handles each update alone, asleep between its events (the request, each
PostgreSQL answer, each Bot API answer), and the machine's other processes run on its core meanwhile.  Its
CPU per update is then about 2.5 times what it is under load, with the same instructions per update
(``load_bench.py --callgrind``).  This measures that effect without the bot's I/O, on the thread's own CPU
clock, in one run:

* the same dialog work (two turns of the engine and the state's JSON) back to back, then each run after the
  thread paused 1, 10 and 50 ms: sleeping, or spinning (the thread keeps its core, but the scheduler may
  give it to other processes for a while); and, when allowed (root), spinning at real-time priority, so that
  no other process of this machine runs on that core during the pause;
* a bare wake-up of an asyncio event loop (uvloop, as in the workers) and of ``time.sleep``, after 1, 10, 50
  and 100 ms asleep: the fixed cost each of an update's events pays before any of its own work.

    .venv/bin/python benchmarks/cold_bench.py [--runs 60]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import uvloop  # noqa: E402

from bot.dialog.factory import build_engine  # noqa: E402
from bot.dialog.replies import Incoming  # noqa: E402
from bot.dialog.state import DialogState  # noqa: E402

PAUSES = (0.0, 0.001, 0.01, 0.05)
TODAY = date(2024, 3, 10)


def dialog_work() -> Callable[[], None]:
    engine = build_engine()

    def work() -> None:
        state = DialogState()
        engine.handle(state, Incoming(text="朔州", update_id=1), TODAY, "html")
        engine.handle(state, Incoming(text="2024年2月1日", update_id=2), TODAY, "html")
        state.to_json()

    return work


def spin(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def timed(work: Callable[[], None], pause: Callable[[], None], runs: int) -> float:
    """The median CPU time of ``work`` (thread clock, ms), each run after ``pause``."""
    spent = []
    for _ in range(runs):
        pause()
        started = time.thread_time_ns()
        work()
        spent.append(time.thread_time_ns() - started)
    return statistics.median(spent) / 1e6


def work_table(runs: int, realtime: bool) -> None:
    work = dialog_work()
    for _ in range(50):
        work()
    kinds: list[tuple[str, Callable[[float], Callable[[], None]]]] = [
        ("asleep", lambda s: (lambda: time.sleep(s))),
        ("spinning", lambda s: (lambda: spin(s))),
    ]
    print(f"{'pause':>8} " + " ".join(f"{k:>14}" for k, _ in kinds) + ("   spinning, real-time" if realtime else ""))
    for pause in PAUSES:
        cells = [timed(work, make(pause), runs) for _, make in kinds]
        line = f"{pause * 1000:>6.0f}ms " + " ".join(f"{c:>11.3f} ms" for c in cells)
        if realtime:
            line += f"   {realtime_spin(pause, runs):>8.3f} ms"
        print(line, flush=True)


def realtime_spin(pause: float, runs: int) -> float:
    """The spinning column again under SCHED_FIFO in a child process (no other process of this machine
    takes its core while it spins)."""
    code = (f"import sys; sys.path.insert(0, {str(ROOT / 'benchmarks')!r}); import cold_bench as c; "
            f"w = c.dialog_work(); [w() for _ in range(50)]; "
            f"print(c.timed(w, lambda: c.spin({pause}), {runs}))")
    out = subprocess.run(["chrt", "-f", "10", sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def wakeup_table(runs: int) -> None:
    async def loop_wakeups(seconds: float) -> float:
        await asyncio.sleep(seconds)
        started = time.thread_time_ns()
        for _ in range(runs):
            await asyncio.sleep(seconds)
        return (time.thread_time_ns() - started) / runs / 1e3

    def sleep_wakeups(seconds: float) -> float:
        started = time.thread_time_ns()
        for _ in range(runs):
            time.sleep(seconds)
        return (time.thread_time_ns() - started) / runs / 1e3

    print(f"{'asleep':>8} {'uvloop':>12} {'time.sleep':>12}   (CPU per wake-up, nothing else done)")
    for seconds in (0.001, 0.01, 0.05, 0.1):
        print(f"{seconds * 1000:>6.0f}ms {uvloop.run(loop_wakeups(seconds)):>9.1f} us "
              f"{sleep_wakeups(seconds):>9.1f} us", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=60)
    args = parser.parse_args()
    realtime = os.geteuid() == 0 and subprocess.run(["chrt", "-f", "10", "true"], capture_output=True).returncode == 0
    print(f"{os.cpu_count()} CPU cores; load average {os.getloadavg()[0]:.1f}; medians of {args.runs} runs, thread CPU time")
    print("the same dialog work (two engine turns and the state's JSON), after a pause of:")
    work_table(args.runs, realtime)
    print("a bare wake-up:")
    wakeup_table(args.runs)


if __name__ == "__main__":
    main()
