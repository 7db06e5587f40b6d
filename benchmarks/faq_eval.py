"""FAQ accuracy on residents' questions per jurisdiction: today's FAQ against the matcher before issue 9, one run.

    .venv/bin/python benchmarks/faq_eval.py                 # both splits, per jurisdiction, both matchers
    .venv/bin/python benchmarks/faq_eval.py --failures tune # also list the tune split's misses
    .venv/bin/python benchmarks/faq_eval.py --failures heldout  # the held-out split's misses: reading them makes
                                                            # that split no longer blind (say so where you report)

The old matcher is a snapshot (benchmarks/faq_baseline/: the matcher, normaliser, entries and synonyms as they
were before issue 9), so both are measured on the same questions in the same run. The old one knew no status,
so a question joining a status to a topic is never right for it: it answered the topic alone.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.faq_baseline.matcher import FaqMatcher as BaselineMatcher  # noqa: E402
from bot.faq.evaluation import Outcome, Question, asked_on, classify, evaluate, load_questions  # noqa: E402
from bot.faq.model import load_entries  # noqa: E402
from bot.faq.service import FaqService, build_faq_service  # noqa: E402
from bot.policy.loader import default_knowledge_base  # noqa: E402
from bot.quote.engine import QuoteEngine  # noqa: E402

BASELINE_ENTRIES = ROOT / "benchmarks" / "faq_baseline" / "entries.yaml"


def baseline_answerer() -> BaselineMatcher:
    return BaselineMatcher(load_entries(BASELINE_ENTRIES))


def baseline_outcome(matcher: BaselineMatcher, question: Question) -> Outcome:
    result = matcher.match(question.text)
    first = result.suggestions[0].faq_id if result.suggestions else None
    return Outcome(result.kind, result.faq_id, None, first)


def current_outcome(service: FaqService, question: Question) -> Outcome:
    result = service.ask(question.text, question.region, today=asked_on(service.quotes, question.region))
    first = str(result.suggestions[0]["faq_id"]) if result.suggestions else None
    return Outcome(result.kind, result.faq_id, result.status, first)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--failures", choices=["tune", "heldout"], help="list the misses of that split")
    args = parser.parse_args(argv)
    questions = load_questions()
    service = build_faq_service(QuoteEngine(default_knowledge_base()))
    baseline = baseline_answerer()
    for split in ("tune", "heldout"):
        chosen = [q for q in questions if q.split == split]
        print(f"\n=== {split}: {len(chosen)} questions")
        old = evaluate(chosen, lambda q: baseline_outcome(baseline, q))
        new = evaluate(chosen, lambda q: current_outcome(service, q))
        for region in [*sorted(r for r in new if r != "all"), "all"]:
            print(f"  {region:6s} old: {old[region].describe()}")
            print(f"  {'':6s} new: {new[region].describe()}")
        if args.failures == split:
            for q in chosen:
                outcome = current_outcome(service, q)
                verdict = classify(q, outcome)
                if verdict != "right":
                    print(f"    {verdict:20s} {q.region} {q.text!r} expect {q.expect}/{q.status} got "
                          f"{outcome.kind}/{outcome.faq_id}/{outcome.status} first {outcome.first_suggestion}")


if __name__ == "__main__":
    main()
