"""FaqService renders an answer once and reuses it (bot/faq/service.py, FaqService._answer): a reused answer must be
the one a fresh service renders, for every place, format, status and timing question, and the dialog's strict hook
must still decline a "not sure" match."""

from __future__ import annotations

from datetime import date

import pytest

from bot.faq.service import FaqService, build_faq_service
from bot.policy.loader import default_knowledge_base
from bot.quote.engine import QuoteEngine

QUESTIONS = [
    ("新生儿怎么交", "沁源县", date(2022, 10, 20)),
    ("沁源的医保什么时候开始交", "沁源县", date(2022, 8, 1)),
    ("12月31号以后还能交吗", "朔州", date(2024, 12, 20)),
    ("这个月26号能交吗", "朔州", date(2024, 10, 3)),
    ("这个月26号能交吗", "朔州", date(2024, 11, 3)),  # same words, another day: another answer
    ("低保户啥时候交钱", "冷市镇", date(2023, 10, 1)),
    ("今年交多少钱", None, date(2024, 1, 1)),
]


def _fresh() -> FaqService:
    return build_faq_service(QuoteEngine(default_knowledge_base()))


@pytest.mark.parametrize("output", ["text", "html"])
def test_a_reused_answer_is_the_freshly_rendered_one(output: str) -> None:
    service = _fresh()
    first = [service.ask(q, region, output, today) for q, region, today in QUESTIONS]  # type: ignore[arg-type]
    first[0].sources.clear()  # a caller changing its answer must not change the next one
    again = [service.ask(q, region, output, today) for q, region, today in QUESTIONS]  # type: ignore[arg-type]
    for (question, region, today), answer in zip(QUESTIONS, again, strict=True):
        fresh = _fresh().ask(question, region, output, today)  # type: ignore[arg-type]
        assert answer == fresh, question
        assert answer.kind == "answer" and answer.sources, question
    assert again[3].answer != again[4].answer  # the timing answer depends on today, and is kept per day


def test_strict_declines_not_sure_and_the_loose_hook_offers_suggestions() -> None:
    service = _fresh()
    vague = "那个东西怎么弄"
    assert service.ask(vague, "朔州").kind == "not_sure"
    assert service.respond(vague, "朔州", "text", strict=True) is None
    loose = service.respond(vague, "朔州", "text", strict=False)
    assert loose is not None and loose.template == "faq_not_sure" and loose.buttons


def test_a_reused_decline_chat_or_not_sure_reply_is_the_freshly_rendered_one() -> None:
    service = _fresh()
    questions = [("那个东西怎么弄", "朔州"), ("二类的", "朔州"), ("养老保险一年交多少？", "朔州"), ("谢谢", "冷市镇"),
                 ("养老保险一年交多少？", "沁源县")]
    kinds = [service.ask(q, region).kind for q, region in questions]
    assert {"not_sure", "out_of_scope", "chitchat"} <= set(kinds)
    again = [service.ask(q, region) for q, region in questions]
    assert again == [_fresh().ask(q, region) for q, region in questions]
    # Different suggestions or places give different replies, not the first one kept.
    assert again[0].answer != again[1].answer and again[2].answer != again[4].answer
