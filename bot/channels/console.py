"""The console channel: the same engine in a terminal. Buttons appear as numbers the user can type."""

from __future__ import annotations

import argparse
import sys
import unicodedata
from datetime import date
from typing import IO, TextIO

from bot.dialog.replies import Button, Incoming, Reply
from bot.dialog.service import DialogService


def _numbered(replies: list[Reply]) -> list[Button]:
    return [button for reply in replies for row in reply.buttons for button in row]


def show(replies: list[Reply], out: TextIO) -> list[Button]:
    """Print replies; return the buttons now on offer, numbered from 1 in the order printed."""
    buttons: list[Button] = []
    for reply in replies:
        print(reply.text, file=out)
        choices = [button for row in reply.buttons for button in row]
        if choices:
            start = len(buttons) + 1
            listed = "  ".join(f"[{start + i}] {button.label}" for i, button in enumerate(choices))
            print(listed, file=out)
            buttons.extend(choices)
        print(file=out)
    return buttons


UNREADABLE_LINE = "无法读取这一行：输入的文字既不是 UTF-8 也不是 GBK 编码。请检查终端的编码设置后重新输入。"


def read_line(inp: IO[str] | IO[bytes]) -> str | None:
    """One line of input, None at its end. Bytes are read as UTF-8, or else as GBK/GB18030 (a Chinese
    Windows terminal); a line that is neither raises UnicodeDecodeError."""
    line = inp.readline()
    if not line:
        return None
    if isinstance(line, str):
        return line
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode("gb18030")


def button_number(text: str) -> int | None:
    """The number typed to choose a button: 2, ２ (full width) or ② (a Chinese input method's circled
    digit); None for anything else."""
    if text.isdecimal() and len(text) <= 4:
        return int(text)
    if len(text) == 1 and unicodedata.category(text) == "No":
        value = unicodedata.numeric(text, -1)
        if value == int(value) and value > 0:
            return int(value)
    return None


def chat(service: DialogService, key: str, inp: IO[str] | IO[bytes], out: TextIO, first: str | None = None) -> int:
    """Run until end of input or /quit. `first` is sent before reading (e.g. the --region answer); without
    it a conversation saved under `key` resumes at its question, else a new one starts."""
    resumed = service.resume(key, date.today())
    if resumed is not None and not first:
        offered = show(resumed, out)
    else:
        if resumed is not None:  # a saved conversation, but a new one on the region asked for
            service.handle(key, Incoming(text="/start"), date.today())
        offered = show(service.handle(key, Incoming(text=first or "/start"), date.today()), out)
    while True:
        print("> ", end="", file=out, flush=True)
        try:
            line = read_line(inp)
        except UnicodeDecodeError:
            print(UNREADABLE_LINE, file=out)
            print(file=out)
            continue
        if line is None:
            print(file=out)
            return 0
        text = line.strip()
        if text in ("/quit", "/exit", "退出"):
            print("再见！", file=out)
            return 0
        incoming = Incoming(text=text)
        number = button_number(text)
        if number is not None and 1 <= number <= len(offered):
            incoming = Incoming(payload=offered[number - 1].payload)
        replies = service.handle(key, incoming, date.today())
        offered = show(replies, out)  # numbers always refer to the buttons just shown


def run(args: argparse.Namespace) -> int:
    from bot.dialog.factory import build_engine, build_store

    store = build_store(args.state)
    service = DialogService(build_engine(), store)
    print("城乡居民医保缴费助手（控制台）。输入 /quit 退出，输入数字选择按钮。\n", file=sys.stdout)
    try:
        return chat(service, f"console:{args.user}", sys.stdin.buffer, sys.stdout, first=args.region)
    except KeyboardInterrupt:
        print("\n再见！")
        return 0
    finally:
        store.close()
