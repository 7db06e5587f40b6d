"""Questions that name a payment date or ask when the window opens or closes (bot/faq/timing.py): answered from
that place's own window, each date with the passage it comes from."""

from __future__ import annotations

from datetime import date

import pytest

from bot.faq.service import FaqAnswer, FaqService, build_faq_service
from bot.faq.timing import read_timing
from bot.policy.loader import default_knowledge_base
from bot.quote.engine import QuoteEngine

# The collection passages of the five documents, as cited.
SHUOZHOU = "城乡居民医保集中征缴期原则上为9月1日至12月25日，每月1日—25日可办理缴费"
QINYUAN = "集中征缴期原则上为2022年9月1日至2022年12月25日，集中征缴期内每月1—25日可办理缴费"
LENGSHI = "2024年度居民医保集中参保缴费期为2023年9月1日至12月31日"
SHANDAN = "自本通知下发之日起，于 2023 年 12 月 31 日前完成 2023 年城乡居民基本医疗保险个人参保缴费工作"
WULATEQIANQI = "城乡居民基本医疗保险实行年预缴费制度，2024年度参保集中缴费开始时间为2023年9月1日"
SCHOOL_YEAR = "原已按照学年度缴纳城乡居民医疗保险费的大中专院校学生（含应届毕业生），医保待遇享受期统一延长至当年的 12 月 31 日"
LENGSHI_LATE = "除已明确的特殊情况外，未在集中参保缴费期内参保缴费的，原则上不得中途参保、享受医保待遇"


@pytest.fixture(scope="module")
def service() -> FaqService:
    return build_faq_service(QuoteEngine(default_knowledge_base()))


def _ask(service: FaqService, question: str, region: str, today: date) -> tuple[FaqAnswer, str]:
    """The answer and its first line after the entry's question: the asked day's verdict."""
    result = service.ask(question, region, today=today)
    assert result.kind == "answer", result.answer
    return result, result.answer.splitlines()[1]


def _cited(result: FaqAnswer, quote: str) -> None:
    assert any(source.quote == quote for source in result.sources), result.sources


# --- 朔州: 9月1日至12月25日, 每月1日—25日 -----------------------------------------------------------------------

def test_shuozhou_a_day_inside_the_window(service: FaqService) -> None:
    result, verdict = _ask(service, "12月20号还来得及吗", "朔州", date(2023, 11, 10))
    assert result.faq_id == "collection_window"
    assert verdict.startswith("12月20号（2023年12月20日）可以缴费")
    assert "集中缴费期（2023年9月1日至2023年12月25日）［1］" in verdict
    _cited(result, SHUOZHOU)


def test_shuozhou_the_26th_is_no_payment_day(service: FaqService) -> None:
    result, verdict = _ask(service, "这个月26号能交吗", "朔州", date(2023, 11, 10))
    assert verdict.startswith("这个月26号（2023年11月26日）不能缴费")
    assert "每月1日至25日可以办理缴费［1］" in verdict
    assert "最近能缴费的是2023年12月1日，最晚2023年12月25日" in verdict
    _cited(result, SHUOZHOU)


def test_shuozhou_after_the_deadline(service: FaqService) -> None:
    result, verdict = _ask(service, "12月31号以后还能交吗", "朔州", date(2023, 11, 10))
    assert verdict.startswith("12月31号以后（2024年1月1日起）已经过了截止日期")
    assert "2023年9月1日至2023年12月25日）［1］" in verdict
    assert "文件没有规定集中缴费期结束后如何补缴" in verdict  # the document is silent: where to ask
    assert "朔州市或所在县（市、区）医疗保障经办机构窗口" in verdict
    _cited(result, SHUOZHOU)


def test_shuozhou_before_the_window_opens(service: FaqService) -> None:
    result, verdict = _ask(service, "这个月25号能交吗", "朔州", date(2023, 8, 10))
    assert verdict.startswith("这个月25号（2023年8月25日）还不能缴费")
    assert "最早能缴费的是2023年9月1日" in verdict
    _cited(result, SHUOZHOU)


def test_shuozhou_paying_before_a_day_after_the_deadline_is_too_late(service: FaqService) -> None:
    _, verdict = _ask(service, "12月31号前交完就行吧", "朔州", date(2023, 11, 10))
    assert verdict.startswith("12月31号前交完来不及")
    assert "要在2023年12月25日之前交（每月1日至25日办理）" in verdict


