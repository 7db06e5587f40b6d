"""A button's text typed with a typo or in pinyin is read as the tap, only when one button is that close."""

from __future__ import annotations

import pytest

from bot.understanding.buttons import typed_button

CATEGORIES = {"特困人员": "b:categories:toggle=tekun:1", "都不是": "b:categories:none", "选好了": "b:categories:done"}
YES_NO = {"是": "b:fact:yes", "不是": "b:fact:no"}
DATES = {"今天": "b:payment_date:today", "明天": "b:payment_date:tomorrow"}


@pytest.mark.parametrize(("typed", "labels", "payload"), [
    ("都部是", CATEGORIES, "b:categories:none"),
    ("dou bu shi", CATEGORIES, "b:categories:none"),
    ("DOUBUSHI", CATEGORIES, "b:categories:none"),
    ("选号了", CATEGORIES, "b:categories:done"),
    ("选好咯", CATEGORIES, "b:categories:done"),
    ("明填", DATES, "b:payment_date:tomorrow"),
    ("今添吧", DATES, "b:payment_date:today"),
    ("布是", YES_NO, "b:fact:no"),
])
def test_a_button_typed_with_a_typo_is_that_button(typed: str, labels: dict[str, str], payload: str) -> None:
    assert typed_button(typed, labels) == payload


@pytest.mark.parametrize(("typed", "labels"), [
    ("都", CATEGORIES),  # too short to be one label more than another
    ("低保和特困", CATEGORIES),  # an answer, not a button
    ("后天", DATES),  # another day: read as a date, never as a button
    ("你好", YES_NO),
    ("", YES_NO),
])
def test_other_text_is_no_button(typed: str, labels: dict[str, str]) -> None:
    assert typed_button(typed, labels) is None
