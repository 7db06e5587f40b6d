"""Buttons: only what the current question offers is accepted; status toggles carry the state they set.

Forged or stale payloads (an old message, a hand-made callback) get the expired-button reply and the current
question again, after the answer too, and never change or crash the dialog.
"""

from __future__ import annotations

from datetime import date

import pytest

from bot.dialog.factory import build_engine
from bot.dialog.replies import Incoming, Reply
from bot.dialog.state import DialogState

TODAY = date(2023, 10, 10)
ENGINE = build_engine(with_faq=False)


def _run(state: DialogState, *steps: str) -> list[Reply]:
    replies: list[Reply] = []
    for step in steps:
        incoming = Incoming(payload=step[4:]) if step.startswith("tap ") else Incoming(text=step)
        replies = ENGINE.handle(state, incoming, TODAY).replies
    return replies


def _templates(replies: list[Reply]) -> list[str]:
    return [r.template for r in replies]


def _payloads(replies: list[Reply]) -> list[str]:
    return [b.payload for r in replies for row in r.buttons for b in row]


def _at_shandan_refine() -> DialogState:
    state = DialogState()
    replies = _run(state, "山丹县", "今天", "低保")
    assert _templates(replies) == ["ask_refine"]
    return state


@pytest.mark.parametrize("payload", ["b:refine:not_a_category", "b:refine:", "b:refine:dibao", "b:refine:tekun"])
def test_a_forged_refinement_payload_gets_the_expired_reply_and_the_question_again(payload: str) -> None:
    state = _at_shandan_refine()
    before = state.to_dict()
    replies = ENGINE.handle(state, Incoming(payload=payload), TODAY).replies
    assert _templates(replies) == ["expired_button", "ask_refine"]
    assert state.to_dict() == before


@pytest.mark.parametrize("payload", ["b:categories:martian", "b:categories:toggle=martian:on",
                                     "b:categories:toggle=dibao", "b:categories:toggle=dibao:maybe",
                                     "b:categories:dibao", "b:categories:toggle=new_hukou:on"])
def test_an_unknown_or_unoffered_status_is_never_saved(payload: str) -> None:
    state = DialogState()
    _run(state, "朔州", "今天", "1980-05-01")
    replies = ENGINE.handle(state, Incoming(payload=payload), TODAY).replies
    assert _templates(replies) == ["expired_button", "ask_categories"]
    assert state.selecting == [] and state.categories is None
    _run(state, "tap b:categories:done")
    assert state.categories == []


def test_a_stale_button_after_the_answer_gets_the_expired_reply_and_what_to_do_next() -> None:
    state = DialogState()
    replies = _run(state, "朔州", "今天", "1980-05-01", "低保")
    assert replies[-1].template == "answer"
    replies = ENGINE.handle(state, Incoming(payload="b:payment_date:tomorrow"), TODAY).replies
    assert _templates(replies) == ["expired_button", "ask_done"]
    assert "/restart" in replies[-1].text and state.payment_date == TODAY


def test_the_offered_buttons_are_accepted() -> None:
    state = _at_shandan_refine()
    offered = _payloads(ENGINE.handle(DialogState.from_dict(state.to_dict()), Incoming(text="/help"), TODAY).replies)
    assert "b:refine:dibao_rural_3" in offered or any(p.startswith("b:refine:") for p in offered)
    choice = next(p for p in offered if p.startswith("b:refine:"))
    replies = ENGINE.handle(state, Incoming(payload=choice), TODAY).replies
    assert replies[-1].template == "answer"


def test_a_status_toggle_names_the_state_it_sets_so_a_double_tap_is_harmless() -> None:
    state = DialogState()
    replies = _run(state, "朔州", "今天", "1980-05-01")
    assert "b:categories:toggle=dibao:on" in _payloads(replies)
    replies = _run(state, "tap b:categories:toggle=dibao:on", "tap b:categories:toggle=dibao:on")
    assert state.selecting == ["dibao"], "two taps on 低保 (on) select it once"
    assert "b:categories:toggle=dibao:off" in _payloads(replies), "the ticked button now offers to untick"
    _run(state, "tap b:categories:toggle=dibao:off")
    assert state.selecting == [], "a quick untick is kept"
    _run(state, "tap b:categories:toggle=dibao:off", "tap b:categories:done")
    assert state.categories == []