# --- 沁源 (2023年度): 2022年9月1日至12月25日, 每月1—25日 ---------------------------------------------------------

def test_qinyuan_inside_non_payment_day_after_and_before(service: FaqService) -> None:
    today = date(2022, 11, 10)
    result, verdict = _ask(service, "12月24号交还赶趟不", "沁源", today)
    assert verdict.startswith("12月24号（2022年12月24日）可以缴费")
    _cited(result, QINYUAN)
    _, verdict = _ask(service, "每月二十五号以后就不能交了吗", "沁源", today)
    assert verdict.startswith("25号以后（2022年11月26日起）不能缴费")
    assert "最近能缴费的是2022年12月1日" in verdict
    _, verdict = _ask(service, "12月底还能交医保不", "沁源", today)
    assert verdict.startswith("12月底（2022年12月31日）已经过了截止日期")
    assert "集中缴费期（2022年9月1日至2022年12月25日）［1］" in verdict
    _, verdict = _ask(service, "下个月1号能交上不", "沁源", date(2022, 8, 5))
    assert verdict.startswith("下个月1号（2022年9月1日）可以缴费")
    _, verdict = _ask(service, "这个月20号能交吗", "沁源", date(2022, 8, 5))
    assert verdict.startswith("这个月20号（2022年8月20日）还不能缴费")
    assert "最早能缴费的是2022年9月1日" in verdict


# --- 冷市镇: 2023年9月1日至12月31日, no payment days; after it, 原则上不得中途参保 -----------------------------------

def test_lengshi_inside_after_and_before(service: FaqService) -> None:
    today = date(2023, 11, 10)
    result, verdict = _ask(service, "这个月28号去交可以吗", "冷市镇", today)
    assert verdict.startswith("这个月28号（2023年11月28日）可以缴费")
    assert "集中缴费期（2023年9月1日至2023年12月31日）［1］" in verdict
    _cited(result, LENGSHI)
    result, verdict = _ask(service, "1月5号还能不能交", "冷市镇", today)
    assert verdict.startswith("1月5号（2024年1月5日）已经过了截止日期")
    assert "原则上不得中途参保" in verdict
    _cited(result, LENGSHI_LATE)
    _, verdict = _ask(service, "这个月20号能交吗", "冷市镇", date(2023, 8, 1))
    assert "最早能缴费的是2023年9月1日" in verdict


# --- 山丹: 自本通知下发之日起 (undated), 2023年12月31日前完成 ---------------------------------------------------------

def test_shandan_cut_off_and_undated_opening(service: FaqService) -> None:
    today = date(2023, 11, 10)
    result, verdict = _ask(service, "12月31号当天交还算数吗", "山丹", today)
    assert verdict.startswith("12月31号（2023年12月31日）在截止日期之前（正是截止日当天）")
    assert "开始时间为“自本通知下发之日起（文件未写明通知下发日期）”" in verdict
    assert "未写明是否包括12月31日当天" in result.answer  # the document's own wording, and where to ask
    _cited(result, SHANDAN)
    result, verdict = _ask(service, "元旦以后还能补交吗", "山丹", today)
    assert result.faq_id == "missed_deadline"
    assert verdict.startswith("元旦以后（2024年1月1日起）已经过了截止日期")
    assert "集中缴费期（自本通知下发之日起（文件未写明通知下发日期），2023年12月31日截止）［1］" in verdict
    result, verdict = _ask(service, "啥时候开始收", "山丹", today)
    assert "缴费开始时间为“自本通知下发之日起（文件未写明通知下发日期）”［1］" in verdict
    assert "今天（2023年11月10日）还没过截止日期" in verdict


# --- 乌拉特前旗: opens 2023年9月1日, no closing date written ----------------------------------------------------

def test_wulateqianqi_no_closing_date_says_so_and_where_to_ask(service: FaqService) -> None:
    today = date(2023, 11, 10)
    result, verdict = _ask(service, "12月31号以后还能交不", "乌拉特前旗", today)
    assert verdict.startswith("12月31号以后（2024年1月1日起）能不能交，文件没有写")
    assert "文件未写明集中缴费截止日期（实行年预缴费制度）" in verdict
    assert "乌拉特前旗医疗保障局（医保经办机构）" in verdict
    _cited(result, WULATEQIANQI)
    _, verdict = _ask(service, "下个月还能交不", "乌拉特前旗", today)
    assert verdict.startswith("下个月（2023年12月）可以缴费")
    _, verdict = _ask(service, "最晚几号交", "乌拉特前旗", today)
    assert "文件未写明集中缴费截止日期" in verdict
    _, verdict = _ask(service, "这个月20号能交吗", "乌拉特前旗", date(2023, 8, 1))
    assert "最早能缴费的是2023年9月1日" in verdict


