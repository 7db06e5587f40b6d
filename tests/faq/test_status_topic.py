"""Statuses found in a question (bot/faq/status_topic.py) and the subsidy rule a status with a paying question
gets (bot/faq/service.py)."""

from __future__ import annotations

import pytest

from bot.faq.service import FaqService, build_faq_service
from bot.faq.status_topic import ELDERLY, StatusFinder, asks_about_paying, asks_how_statuses_combine
from bot.policy.loader import default_knowledge_base
from bot.quote.engine import QuoteEngine

KB = default_knowledge_base()


@pytest.fixture(scope="module")
def service() -> FaqService:
    return build_faq_service(QuoteEngine(KB))


@pytest.fixture(scope="module")
def finder(service: FaqService) -> StatusFinder:
    return service.statuses


@pytest.mark.parametrize("text", ["我妈今年65了", "我爸七十多岁", "老人八十三岁了交吗", "我60周岁"])
def test_an_age_of_sixty_or_more_is_the_elderly(finder: StatusFinder, text: str) -> None:
    statuses, rest = finder.find(text)
    assert statuses == [ELDERLY]
    assert not any(age in rest for age in ("65", "七十", "八十三", "60"))


@pytest.mark.parametrize("text", ["1965年出生的交多少", "交了380了", "孩子5岁了", "交了80元"])
def test_years_amounts_and_young_ages_are_not_the_elderly(finder: StatusFinder, text: str) -> None:
    assert ELDERLY not in finder.find(text)[0]


def test_paying_words_are_found_but_a_refund_question_is_not_one() -> None:
    assert asks_about_paying("六十多了还要自己出钱吗")
    assert asks_about_paying("返贫致贫的人有减免吗")
    assert not asks_about_paying("先交了后来评上低保，钱能退吗")
    assert not asks_about_paying("低保户在哪登记")
    assert asks_how_statuses_combine("又是低保又是脱贫户能补两份吗")


def test_an_age_with_a_fee_question_gets_the_elderly_rule(service: FaqService) -> None:
    result = service.ask("我妈今年65了，她这个医保今年交多少钱", "沁源")
    assert result.faq_id == "elderly"
    assert "县财政全额资助" in result.answer


def test_a_status_with_a_paying_question_that_matches_nothing_surely_gets_its_subsidy(service: FaqService) -> None:
    result = service.ask("六十多了交医保还要自己出钱吗", "沁源")
    assert result.faq_id == "elderly"
    result = service.ask("返贫致贫的人交医保有减免吗", "朔州")
    assert result.faq_id == "subsidy_tuopin_jiance"
    assert "90%" in result.answer


def test_another_status_s_subsidy_entry_gives_way_to_the_status_named(service: FaqService) -> None:
    # "有减免吗" alone is nearest the elderly's "老人交医保有优惠吗"; the status named decides.
    result = service.ask("返贫致贫人口交医保有优惠吗", "朔州")
    assert result.faq_id == "subsidy_tuopin_jiance"


def test_two_statuses_asked_whether_both_apply_get_the_combination_rule(service: FaqService) -> None:
    result = service.ask("又是低保又是脱贫户能补两份吗", "山丹")
    assert result.faq_id == "multiple_statuses"
    assert "就高不重复" in result.answer


def test_a_status_with_a_refund_question_is_not_sent_to_its_subsidy(service: FaqService) -> None:
    result = service.ask("我先自己交了380，后来评上低保了，钱能退回来吗", "山丹")
    assert result.faq_id != "subsidy_dibao"
