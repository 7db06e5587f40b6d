"""Passages of one document that belong to a topic (answers.yaml more_extras) are added to that topic's answer
there and only there, and a topic they answer is no longer called silent."""

from __future__ import annotations

import pytest

from bot.faq.service import FaqService, build_faq_service
from bot.policy.loader import default_knowledge_base
from bot.quote.engine import QuoteEngine


@pytest.fixture(scope="module")
def service() -> FaqService:
    return build_faq_service(QuoteEngine(default_knowledge_base()))


def test_a_document_s_own_passage_follows_the_general_answer_there_only(service: FaqService) -> None:
    qinyuan = service.answer_by_id("subsidy_dibao", "沁源").answer
    assert "个人缴纳70元" in qinyuan and "个人不缴费" in qinyuan  # a 60+ 低保 pays nothing there
    assert "个人不缴费" not in service.answer_by_id("subsidy_dibao", "朔州").answer


def test_a_list_topic_answered_only_by_an_extra_is_not_called_silent(service: FaqService) -> None:
    shandan = service.answer_by_id("first_enrolment", "山丹")
    assert "县医保局" in shandan.answer
    assert "没有写这一点" not in shandan.answer
    # A document with neither items nor the extra still says it is silent.
    assert "没有写这一点" in service.answer_by_id("renewal_no_visit", "山丹").answer


def test_who_pays_says_how_the_subsidy_is_paid_where_the_document_says_it(service: FaqService) -> None:
    result = service.answer_by_id("who_pays_subsidy", "乌拉特前旗")
    assert any("资助部门直接代缴" in source.quote for source in result.sources)
