"""Pinyin dates and spaced digits rewritten for the date reader, with spans mapped back to what was typed."""

from __future__ import annotations

import pytest

from bot.understanding.datetext import date_text


@pytest.mark.parametrize(("typed", "read"), [
    ("mingtian", "明天"),
    ("xiage yue 5 hao", "下个月5号"),
    ("xia ge yue wu hao", "下个月五号"),
    ("58 nian 3 yue 2 hao", "58年3月2号"),
    ("er ling er si nian yi yue wu hao", "二零二四年一月五号"),
    ("shi yi yue shi hao", "十一月十号"),
    ("xingqi yi", "星期一"),
    ("2024 年 1 月 5 日", "2024年1月5日"),
    ("qinyuan dibao mingtian jiao", "qinyuan dibao 明天交"),  # the place and status stay for their readers
    ("wo shi 58 nian sheng de", "wo shi 58年生的"),  # shi beside digits is 是, not 十
    ("yi ge", "yi ge"),  # no date unit: not a date
    ("shuozhou 今天交 80年的", "shuozhou 今天交 80年的"),
])
def test_pinyin_and_spaced_dates_are_rewritten(typed: str, read: str) -> None:
    assert date_text(typed).text == read


def test_a_span_of_the_rewritten_text_is_the_span_typed() -> None:
    typed = "qinyuan mingtian jiao"
    rewritten = date_text(typed)
    start = rewritten.text.index("明天")
    assert rewritten.span(start, start + 2) == (8, 16)
    assert typed[8:16] == "mingtian"
