"""A conversation's state round-trips through JSON unchanged, and /back snapshots do not move with the state."""

from __future__ import annotations

import json
from datetime import date

from bot.dialog.state import DialogState


def _state() -> DialogState:
    state = DialogState(step="categories", region="沁源县", payment_date=date(2023, 10, 8), birth=date(1958, 3, 2),
                        categories=["dibao"], facts={"registered": True}, pending={"refine": "dibao"},
                        last_figures={"personal_payment": 0, "said": {"statuses": "低保"}}, last_update_id=41)
    state.push_history()
    state.birth_from, state.birth_to = date(1958, 1, 1), date(1958, 12, 31)
    state.push_history()
    return state


def test_the_stored_json_is_the_dict_form_and_reads_back_as_the_same_state() -> None:
    state = _state()
    assert json.loads(state.to_json()) == state.to_dict()
    assert state.to_json() == json.dumps(state.to_dict(), ensure_ascii=False, separators=(",", ":"))
    assert DialogState.from_json(state.to_json()) == state


def test_a_snapshot_keeps_the_answers_only_and_does_not_change_with_the_state() -> None:
    state = _state()
    snapshot = state.history[0]
    assert snapshot == {"step": "categories", "region": "沁源县", "payment_date": "2023-10-08", "birth": "1958-03-02",
                        "categories": ["dibao"], "facts": {"registered": True}, "pending": {"refine": "dibao"}}
    state.categories.append("tekun")  # type: ignore[union-attr]
    state.facts["registered"] = False
    assert snapshot["categories"] == ["dibao"] and snapshot["facts"] == {"registered": True}


def test_a_snapshot_restores_every_answer_as_it_was() -> None:
    state = _state()
    before = state.to_dict()
    state.push_history()
    restored = DialogState.from_dict({**state.history[-1], "history": before["history"],
                                      "last_figures": state.last_figures})
    assert restored.to_dict() == {**before, "last_update_id": None}
