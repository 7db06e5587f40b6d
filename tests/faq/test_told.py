"""What a question tells versus what it asks (bot/faq/told.py) and how the matcher uses it."""

from __future__ import annotations

from datetime import date

import pytest

from bot.faq.matcher import FaqMatcher
from bot.faq.service import build_faq_service, default_entries
from bot.faq.told import asking_clause, asking_part, told_clauses
from bot.policy.loader import default_knowledge_base
from bot.quote.engine import QuoteEngine


@pytest.mark.parametrize(
    ("query", "told"),
    [
        ("我前几天在微信上交了，可是想打个缴费证明，从哪里弄", ["我前几天在微信上交了"]),
        ("在银行柜台交的，拿啥当凭证", ["在银行柜台交的"]),
        ("去年已经缴过了，今年还要登记", ["去年已经缴过了"]),
        # A clause that asks is never context, even if it speaks of paying.
        ("在微信上交了，能退吗", ["在微信上交了"]),
        ("微信交了能退吗", []),  # one clause: nothing to set apart
        ("交了吗，在哪查", []),  # 交了吗 asks
        ("交过几年了，还要交几年", []),  # 几年 reads as asking: when unsure, a clause is not set apart
    ],
)
def test_a_clause_reporting_a_payment_made_that_asks_nothing_is_told(query: str, told: list[str]) -> None:
    assert told_clauses(query) == told


def test_a_question_made_only_of_told_clauses_keeps_them_all() -> None:
    assert told_clauses("在微信上交了，在支付宝也交了") == []
    assert asking_part("在微信上交了，在支付宝也交了") is None


def test_the_asking_part_is_the_question_without_what_it_tells() -> None:
    assert asking_part("我在微信上交了，可是想打个缴费证明，从哪里弄") == "可是想打个缴费证明，从哪里弄"
    assert asking_part("微信怎么交医保") is None


def test_a_channel_told_as_already_used_gives_its_entry_no_keyword_bonus() -> None:
    matcher = FaqMatcher(default_entries())
    query = "麻烦问一下，我前几天在微信上交了，可是想打个缴费证明，从哪里弄"
    result = matcher.match(query)
    assert result.faq_id != "pay_wechat"
    assert result.suggestions[0].faq_id == "payment_proof"
    # Asked about, the channel still counts.
    assert matcher.match("我想在微信上交，从哪里弄").suggestions[0].faq_id == "pay_wechat"


def test_the_asking_clause_leaves_out_greetings_and_context_and_needs_one_question() -> None:
    assert asking_clause("你好，打扰一下，我上个月在支付宝交过了，现在想要个缴费凭证，在哪弄") == "现在想要个缴费凭证，在哪弄"
    assert asking_clause("您好，我妈是特困户，她这个医保谁给交") == "她这个医保谁给交"
    assert asking_clause("你好，交多少钱") is None  # one clause once the greeting is left out
    assert asking_clause("你好，孩子上小学，学生医保跟大人一样交吗，在哪交") is None  # asks two things


@pytest.mark.parametrize(("question", "region", "expect", "status"), [
    ("您好，请问，我前天在村里交过钱了，想开个缴费证明，去哪开", "朔州", "payment_proof", None),
    ("在吗，我妈是低保户，去年是村里代交的，今年想在微信上交，怎么弄", "朔州", "pay_wechat", "dibao"),
])
def test_a_long_question_the_matcher_is_unsure_of_is_answered_by_its_asking_clause(
        question: str, region: str, expect: str, status: str | None) -> None:
    service = build_faq_service(QuoteEngine(default_knowledge_base()))
    assert service.matcher.match(question).kind == "not_sure"  # the whole text alone
    result = service.ask(question, region, today=date(2023, 11, 10))
    assert (result.kind, result.faq_id, result.status) == ("answer", expect, status)
