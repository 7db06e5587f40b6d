"""A story that names its topic when the matcher cannot tell what is asked (bot/faq/story.py)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.faq.service import FaqService, build_faq_service
from bot.faq.story import story_topic
from bot.policy.loader import default_knowledge_base
from bot.quote.engine import QuoteEngine

TODAY = date(2023, 11, 10)


@pytest.fixture(scope="module")
def service() -> FaqService:
    return build_faq_service(QuoteEngine(default_knowledge_base()))


@pytest.mark.parametrize(("question", "expect"), [
    ("您好，想问下我儿子是今年三月份出生的，一直没空去办，现在还能给他交医保吗", "newborn"),
    ("你好，闺女前年腊月生的，一直没办，现在咋弄", "newborn"),
    ("我老公厂里不给交了，他自己能交吗", "lapsed_employee_insurance"),
])
def test_a_long_question_the_matcher_is_unsure_of_is_answered_from_its_story(
        service: FaqService, question: str, expect: str) -> None:
    assert service.matcher.match(question).kind == "not_sure"  # the matcher alone cannot tell
    result = service.ask(question, "冷市镇", today=TODAY)
    assert (result.kind, result.faq_id) == ("answer", expect)


def test_a_story_is_only_a_child_s_birth_or_employee_insurance_that_ended() -> None:
    assert story_topic("孩子今年上初中了，学生的医保在哪交") is None  # 学生的 is no birth
    assert story_topic("俺是1960年生的，要交多少") is None  # a parent's birth year: the elderly's
    assert story_topic("宝宝出生了，医院的医生说的对吗") is None  # asks nothing about paying or joining
    assert story_topic("孩子刚出生，我也从单位离职了，都能交吗") is None  # tells both: the matcher's suggestions stand


def test_a_story_never_overrides_a_confident_match(service: FaqService) -> None:
    result = service.ask("宝宝出生了，在微信上怎么交医保", "冷市镇", today=TODAY)
    assert result.faq_id == "pay_wechat"
