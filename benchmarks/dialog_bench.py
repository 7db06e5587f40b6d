"""Dialog speed: replays every scripted dialog many times in-process; turns/s and p50/p99 turn latency.

Baseline measured in the same run: the quote computation alone for the same final answers, so the ratio shows
what the dialog layer (parsing, state, templates) adds. Target (issue 3): 5,000 turns/s on one core, p99 ≤ 1 ms.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.dialog.engine import quote_request  # noqa: E402
from bot.dialog.factory import build_engine  # noqa: E402
from bot.dialog.replay import load_script, script_files  # noqa: E402
from bot.dialog.replies import Incoming, find_button  # noqa: E402
from bot.dialog.state import DialogState  # noqa: E402

REPEATS = 60


def main() -> None:
    engine = build_engine()
    scripts = [load_script(path) for path in script_files([ROOT / "dialogs" / "scripts"])]
    latencies: list[float] = []
    quote_times: list[float] = []
    for _ in range(REPEATS):
        for script in scripts:
            state = DialogState()
            shown = []
            for turn in script.turns:
                if turn.tap is not None:
                    button = find_button(shown, turn.tap)
                    incoming = Incoming(payload=button.payload if button else "b:x:y")
                else:
                    incoming = Incoming(text=turn.user or "")
                start = time.perf_counter()
                result = engine.handle(state, incoming, script.today)
                latencies.append(time.perf_counter() - start)
                shown.extend(result.replies)
                if state.step == "done":
                    request = quote_request(state)
                    start = time.perf_counter()
                    engine.quotes.quote(request)
                    quote_times.append(time.perf_counter() - start)
    latencies.sort()
    total = sum(latencies)
    p50 = latencies[len(latencies) // 2]
    p99 = latencies[int(len(latencies) * 0.99)]
    print(f"{len(latencies)} turns over {len(scripts)} scripts x {REPEATS}: {len(latencies) / total:,.0f} turns/s "
          f"(target 5,000), p50 {p50 * 1e6:.0f} µs, p99 {p99 * 1e6:.0f} µs (target ≤ 1,000 µs)")
    if quote_times:
        quote = sum(quote_times) / len(quote_times)
        print(f"baseline quote alone: {quote * 1e6:.0f} µs; mean turn/quote ratio {total / len(latencies) / quote:.1f}x")


if __name__ == "__main__":
    main()
