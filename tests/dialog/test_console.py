"""The console channel: a restart on the same state file resumes the dialog; whatever the terminal sends
(circled digits from a Chinese input method, GBK bytes, undecodable bytes) gets a reply, never a traceback."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from bot.channels.console import button_number, chat
from bot.dialog.factory import build_engine
from bot.dialog.service import DialogService
from bot.dialog.store import SQLiteStore

ROOT = Path(__file__).resolve().parents[2]
ENGINE = build_engine(with_faq=False)


def _chat(store: SQLiteStore, data: bytes) -> str:
    out = io.StringIO()
    assert chat(DialogService(ENGINE, store), "console:t", io.BytesIO(data), out) == 0
    return out.getvalue()


def test_a_restart_on_the_same_state_file_resumes_where_the_resident_was(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    first = _chat(SQLiteStore(path), "朔州\n".encode())
    assert "哪天缴费" in first
    second = _chat(SQLiteStore(path), b"")
    assert "我们继续刚才的问题" in second and "哪天缴费" in second
    assert "欢迎" not in second
    state = SQLiteStore(path).load("console:t")
    assert state is not None and state.region == "朔州市", "the saved answer is kept"


def test_circled_and_full_width_digits_choose_buttons() -> None:
    assert [button_number(t) for t in ("1", "２", "①", "⑩", "²", "½", "一", "1.5", "")] == [1, 2, 1, 10, 2, None,
                                                                                        None, None, None]


def test_a_circled_digit_taps_the_button_it_names(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.sqlite3")
    text = _chat(store, "②\n".encode())  # the region question lists the places as [1] [2] …
    second = text.split("[2] ")[1].split()[0]
    state = store.load("console:t")
    assert state is not None and state.region == second, text


def test_gbk_input_is_read_and_undecodable_input_gets_a_clear_reply(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.sqlite3")
    text = _chat(store, "朔州\n".encode("gbk") + b"\xff\xfe\xfd\x80\n")
    assert "哪天缴费" in text, "GBK 朔州 was understood"
    assert "既不是 UTF-8 也不是 GBK" in text
    state = store.load("console:t")
    assert state is not None and state.region == "朔州市", "nothing entered is lost"


def test_the_console_process_never_prints_a_traceback(tmp_path: Path) -> None:
    data = "朔州\n".encode("gbk") + "①\n⑳\n\n".encode() + b"\xff\xfe\n" + "1980年5月1日\n".encode() + b"\x00\x01\n"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--state", str(tmp_path / "s.sqlite3")],
        input=data, capture_output=True, cwd=ROOT, timeout=120, env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert result.returncode == 0
    assert b"Traceback" not in result.stderr + result.stdout
