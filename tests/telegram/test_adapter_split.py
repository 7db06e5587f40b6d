"""Pieces of the delivery policy that need no server: splitting long HTML, keyboards, and which failed calls
may be repeated without risking a second copy of a message."""

from __future__ import annotations

import re

import httpx
import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, TimedOut

from bot.channels.telegram_delivery import (
    MAX_MESSAGE_LENGTH,
    _certainly_not_applied,
    _transient,
    keyboard,
    split_html,
    utf16_length,
)
from bot.dialog.replies import Button


def _balanced(part: str) -> bool:
    stack: list[str] = []
    for closing, name in re.findall(r"<(/?)([a-z]+)[^>]*>", part):
        if closing:
            if not stack or stack.pop() != name:
                return False
        else:
            stack.append(name)
    return not stack


def test_a_text_within_the_limit_is_one_message_unchanged() -> None:
    text = "第一行\n<b>第二行</b>\n" + "字" * (MAX_MESSAGE_LENGTH - 20)
    assert utf16_length(text) <= MAX_MESSAGE_LENGTH
    assert split_html(text) == [text]


def test_a_long_text_is_cut_between_lines_and_every_line_survives() -> None:
    lines = [f"第{n}行：缴费标准380元" for n in range(1000)]
    parts = split_html("\n".join(lines))
    assert len(parts) > 1
    assert all(utf16_length(p) <= MAX_MESSAGE_LENGTH for p in parts)
    assert "\n".join(parts).split("\n") == lines


def test_a_tag_open_at_a_cut_is_closed_and_reopened() -> None:
    body = "\n".join(f"依据第{n}段" for n in range(400))
    text = f'<b>标题</b>\n<a href="https://example.org/doc?a=1&amp;b=2">{body}</a>\n结尾'
    parts = split_html(text, limit=1000)
    assert len(parts) > 2
    assert all(_balanced(p) for p in parts)
    assert all(utf16_length(p) <= 1000 for p in parts)
    assert parts[1].startswith('<a href="https://example.org/doc?a=1&amp;b=2">')
    assert re.sub(r"</?a[^>]*>", "", "\n".join(parts)) == re.sub(r"</?a[^>]*>", "", text)


def test_a_single_line_over_the_limit_is_cut_outside_tags_and_entities() -> None:
    line = "&amp;<i>字</i>" * 1000  # 13 characters each, no line break
    parts = split_html(line, limit=500)
    assert len(parts) > 20
    assert all(utf16_length(p) <= 500 and _balanced(p) for p in parts)
    assert "".join(parts).replace("</i><i>", "") == line, "only the tags closed and reopened at a cut are added"
    for part in parts:
        assert not re.search(r"&[a-z]*$", part) and not re.search(r"<[^>]*$", part)


def test_length_is_counted_as_telegram_does_in_utf16_units() -> None:
    emoji_line = "😀" * 1500  # 3000 UTF-16 units
    parts = split_html(f"{emoji_line}\n{emoji_line}")
    assert parts == [emoji_line, emoji_line]


def test_blank_parts_are_not_sent() -> None:
    text = "a" * 3000 + "\n\n\n\n" + "b" * 3000
    assert split_html(text) == ["a" * 3000, "b" * 3000]


def test_keyboards_follow_the_engines_rows() -> None:
    assert keyboard(()) is None
    markup = keyboard(((Button("今天", "b:payment_date:today"), Button("明天", "b:payment_date:tomorrow")),))
    assert markup is not None
    assert [[(b.text, b.callback_data) for b in row] for row in markup.inline_keyboard] == [
        [("今天", "b:payment_date:today"), ("明天", "b:payment_date:tomorrow")]
    ]


def _caused(error: Exception, cause: BaseException) -> Exception:
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    ("error", "safe"),
    [
        (_caused(TimedOut(), httpx.ConnectTimeout("")), True),
        (_caused(TimedOut(), httpx.PoolTimeout("")), True),
        (_caused(TimedOut(), httpx.WriteTimeout("")), True),
        (_caused(TimedOut(), httpx.ReadTimeout("")), False),
        (_caused(NetworkError("httpx.ConnectError: refused"), httpx.ConnectError("")), True),
        (_caused(NetworkError("httpx.RemoteProtocolError: closed"), httpx.RemoteProtocolError("")), False),
        (NetworkError("Bad Gateway"), True),
        (NetworkError("Internal Server Error (500)"), True),
        (NetworkError("Gateway Timeout (504)"), False),
    ],
)
def test_only_failures_telegram_cannot_have_acted_on_are_repeated_blindly(error: Exception, safe: bool) -> None:
    assert isinstance(error, NetworkError)
    assert _transient(error)
    assert _certainly_not_applied(error) is safe


def test_refusals_are_not_repeated() -> None:
    assert not _transient(BadRequest("Message is too long"))
    assert not _transient(Forbidden("Forbidden: bot was blocked by the user"))
