"""Reading residents' messages: per-field precision and recall over the public utterance set
(tests/understanding/utterances.yaml), and the cost of a turn.

Baselines measured in the same run:
- reading: the step-only reading the dialog had before bot/understanding (each step parsed only its own field
  with its own parser: places.resolve, parse_birth_date, parse_payment_date, vocabulary.parse, flow yes/no);
- speed: the quote computation alone, for the final answers of the same conversations. A turn (reader + dialog +
  SQLite state store) should stay under 1 ms at p99 (issue 8).

Every replay script (dialogs/scripts) is played REPEATS times through a DialogService on a SQLite file, twice
over: as the console sends it (no update id) and as Telegram does (an update id: the dedupe id and the outbox are
written in the state's transaction). Each turn is timed on the wall clock and in CPU time of the thread
(time.thread_time_ns): the machine may be shared, and CPU time leaves out the time the process was not running.

`--root DIR` runs the same measurement on another checkout (e.g. main's, for a before/after in one sitting), and
`--scripts DIR` plays the same conversations on both (an older checkout may lack newer scripts):
    python benchmarks/understanding_bench.py --speed-only --root /path/to/old --scripts /path/to/old/dialogs/scripts
    python benchmarks/understanding_bench.py --speed-only --scripts /path/to/old/dialogs/scripts

The garbage collector's pauses inside each timed turn are measured too (gc.callbacks, CPU time), and the turn
p99 is printed without them: what of the tail is the collector's and what is the turn's own work.

`--slowest N` lists the N turns (script file, turn number, what was sent) with the highest median CPU time over the
repeats: the turns that make the p99, to profile.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

_ARGS = argparse.ArgumentParser(description=__doc__.splitlines()[0])
_ARGS.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1],
                   help="the checkout whose bot/ and scripts are measured (default: this one)")
_ARGS.add_argument("--scripts", type=Path, default=None,
                   help="the replay scripts played (default: the checkout's dialogs/scripts; give the same to both)")
_ARGS.add_argument("--speed-only", action="store_true", help="skip the reading scores")
_ARGS.add_argument("--repeats", type=int, default=20, help="times each replay script is played (default 20)")
_ARGS.add_argument("--slowest", type=int, default=0, metavar="N",
                   help="list the N turns with the highest median CPU time (script, turn, message)")
OPTIONS = _ARGS.parse_args()
ROOT = OPTIONS.root.resolve()
SCRIPTS = (OPTIONS.scripts or ROOT / "dialogs" / "scripts").resolve()
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "understanding"))

from test_reader import CASES, READER, TODAY, yielded  # noqa: E402

from bot.dialog.engine import quote_request  # noqa: E402
from bot.dialog.factory import build_engine  # noqa: E402
from bot.dialog.flow import load_flow  # noqa: E402
from bot.dialog.replay import load_script, script_files  # noqa: E402
from bot.dialog.replies import Incoming, find_button  # noqa: E402
from bot.dialog.service import DialogService  # noqa: E402
from bot.dialog.store import SQLiteStore  # noqa: E402
from bot.errors import ExplainedError  # noqa: E402
from bot.parsing.dates import parse_birth_date, parse_payment_date  # noqa: E402

REPEATS: int = OPTIONS.repeats


def step_only(text: str, step: str, today: date) -> dict[str, Any]:
    """What the pre-issue-8 dialog read from a message at a step: one field, in fixed words."""
    quotes = READER.places, READER.statuses.vocabulary
    places, vocabulary = quotes
    try:
        if step in ("region", "start"):
            return {"region": places.resolve(text).jurisdiction}
        if step == "birth":
            return {"birth": parse_birth_date(text, today=today)}
        if step == "payment_date":
            return {"payment_date": parse_payment_date(text, today=today)}
        if step in ("categories", "refine"):
            ids = vocabulary.parse(text)
            return {"statuses": sorted(ids)} if ids else {"no_status": True}
        if step in ("hukou", "fact", "confirm_region"):
            answer = load_flow().answer_yes_no(text)
            return {} if answer is None else {"yes_no": answer}
    except ExplainedError:
        return {}
    return {}


def score(read: Callable[[str, str, date], dict[str, Any]]) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = {}
    for case in CASES:
        expected = dict(case["expect"])
        for key in ("statuses", "removed"):
            if key in expected:
                expected[key] = sorted(expected[key])
        got = read(str(case["text"]), case["step"], TODAY)
        got.pop("status_mode", None) if "status_mode" not in expected else None
        for field in set(expected) | set(got):
            tally = counts.setdefault(field, Counter())
            if field in got and got[field] == expected.get(field):
                tally["tp"] += 1
            else:
                if field in got:
                    tally["fp"] += 1
                if field in expected:
                    tally["fn"] += 1
    return counts


def _ratio(a: int, b: int) -> str:
    return f"{a / b:6.1%}" if b else "   n/a"


def print_reading() -> None:
    def now(text: str, step: str, today: date) -> dict[str, Any]:
        return yielded(READER.understand(text, step, today))

    new, old = score(now), score(step_only)
    print(f"{len(CASES)} utterances; per field: precision / recall (step-only baseline in brackets)")
    totals = {"new": Counter[str](), "old": Counter[str]()}
    for field in sorted(set(new) | set(old)):
        n, o = new.get(field, Counter()), old.get(field, Counter())
        totals["new"].update(n)
        totals["old"].update(o)
        print(f"  {field:16} P {_ratio(n['tp'], n['tp'] + n['fp'])}  R {_ratio(n['tp'], n['tp'] + n['fn'])}"
              f"   (P {_ratio(o['tp'], o['tp'] + o['fp'])}  R {_ratio(o['tp'], o['tp'] + o['fn'])})")
    n, o = totals["new"], totals["old"]
    print(f"  {'all fields':16} P {_ratio(n['tp'], n['tp'] + n['fp'])}  R {_ratio(n['tp'], n['tp'] + n['fn'])}"
          f"   (P {_ratio(o['tp'], o['tp'] + o['fp'])}  R {_ratio(o['tp'], o['tp'] + o['fn'])})")


class Timings:
    def __init__(self) -> None:
        self.wall: list[float] = []  # seconds
        self.cpu: list[float] = []  # seconds of this thread's CPU time
        self.cpu_without_gc: list[float] = []  # the same, less the collector's pauses during the call

    def add(self, wall: float, cpu_ns: int, gc_ns: int) -> None:
        self.wall.append(wall)
        self.cpu.append(cpu_ns / 1e9)
        self.cpu_without_gc.append((cpu_ns - gc_ns) / 1e9)


class _CollectorClock:
    """CPU time spent in the garbage collector so far (all generations), from gc.callbacks."""

    def __init__(self) -> None:
        self.total_ns = 0
        self._started = 0
        gc.callbacks.append(self._on_collection)

    def _on_collection(self, phase: str, info: dict[str, int]) -> None:
        del info
        if phase == "start":
            self._started = time.thread_time_ns()
        else:
            self.total_ns += time.thread_time_ns() - self._started


_COLLECTOR = _CollectorClock()


def _timed(timings: Timings, call: Callable[[], Any]) -> Any:
    collected = _COLLECTOR.total_ns
    start_cpu, start = time.thread_time_ns(), time.perf_counter()
    result = call()
    timings.add(time.perf_counter() - start, time.thread_time_ns() - start_cpu, _COLLECTOR.total_ns - collected)
    return result


def _percentiles(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values)
    return ordered[len(ordered) // 2], ordered[int(len(ordered) * 0.99)], sum(ordered) / len(ordered)


# (script file, turn number from 1, what was typed or tapped) -> each repeat's CPU seconds for that turn
PerTurn = dict[tuple[str, int, str], list[float]]


def measure_speed(with_update_ids: bool) -> tuple[Timings, Timings, Timings, PerTurn]:
    """(turns, reader alone, quote alone, each turn's CPU times) over every replay script played REPEATS times."""
    engine = build_engine()
    paths = script_files([SCRIPTS])
    scripts = [load_script(path) for path in paths]
    turns, reads, quotes = Timings(), Timings(), Timings()
    per_turn: PerTurn = {}
    update_id = 0
    with tempfile.TemporaryDirectory() as folder:
        store = SQLiteStore(Path(folder) / "state.sqlite3")
        service = DialogService(engine, store)
        for repeat in range(REPEATS):
            for number, script in enumerate(scripts):
                key = f"bench:{repeat}:{number}"
                shown = []
                for position, turn in enumerate(script.turns, 1):
                    update_id += 1
                    uid = update_id if with_update_ids else None
                    if turn.tap is not None:
                        button = find_button(shown, turn.tap)
                        incoming = Incoming(payload=button.payload if button else "b:x:y", update_id=uid)
                    else:
                        incoming = Incoming(text=turn.user or "", update_id=uid)
                        _timed(reads, partial(READER.understand, incoming.text, "start", script.today))
                    replies = _timed(turns, partial(service.handle, key, incoming, script.today))
                    sent = f"tap {turn.tap}" if turn.tap is not None else incoming.text
                    label = (str(paths[number].relative_to(SCRIPTS)), position, sent)
                    per_turn.setdefault(label, []).append(turns.cpu[-1])
                    shown.extend(replies)
                state = store.load(key)
                if state is not None and state.step == "done":
                    request = quote_request(state)
                    _timed(quotes, partial(engine.quotes.quote, request))
        store.close()
    return turns, reads, quotes, per_turn


def print_slowest(per_turn: PerTurn, count: int) -> None:
    medians = sorted(((sorted(times)[len(times) // 2], label) for label, times in per_turn.items()), reverse=True)
    print(f"  slowest {count} turns, median CPU µs over the repeats (script, turn, message):")
    for median, (script, position, sent) in medians[:count]:
        print(f"      {median * 1e6:6.0f}  {script} #{position}  {sent[:40]!r}")


def print_speed() -> None:
    print(f"speed of {ROOT}: each replay script of {SCRIPTS} played {REPEATS} times; µs per call, p50 / p99 / mean")
    for label, with_update_ids in (("console", False), ("Telegram", True)):
        turns, reads, quotes, per_turn = measure_speed(with_update_ids)
        rows = ((f"turn ({label}: reader + dialog + SQLite store)", turns), ("reader alone", reads),
                ("baseline: quote alone (final answers)", quotes))
        for name, timings in rows:
            if not timings.wall:
                continue
            wall, cpu = _percentiles(timings.wall), _percentiles(timings.cpu)
            print(f"  {name}: {len(timings.wall)} samples\n"
                  f"      wall {wall[0] * 1e6:5.0f} / {wall[1] * 1e6:5.0f} / {wall[2] * 1e6:5.0f}"
                  f"      CPU {cpu[0] * 1e6:5.0f} / {cpu[1] * 1e6:5.0f} / {cpu[2] * 1e6:5.0f}")
        if quotes.wall:
            turn_cpu, quote_cpu = _percentiles(turns.cpu), _percentiles(quotes.cpu)
            turn_wall, quote_wall = _percentiles(turns.wall), _percentiles(quotes.wall)
            print(f"  turn p99 {turn_wall[1] * 1e6:.0f} µs wall, {turn_cpu[1] * 1e6:.0f} µs CPU (target ≤ 1,000 µs); "
                  f"turn / quote alone: p50 {turn_cpu[0] / quote_cpu[0]:.1f}x, p99 {turn_cpu[1] / quote_cpu[1]:.1f}x "
                  f"(CPU), p99 {turn_wall[1] / quote_wall[1]:.1f}x (wall)")
        collector_free = _percentiles(turns.cpu_without_gc)
        print(f"  turn p99 without the garbage collector's pauses: {collector_free[1] * 1e6:.0f} µs CPU "
              f"(with them: {_percentiles(turns.cpu)[1] * 1e6:.0f})")
        if OPTIONS.slowest:
            print_slowest(per_turn, OPTIONS.slowest)


def main() -> None:
    if not OPTIONS.speed_only:
        print_reading()
    print_speed()


if __name__ == "__main__":
    main()
