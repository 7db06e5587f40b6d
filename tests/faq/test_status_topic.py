"""Statuses found in a question (bot/faq/status_topic.py) and the subsidy rule a status with a paying question
gets (bot/faq/service.py)."""

from __future__ import annotations

from datetime import date

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


# --- issue 9, second round: one status, denied statuses, ruled combinations, group fees, add-ons, yearly payment


@pytest.mark.parametrize(("text", "held", "denied"), [
    ("俺不是低保也不是贫困户，就普通农民", [], ["dibao", "poverty_alleviated"]),
    ("家里没有残疾人", [], ["disability"]),
    ("有没有低保补助", ["dibao"], []),
    ("是不是低保户", ["dibao"], []),
    ("不是特困，是低保", ["dibao"], ["tekun"]),
])
def test_a_denied_status_is_not_held(finder: StatusFinder, text: str, held: list[str], denied: list[str]) -> None:
    found, _, not_held = finder.find_with_denied(text)
    assert [s for s in found if s != ELDERLY] == held
    assert not_held == denied


def test_an_age_with_one_status_is_that_status_where_no_subsidy_goes_by_age(service: FaqService) -> None:
    result = service.ask("我们家老人七十多了，是低保户，今年医保个人要交多少钱", "朔州")
    assert result.faq_id == "subsidy_dibao"
    assert "76元" in result.answer
    # 沁源 subsidises by birth date (1962年12月31日以前出生): there an age and 低保 are two subsidies.
    assert service.ask("六十五岁的低保户交多少", "沁源").faq_id == "multiple_statuses"


@pytest.mark.parametrize(("question", "region", "fee"), [
    ("俺不是低保也不是贫困户，就普通农民，交多少", "朔州", "380元"),
    ("俺既不是特困也不是低保，交多少", "冷市镇", "380元"),
])
def test_denied_statuses_get_the_plain_fee(service: FaqService, question: str, region: str, fee: str) -> None:
    result = service.ask(question, region)
    assert result.faq_id == "fee_this_year"
    assert f"每人{fee}" in result.answer
    assert "没有写明多种身份" not in result.answer


def test_a_combination_the_document_rules_gets_that_rule_not_the_several_statuses_entry(service: FaqService) -> None:
    result = service.ask("我是脱贫户还是低保，过渡期内，要交多少", "乌拉特前旗")
    assert result.faq_id == "subsidy_tuopin_jiance"
    assert "脱贫享受政策人员（过渡期内）中的低保对象：定额资助400元，个人无需缴费" in result.answer
    assert any(s.quote.startswith("脱贫享受政策人员（过渡期内）中的低保对象") for s in result.sources)
    # ... and that line comes first; asked about 脱贫 alone, 脱贫's own line (not 监测户's, which the entry groups
    # with it: tests/faq/test_status_subsidy.py).
    assert result.answer.split("\n")[2].startswith("- 脱贫享受政策人员（过渡期内）中的低保对象")
    assert service.ask("脱贫户交多少", "乌拉特前旗").answer.split("\n")[2].startswith("- 单纯脱贫享受政策人员")
    # A combination it does not rule still gets the several-statuses entry, which names the one it does.
    result = service.ask("又是低保又是残疾人，交多少", "乌拉特前旗")
    assert result.faq_id == "multiple_statuses"
    assert "对以下身份组合有专门规定" in result.answer and "其他身份组合如何资助" in result.answer


@pytest.mark.parametrize("question", ["在校大学生在前旗交多少", "幼儿园小孩医保多少钱一年", "中小学生医保一年交几百"])
def test_a_group_s_fee_is_the_fee_with_the_passage_naming_the_group(service: FaqService, question: str) -> None:
    result = service.ask(question, "乌拉特前旗")
    assert result.faq_id == "fee_this_year"
    assert "每人400元" in result.answer
    assert any("在校学生及学龄前儿童" in s.quote and "400元" in s.quote for s in result.sources)


def test_where_students_insure_is_still_the_students_entry(service: FaqService) -> None:
    assert service.ask("大学生在学校交还是回家交", "冷市镇").faq_id == "students"


