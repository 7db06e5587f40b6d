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
    store._db.execute("INSERT INTO conversations (key, state, updated) VALUES ('k', '{not json', 0)")
    assert store.load("k") is None


# --------------------------------------------------------------------------------------------- exactly once


def test_the_same_update_twice_is_handled_once(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.sqlite3")
    service = DialogService(build_engine(), store)
    for update_id, text in enumerate(["朔州", "今天", "1980-05-01"], start=100):
        service.handle("telegram:1", Incoming(text=text, update_id=update_id), TODAY)
    first = service.handle("telegram:1", Incoming(text="/back", update_id=103), TODAY)
    again = service.handle("telegram:1", Incoming(text="/back", update_id=103), TODAY)
    state = store.load("telegram:1")
    assert state is not None and state.step == "birth", "one /back: one step back"
    assert state.payment_date == TODAY, "the payment date is kept"
    assert state.last_update_id == 103
    # Its replies were never marked delivered: the repeat gets them again (bot.dialog.outbox), not a second turn.
    assert [(r.template, r.text) for r in again] == [(r.template, r.text) for r in first]


def test_an_update_redelivered_after_a_restart_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    first = DialogService(build_engine(), SQLiteStore(path))
    first.handle("telegram:1", Incoming(text="朔州", update_id=7), TODAY)
    first.handle("telegram:1", Incoming(text="今天", update_id=8), TODAY)
    second = DialogService(build_engine(), SQLiteStore(path))  # the killed process's updates come again
    assert second.handle("telegram:1", Incoming(text="朔州", update_id=7), TODAY) == []
    second.handle("telegram:1", Incoming(text="今天", update_id=8), TODAY)
    state = second.store.load("telegram:1")
    assert state is not None and state.step == "birth" and state.birth is None and state.reasks == 0
    once = DialogState()  # the same two turns, each handled once
    for text in ("朔州", "今天"):
        build_engine().handle(once, Incoming(text=text), TODAY)
    assert state.history == once.history


def test_a_redelivered_update_cannot_bring_forgotten_answers_back(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.sqlite3")
    service = DialogService(build_engine(), store)
    service.handle("telegram:1", Incoming(text="朔州", update_id=1), TODAY)
    service.handle("telegram:1", Incoming(text="/forget", update_id=2), TODAY)
    assert service.handle("telegram:1", Incoming(text="朔州", update_id=1), TODAY) == []
    state = store.load("telegram:1")
    assert state is not None and state.region is None and state.last_update_id == 2
    assert DialogState.tombstone(2).to_dict() == state.to_dict(), "only the update id is kept"


def test_back_never_restores_an_old_update_id() -> None:
    state = DialogState(last_update_id=5)
    state.push_history()
    assert "last_update_id" not in state.history[0]


# --------------------------------------------------------------------------------------------- on disk


def test_the_state_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    store = SQLiteStore(path)
    DialogService(build_engine(), store).handle("telegram:1", Incoming(text="朔州"), TODAY)
    for name in (path, Path(f"{path}-wal")):
        assert name.stat().st_mode & 0o777 == 0o600, name


def test_forget_leaves_no_copy_of_the_answers_in_the_database_or_its_log(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    store = SQLiteStore(path)
    service = DialogService(build_engine(), store)
    for text in ["朔州", "今天", "1937年4月19日"]:
        service.handle("telegram:1", Incoming(text=text), TODAY)
        service.handle("telegram:2", Incoming(text=text.replace("1937", "1966")), TODAY)
    raw = path.read_bytes() + Path(f"{path}-wal").read_bytes()
    assert b"1937-04-19" in raw, "the test looks for bytes that were there"
    service.handle("telegram:1", Incoming(text="/forget"), TODAY)

    raw = path.read_bytes() + (Path(f"{path}-wal").read_bytes() if Path(f"{path}-wal").exists() else b"")
    assert b"1937-04-19" not in raw
    assert b"1966-04-19" in raw, "another resident's answers stay"