# --- dates after every document, and questions that are not about timing --------------------------------------

def test_a_day_in_a_later_year_is_read_on_the_document_s_campaign_and_says_so(service: FaqService) -> None:
    result, answer = _ask(service, "这个月26号能交吗", "朔州", date(2026, 12, 7))
    assert "您问的2026年12月26日不在现有文件（2024年度）的征缴时间内" in answer
    assert "对应2023年12月26日" in answer
    assert "已经过了截止日期" in result.answer


def test_questions_about_other_topics_are_not_read_as_timing() -> None:
    today = date(2023, 11, 10)
    assert read_timing("今年交了明年几号开始报销", today) is None
    assert read_timing("孩子12月20号出生的怎么交", today) is None
    assert read_timing("12月20号交多少钱", today) is None
    asked = read_timing("12月31号以后还能交吗", today)
    assert asked is not None and (asked.kind, asked.day) == ("after", date(2024, 1, 1))
    asked = read_timing("几号之前交完", today)
    assert asked is not None and asked.kind == "closes"


def test_when_collecting_starts_is_the_window_not_when_benefits_start(service: FaqService) -> None:
    # 开始 is shared with "待遇啥时候开始"; naming collecting (开始收, 开始交) asks when the window opens.
    for question, region in (("今年医保几号开始收钱", "山丹"), ("今年医保是几号开始收的", "乌拉特前旗"),
                             ("今年合作医疗几号开始收", "乌拉特前旗")):
        result = service.ask(question, region, today=date(2023, 8, 10))
        assert (result.kind, result.faq_id) == ("answer", "collection_window"), (question, result.faq_id)
        assert "还没开始收" in result.answer or "文件未写明" in result.answer, result.answer
    _cited(service.ask("今年合作医疗几号开始收", "乌拉特前旗", today=date(2023, 8, 10)), WULATEQIANQI)
    # ... while when benefits start stays the benefits answer.
    result = service.ask("今年交了几号开始能报销", "乌拉特前旗", today=date(2023, 8, 10))
    assert result.faq_id != "collection_window"
    # ... and a group with its own timing keeps its own answer.
    result = service.ask("新生儿几号开始交", "冷市镇", today=date(2023, 8, 10))
    assert result.faq_id == "newborn"


def test_cover_paid_by_school_year_ends_with_the_students_period_not_the_window(service: FaqService) -> None:
    # 截止 and 啥时候 sound like the window; 学年 says it is the students' own benefit period (冷市镇 三（一）).
    for question in ("学年交的医保啥时候截止", "上学那个学年交的医保截止到哪天", "娃按学年交的医保到几号就不管了"):
        result = service.ask(question, "冷市镇", today=date(2023, 11, 10))
        assert (result.kind, result.faq_id) == ("answer", "student_benefit_period"), (question, result.faq_id)
        assert "医保待遇享受期统一延长至当年的12月31日" in result.answer
        assert "新入学大中专院校学生医保待遇享受期为2023年9月1日至2024年12月31日" in result.answer
        _cited(result, SCHOOL_YEAR)
    # Where the document has no such rule, the answer says so rather than giving the campaign window.
    result = service.ask("学年交的医保啥时候截止", "朔州", today=date(2023, 11, 10))
    assert result.faq_id == "student_benefit_period" and "没有写这一点" in result.answer
    # An amount asked about school-year cover is still the fee.
    assert service.ask("按学年交的医保交多少", "冷市镇", today=date(2023, 11, 10)).faq_id == "fee_this_year"


