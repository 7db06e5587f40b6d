"""Quote speed: in-process quotes per second, and the wall time of one `python -m bot quote` process.

Baselines measured in the same run: resolving the region alone (in-process) and a bare `python -c pass`
(process start), so figures from a loaded, shared machine can still be compared as ratios.
Targets (issue 2): an in-process quote well under 0.1 ms; one quote process under 0.5 s.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.policy.loader import default_knowledge_base  # noqa: E402
from bot.quote.engine import QuoteEngine  # noqa: E402
from bot.quote.result import QuoteRequest  # noqa: E402

REQUESTS = [
    QuoteRequest("朔州", date(1980, 5, 1), date(2023, 11, 26), ("低保",)),
    QuoteRequest("冷市镇南华村", date(1975, 3, 2), date(2024, 3, 1), ("低保",)),
    QuoteRequest("沁源", date(1955, 1, 1), date(2022, 10, 8)),
    QuoteRequest("乌前旗", date(1970, 6, 1), date(2023, 10, 20), ("监测户",)),
    QuoteRequest("位奇镇", date(1980, 1, 1), date(2023, 11, 15), ("三类低保", "脱贫户")),
]


def per_call(function: object, rounds: int) -> float:
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(rounds):
            for request in REQUESTS:
                function(request)  # type: ignore[operator]
        best = min(best, (time.perf_counter() - start) / (rounds * len(REQUESTS)))
    return best


def process_seconds(command: list[str], runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    engine = QuoteEngine(default_knowledge_base())
    quote = per_call(engine.quote, 400)
    resolve = per_call(lambda r: engine.places.resolve(r.region), 400)
    print(f"in-process quote: {quote * 1e6:.1f} µs per quote, {1 / quote:,.0f} quotes/s "
          f"(target well under 100 µs)")
    print(f"baseline region resolution: {resolve * 1e6:.1f} µs; quote/resolution ratio {quote / resolve:.1f}x")
    command = [sys.executable, "-m", "bot", "quote", "--region", "朔州", "--birth", "1980-05-01",
               "--category", "低保", "--date", "2023-11-26", "--json"]
    one = process_seconds(command)
    bare = process_seconds([sys.executable, "-c", "pass"])
    print(f"one quote process: {one * 1000:.0f} ms median of 7 (target under 500 ms)")
    print(f"baseline python -c pass: {bare * 1000:.0f} ms; quote process/bare ratio {one / bare:.1f}x")


if __name__ == "__main__":
    main()
