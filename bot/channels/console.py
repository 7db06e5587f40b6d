"""The console channel: the same engine in a terminal. Buttons appear as numbers the user can type."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import TextIO

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


def chat(service: DialogService, key: str, inp: TextIO, out: TextIO, first: str | None = None) -> int:
    """Run until end of input or /quit. `first` is sent before reading (e.g. the --region answer)."""
    offered = show(service.handle(key, Incoming(text=first or "/start"), date.today()), out)
    while True:
        print("> ", end="", file=out, flush=True)
        line = inp.readline()
        if not line:
            print(file=out)
            return 0
        text = line.strip()
        if text in ("/quit", "/exit", "退出"):
            print("再见！", file=out)
            return 0
        incoming = Incoming(text=text)
        if text.isdigit() and 1 <= int(text) <= len(offered):
            incoming = Incoming(payload=offered[int(text) - 1].payload)
        replies = service.handle(key, incoming, date.today())
        offered = show(replies, out)  # numbers always refer to the buttons just shown


def run(args: argparse.Namespace) -> int:
    from bot.dialog.factory import build_engine, build_store

    store = build_store(args.state)
    service = DialogService(build_engine(), store)
    print("城乡居民医保缴费助手（控制台）。输入 /quit 退出，输入数字选择按钮。\n", file=sys.stdout)
    try:
        return chat(service, f"console:{args.user}", sys.stdin, sys.stdout, first=args.region)
    except KeyboardInterrupt:
        print("\n再见！")
        return 0
    finally:
        store.close()
