"""State survives process restarts (SQLite, written every turn) and /forget deletes it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.dialog.factory import build_engine
from bot.dialog.replies import Incoming
from bot.dialog.service import DialogService
from bot.dialog.state import DialogState
from bot.dialog.store import SQLiteStore

TODAY = date(2023, 10, 10)


def test_a_state_round_trips_through_json_unchanged() -> None:
    state = DialogState(step="categories", region="朔州市", payment_date=TODAY, birth=date(1958, 3, 2),
                        categories=["dibao"], facts={"x": True}, pending={"refine": "dibao"})
    state.push_history()
    assert DialogState.from_json(state.to_json()) == state


def test_a_new_process_on_the_same_database_resumes_at_the_same_step(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    first = DialogService(build_engine(), SQLiteStore(path))
    first.handle("telegram:1", Incoming(text="朔州"), TODAY)
    first.handle("telegram:1", Incoming(text="今天"), TODAY)
    # No close(): a killed process does not get to close its connection.
    second = DialogService(build_engine(), SQLiteStore(path))
    replies = second.handle("telegram:1", Incoming(text="1980-05-01"), TODAY)
    assert [r.template for r in replies] == ["ask_categories"]


def test_two_residents_do_not_share_state(tmp_path: Path) -> None:
    service = DialogService(build_engine(), SQLiteStore(tmp_path / "s.sqlite3"))
    service.handle("telegram:1", Incoming(text="朔州"), TODAY)
    service.handle("telegram:2", Incoming(text="山丹"), TODAY)
    service.handle("telegram:1", Incoming(text="今天"), TODAY)
    replies = service.handle("telegram:2", Incoming(text="今天"), TODAY)
    # 山丹 has no rule by age: resident 2 goes straight to statuses; resident 1 is asked the birth date.
    assert [r.template for r in replies] == ["ask_categories"]
    assert [r.template for r in service.handle("telegram:1", Incoming(text="/help"), TODAY)][-1] == "ask_birth"


def test_forget_deletes_the_stored_state(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.sqlite3")
    service = DialogService(build_engine(), store)
    service.handle("telegram:1", Incoming(text="朔州"), TODAY)
    assert store.load("telegram:1") is not None
    replies = service.handle("telegram:1", Incoming(text="/forget"), TODAY)
    assert [r.template for r in replies] == ["forgotten"]
    assert store.load("telegram:1") is None


def test_an_unreadable_row_starts_a_fresh_conversation(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.sqlite3")
    store._db.execute("INSERT INTO conversations VALUES ('k', '{not json', 0)")
    assert store.load("k") is None
