"""A "not sure" reply carries its suggestions as buttons (payload b:faq:<id>; numbers on the console), and
tapping one answers that entry, at the end of a dialog or in the middle of one."""

from __future__ import annotations

from datetime import date

from bot.dialog.factory import build_engine
from bot.dialog.replies import Incoming
from bot.dialog.state import DialogState

TODAY = date(2023, 10, 10)
ENGINE = build_engine()
# Vague on purpose: it names no topic (a date question like 12月31号以后还能交吗 is now answered).
VAGUE = "交了以后呢"


def _done() -> DialogState:
    state = DialogState()
    for text in ("朔州", "今天", "1980-05-01", "都不是"):
        ENGINE.handle(state, Incoming(text=text), TODAY)
    assert state.step == "done"
    return state


def test_not_sure_carries_each_suggestion_as_a_button_and_tapping_one_answers_it() -> None:
    state = _done()
    reply = ENGINE.handle(state, Incoming(text=VAGUE), TODAY).replies[-1]
    assert reply.template == "faq_not_sure"
    suggested = reply.facts["suggestions"]
    buttons = [row[0] for row in reply.buttons]
    assert [b.payload for b in buttons] == [f"b:faq:{faq_id}" for faq_id in suggested]
    assert len(buttons) == 3
    assert "点选下面的问题" in reply.text
    for button in buttons:
        answered = ENGINE.handle(state, Incoming(payload=button.payload), TODAY).replies
        assert answered[0].template == "faq_answer"
        assert answered[0].facts["faq_id"] == button.payload.removeprefix("b:faq:")
        assert answered[0].text.startswith(button.label)


def test_a_tapped_suggestion_mid_dialog_answers_and_asks_the_open_question_again() -> None:
    state = DialogState()
    ENGINE.handle(state, Incoming(text="朔州"), TODAY)
    step = state.step
    replies = ENGINE.handle(state, Incoming(payload="b:faq:refund"), TODAY).replies
    assert replies[0].template == "faq_answer" and replies[0].facts["faq_id"] == "refund"
    assert state.step == step and len(replies) >= 2


def test_a_forged_suggestion_is_an_expired_button() -> None:
    state = _done()
    replies = ENGINE.handle(state, Incoming(payload="b:faq:../../etc"), TODAY).replies
    assert replies[0].template == "expired_button"
