"""A lunar (农历) birth date as the span of solar dates it can be: "农历五八年腊月初八", "1958年阴历腊月", "去年腊月生的".

No conversion table is kept, and none is guessed from: the span is what the calendar's rules allow. A lunar year Y
begins on a solar day between 21 January and 20 February of Y; its months are 29 or 30 days long, and one leap month
may come before any month after the first. So day D of lunar month M of year Y lies between 21 January Y + 29·(M−1)
+ (D−1) days and 20 February Y + 30·(M−1) + 30 + (D−1) days, and before the next lunar new year (at the latest 19
February Y+1). Lunar 1958's 腊月初八 is thus between 13 December 1958 and 19 February 1959.

The span is a range of births like "八零年的": where every solar day in it gets the same answer, the quote engine says
so (bot.quote.needs.birth_within) and the answer is given; where it does not, the resident is asked for the solar
date (`SOLAR_DATE_NEEDED`). A lunar date without its year (腊月初八) spans every year, so it is asked for at once."""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.errors import UserInputError

# In a clause through read_numerals ("农历58年腊月初8", "1958年农历12月初8", "去年腊月").
_YEAR = re.compile(r"(?<!\d)(\d{4}|\d{2})年|([今去前])年")
_MONTH = re.compile(r"(正|冬|腊|\d{1,2})月")
_DAY = re.compile(r"(?:份|的)?初?(\d{1,2})(?![\d年月])")
_MONTH_NUMBERS = {"正": 1, "冬": 11, "腊": 12}
_RELATIVE_YEARS = {"今": 0, "去": -1, "前": -2}


def solar_date_needed() -> UserInputError:
    """The reply when the solar day of a lunar birth date changes the answer."""
    return UserInputError(
        "birth", "农历日期对应的公历日子每年不同，您的交费要看具体是公历哪一天，请换算成公历（阳历）日期后再填写"
        "（身份证、户口本上的出生日期就是公历）",
        example="1959年1月16日")


def lunar_birth_span(clause: str, today: date) -> tuple[date, date] | None:
    """The solar dates a lunar birth date said with its year can be (up to today), or None when no year is said or
    the date cannot be one (13月, 初35). The span may start after today: the caller says so."""
    year_found = _YEAR.search(clause)
    if year_found is None:
        return None
    if year_found.group(2):
        year = today.year + _RELATIVE_YEARS[year_found.group(2)]
    else:
        year = int(year_found.group(1))
        if year < 100:
            year = today.year - (today.year - year) % 100
    if not 1900 <= year <= today.year:
        return None
    new_year_earliest, new_year_latest = date(year, 1, 21), date(year, 2, 20)
    year_end = date(year + 1, 2, 19)
    month_found = _MONTH.search(clause)
    if month_found is None:
        return new_year_earliest, year_end
    said = month_found.group(1)
    month = _MONTH_NUMBERS.get(said) or int(said)
    day_found = _DAY.match(clause, month_found.end())
    first, last = (1, 30) if day_found is None else (int(day_found.group(1)),) * 2
    if not 1 <= month <= 12 or not 1 <= first <= 30:
        return None
    earliest = new_year_earliest + timedelta(days=29 * (month - 1) + first - 1)
    leap = 30 if month > 1 else 0
    latest = min(new_year_latest + timedelta(days=30 * (month - 1) + leap + last - 1), year_end)
    return earliest, latest
