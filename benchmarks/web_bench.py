"""Hotline console speed: the server's time per search as staff type (target under 100 ms), per calculation,
and per page of a document, each read from the server's own `Server-Timing` header.

Baselines measured in the same run: one FAQ answer in-process (what `ask` does for one jurisdiction) and the
server's time for /openapi.json (a fixed answer: the cost of the route, the token check and the headers), so
figures from a loaded, shared machine can still be compared as ratios.
"""

from __future__ import annotations

import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

from bot.web.app import create_app  # noqa: E402
from bot.web.service import ConsoleService  # noqa: E402

# What staff type, keystroke by keystroke: every prefix of these is a search request.
TYPED = ["低保交多少", "今年交多少钱", "微信怎么交", "新生儿怎么参保", "过了截止还能交吗", "五保户要交钱吗", "医报啥时候能用"]
PREFIXES = [text[:n] for text in TYPED for n in range(1, len(text) + 1)]
ROUNDS = 3


def server_ms(client: TestClient, path: str, params: dict[str, str] | list[tuple[str, str]]) -> float:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return float(response.headers["server-timing"].split("dur=")[1])


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"median {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms, max {ordered[-1]:.1f} ms (n={len(ordered)})"


def measure(function: Callable[[], float], rounds: int) -> list[float]:
    return [function() for _ in range(rounds)]


def main() -> None:
    started = time.perf_counter()
    service = ConsoleService()
    print(f"console start-up (knowledge base, FAQ, document index): {(time.perf_counter() - started) * 1000:.0f} ms")
    client = TestClient(create_app(service, token=""))
    first = [server_ms(client, "/api/search", {"q": prefix}) for prefix in PREFIXES]
    print(f"search, each prefix the first time (cold caches of characters and templates): {summary(first)}")

    all_regions: list[float] = []
    one_region: list[float] = []
    for _ in range(ROUNDS):
        for prefix in PREFIXES:
            all_regions.append(server_ms(client, "/api/search", {"q": prefix}))
            one_region.append(server_ms(client, "/api/search", {"q": prefix, "region": "朔州"}))
    print(f"search as you type, all 5 jurisdictions side by side: {summary(all_regions)} (target under 100 ms)")
    print(f"search as you type, one jurisdiction: {summary(one_region)}")

    calculate = measure(lambda: server_ms(client, "/api/calculate", [
        ("region", "山丹"), ("birth", "1990-08-08"), ("category", "农村一类低保"), ("date", "2023-10-10")]), 50)
    print(f"calculator (quote, figures, resident texts): {summary(calculate)}")
    document = measure(lambda: server_ms(client, "/doc/qinyuan-2023", {"p": "p-0"}), 20)
    print(f"document view (qinyuan-2023, every passage marked): {summary(document)}")

    baseline_route = measure(lambda: server_ms(client, "/openapi.json", {}), 200)
    faq_times = []
    for _ in range(ROUNDS):
        for prefix in PREFIXES:
            start = time.perf_counter()
            service.faq.ask(prefix, "朔州市")
            faq_times.append((time.perf_counter() - start) * 1000)
    print(f"baseline one FAQ answer in-process (ask, one jurisdiction): {summary(faq_times)}")
    print(f"baseline /openapi.json server time: {summary(baseline_route)}")
    ratio = statistics.median(all_regions) / statistics.median(faq_times)
    print(f"ratio: search over all jurisdictions / one FAQ answer = {ratio:.1f}x")


if __name__ == "__main__":
    main()
