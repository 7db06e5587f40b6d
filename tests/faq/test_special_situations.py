"""复转军人, 刑满释放人员 and 当年新迁入户口: their own enrolment paths where a document has them (冷市镇 三（一）),
and where it has none the answer says so, never another place's rule (issue 9, blind set)."""

from __future__ import annotations

import pytest

from bot.faq.service import FaqService, build_faq_service
from bot.policy.loader import default_knowledge_base
from bot.quote.engine import QuoteEngine


@pytest.fixture(scope="module")
def service() -> FaqService:
    return build_faq_service(QuoteEngine(default_knowledge_base()))


def test_a_released_prisoner_gets_the_document_s_own_path(service: FaqService) -> None:
    result = service.ask("刑满释放的人咋参加医保", "冷市镇")
    assert result.faq_id == "special_situations"
    assert "刑满释放人员（集中缴费期后参保）：按个人缴费标准380元缴费，自缴费之日起享受待遇" in result.answer
    assert any(s.quote == "复转军人、刑满释放人员可自参保缴费之日起享受医保待遇" for s in result.sources)


@pytest.mark.parametrize("place", ["朔州", "沁源", "山丹", "乌拉特前旗"])
def test_where_the_document_has_no_such_path_the_answer_says_so(service: FaqService, place: str) -> None:
    result = service.ask("复转军人参保怎么弄", place)
    assert result.faq_id == "special_situations"
    assert "没有规定这些人员另外怎么参保" in result.answer and not result.sources
    assert "380元" not in result.answer  # no fee carried from 冷市镇