def test_a_status_with_a_date_gets_the_day_s_verdict_from_the_window_that_status_pays_in(service: FaqService) -> None:
    today = date(2023, 11, 10)
    # 朔州 gives 特困人员 no timing of their own: the general window's verdict, and the status named.
    result = service.ask("五保户这个月28号能去交不", "朔州", today=today)
    assert (result.faq_id, result.status) == ("collection_window", "tekun")
    assert result.answer.splitlines()[1].startswith("这个月28号（2023年11月28日）不能缴费")
    _cited(result, SHUOZHOU)
    # 冷市镇: past the deadline, with the late rule for 困难群众 the document gives 监测对象 among them.
    result = service.ask("我们是监测户，元旦过后还能交吗", "冷市镇", today=today)
    assert (result.faq_id, result.status) == ("collection_window", "monitored")
    assert "已经过了截止日期" in result.answer.splitlines()[1]
    assert "困难群众因客观原因未在集中参保缴费期参保" in result.answer
    # 乌拉特前旗 sets 单纯低保户's payment time apart (另行通知): no verdict from the general window.
    result = service.ask("低保家庭下周一交行不行", "乌拉特前旗", today=today)
    assert (result.faq_id, result.status) == ("collection_window", "dibao")
    assert "不按一般的集中缴费期判断" in result.answer.splitlines()[1]
    assert "另行通知" in result.answer and "可以缴费" not in result.answer


def test_a_day_said_to_be_past_asks_about_the_days_after_it(service: FaqService) -> None:
    # "过了12月25号" is not 12月25日 itself (which is still a payment day in 朔州).
    today = date(2023, 11, 10)
    _, verdict = _ask(service, "这个月25号一过就不能交了吧", "朔州", today)
    assert verdict.startswith("这个月25号以后（2023年11月26日起）不能缴费")
    _, verdict = _ask(service, "都过了12月31号了，还能交吗", "冷市镇", today)
    assert verdict.startswith("12月31号以后（2024年1月1日起）已经过了截止日期")
    asked = read_timing("12月20号过了还能交吗", today)
    assert asked is not None and (asked.kind, asked.day) == ("after", date(2023, 12, 21))


def test_the_dialog_reads_dates_against_its_own_today(service: FaqService) -> None:
    reply = service.respond("这个月26号能交吗", "朔州", "text", strict=True, today=date(2023, 10, 3))
    assert reply is not None
    assert "这个月26号（2023年10月26日）不能缴费" in reply.text


def test_an_out_of_scope_question_with_a_date_gets_no_window_answer(service: FaqService) -> None:
    for question in ("养老保险这个月26号还能交不", "灵活就业的职工医保几号之前交完", "住院押金明天交行不行"):
        result = service.ask(question, "朔州", today=date(2023, 11, 10))
        assert result.kind != "answer", (question, result.faq_id)


def test_now_a_weekday_and_pinyin_are_read_against_today(service: FaqService) -> None:
    today = date(2023, 11, 10)  # a Friday
    _, verdict = _ask(service, "现在还能交吗", "朔州", today)
    assert verdict.startswith("今天（2023年11月10日）可以缴费")
    _, verdict = _ask(service, "下周一能交吗", "朔州", today)
    assert verdict.startswith("下周一（2023年11月13日）可以缴费")
    _, verdict = _ask(service, "zhege yue 26 hao neng jiao ma", "朔州", today)
    assert verdict.startswith("这个月26号（2023年11月26日）不能缴费")


@pytest.mark.parametrize("question", [
    "新生儿超过九十天才办咋算", "宝宝超过100天才参保能行不", "断保超过3个月才来交行不行", "宝宝超过三个月才去办手续咋算",
    "新生儿九十天以后才交咋办",
])
def test_a_length_of_time_that_is_a_rule_s_limit_is_not_a_payment_date(question: str) -> None:
    asked = read_timing(question, date(2023, 11, 1))
    assert asked is None or asked.day is None, asked


# 过了 a calendar day asks about the days after it (test_a_day_said_to_be_past_asks_about_the_days_after_it): the
# first day asked about is the next one.
@pytest.mark.parametrize("question, day", [
    ("过了12月31号还能交吗", date(2024, 1, 1)), ("过了25号还能交不", date(2023, 11, 26)),
])
def test_a_calendar_day_after_a_limit_word_is_still_a_day(question: str, day: date) -> None:
    asked = read_timing(question, date(2023, 11, 1))
    assert asked is not None and asked.kind == "after" and asked.day == day and asked.late


def test_a_newborn_enrolled_after_ninety_days_is_not_told_the_window_has_closed(service: FaqService) -> None:
    result = service.ask("新生儿超过九十天才办咋算", "冷市镇", today=date(2023, 11, 1))
    assert "已经过了截止日期" not in result.answer
    assert result.faq_id in ("newborn", None)
