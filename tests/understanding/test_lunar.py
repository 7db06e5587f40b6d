"""A lunar birth date with its year is the span of solar days it can be: every real conversion falls inside it."""

from __future__ import annotations

from datetime import date

import pytest

from bot.parsing.dates import read_numerals
from bot.understanding.lunar import lunar_birth_span

TODAY = date(2023, 10, 10)


@pytest.mark.parametrize(
    ("said", "solar"),
    [
        pytest.param("农历五八年腊月初八", date(1959, 1, 16), id="lunar 1958 腊月初八 is 1959-01-16"),
        pytest.param("1958年正月十五", date(1958, 3, 4), id="lunar 1958 正月十五 is 1958-03-04"),
        pytest.param("2020年农历8月15", date(2020, 10, 1), id="lunar 2020 中秋 is 2020-10-01"),
        pytest.param("农历2023年正月初一", date(2023, 1, 22), id="lunar 2023 new year is 2023-01-22"),
        pytest.param("农历1985年八月十五", date(1985, 9, 29), id="lunar 1985 中秋 is 1985-09-29"),
        pytest.param("农历2012年冬月初一", date(2012, 12, 13), id="lunar 2012 冬月初一 is 2012-12-13 (after 闰四月)"),
        pytest.param("农历1959年正月初一", date(1959, 2, 8), id="lunar 1959 new year is 1959-02-08"),
    ],
)
def test_the_real_solar_day_lies_in_the_span(said: str, solar: date) -> None:
    span = lunar_birth_span(read_numerals(said), TODAY)
    assert span is not None
    earliest, latest = span
    assert earliest <= solar <= latest
    assert (latest - earliest).days <= 75  # a span, not the whole year: the year alone often decides


@pytest.mark.parametrize("said", ["腊月初八", "农历八月十五", "农历58年13月", "农历2030年正月"])
def test_no_span_without_a_year_or_for_an_impossible_date(said: str) -> None:
    assert lunar_birth_span(read_numerals(said), TODAY) is None
