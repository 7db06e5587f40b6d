"""FAQ matching speed at 1,000 and 10,000 entries: today's matcher, the same matcher scoring every text (no candidate
filter), the matcher before issue 9 and difflib in one run. Targets (issue 9): p99 <= 0.5 ms at 1,000 entries and
<= 2 ms at 10,000.

    .venv/bin/python benchmarks/faq_speed.py                  # 1,000 and 10,000 entries
    .venv/bin/python benchmarks/faq_speed.py --sizes 1000     # one size

Entries: the real ones plus synthetic faq entries (each real faq entry's texts with its subject swapped for another
public-service subject and a qualifier: "农村的水费怎么交"), so the index keeps the real length and wording mix.
Queries: the resident questions of tests/faq/resident_questions.yaml. Per query the best of --repeat runs is kept
(what the code costs when nothing else wants the CPU: the machine is shared); p50 and p99 are over queries.
Also printed: for how many queries the filtered result differs from scoring every text (it must be 0: the filter
is exact), and how many answers change when the synthetic entries are added (they are near-copies of real entries
with another subject, so a careful matcher says "not sure" more often; none should become a wrong answer).
"""

from __future__ import annotations

import argparse
import difflib
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.faq_baseline.matcher import FaqMatcher as BaselineMatcher  # noqa: E402
from benchmarks.faq_bench import SUBJECTS  # noqa: E402
from bot.faq.evaluation import DECLINE, load_questions  # noqa: E402
from bot.faq.matcher import FaqMatcher  # noqa: E402
from bot.faq.model import FaqEntry, load_entries  # noqa: E402
from bot.faq.normalize import default_normalizer  # noqa: E402

ENTRIES_PATH = ROOT / "policies" / "faq" / "entries.yaml"
QUALIFIERS = ("", "农村的", "城里的", "县里的", "单位的", "学校的")


def synthetic_entries(entries: Sequence[FaqEntry], total: int) -> list[FaqEntry]:
    normalizer = default_normalizer()
    seen = {normalizer.match_key(normalizer(t)) for e in entries for t in (e.question, *e.phrasings)}
    out = list(entries)
    templates = [e for e in entries if e.kind == "faq"]
    for qualifier in QUALIFIERS:
        for subject in SUBJECTS:
            for template in templates:
                if len(out) >= total:
                    return out
                texts = []
                for text in (template.question, *template.phrasings):
                    named = qualifier + subject
                    varied = text.replace("医疗保险", named).replace("医保", named).replace("新农合", named)
                    if varied == text:
                        varied = named + text
                    key = normalizer.match_key(normalizer(varied))
                    if key not in seen:
                        seen.add(key)
                        texts.append(varied)
                if len(texts) >= 6:
                    out.append(FaqEntry(id=f"synthetic_{len(out):05d}", kind="faq", question=texts[0],
                                        phrasings=tuple(texts[1:])))
    return out


def best_of_us(match: Callable[[str], Any], queries: Sequence[str], repeat: int) -> list[float]:
    timings = []
    for query in queries:
        runs = []
        for _ in range(repeat):
            start = time.perf_counter_ns()
            match(query)
            runs.append((time.perf_counter_ns() - start) / 1000)
        timings.append(min(runs))
    return sorted(timings)


def percentile(ordered: Sequence[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def difflib_ratio(a: str, b: str, **_: Any) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio() * 100


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--difflib-queries", type=int, default=20, help="difflib is slow: this many queries")
    args = parser.parse_args(argv)
    real = load_entries(ENTRIES_PATH)
    baseline_real = load_entries(ROOT / "benchmarks" / "faq_baseline" / "entries.yaml")
    questions = load_questions()
    queries = [q.text for q in questions]
    small = FaqMatcher(real)
    for size in args.sizes:
        entries = synthetic_entries(real, size)
        old_entries = synthetic_entries(baseline_real, size)
        texts = sum(1 + len(e.phrasings) for e in entries)
        print(f"\n{len(entries)} entries ({texts} texts), {len(queries)} queries, best of {args.repeat} runs each")
        matcher = FaqMatcher(entries)
        unfiltered = FaqMatcher(entries, candidate_filter=False)
        baseline = BaselineMatcher(old_entries)
        for query in queries:  # warm the per-character caches, as a running bot would be
            matcher.match(query)
            baseline.match(query)
        new = best_of_us(matcher.match, queries, args.repeat)
        old = best_of_us(baseline.match, queries, args.repeat)
        every = best_of_us(unfiltered.match, queries, 1)
        print(f"  today's matcher : p50 {percentile(new, 0.5):8.1f} µs   p99 {percentile(new, 0.99):8.1f} µs")
        print(f"  every text      : p50 {percentile(every, 0.5):8.1f} µs   p99 {percentile(every, 0.99):8.1f} µs"
              "   (same matcher, candidate filter off)")
        print(f"  before issue 9  : p50 {percentile(old, 0.5):8.1f} µs   p99 {percentile(old, 0.99):8.1f} µs")
        print(f"  ratio before/today: p50 {percentile(old, 0.5) / percentile(new, 0.5):.2f}x, "
              f"p99 {percentile(old, 0.99) / percentile(new, 0.99):.2f}x")
        subset = queries[:: max(1, len(queries) // args.difflib_queries)][: args.difflib_queries]
        slow = FaqMatcher(entries, scorer=difflib_ratio)
        slow_times = best_of_us(slow.match, subset, 1)
        fast_times = best_of_us(matcher.match, subset, 1)
        print(f"  difflib, same pipeline, {len(subset)} queries: p50 {percentile(slow_times, 0.5):10.1f} µs  "
              f"({sum(slow_times) / sum(fast_times):.0f}x today's matcher)")
        differing = [q for q in queries if matcher.match(q) != unfiltered.match(q)]
        print(f"  results differing from scoring every text: {len(differing)} of {len(queries)}"
              + "".join(f"\n    {q}" for q in differing))
        changed = wrong = 0
        for question in questions:
            alone, crowded = small.match(question.text), matcher.match(question.text)
            if (alone.kind, alone.faq_id) != (crowded.kind, crowded.faq_id):
                changed += 1
                if crowded.kind == "answer" and crowded.faq_id != question.expect and question.expect != DECLINE:
                    wrong += 1
        print(f"  decisions that change with the synthetic entries: {changed}; of them wrong answers: {wrong}")


if __name__ == "__main__":
    main()
