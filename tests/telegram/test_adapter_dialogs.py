"""Whole dialogs through Telegram: the adapter (real PTB Application polling the fake Bot API, SQLite state)
must show the resident exactly what the engine says, turn by turn.

Each turn is also run on a reference ``DialogService`` (same engine, in-memory store, HTML output); the
Telegram side must have sent one message per reply (or edited the tapped message for a keyboard update),
with the reply's exact text and buttons.  The reference's template ids and facts are checked against the
scripts' expectations, and the scripts' ``text_contains`` / ``text_excludes`` against what Telegram shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import Harness, Turn, assert_shown, shown_text

from bot.dialog.replay import Script, load_script, script_files
from bot.dialog.replies import Incoming, Reply
from bot.dialog.service import DialogService
from bot.dialog.store import MemoryStore
from bot.resident import FIRST_MESSAGE_LIMIT

pytestmark = [
    pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"),
    pytest.mark.slow,  # every replay script through a real Application: a quick local run may skip it
]

SCRIPTS_DIR = Path(__file__).resolve().parents[2] / "dialogs" / "scripts"
SCRIPTS = script_files([SCRIPTS_DIR])
CHAT = 4242


# --------------------------------------------------------------------------------------------- five places


@dataclass(frozen=True)
class Step:
    say: str | None = None
    tap: str | None = None


def say(text: str) -> Step:
    return Step(say=text)


def tap(label: str) -> Step:
    return Step(tap=label)


# The dates and answers of dialogs/scripts/happy_path/*.yaml, with buttons wherever the bot offers one
# (the multi-select status keyboard: tap the status, then 选好了 — the keyboard is edited in place).
# Then the answer's own buttons: one payment channel (or the registration steps), the notes, the passages.
JOURNEYS: dict[str, tuple[date, list[Step], list[str], list[tuple[str, list[str]]]]] = {
    "朔州 低保 pays 76": (
        date(2023, 10, 10),
        [say("/start"), tap("朔州市"), tap("今天"), say("1980年5月1日"), tap("低保对象"), tap("选好了")],
        ["您需缴纳：76元", "资助304元", "2023年12月25日", "朔政办发〔2023〕29号 二（二）"],
        [("微信城市服务", ["特殊人群", "应缴金额：76元"]), ("依据", ["低保对象按个人缴费标准80%的比例给予定额资助"])],
    ),
    "冷市镇 no status pays 380": (
        date(2023, 12, 28),
        [say("冷市镇南华村"), tap("明天"), say("1975-3-2"), tap("都不是")],
        ["您需缴纳：380元", "2023年12月31日", "冷政发〔2023〕19号"],
        [("村组代收（主要方式）", ["安化县", "应缴金额：380元"])],
    ),
    "沁源 elderly pays 0": (
        date(2022, 10, 8),
        [say("/start"), tap("沁源县"), tap("今天"), say("一九五五年三月二日"), tap("都不是"), tap("是")],
        ["您需缴纳：0元", "2022年10月30日"],
        [("注意事项", ["县财政", "意外伤害保险"]), ("办理说明", ["行政村（社区）登记"])],
    ),
    "山丹 third-class 低保 pays 130": (
        date(2023, 11, 15),
        [say("甘肃张掖山丹县位奇镇"), tap("今天"), tap("低保对象"), tap("选好了"), tap("农村三类低保")],
        ["您需缴纳：130元", "2023年12月31日"],
        [("农业银行、农商银行", ["差额征缴", "应缴金额：130元"])],
    ),
    "乌拉特前旗 监测户 pays 0": (
        date(2023, 10, 20),
        [say("乌前旗"), tap("今天"), say("1970.6.1"), tap("防止返贫监测对象"), tap("选好了"), tap("是")],
        ["您需缴纳：0元", "个人无需缴费"],
        [("注意事项", ["医保局（200元）", "乡村振兴局（200元）"])],
    ),
}


async def _step(harness: Harness, reference: DialogService, today: date, step: Step) -> tuple[Turn, list[Reply]]:
    if step.tap is not None:
        _, data = harness.find_button(CHAT, step.tap)
        replies = reference.handle("ref", Incoming(payload=data), today, "html")
        turn = await harness.tap(CHAT, step.tap)
        assert_shown(turn, replies, tapped=True)
    else:
        assert step.say is not None
        replies = reference.handle("ref", Incoming(text=step.say), today, "html")
        turn = await harness.say(CHAT, step.say)
        assert_shown(turn, replies, tapped=False)
    return turn, replies


@pytest.mark.parametrize("journey", list(JOURNEYS), ids=list(JOURNEYS))
async def test_a_full_dialog_with_buttons_and_text_for_each_jurisdiction(harness: Harness, journey: str) -> None:
    today, steps, key_texts, follow_ups = JOURNEYS[journey]
    harness.today = today
    reference = DialogService(harness.engine, MemoryStore())
    await harness.start()

    edits = 0
    for step in steps:
        turn, replies = await _step(harness, reference, today, step)
        edits += len(turn.edited)

    assert replies[-1].template == "answer"
    final = shown_text(turn)
    for text in key_texts:
        assert text in final, f"{text!r} not in the answer"
    assert len(re.sub(r"<[^>]+>", "", final)) <= FIRST_MESSAGE_LIMIT, "the answer fits one phone screen"
    for label, texts in follow_ups:
        turn, _ = await _step(harness, reference, today, tap(label))
        shown = shown_text(turn)
        for text in texts:
            assert text in shown, f"{text!r} not shown after tapping {label}"
    if "选好了" in [s.tap for s in steps]:
        assert edits >= 1, "tapping a status edits the status keyboard in place"
    calls = harness.api.calls_to("answerCallbackQuery")
    assert len(calls) == sum(s.tap is not None for s in steps) + len(follow_ups)
    assert all(c.status == 200 for c in calls), "every tap answered once"
    assert all(c.params.get("parse_mode") == "HTML" for c in harness.api.calls_to("sendMessage"))


# --------------------------------------------------------------------------------------------- replay scripts


def _check_reference(script: Script, number: int, replies: list[Reply], expect: list[Any]) -> None:
    where = f"{script.name}, turn {number}"
    assert [r.template for r in replies] == [e.template for e in expect], where
    for reply, expectation in zip(replies, expect, strict=True):
        for key, wanted in expectation.facts.items():
            wanted = wanted.isoformat() if isinstance(wanted, date) else wanted
            assert reply.facts.get(key, "<missing>") == wanted, f"{where}: fact {key}"
        labels = [b.label for row in reply.buttons for b in row]
        for label in expectation.buttons_contain:
            assert any(label == shown or shown.endswith(label) for shown in labels), f"{where}: button {label}"


@pytest.mark.parametrize("path", SCRIPTS, ids=[p.stem for p in SCRIPTS])
async def test_every_replay_script_behaves_the_same_through_telegram(harness: Harness, path: Path) -> None:
    script = load_script(path)
    harness.today = script.today
    store = MemoryStore()
    reference = DialogService(harness.engine, store)
    await harness.start()

    for number, spec in enumerate(script.turns, start=1):
        if spec.restart_process:
            await harness.stop()  # the store is not closed: as after a kill, the next process opens the file
            reference = DialogService(harness.engine, store)
            await harness.start()
        if spec.tap is not None:
            _, data = harness.find_button(CHAT, spec.tap)
            replies = reference.handle("ref", Incoming(payload=data), script.today, "html")
            turn = await harness.tap(CHAT, spec.tap)
        else:
            replies = reference.handle("ref", Incoming(text=spec.user or ""), script.today, "html")
            turn = await harness.say(CHAT, spec.user or "")
        _check_reference(script, number, replies, spec.expect)
        assert_shown(turn, replies, tapped=spec.tap is not None)
        seen = shown_text(turn)
        for expectation in spec.expect:
            for text in expectation.text_contains:
                assert text in seen, f"{script.name}, turn {number}: {text!r} not shown"
            for text in expectation.text_excludes:
                assert text not in seen, f"{script.name}, turn {number}: {text!r} shown"

    assert harness.adapter.stats.errors == 0
