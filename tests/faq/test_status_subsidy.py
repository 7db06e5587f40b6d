"""A status asked about is answered from its own rule (issue 9, blind set): never from the other statuses its FAQ
entry groups with it, never with "the document does not say" where the document does, and statuses said of
different family members are each answered for that person."""

from __future__ import annotations

from datetime import date

import pytest

from bot.errors import UserInputError
from bot.faq.evaluation import asked_on
from bot.faq.service import FaqService, build_faq_service
from bot.faq.status_topic import said_of_different_people
from bot.policy.loader import default_knowledge_base
from bot.quote.engine import QuoteEngine
from bot.quote.result import QuoteRequest

KB = default_knowledge_base()
PLACES = ("朔州", "冷市镇", "沁源", "乌拉特前旗", "山丹")
# Statuses that FAQ entries group with others (answers.yaml: subsidy_tuopin_jiance, subsidy_tekun, ...).
GROUPED = ("poverty_alleviated", "monitored", "returned_poor", "at_risk", "tekun", "orphan", "de_facto_orphan",
           "dibao_edge", "severe_disability", "youfu", "family_planning", "laid_off_worker")


@pytest.fixture(scope="module")
def quotes() -> QuoteEngine:
    return QuoteEngine(KB)


@pytest.fixture(scope="module")
def service(quotes: QuoteEngine) -> FaqService:
    return build_faq_service(quotes)


def own_part(answer: str) -> str:
    """The asked status's own lines: before the related statuses and the sources."""
    for marker in ("文件对相关身份", "同时属于以下身份组合", "依据："):
        answer = answer.split(marker)[0]
    return answer


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("status", GROUPED)
def test_every_status_s_fee_answer_agrees_with_the_quote_engine(
        service: FaqService, quotes: QuoteEngine, place: str, status: str) -> None:
    name = quotes.vocabulary.name(status)
    today = asked_on(quotes, place)
    result = service.ask(f"{name}今年医保个人交多少钱", place, today=today)
    assert result.kind == "answer"
    try:
        quote = quotes.quote(QuoteRequest(place, date(1990, 1, 1), today, (status,)))
    except UserInputError:  # the document splits this status further: the engine asks which kind
        return
    if quote.personal_payment is None or quote.missing_facts:
        return
    assert quotes.vocabulary.name(status) in result.answer.split("\n")[0], result.answer  # the title names it
    own = own_part(result.answer)
    paid = "个人无需缴费" if quote.personal_payment == 0 else f"{quote.personal_payment}元"
    assert paid in own, (place, status, quote.personal_payment, own)


def test_a_status_the_document_does_not_subsidise_pays_the_standard_fee_not_a_grouped_status_s(
        service: FaqService) -> None:
    # 冷市镇 subsidises 监测对象 (二（四）3), not 稳定脱贫人口; its entry groups both.
    result = service.ask("俺家是脱贫户，医保一个人得掏多少钱", "冷市镇")
    own = own_part(result.answer)
    assert "没有规定脱贫人口的参保资助" in own and "380元" in own
    assert "190元" not in own
    # 朔州: 易返贫致贫人口 and 返贫致贫人口 are subsidised; 建档立卡 (脱贫人口) is not.
    own = own_part(service.ask("建档立卡户的医保自己出多少", "朔州").answer)
    assert "380元" in own and "342元" not in own and "280元" not in own


def test_a_fully_subsidised_status_asked_how_to_pay_gets_its_own_rule_first(service: FaqService) -> None:
    for question, place in (("五保户的医保咋个交钱", "乌拉特前旗"), ("事实孤儿的医保在哪交", "冷市镇")):
        result = service.ask(question, place)
        assert result.kind == "answer"
        assert "没有对" not in result.answer, result.answer
        assert result.answer.index("个人无需缴费") < result.answer.index("一般规定")


def test_a_procedure_question_for_a_status_gets_its_enrolment_rule(service: FaqService) -> None:
    result = service.ask("五保户要本人去办参保吗", "山丹")
    assert (result.faq_id, result.status) == ("first_enrolment", "tekun")
    assert "代办参保手续" in result.answer


def test_statuses_of_different_family_members_are_answered_per_person(service: FaqService) -> None:
    assert said_of_different_people("我爸是特困户，我媳妇是低保", service.statuses)
    assert said_of_different_people("俺娘低保俺是监测户", service.statuses)
    assert not said_of_different_people("我是低保也是监测户", service.statuses)
    assert not said_of_different_people("我和我妈都是低保", service.statuses)
    result = service.ask("我爸是特困户，我媳妇是低保，一家要交多少", "冷市镇")
    assert "没有写明多种身份" not in result.answer
    assert "个人无需缴费" in result.answer and "个人缴纳190元" in result.answer
    assert "合计个人缴纳190元" in result.answer  # 特困 0 + 低保 190
    # One person holding two statuses is still the combination rule.
    assert service.ask("我是低保也是监测户交多少", "冷市镇").faq_id == "multiple_statuses"


