"""The resident's messages (bot.resident): the first message fits one phone screen and leads with the figures;
one payment channel at a time; nothing payable is offered for a date that cannot be paid; references short;
notes once, and only those that apply; reference answers labelled."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.errors import NotCoveredError, UserInputError
from bot.policy.loader import default_knowledge_base
from bot.quote.engine import QuoteEngine
from bot.quote.result import Quote, QuoteRequest
from bot.render import Format
from bot.resident import (
    FIRST_MESSAGE_LIMIT,
    REGISTER,
    basis_message,
    channel_message,
    choices,
    details_message,
    first_message,
    has_details,
    next_step,
    resident_messages,
    visible_length,
)

CASES_DIR = Path(__file__).resolve().parent / "quote" / "cases"


def _date(value: Any) -> date | None:
    if value is None:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _case_requests() -> list[Any]:
    params = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            if "error" in case or case.get("xfail_reason"):
                continue
            request = QuoteRequest(
                region=str(case["region"]), birth=_date(case.get("birth")), payment_date=_date(case["date"]),  # type: ignore[arg-type]
                categories=tuple(str(word) for word in case.get("categories", [])),
                facts=tuple((str(k), bool(v)) for k, v in (case.get("facts") or {}).items()),
                local_hukou=bool(case.get("local_hukou", True)),
            )
            params.append(pytest.param(request, id=case["name"]))
    return params


CASE_REQUESTS = _case_requests()


@pytest.fixture(scope="module")
def engine() -> QuoteEngine:
    return QuoteEngine(default_knowledge_base())


def quote(engine: QuoteEngine, region: str, day: str, birth: str | None = "1980-05-01", *categories: str,
          reference: bool = False) -> Quote:
    return engine.quote(QuoteRequest(region, date.fromisoformat(birth) if birth else None, date.fromisoformat(day),
                                     tuple(categories), reference=reference))


def test_every_jurisdiction_has_cases_here() -> None:
    regions = {p.values[0].region for p in CASE_REQUESTS}
    assert len(CASE_REQUESTS) > 100
    assert {"朔州", "冷市镇", "沁源", "山丹", "乌拉特前旗"} <= {r[:3] if r.startswith("乌拉特") else r for r in regions} | {
        r for r in regions}, regions


@pytest.mark.parametrize("output", ["text", "html"])
@pytest.mark.parametrize("request_", CASE_REQUESTS)
def test_the_first_message_fits_one_screen_and_states_the_amount(
    engine: QuoteEngine, request_: QuoteRequest, output: Format
) -> None:
    result = engine.quote(request_)
    text = first_message(result, output)
    assert visible_length(text) <= FIRST_MESSAGE_LIMIT, f"{visible_length(text)} characters:\n{text}"
    if result.personal_payment is not None:
        assert f"您需缴纳：{result.personal_payment}元" in text
    else:
        assert "暂无法确定" in text
    assert result.document_short in text, "a short reference"
    assert "下一步" in text
    assert "《" not in text.split("依据：")[-1] or result.document_short.startswith("《"), "no full title per reference"


@pytest.mark.parametrize("output", ["text", "html"])
@pytest.mark.parametrize("request_", CASE_REQUESTS)
def test_the_notes_button_is_offered_exactly_when_there_are_notes_to_show(
    engine: QuoteEngine, request_: QuoteRequest, output: Format
) -> None:
    """has_details decides the 注意事项 button without rendering: it must agree with the message it opens."""
    result = engine.quote(request_)
    assert has_details(result) == (details_message(result, output) is not None)


@pytest.mark.parametrize("request_", CASE_REQUESTS)
def test_text_copied_for_an_sms_points_at_no_button_and_keeps_the_figures(
    engine: QuoteEngine, request_: QuoteRequest
) -> None:
    """Hotline staff paste this into an SMS or WeChat: "点下方…" or "见下方按钮" would mean nothing there."""
    result = engine.quote(request_)
    for channel in [None, *(c.id for c in choices(result))]:
        copied = "\n".join(resident_messages(result, "text", channel, buttons=False))
        assert "按钮" not in copied and "点“" not in copied and "点下方" not in copied, copied
        shown = resident_messages(result, "text", channel)
        assert len(copied.split("\n")) == len("\n".join(shown).split("\n")), "the same lines, reworded"
        if result.personal_payment is not None:
            assert f"您需缴纳：{result.personal_payment}元" in copied
    if next_step(result) in ("choose_channel", "register_then_pay"):  # the line that would say "below"
        names = [c.name for c in result.channels]
        assert all(name in resident_messages(result, "text", buttons=False)[0] for name in names), names


@pytest.mark.parametrize("request_", CASE_REQUESTS)
def test_no_payment_channel_for_a_date_that_cannot_be_paid(engine: QuoteEngine, request_: QuoteRequest) -> None:
    result = engine.quote(request_)
    offered = [c.id for c in choices(result)]
    if result.payable_on_date is False and result.next_payable_date is None:
        assert offered == [], f"{offered} offered for a date that cannot be paid"
        with pytest.raises(UserInputError):
            channel_message(result, result.channels[0].id if result.channels else "c1")
    if result.personal_payment == 0:
        assert not result.channels, "nothing to pay: no payment channel"


def test_the_first_message_of_a_shuozhou_dibao_resident(engine: QuoteEngine) -> None:
    # 朔政办发〔2023〕29号 二（二）: 380, 低保对象 80% → 304; 76 to pay. 二（三）: 9月1日—12月25日.
    text = first_message(quote(engine, "朔州", "2023-10-10", "1980-05-01", "低保"), "html")
    assert "<b>您需缴纳：76元</b>" in text
    assert "2023年12月25日" in text and "2024年1月1日起" in text and "可以缴费" in text
    assert "朔政办发〔2023〕29号 二（二）" in text
    assert "低保对象：低保等特殊人群选择“特殊人群”" in text, "the status's instruction comes first"
    assert "城市服务" not in text and "正确选择参保地" not in text, "the steps wait for the channel button"
    assert "可以缴费\n待遇享受" in text
    assert re.sub(r"</?b>", "", text).count("<") == 0


def test_values_are_escaped_in_telegram_html(engine: QuoteEngine) -> None:
    # 朔州's enquiries contain "山西医保" in ASCII quotation marks; a missed deadline names them.
    text = first_message(quote(engine, "朔州", "2023-12-28"), "html")
    assert '"' not in text and ("&#34;山西医保&#34;" in text or "&quot;山西医保&quot;" in text)
    assert re.sub(r"</?b>", "", text).count("<") == 0


def test_one_channel_at_a_time_with_the_instruction_for_the_status(engine: QuoteEngine) -> None:
    # 沁源 二（二）… 三（二）2: six ways to pay; a 低保 resident chooses “特殊人群” (四（二）).
    result = quote(engine, "沁源", "2022-10-10", "1980-01-01", "低保")
    ids = [c.id for c in choices(result)]
    assert ids == [REGISTER, "wechat_official", "wechat_city", "bank", "etax", "counter", "village"]
    bank = channel_message(result, "bank")
    assert "农行掌上银行" in bank and "特殊人群" in bank and "70元" in bank
    assert "山西医保" not in bank and "电子税务局" not in bank, "only the chosen channel's steps"
    register = channel_message(result, REGISTER)
    assert "新参保登记" in register and "首次参保" in register
    with pytest.raises(UserInputError) as caught:
        channel_message(result, "paypal")
    assert caught.value.field == "channel"


def test_an_unsubsidised_resident_is_told_the_normal_year_not_special_groups(engine: QuoteEngine) -> None:
    # 朔政办发〔2023〕29号 二（四）: 正常缴费请选择“2024年”，低保等特殊人群选择“特殊人群”.
    steps = channel_message(quote(engine, "朔州", "2023-10-10"), "wechat_city")
    assert "正常缴费请选择“2024年”" in steps and "特殊人群" not in steps


def test_a_newborn_is_shown_registration_not_payment(engine: QuoteEngine) -> None:
    # 朔州 二（三）: 新生儿自出生之日起办理当年参保登记手续（当年不缴费）.
    result = quote(engine, "朔州", "2024-03-10", "2024-02-01")
    assert [c.id for c in choices(result)] == [REGISTER]
    assert result.registration_required
    assert "个人参保信息登记" in channel_message(result, REGISTER)


def test_shandan_during_the_campaign_says_the_deadline_and_that_the_start_is_in_the_notice(engine: QuoteEngine) -> None:
    # 山丹 四: 自本通知下发之日起，于 2023 年 12 月 31 日前完成 (the notice's date is not given).
    text = first_message(quote(engine, "山丹", "2023-10-10", "1980-01-01"))
    assert "能否" not in text and "文件未写明" not in text
    assert "2023年12月31日" in text and "自本通知下发之日起" in text


def test_notes_apply_to_this_resident_and_appear_once(engine: QuoteEngine) -> None:
    # 冷市镇 二（四）3: 动态新增的困难对象 concerns residents with a status, not one without.
    plain = quote(engine, "冷市镇", "2023-10-10")
    assert not any("动态新增" in note for note in plain.notes)
    with_status = quote(engine, "冷市镇", "2023-10-10", "1980-05-01", "低保")
    assert any("动态新增" in note for note in with_status.notes)
    # 朔州 names no payer: said once, in the notes, not beside every payer.
    shuozhou = quote(engine, "朔州", "2023-10-10", "1980-05-01", "低保")
    everything = "\n".join(resident_messages(shuozhou))
    assert everything.count("未写明") == 1 and "文件未写明出资部门" not in everything


def test_the_basis_names_the_document_once_and_quotes_every_source(engine: QuoteEngine) -> None:
    result = quote(engine, "沁源", "2022-10-10", "1980-01-01", "低保")
    text = basis_message(result)
    assert text.count("沁源县2023年度城乡居民基本医疗保险参保缴费工作方案") == 1
    for source in result.sources:
        assert source.quote in text


def test_a_date_after_every_document_gets_a_labelled_reference_answer(engine: QuoteEngine) -> None:
    with pytest.raises(NotCoveredError):
        quote(engine, "朔州", "2026-11-22", "1980-05-01", "低保")
    result = quote(engine, "朔州", "2026-11-22", "1980-05-01", "低保", reference=True)
    assert result.reference and result.benefit_year == 2024 and result.reference_date == date(2023, 11, 22)
    assert result.personal_payment == 76 and result.payable_on_date is None
    text = first_message(result)
    assert text.startswith("参考：按2024年度文件计算，仅供参考；新年度标准以新通知为准")
    assert "朔政办发〔2023〕29号" in text and "可以缴费" not in text
    assert choices(result) == [], "no payment steps from last year's document"


def test_a_reference_answer_keeps_the_age_of_the_resident_and_a_late_date_stays_late(engine: QuoteEngine) -> None:
    # March 2026 → March 2024 (after 2024's collection): late for that year, not early for the year before.
    result = quote(engine, "冷市镇", "2026-03-01", "2026-01-20", reference=True)
    assert result.reference_date == date(2024, 3, 1)
    assert result.path.startswith("newborn"), "a baby of 40 days is still a newborn in the reference year"


def test_dates_before_every_document_are_still_refused_with_reference(engine: QuoteEngine) -> None:
    with pytest.raises(NotCoveredError):
        quote(engine, "朔州", "2021-10-10", reference=True)


def test_resident_messages_with_a_channel_end_with_its_steps(engine: QuoteEngine) -> None:
    result = quote(engine, "乌拉特前旗", "2023-10-10", "1980-05-01")
    messages = resident_messages(result, channel="alipay")
    assert messages[0] == first_message(result)
    assert "市民中心" in messages[-1] and "缴费时年度选择2024年" in messages[-1]
    details = details_message(result)
    assert details is None or details in messages


@pytest.mark.parametrize("output", ["text", "html"])
@pytest.mark.parametrize("region", ["朔州", "冷市镇", "沁源", "山丹", "乌拉特前旗"])
@pytest.mark.parametrize("day", ["2026-11-22", "2027-03-01"])
def test_a_reference_answer_fits_one_screen_everywhere(engine: QuoteEngine, region: str, day: str, output: Format) -> None:
    for categories in [(), ("低保",), ("特困",)]:
        try:
            result = quote(engine, region, day, "1980-05-01", *categories, reference=True)
        except UserInputError:
            continue  # a follow-up question (which kind of 低保) the dialog would ask first
        text = first_message(result, output)
        assert visible_length(text) <= FIRST_MESSAGE_LIMIT, text
        assert "仅供参考" in text and str(result.benefit_year) in text
        if result.personal_payment is not None:
            assert f"您需缴纳：{result.personal_payment}元" in text.replace("<b>", "")
        assert choices(result) == []


def test_a_step_every_channel_shares_is_said_before_the_choice(engine: QuoteEngine) -> None:
    # 冷政发〔2023〕19号 三（二）注意事项: 缴费地点必须选择安化县 — for the village collector and for self-service.
    result = quote(engine, "冷市镇", "2023-10-10")
    assert "缴费地点必须选择安化县" in first_message(result)
    closed = quote(engine, "冷市镇", "2024-03-01")
    assert "缴费地点" not in first_message(closed), "no payment instruction for a date that cannot be paid"


def test_a_resident_who_pays_nothing_is_offered_registration_only_for_new_enrolees(engine: QuoteEngine) -> None:
    # 乌政办发〔2023〕81号 五注: 断保或新参保人员先…进行参保登记; 监测户 400 of 400 subsidised (二（二）5).
    result = quote(engine, "乌拉特前旗", "2023-10-10", "1980-05-01", "监测户")
    assert result.personal_payment == 0 and not result.channels
    assert [(c.id, c.label) for c in choices(result)] == [(REGISTER, "首次参保登记")]
    steps = channel_message(result, REGISTER)
    assert "先经医保经办机构" in steps and "仅首次参保或断保" in steps
    assert "续费参保居民可自行选择线上缴费方式" not in steps, "a step about paying is not for one who pays nothing"
    assert "首次参保登记" in first_message(result)
