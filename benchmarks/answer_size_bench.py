"""Answer size on a phone: characters and lines before the amount, over every quote case of tests/quote/cases.

Baseline measured in the same run: the full answer (dialogs/templates/quote.j2, what the dialog sent before
issue 10) for the same quotes. Target (issue 10): the first message at most 400 characters, the amount in it.
"""

from __future__ import annotations

import statistics
import sys
from datetime import date
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.errors import NotCoveredError, UserInputError  # noqa: E402
from bot.policy.loader import default_knowledge_base  # noqa: E402
from bot.quote.engine import QuoteEngine  # noqa: E402
from bot.quote.render import render_quote_text  # noqa: E402
from bot.quote.result import Quote, QuoteRequest  # noqa: E402
from bot.resident import first_message, visible_length  # noqa: E402


def _date(value: Any) -> date | None:
    if value is None:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def quotes(engine: QuoteEngine) -> list[Quote]:
    found = []
    for path in sorted((ROOT / "tests" / "quote" / "cases").glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            if "error" in case:
                continue
            request = QuoteRequest(
                str(case["region"]), _date(case.get("birth")), _date(case["date"]),  # type: ignore[arg-type]
                tuple(str(c) for c in case.get("categories", [])),
                tuple((str(k), bool(v)) for k, v in (case.get("facts") or {}).items()),
                bool(case.get("local_hukou", True)),
            )
            try:
                found.append(engine.quote(request))
            except (UserInputError, NotCoveredError):
                continue
    return found


def before_amount(text: str, quote: Quote) -> int:
    """Characters a resident reads before the amount they pay (the whole text when it is not there)."""
    marker = f"{quote.personal_payment}元" if quote.personal_payment is not None else "无法确定"
    index = text.find(marker)
    return len(text) if index < 0 else index + len(marker)


def main() -> None:
    engine = QuoteEngine(default_knowledge_base())
    found = quotes(engine)
    full = [visible_length(render_quote_text(q, "html")) for q in found]
    first = [visible_length(first_message(q, "html")) for q in found]
    full_lead = [before_amount(render_quote_text(q, "text"), q) for q in found]
    first_lead = [before_amount(first_message(q, "text"), q) for q in found]
    print(f"{len(found)} quotes")
    print(f"baseline full answer: median {statistics.median(full):.0f} characters, max {max(full)}")
    print(f"first message:        median {statistics.median(first):.0f} characters, max {max(first)} (target ≤ 400)")
    print(f"ratio first/full (median): {statistics.median(first) / statistics.median(full):.2f}")
    print(f"characters before the amount: full median {statistics.median(full_lead):.0f}, "
          f"first message median {statistics.median(first_lead):.0f}")
    over = sum(1 for n in first if n > 400)
    print(f"first messages over 400 characters: {over}")


if __name__ == "__main__":
    main()
