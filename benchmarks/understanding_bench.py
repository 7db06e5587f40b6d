"""Reading residents' messages: per-field precision and recall over the public utterance set
(tests/understanding/utterances.yaml), and the cost of a turn.

Baselines measured in the same run:
- reading: the step-only reading the dialog had before bot/understanding (each step parsed only its own field
  with its own parser: places.resolve, parse_birth_date, parse_payment_date, vocabulary.parse, flow yes/no);
- speed: the quote computation alone for the same final answers. A turn (reader + dialog + SQLite state store)
  should stay under 1 ms at p99 (issue 8).
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
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

REPEATS = 20


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


def print_speed() -> None:
    engine = build_engine()
    scripts = [load_script(path) for path in script_files([ROOT / "dialogs" / "scripts"])]
    latencies: list[float] = []
    reads: list[float] = []
    quote_times: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        store = SQLiteStore(Path(folder) / "state.sqlite3")
        service = DialogService(engine, store)
        for repeat in range(REPEATS):
            for number, script in enumerate(scripts):
                key = f"bench:{repeat}:{number}"
                shown = []
                for turn in script.turns:
                    if turn.tap is not None:
                        button = find_button(shown, turn.tap)
                        incoming = Incoming(payload=button.payload if button else "b:x:y")
                    else:
                        incoming = Incoming(text=turn.user or "")
                        start = time.perf_counter()
                        READER.understand(incoming.text, "start", script.today)
                        reads.append(time.perf_counter() - start)
                    start = time.perf_counter()
                    replies = service.handle(key, incoming, script.today)
                    latencies.append(time.perf_counter() - start)
                    shown.extend(replies)
                state = store.load(key)
                if state is not None and state.step == "done":
                    request = quote_request(state)
                    start = time.perf_counter()
                    engine.quotes.quote(request)
                    quote_times.append(time.perf_counter() - start)
        store.close()
    for name, values in (("turn (reader + dialog + SQLite store)", latencies), ("reader alone", reads)):
        values.sort()
        p50, p99 = values[len(values) // 2], values[int(len(values) * 0.99)]
        print(f"{name}: {len(values)} samples, p50 {p50 * 1e6:.0f} µs, p99 {p99 * 1e6:.0f} µs (target ≤ 1,000 µs)")
    if quote_times:
        quote = sum(quote_times) / len(quote_times)
        mean_turn = sum(latencies) / len(latencies)
        print(f"baseline quote alone: mean {quote * 1e6:.0f} µs; mean turn / quote ratio {mean_turn / quote:.1f}x")


def main() -> None:
    print_reading()
    print_speed()


if __name__ == "__main__":
    main()
