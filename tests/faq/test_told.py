"""What a question tells versus what it asks (bot/faq/told.py) and how the matcher uses it."""

from __future__ import annotations

import pytest

from bot.faq.matcher import FaqMatcher
from bot.faq.service import default_entries
from bot.faq.told import asking_part, told_clauses


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
