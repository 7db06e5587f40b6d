"""Births said the way parents and grandparents say them: by a holiday ("国庆节生的", "2020年中秋生的") or as a
time back from today that names no day ("半个月前生的", "十几天前", "上个星期", "上个月中旬").

A holiday on a fixed solar day is that day (国庆节 = 10月1日; the year is still asked when not said). A holiday of
the lunar calendar (春节, 端午, 中秋, 腊八, 除夕 …) falls on a different solar day each year, so it is read as the
lunar date it is, and asked for as a solar date like any other lunar date (腊月初八). A time back from today that
names no day is a range of births around it, never one day guessed: the quote engine then says whether the day
within it matters (a newborn's deadline may run from the birth), and only then is it asked."""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.parsing.dates import days_in_month, months_before

# Holidays on a fixed solar day. Not when said as around it ("国庆节前后", "元旦左右"): no one day is meant.
_SOLAR: dict[str, tuple[int, int]] = {
    "国庆节": (10, 1), "国庆": (10, 1), "元旦": (1, 1), "劳动节": (5, 1), "五一": (5, 1), "儿童节": (6, 1),
    "六一": (6, 1), "建党节": (7, 1), "七一": (7, 1), "建军节": (8, 1), "八一": (8, 1), "妇女节": (3, 8),
    "三八节": (3, 8), "植树节": (3, 12), "青年节": (5, 4), "五四": (5, 4), "教师节": (9, 10), "情人节": (2, 14),
    "愚人节": (4, 1), "平安夜": (12, 24), "圣诞节": (12, 25), "圣诞": (12, 25), "光棍节": (11, 11), "双十一": (11, 11),
}
# Holidays of the lunar calendar, as the lunar date each stands for (read then as any lunar date is).
_LUNAR: dict[str, str] = {
    "春节": "正月初1", "大年初一": "正月初1", "大年初1": "正月初1", "元宵节": "正月15", "元宵": "正月15",
    "端午节": "农历5月初5", "端午": "农历5月初5", "七夕": "农历7月初7", "中秋节": "农历8月15", "中秋": "农历8月15",
    "重阳节": "农历9月初9", "重阳": "农历9月初9", "腊八节": "腊月初8", "腊八": "腊月初8", "小年": "腊月23",
    "除夕": "腊月30", "大年三十": "腊月30", "大年30": "腊月30", "年三十": "腊月30", "年30": "腊月30",
}
_NAMES = [*_SOLAR, *_LUNAR]
# The lookahead lets the engine skip at once every position no name starts at (this runs on every clause).
_HOLIDAY = re.compile(
    "(?=[" + "".join(sorted({name[0] for name in _NAMES})) + "])"
    r"(?<![\d一二三四五六七八九十])(?:"
    + "|".join(sorted((re.escape(name) for name in _NAMES), key=len, reverse=True))
    + r")(?![\d月号日年岁])(?:那天|当天|那一?天)?(?!节?(?:前后|左右|前|后|期间|假期|附近))"
)
# A time back from today that names no day, in a clause already through read_numerals ("十几天" → "10几天",
# "十来天" → "10来天").
_APPROXIMATE_PAST = re.compile(
    r"(?=[半\d几两2三3前上这本])(?:"
    r"(?P<half_month>半个?月)前"
    r"|(?P<months>\d{1,2})个多月(?:前|以前|之前)"
    r"|(?P<tens>[1-9])0(?:几|多)天(?:前|以前|之前)|(?P<teens>10)几天(?:前|以前|之前)"
    r"|(?P<about>[1-9])0来天(?:前|以前|之前)"
    r"|(?P<few>几|两三|2三|三四|3四)天(?:前|以前|之前)|前(?P<couple>几|2|两三|2三)天"
    r"|(?P<last_week>上上|上)个?(?:周|星期|礼拜)(?![1-6日天末])"
    r"|(?P<rel>上上|上|这|本)个?月(?P<part>初|上旬|中旬|中|下旬)"
    r"|(?P<half_year>半年)(?:前|以前|之前))"
)


def holiday_as_date(clause: str) -> str | None:
    """`clause` (through read_numerals) with a holiday written as the date it stands for (国庆节 → 10月1日, 中秋 →
    农历8月15), or None when it names no holiday."""
    found = _HOLIDAY.search(clause)
    if found is None:
        return None
    name = found.group().removesuffix("那天").removesuffix("当天").removesuffix("那一天").removesuffix("那1天")
    if name in _SOLAR:
        month, day = _SOLAR[name]
        said = f"{month}月{day}日"
    else:
        said = _LUNAR[name]
    return clause[:found.start()] + said + clause[found.end():]


def approximate_birth(clause: str, today: date) -> tuple[date, date] | None:
    """The births a time back from today stands for ("半个月前" → 10 to 20 days ago), or None."""
    found = _APPROXIMATE_PAST.search(clause)
    if found is None:
        return None
    days = _days_back(found)
    if days is not None:
        nearest, furthest = days
        return today - timedelta(days=furthest), today - timedelta(days=nearest)
    if found.group("months"):
        months = int(found.group("months"))
        return months_before(today, months + 1) + timedelta(days=1), months_before(today, months)
    if found.group("last_week"):
        weeks = 2 if found.group("last_week") == "上上" else 1
        monday = today - timedelta(days=today.weekday() + 7 * weeks)
        return monday, monday + timedelta(days=6)
    if found.group("half_year"):
        return months_before(today, 7) + timedelta(days=1), months_before(today, 5)
    shift = {"上上": -2, "上": -1, "这": 0, "本": 0}[found.group("rel")]
    year, month = divmod(today.year * 12 + today.month - 1 + shift, 12)
    month += 1
    last = days_in_month(year, month)
    first_day, last_day = {"初": (1, 10), "上旬": (1, 10), "中旬": (11, 20), "中": (11, 20),
                           "下旬": (21, last)}[found.group("part")]
    earliest, latest = date(year, month, first_day), min(date(year, month, last_day), today)
    return (earliest, latest) if earliest <= latest else None


def _days_back(found: re.Match[str]) -> tuple[int, int] | None:
    """(fewest, most) days back for the forms counted in days."""
    if found.group("half_month"):
        return 10, 20
    if found.group("tens"):
        tens = int(found.group("tens")) * 10
        return tens + 1, tens + 9
    if found.group("teens"):
        return 11, 19
    if found.group("about"):  # 十来天: about ten days, two either side
        tens = int(found.group("about")) * 10
        return tens - 2, tens + 2
    few = found.group("few")
    if few is not None:
        return (2, 9) if few == "几" else (2, 4) if few in ("两三", "2三") else (3, 4)
    couple = found.group("couple")
    if couple is not None:
        return (2, 9) if couple == "几" else (1, 3)
    return None
