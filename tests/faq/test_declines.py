"""Questions no document here answers are declined (or chatted to), not left at "not sure" (issue 9, blind set):
hospital deposits, vehicle insurance, farm subsidies, employee insurance's contribution rates, small talk. A
decline still needs its margin and in-scope words still veto it (bot/faq/matcher.py)."""

from __future__ import annotations

import pytest

from bot.faq.service import FaqService, build_faq_service
from bot.policy.loader import default_knowledge_base
from bot.quote.engine import QuoteEngine


@pytest.fixture(scope="module")
def service() -> FaqService:
    return build_faq_service(QuoteEngine(default_knowledge_base()))


@pytest.mark.parametrize("question, kind", [
    ("住院的时候押金交几千", "out_of_scope"),
    ("电动三轮车保险在哪办", "out_of_scope"),
    ("摩托车要上啥保险", "out_of_scope"),
    ("草原生态补奖啥时候到账", "out_of_scope"),
    ("单位给交的职工医保比例是多少", "out_of_scope"),
    ("今儿个天气好不好", "chitchat"),
    ("给俺讲个笑话", "chitchat"),
])
def test_out_of_scope_questions_are_declined(service: FaqService, question: str, kind: str) -> None:
    result = service.ask(question, "乌拉特前旗")
    assert result.kind == kind, (result.kind, result.faq_id, result.suggestions)


@pytest.mark.parametrize("question", ["今年居民医保交多少", "住院押金跟参保有关系吗"])
def test_in_scope_questions_sharing_a_word_are_not_declined(service: FaqService, question: str) -> None:
    assert service.ask(question, "冷市镇").kind not in ("out_of_scope", "chitchat")


def test_employee_insurance_paid_at_work_is_not_the_yearly_payment_question(service: FaqService) -> None:
    # 交了 … 还要交 reads like "paid last year, pay again?"; with 职工医保 it is about holding both insurances.
    result = service.ask("在单位交了职工医保还要交居民医保吗", "乌拉特前旗")
    assert result.faq_id != "pay_every_year"
    assert result.faq_id == "already_employee_insurance" or result.suggestions[0]["faq_id"] == "already_employee_insurance"