def test_an_add_on_asked_with_a_status_gets_the_add_on_s_rule(service: FaqService) -> None:
    result = service.ask("低保户的意外险要自己交吗", "沁源")
    assert result.faq_id == "accident_insurance"
    assert "资助参保对象的意外伤害保险由县财政" in result.answer
    assert any(s.quote.startswith("所有资助参保对象均代缴20元/人/年意外伤害险") for s in result.sources)
    # No other document has the add-on: it says so, and gives no 20元.
    result = service.ask("低保户要交意外险吗", "朔州")
    assert result.faq_id == "accident_insurance"
    assert "没有写这一点" in result.answer and "20元" not in result.answer


def test_paying_again_after_last_year_is_yes_every_year_with_the_window(service: FaqService) -> None:
    result = service.ask("去年交过了今年还要交吗", "冷市镇")
    assert result.faq_id == "pay_every_year"
    assert result.answer.split("\n")[1].startswith("要，每个年度都要缴")
    assert "2023年9月1日起，2023年12月31日截止" in result.answer
    assert any(s.quote == "城乡居民按年度一次性缴纳基本医疗保险费" for s in result.sources)
    # Where the document has no yearly-payment passage, it says so and still gives the window.
    result = service.ask("去年缴过医保今年还要再缴吗", "沁源")
    assert result.faq_id == "pay_every_year"
    assert "没有单独写明" in result.answer and "要，每个年度" not in result.answer
    # Registering again is still the renewal entry's.
    assert service.ask("去年交过今年还要去医保站登记吗", "乌拉特前旗").faq_id == "renewal_no_visit"


@pytest.mark.parametrize(("text", "today", "elderly"), [
    ("俺是1960年生的，要去哪登记", date(2022, 10, 10), True),
    ("我58年出生的要交多少钱", date(2023, 10, 10), True),
    ("1965年出生的交多少", date(2023, 10, 10), False),  # 58 that year
    ("1965年出生的交多少", date(2026, 10, 10), True),
    ("俺是1990年生的", date(2023, 10, 10), False),
    ("交了1960元", date(2023, 10, 10), False),  # an amount, not a birth
])
def test_a_year_of_birth_sixty_or_more_years_back_is_the_elderly(
        finder: StatusFinder, text: str, today: date, elderly: bool) -> None:
    statuses, rest, _ = finder.find_with_denied(text, today)
    assert (ELDERLY in statuses) is elderly
    if elderly:
        assert not any(year in rest for year in ("1960", "58", "1965"))  # the topic is matched without it


def test_a_year_of_birth_with_a_registration_question_gets_the_elderly_registration_rule(service: FaqService) -> None:
    answer = service.ask("俺是1960年生的，要去哪登记", "沁源", today=date(2022, 10, 10))
    assert answer.kind == "answer"
    assert answer.faq_id == "first_enrolment"
    assert answer.status == ELDERLY
    assert "行政村" in answer.answer  # 沁源: 到户籍所在地行政村（社区）登记


def test_full_subsidy_named_instead_of_a_status_gets_the_statuses_the_document_subsidises_in_full(
        service: FaqService) -> None:
    # 山丹 五（一）1 and 朔州 subsidise only 特困人员 (and orphans) in full: their subsidy rule, which says 个人无需缴费.
    for region in ("山丹", "朔州"):
        for question in ("全额资助的还用自己掏钱不", "全额资助对象交多少"):
            result = service.ask(question, region, today=date(2023, 11, 10))
            assert (result.kind, result.faq_id) == ("answer", "subsidy_tekun"), (region, question, result.faq_id)
            assert "个人无需缴费" in result.answer
    # 冷市镇 also subsidises 重度残疾人 in full (参照特困人员执行): two entries, so "not sure" with both offered.
    result = service.ask("全额资助的还用自己掏钱不", "冷市镇", today=date(2023, 11, 10))
    assert result.kind == "not_sure"
    assert [s["faq_id"] for s in result.suggestions] == ["subsidy_tekun", "subsidy_disabled"]
    # Who pays a full subsidy is the payers' answer.
    assert service.ask("全额资助的钱谁出", "山丹", today=date(2023, 11, 10)).faq_id == "who_pays_subsidy"
