"""The answer in the dialog (bot.dialog.answer): one screen first, then a channel, the notes or the passages on
demand; /sources in the console; an offer of a labelled reference answer for a date past every document."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.dialog.answer import BASIS_PAYLOAD, NOTES_PAYLOAD
from bot.dialog.engine import DialogEngine
from bot.dialog.factory import build_engine
from bot.dialog.replay import load_script, script_files
from bot.dialog.replies import Incoming, Reply, find_button
from bot.dialog.service import DialogService
from bot.dialog.store import MemoryStore
from bot.render import Format
from bot.resident import FIRST_MESSAGE_LIMIT, visible_length

HAPPY_PATH = script_files([Path(__file__).resolve().parents[2] / "dialogs" / "scripts" / "happy_path"])


@pytest.fixture(scope="module")
def engine() -> DialogEngine:
    return build_engine(with_faq=False)


def _play(service: DialogService, today: date, turns: list[str], output: Format = "text") -> list[Reply]:
    shown: list[Reply] = []
    replies: list[Reply] = []
    for turn in turns:
        if turn.startswith("tap:"):
            button = find_button(shown, turn[4:])
            assert button is not None, f"no button {turn[4:]}"
            replies = service.handle("t", Incoming(payload=button.payload), today, output)
        else:
            replies = service.handle("t", Incoming(text=turn), today, output)
        shown.extend(replies)
    return replies


@pytest.mark.parametrize("output", ["text", "html"])
@pytest.mark.parametrize("path", HAPPY_PATH, ids=[p.stem for p in HAPPY_PATH])
def test_every_happy_path_answer_fits_one_screen_and_states_the_amount(
    engine: DialogEngine, path: Path, output: Format
) -> None:
    script = load_script(path)
    service = DialogService(engine, MemoryStore())
    shown: list[Reply] = []
    answers = []
    for turn in script.turns:
        if turn.tap is not None:
            button = find_button(shown, turn.tap)
            assert button is not None
            replies = service.handle("t", Incoming(payload=button.payload), script.today, output)
        else:
            replies = service.handle("t", Incoming(text=turn.user or ""), script.today, output)
        shown.extend(replies)
        answers += [r for r in replies if r.template == "answer"]
    assert answers, "a happy path ends in an answer"
    for reply in answers:
        assert visible_length(reply.text) <= FIRST_MESSAGE_LIMIT, reply.text
        amount = reply.facts["personal_payment"]
        assert amount is not None and f"您需缴纳：{amount}元" in reply.text.replace("<b>", "")


def test_the_answer_offers_this_places_channels_the_notes_and_the_basis(engine: DialogEngine) -> None:
    service = DialogService(engine, MemoryStore())
    replies = _play(service, date(2023, 10, 10), ["乌拉特前旗", "今天", "1980-05-01", "没有"])
    answer = replies[-1]
    labels = [b.label for row in answer.buttons for b in row]
    payloads = [b.payload for row in answer.buttons for b in row]
    # 乌政办发〔2023〕81号 五: 微信小程序, 微信城市服务, 支付宝, 蒙速办; new enrolees register first (五注).
    assert labels[:5] == ["首次参保登记", "微信小程序", "微信城市服务", "支付宝", "蒙速办APP"]
    assert "b:channel:alipay" in payloads and BASIS_PAYLOAD in payloads and NOTES_PAYLOAD in payloads
    assert all(len(p.encode()) <= 64 for p in payloads)
    steps = service.handle("t", Incoming(payload="b:channel:alipay"), date(2023, 10, 10))
    assert [r.template for r in steps] == ["channel_steps"]
    assert "市民中心" in steps[0].text and "蒙速办" not in steps[0].text


def test_sources_in_the_console_shows_the_quotes_and_needs_an_answer(engine: DialogEngine) -> None:
    service = DialogService(engine, MemoryStore())
    early = service.handle("t", Incoming(text="/sources"), date(2023, 10, 10))
    assert early[0].template == "expired_button"
    _play(service, date(2023, 10, 10), ["/restart", "朔州", "今天", "1980-05-01", "低保"])
    basis = service.handle("t", Incoming(text="/sources"), date(2023, 10, 10))
    assert [r.template for r in basis] == ["basis"]
    assert "低保对象按个人缴费标准80%的比例给予定额资助" in basis[0].text
    assert basis[0].text.count("朔州市2024年度城乡居民基本医疗保险集中征缴工作实施方案") == 1


def test_a_channel_button_of_another_place_or_a_stale_answer_is_expired(engine: DialogEngine) -> None:
    service = DialogService(engine, MemoryStore())
    _play(service, date(2023, 10, 10), ["朔州", "今天", "1980-05-01", "低保"])
    stale = service.handle("t", Incoming(payload="b:channel:alipay"), date(2023, 10, 10))
    assert stale[0].template == "expired_button"
    _play(service, date(2023, 10, 10), ["/restart"])
    gone = service.handle("t", Incoming(payload=BASIS_PAYLOAD), date(2023, 10, 10))
    assert gone[0].template == "expired_button"


def test_the_reference_button_without_an_offer_is_refused_without_losing_answers(engine: DialogEngine) -> None:
    service = DialogService(engine, MemoryStore())
    _play(service, date(2023, 10, 10), ["朔州"])
    replies = service.handle("t", Incoming(payload="b:payment_date:reference"), date(2023, 10, 10))
    # A button that was not offered gets the expired-button reply and the current question (issue 11).
    assert replies[0].template == "expired_button" and replies[-1].template == "ask_date"
    state = service.store.load("t")
    assert state is not None and state.region == "朔州市"


class _Day(date):
    @classmethod
    def today(cls) -> _Day:
        return cls(2026, 11, 22)


def test_the_console_offers_a_reference_answer_numbers_the_channels_and_shows_sources(
    engine: DialogEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In the console, on a day after 朔州's only document (2024年度), as a resident chatting today would."""
    import io

    from bot.channels import console

    monkeypatch.setattr(console, "date", _Day)
    service = DialogService(engine, MemoryStore())
    typed = "朔州\n今天\n1\n1980-05-01\n低保\n/sources\n"  # [1] is the reference button, printed first
    out = io.StringIO()
    console.chat(service, "console:t", io.StringIO(typed), out)
    text = out.getvalue()
    assert "[1] 按2024年度文件参考计算" in text
    assert "参考：按2024年度文件计算，仅供参考；新年度标准以新通知为准" in text and "76元" in text
    assert "依据原文" in text and "低保对象按个人缴费标准80%的比例给予定额资助" in text
    assert "微信城市服务" not in text.split("依据原文")[0].split("参考：")[-1], "no channel in a reference answer"
