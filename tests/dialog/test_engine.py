"""Engine properties that scripts cannot cover exhaustively: escaping, and no input ever breaks a turn."""

from __future__ import annotations

import random
from datetime import date

from bot.dialog.factory import build_engine
from bot.dialog.replies import Incoming
from bot.dialog.state import DialogState

TODAY = date(2023, 10, 10)
ENGINE = build_engine()


def _at_step(*answers: str) -> DialogState:
    state = DialogState()
    for answer in answers:
        ENGINE.handle(state, Incoming(text=answer), TODAY)
    return state


def test_user_text_echoed_in_html_replies_is_escaped() -> None:
    state = _at_step("/start")
    result = ENGINE.handle(state, Incoming(text="<b>北京</b>&"), TODAY, output="html")
    echoed = result.replies[0].text
    assert "<b>北京" not in echoed
    assert "&lt;b&gt;北京" in echoed


def test_random_input_at_every_step_gets_a_reply_and_keeps_earlier_answers() -> None:
    rng = random.Random(11)
    alphabet = [*"低保特困朔州山丹年月日号今天明天改成不是我的？?0123456789-./ abc<>&", "/back", "/help"]
    for answers in (["朔州"], ["朔州", "今天"], ["朔州", "今天", "1980-05-01"], ["朔州", "今天", "1980-05-01", "低保"]):
        for _ in range(150):
            state = _at_step(*answers)
            region = state.region
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 15)))
            said = ENGINE.reader.understand(text, state.step, TODAY)
            result = ENGINE.handle(state, Incoming(text=text), TODAY)
            assert result.replies, text
            # A region changes only when the message names one (a correction needs no command word, issue 8).
            if not text.startswith("/") and "改成" not in text and said.region is None:
                assert state.region == region, text


def test_a_stale_payload_from_another_step_does_not_change_answers() -> None:
    state = _at_step("朔州", "今天")
    result = ENGINE.handle(state, Incoming(payload="b:region:沁源县"), TODAY)
    assert [r.template for r in result.replies] == ["expired_button", "ask_birth"]
    assert state.region == "朔州市"


def test_a_malformed_payload_is_treated_as_expired() -> None:
    state = _at_step("朔州")
    result = ENGINE.handle(state, Incoming(payload="garbage"), TODAY)
    assert result.replies[0].template == "expired_button"
