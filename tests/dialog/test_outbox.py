"""The outbox (bot.dialog.outbox): a turn's replies are stored with its state, so a process killed between
the write and the send still gets them out when the update comes again; the same semantics in every store
(memory, SQLite, PostgreSQL in tests/dialog/test_pgstore_outbox.py)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from bot.dialog.engine import DialogEngine
from bot.dialog.factory import build_engine
from bot.dialog.outbox import Outbox, replies_for_repeat
from bot.dialog.replies import Button, Incoming, Reply
from bot.dialog.service import DialogService
from bot.dialog.state import DialogState
from bot.dialog.store import MemoryStore, SQLiteStore, StateStore

TODAY = date(2023, 10, 10)
DIALOG = ["朔州", "今天", "1937年4月19日", "没有"]  # the last message gets the fee


@pytest.fixture(scope="module")
def engine() -> DialogEngine:
    return build_engine()


StoreFactory = Callable[[Path], StateStore]
STORES: dict[str, StoreFactory] = {
    "memory": lambda _path: MemoryStore(),
    "sqlite": lambda path: SQLiteStore(path / "s.sqlite3"),
}


@pytest.fixture(params=sorted(STORES))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> StateStore:
    return STORES[request.param](tmp_path)


def _texts(replies: list[Reply]) -> list[tuple[str, str]]:
    return [(r.template, r.text) for r in replies]


def test_replies_round_trip_with_their_buttons() -> None:
    reply = Reply("ask_categories", "选身份", buttons=((Button("低保", "b:categories:toggle=dibao:on", True),),),
                  replaces_previous=True)
    outbox = Outbox.from_json(Outbox(5, (reply, Reply("x", "二"))).to_json())
    assert outbox is not None and outbox.update_id == 5 and not outbox.delivered
    assert [(r.template, r.text, r.buttons, r.replaces_previous) for r in outbox.replies] == [
        (reply.template, reply.text, reply.buttons, True), ("x", "二", (), False)]
    assert Outbox.from_json("{not json") is None and Outbox.from_json(None) is None
    assert replies_for_repeat(outbox, 4) is None, "another update's outbox says nothing about this one"


def test_the_final_answer_lost_to_a_kill_is_sent_when_the_update_comes_again(
    store: StateStore, engine: DialogEngine
) -> None:
    service = DialogService(engine, store)
    for update_id, text in enumerate(DIALOG[:-1], start=1):
        service.handle("telegram:1", Incoming(text=text, update_id=update_id), TODAY)
        service.delivered("telegram:1", update_id)
    answer = service.handle("telegram:1", Incoming(text=DIALOG[-1], update_id=4), TODAY)
    assert "answer" in [r.template for r in answer]
    # killed here: the state (and update 4) committed, the answer never sent; Telegram sends 4 again
    again = DialogService(engine, store).handle("telegram:1", Incoming(text=DIALOG[-1], update_id=4), TODAY)
    assert _texts(again) == _texts(answer), "the fee, not the current question"
    state = store.load("telegram:1")
    assert state is not None and state.last_update_id == 4 and state.reasks == 0, "not handled twice"


def test_replies_marked_delivered_are_not_sent_twice(store: StateStore, engine: DialogEngine) -> None:
    service = DialogService(engine, store)
    service.handle("telegram:1", Incoming(text="朔州", update_id=1), TODAY)
    service.delivered("telegram:1", 1)
    # killed after sending and marking, before Telegram heard the update was handled
    assert service.handle("telegram:1", Incoming(text="朔州", update_id=1), TODAY) == []


def test_a_later_turn_is_not_marked_by_an_earlier_delivery(store: StateStore, engine: DialogEngine) -> None:
    service = DialogService(engine, store)
    service.handle("telegram:1", Incoming(text="朔州", update_id=1), TODAY)
    asked = service.handle("telegram:1", Incoming(text="今天", update_id=2), TODAY)
    service.delivered("telegram:1", 1)  # a late mark of update 1 must not cover update 2
    assert _texts(service.handle("telegram:1", Incoming(text="今天", update_id=2), TODAY)) == _texts(asked)
    assert service.handle("telegram:1", Incoming(text="朔州", update_id=1), TODAY) == [], "older: nothing"


def test_a_redelivered_forget_confirms_again_and_keeps_nothing(store: StateStore, engine: DialogEngine) -> None:
    service = DialogService(engine, store)
    for update_id, text in enumerate(DIALOG, start=1):
        service.handle("telegram:1", Incoming(text=text, update_id=update_id), TODAY)
    forgotten = service.handle("telegram:1", Incoming(text="/forget", update_id=5), TODAY)
    again = service.handle("telegram:1", Incoming(text="/forget", update_id=5), TODAY)
    assert _texts(again) == _texts(forgotten) and [r.template for r in again] == ["forgotten"]
    assert store.load("telegram:1") == DialogState.tombstone(5)


def test_forget_leaves_no_copy_of_the_saved_replies_on_disk(tmp_path: Path, engine: DialogEngine) -> None:
    path = tmp_path / "s.sqlite3"
    service = DialogService(engine, SQLiteStore(path))
    for update_id, text in enumerate(DIALOG, start=1):
        answer = service.handle("telegram:1", Incoming(text=text, update_id=update_id), TODAY)
    fee_line = next(line for r in answer for line in r.text.splitlines() if "缴纳" in line).encode()

    def raw() -> bytes:
        wal = Path(f"{path}-wal")
        return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")

    assert fee_line in raw(), "the saved answer is on disk until it is sent (the test looks for real bytes)"
    service.handle("telegram:1", Incoming(text="/forget", update_id=5), TODAY)
    assert fee_line not in raw()
    assert b"1937-04-19" not in raw()


def test_an_older_state_file_gains_the_outbox_and_keeps_its_conversations(
    tmp_path: Path, engine: DialogEngine
) -> None:
    path = tmp_path / "s.sqlite3"
    old = sqlite3.connect(path)  # the table as it was before the outbox
    old.execute("CREATE TABLE conversations (key TEXT PRIMARY KEY, state TEXT NOT NULL, updated REAL NOT NULL)")
    old.execute("INSERT INTO conversations VALUES ('telegram:1', ?, 0)",
                (DialogState(step="birth", region="朔州市", payment_date=TODAY, last_update_id=2).to_json(),))
    old.commit()
    old.close()
    service = DialogService(engine, SQLiteStore(path))
    # update 2 again: no saved replies for it, so the current question, as before the outbox
    assert [r.template for r in service.handle("telegram:1", Incoming(text="今天", update_id=2), TODAY)][-1] == "ask_birth"
    replies = service.handle("telegram:1", Incoming(text="1937年4月19日", update_id=3), TODAY)
    assert _texts(service.handle("telegram:1", Incoming(text="x", update_id=3), TODAY)) == _texts(replies)
    SQLiteStore(path).close()  # opening again: the column is there already
