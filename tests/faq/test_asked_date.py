"""A day named in a payment-date question, judged against each document's own window (bot/faq/asked_date.py)."""

from __future__ import annotations

import pytest

from bot.faq.asked_date import AskedDate, asked_date, judge
from bot.faq.service import FaqService, build_faq_service
from bot.policy.loader import default_knowledge_base
from bot.quote.engine import QuoteEngine

KB = default_knowledge_base()
DOCS = {document.jurisdiction.name: document for document in KB.documents}


@pytest.fixture(scope="module")
def service() -> FaqService:
    return build_faq_service(QuoteEngine(KB))


@pytest.mark.parametrize(("question", "expected"), [
    ("12月31号以后还能交吗", AskedDate(12, 31, False, "after")),
    ("十二月三十一日以后还能交吗", AskedDate(12, 31, False, "after")),
    ("12月底还能交医保不", AskedDate(12, None, True, "on")),
    ("12月31号前交完就行吧", AskedDate(12, 31, False, "before")),
    ("过了12月25号还能交吗", AskedDate(12, 25, False, "after")),
    ("每月25号以后还能交吗", AskedDate(None, 25, False, "after")),
])
def test_the_day_asked_about_is_read(question: str, expected: AskedDate) -> None:
    assert asked_date(question) == expected


@pytest.mark.parametrize("question", [
    "1月份以后医保还能退吗",  # a refund, not paying
    "我家孩子是去年十一月生的，现在还能给他交吗",  # the day of a birth
    "我老公今年8月份厂子倒了，医保就断了，现在他能不能交居民医保",  # the day of something else
    "医保多少钱",
])
def test_a_day_that_is_not_the_day_of_paying_is_not_read(question: str) -> None:
    assert asked_date(question) is None


def test_each_document_judges_the_day_by_its_own_window() -> None:
    asked = AskedDate(12, 28, False, "on")
    kinds = {name: verdict.kind for name, doc in DOCS.items() if (verdict := judge(asked, doc.collection))}
    # 朔州 and 沁源 close on 12月25日, 山丹 and 冷市镇 on 12月31日; 乌拉特前旗 gives no end date.
    assert kinds == {"朔州市": "after_end", "沁源县": "after_end", "山丹县": "in_window", "冷市镇": "in_window",
                     "乌拉特前旗": "no_end"}


def test_a_day_of_the_month_is_judged_by_the_days_payment_is_handled() -> None:
    asked = AskedDate(None, 26, False, "on")
    assert judge(asked, DOCS["沁源县"].collection).kind == "outside_days"  # 每月1—25日可办理缴费
    assert judge(asked, DOCS["冷市镇"].collection).kind == "no_days"


def test_a_day_after_the_end_gets_the_verdict_and_the_late_rules(service: FaqService) -> None:
    result = service.ask("12月28号以后还能交吗", "沁源")
    assert result.faq_id == "collection_window"
    assert "已过沁源县的集中缴费期（2022年12月25日截止）" in result.answer
    assert "2023年3月25日前办理参保手续" in result.answer  # 沁源's late rule for 2022 newborns
    result = service.ask("12月28号还能交吗", "山丹")
    assert "仍在集中缴费期内" in result.answer and "2023年12月31日截止" in result.answer


def test_a_document_with_no_end_date_says_so_and_where_to_ask(service: FaqService) -> None:
    result = service.ask("12月31号以后还能交吗", "乌拉特前旗")
    assert "文件未写明集中缴费截止日期" in result.answer
    assert "乌拉特前旗医疗保障局" in result.answer