def test_a_full_subsidy_that_waits_on_a_registration_is_not_said_to_cost_nothing(service: FaqService) -> None:
    # 沁源's elderly pay nothing only if they registered in time (四（二）1); the full subsidy of 朔州's 特困 needs none.
    result = service.ask("老人这个月还能交不", "沁源", today=date(2022, 11, 1))
    assert "个人无需缴费" in result.answer and "不用自己交钱" not in result.answer
    result = service.ask("五保户这个月20号交行不行", "朔州", today=date(2023, 11, 1))
    assert (result.faq_id, result.status) == ("collection_window", "tekun")
    assert "个人无需缴费" in result.answer and "不用自己交钱" in result.answer


def test_a_status_with_a_month_is_the_timing_topic_not_the_status_s_subsidy(service: FaqService) -> None:
    result = service.ask("吃低保的下个月交得了不", "乌拉特前旗", today=date(2023, 11, 1))
    assert (result.faq_id, result.status) == ("collection_window", "dibao")
    assert "另行通知" in result.answer


@pytest.mark.parametrize("question, place, status, paid", [
    ("俺是五包户，医保收钱不", "沁源", "tekun", "个人无需缴费"),  # 五包 typed for 五保
    ("返贫的一年交几个钱", "朔州", "returned_poor", "个人缴纳38元"),
    ("孤儿上医保花钱不", "冷市镇", "orphan", "个人无需缴费"),
])
def test_status_words_as_residents_type_them(
        service: FaqService, question: str, place: str, status: str, paid: str) -> None:
    result = service.ask(question, place)
    assert result.kind == "answer", result.answer
    assert paid in own_part(result.answer)
    assert service.quotes.vocabulary.name(status) in result.answer.splitlines()[0]


@pytest.mark.parametrize("place", PLACES)
def test_no_fully_subsidised_status_asked_how_or_when_to_pay_is_told_the_document_has_no_rule(
        service: FaqService, quotes: QuoteEngine, place: str) -> None:
    # Every status the quote engine gives nothing to pay (no registration or other fact pending), in every place.
    today = asked_on(quotes, place)
    checked = 0
    for status, term in quotes.vocabulary.terms.items():
        if term.kind != "status":
            continue
        try:
            quote = quotes.quote(QuoteRequest(place, date(1990, 1, 1), today, (status,)))
        except UserInputError:
            continue
        if quote.personal_payment != 0 or quote.missing_facts:
            continue
        for question in (f"{term.name}怎么交", f"{term.name}啥时候交", f"{term.name}在哪交"):
            result = service.ask(question, place, today=today)
            assert result.kind == "answer", question
            assert "没有对" not in result.answer and "个人无需缴费" in result.answer, (place, question, result.answer)
        checked += 1
    assert checked >= 1  # 朔州: 特困人员 only


def test_a_subsidised_status_asked_how_to_pay_gets_how_the_document_has_subsidised_residents_pay(
        service: FaqService) -> None:
    # 冷市镇 二（三）: special groups are marked on the tax bureau's lists and pay their own share only.
    result = service.ask("监测户用手机咋交医保", "冷市镇")
    assert result.status == "monitored" and "没有对" not in result.answer
    assert "资助后个人缴纳190元" in result.answer and "按个人实缴金额缴纳" in result.answer
    assert any(s.section == "二（三）" for s in result.sources)
    # A status whose category gives its own payment instructions keeps them alone (沁源: 缴费年限栏选择“特殊人群”).
    result = service.ask("返贫户在哪交医保", "沁源")
    assert "特殊人群" in result.answer and "县财政局负责代缴人群" not in result.answer


@pytest.mark.parametrize("question, place, paid", [
    ("返贫户嘛", "朔州", "个人缴纳38元"), ("俺家五包户", "沁源", "个人无需缴费"), ("监测户呢", "冷市镇", "个人缴纳190元"),
])
def test_a_status_said_alone_gets_what_that_status_pays(service: FaqService, question: str, place: str, paid: str) -> None:
    result = service.ask(question, place)
    assert result.kind == "answer" and paid in own_part(result.answer), result.answer


def test_a_family_member_without_a_status_is_answered_beside_the_one_with_one(service: FaqService) -> None:
    result = service.ask("我老爹是低保户，我就是普通的，俩人交多少", "冷市镇")
    assert "个人缴纳190元" in result.answer and "没有资助身份的家人：按个人缴费标准380元缴费" in result.answer
    assert "合计个人缴纳570元" in result.answer
    # A question about one person only is not split.
    assert "没有资助身份的家人" not in service.ask("我妈是低保，我给她交多少", "冷市镇").answer
