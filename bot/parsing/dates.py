"""Parse the dates residents type into chat: ``2023年9月1号``, ``二〇二三年九月一日``, ``下个月5号``.

The parser runs on every chat turn, so it is one pre-compiled regular expression plus a few small tables:
no dateparser/jionlp/jieba, and not even cn2an (importing cn2an costs ~160 ms because it builds its
models at import time; the Chinese numerals that appear in dates need a ten-line converter).

It never guesses. Anything it cannot pin to a single calendar day -- "明年吧", "9月份", "60岁", a lunar
date, two different dates in one message -- raises :class:`bot.errors.UserInputError` whose ``message``
is a Chinese sentence saying what was expected and whose ``example`` shows a date that would parse.

How text is read, in order:

1. Inputs longer than :data:`MAX_INPUT_CHARS` are refused outright (cheap, and a date never needs more).
2. Full-width ASCII (``２０２３／９／１``), a few traditional characters (``號 後 週 個``) and dash
   look-alikes are mapped to their plain forms; spaces are dropped unless they sit between two digits.
3. Chinese numerals become Arabic digits: ``九``→9, ``二十五``→25, ``二〇二三年``→2023年 (digit-by-digit
   reading is only used for a year, i.e. directly before 年, so ``二三号`` -- "the 2nd or 3rd" -- is not
   read as the 23rd).
4. One alternation regex scans the text; at each position the most specific form wins, so filler words
   around a date ("我打算9月1号交") are ignored. Every matched piece is either a concrete day, or a hint
   (vague word, bare year/month, an age, a lunar marker) used to explain a rejection.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Literal

from bot.errors import UserInputError

__all__ = [
    "MAX_INPUT_CHARS",
    "Prefer",
    "date_kinds",
    "parse_birth_date",
    "parse_date",
    "parse_payment_date",
    "read_date_kinds",
    "read_numerals",
]

Prefer = Literal["future", "past"]

#: Longest input considered. A date plus some filler words fits easily; refusing longer text up front
#: keeps every call O(1)-ish even if someone pastes a whole document into the chat.
MAX_INPUT_CHARS = 200

_EARLIEST_BIRTH = date(1900, 1, 1)
_FUTURE_EXAMPLE = "2023年9月1日"
_PAST_EXAMPLE = "1958年3月2日"

# --- step 2: character clean-up -------------------------------------------------------------------

# Full-width ASCII block U+FF01..U+FF5E maps onto U+0021..U+007E by a fixed offset; U+3000 is the
# ideographic space. Done with a table rather than unicodedata NFKC so that nothing else (①, ㈠, ...)
# is silently rewritten.
_CLEANUP: dict[str, str] = {
    **{chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)},
    "\u3000": " ",
    # Dash look-alikes that input methods produce in "2023—9—1".
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    # "○" (white circle) is what most input methods offer for the zero in 二○二三.
    "\u25cb": "〇",
    # Traditional characters seen from Hong Kong/Taiwan keyboards, only those the patterns use.
    "號": "号",
    "後": "后",
    "週": "周",
    "個": "个",
    "禮": "礼",
    "兩": "两",
    "這": "这",
    "歲": "岁",
    "農": "农",
    "曆": "历",
    "陰": "阴",
    "舊": "旧",
    "臘": "腊",
}
# Most messages contain none of these characters; str.translate would still look every character up
# in a Python dict (~15 µs for 200 characters), whereas one character-class scan costs ~1 µs.
_NEEDS_CLEANUP = re.compile("[" + "".join(map(re.escape, sorted(_CLEANUP))) + "]")
_SPACES = re.compile(r"\s+")


def _cleanup(match: re.Match[str]) -> str:
    return _CLEANUP[match.group()]


def _drop_space(match: re.Match[str]) -> str:
    # Spaces between two digits are kept ("2023 9 1" is not silently glued into "202391"); all others
    # go, so "2023 年 9 月 1 日" reads like "2023年9月1日".
    text, start, end = match.string, match.start(), match.end()
    between_digits = start > 0 and end < len(text) and text[start - 1].isdecimal() and text[end].isdecimal()
    return " " if between_digits else ""


# --- step 3: Chinese numerals ----------------------------------------------------------------------

_CN_DIGITS = {ch: value for value, ch in enumerate("〇一二三四五六七八九")} | {"零": 0, "两": 2}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_RUN = re.compile(r"([〇零一二两三四五六七八九十廿卅百千]+)(年?)")


def _cn_positional(run: str) -> int | None:
    """Value of a positional numeral such as 十, 十五, 二十三, 一百零五; None if it is malformed."""
    run = run.replace("廿", "二十").replace("卅", "三十")
    total = 0
    digit: int | None = None
    last_unit = 10000
    for ch in run:
        if ch in _CN_UNITS:
            unit = _CN_UNITS[ch]
            if unit >= last_unit:  # "十十", "十百": not a number
                return None
            total += (1 if digit is None else digit) * unit  # bare 十 means 10
            digit, last_unit = None, unit
        elif ch in ("〇", "零"):
            continue  # filler zero, as in 一百零五
        else:
            if digit is not None:  # two digits in a row, e.g. 十二三 ("twelve or thirteen"): vague
                return None
            digit = _CN_DIGITS[ch]
    return total + (digit or 0)


def _cn_replace(match: re.Match[str]) -> str:
    run, nian = match.group(1), match.group(2)
    if not any(ch in "十廿卅百千" for ch in run):
        if len(run) == 1:
            return str(_CN_DIGITS[run]) + nian
        if nian:  # a year read digit by digit: 二〇二三年, 五八年
            return "".join(str(_CN_DIGITS[ch]) for ch in run) + nian
        return match.group(0)  # "二三号" is "the 2nd or 3rd", not the 23rd: leave it unreadable
    value = _cn_positional(run)
    return match.group(0) if value is None else f"{value}{nian}"


# --- step 4: the forms -----------------------------------------------------------------------------

# A day of month, or 底/末 for the last day. (?!\d) stops "9月123" from reading as the 12th.
_DAY = r"(?:\d{1,2}(?!\d)|底|末)"

# Each alternative is wrapped in an outer named group: that group closes last, so match.lastgroup
# names the alternative that matched. Order matters where two alternatives can start at the same
# position: the concrete form comes before the vague one ("下个月5号" before "下个月").
_FORMS = rf"""
    (?P<lunar>农历|阴历|旧历|正月|腊月|冬月|初\d)
  | (?P<ymd>(?<!\d)(?P<ymd_y>[12]\d{{3}})年(?P<ymd_m>\d{{1,2}})月(?P<ymd_d>{_DAY})[日号]?)
  | (?P<sep>(?<!\d)(?P<sep_y>[12]\d{{3}})(?P<sep_c>[./-])(?P<sep_m>\d{{1,2}})
            (?P=sep_c)(?P<sep_d>\d{{1,2}})(?!\d))
  | (?P<compact>(?<!\d)(?P<cmp_y>(?:19|20)\d{{2}})(?P<cmp_m>\d{{2}})(?P<cmp_d>\d{{2}})(?!\d))
  | (?P<yy>(?<!\d)(?P<yy_y>\d{{2}})年(?P<yy_m>\d{{1,2}})月(?P<yy_d>{_DAY})[日号]?)
  | (?P<relyear>(?P<ry>今|明|去|后|前)年(?P<ry_m>\d{{1,2}})月(?P<ry_d>{_DAY})[日号]?)
  | (?P<md>(?<!\d)(?P<md_m>\d{{1,2}})月(?P<md_d>{_DAY})[日号]?)
  | (?P<relmonth>(?P<rm>下下个?|下个?|上上个?|上个?|这个?|本)月(?P<rm_d>{_DAY})[日号]?)
  | (?P<monthend>月[底末])
  | (?P<weekday>(?P<wk>下下|下|上上|上|这|本)?个?(?:周|星期|礼拜)(?P<wk_d>[1-6日天]))
  | (?P<offset>(?<!\d)(?P<off_n>\d{{1,4}})(?P<off_u>天|周|个?星期|个?礼拜|个月)
               (?P<off_dir>以后|之后|后|以前|之前|前))
  | (?P<after>过(?!2天)(?P<aft_n>\d{{1,4}})(?P<aft_u>天|周|个?星期|个?礼拜|个月)(?:以后|之后|后)?)
  | (?P<relday>大后天|大前天|今天|今日|今儿|明天|明日|明儿|后天|昨天|昨日|昨儿|前天)
  | (?P<day>(?<!\d)(?P<day_d>\d{{1,2}})[号日](?!\d))
  | (?P<age>(?<!\d)(?P<age_n>\d{{1,3}})周?岁)
  | (?P<vym>(?<!\d)(?P<vym_y>[12]\d{{3}}|\d{{2}})年(?P<vym_m>\d{{1,2}})月)
  | (?P<vy>(?<!\d)(?P<vy_y>[12]\d{{3}}|\d{{2}})年)
  | (?P<vm>(?<!\d)(?P<vm_m>\d{{1,2}})月)
  | (?P<vague>明年|今年|去年|后年|前年|年底|年初|年中|年末|年内|月初|月中|上旬|中旬|下旬
        |下下个?月|下个?月|上个?月|这个?月|本月|下下周|下周|上周|这周|本周
        |下个?(?:星期|礼拜)|上个?(?:星期|礼拜)|这个?(?:星期|礼拜)|周末
        |最近|近期|过几天|几天后|过2天(?!以?后|之后)|改天|以后|将来|到时候|回头|尽快|马上|几号|哪天|什么时候
        |元旦|春节|过年|过完年|年前|年后|开春|开年|节前|节后|国庆)
"""

# Python's regex engine tries every alternative at every position, which made a 200-character message
# of filler words cost ~250 µs. Every alternative starts with a digit or a Chinese character written
# literally in _FORMS, so a one-character lookahead over those lets the engine skip other positions
# at once (~15 µs for the same message). Built from the source, it cannot miss a newly added word.
_STARTS = "".join(sorted({ch for ch in _FORMS if not ch.isascii()}))
_PATTERN = re.compile(rf"(?=[\d{_STARTS}])(?:{_FORMS})", re.VERBOSE)

_RELDAY = {
    "大前天": -3,
    "前天": -2,
    "昨天": -1,
    "昨日": -1,
    "昨儿": -1,
    "今天": 0,
    "今日": 0,
    "今儿": 0,
    "明天": 1,
    "明日": 1,
    "明儿": 1,
    "后天": 2,
    "大后天": 3,
}
_RELYEAR = {"前": -2, "去": -1, "今": 0, "明": 1, "后": 2}
# Longer prefixes must be looked up as written; 个 is optional in speech ("下月" = "下个月").
_RELMONTH = {"上上": -2, "上": -1, "这": 0, "本": 0, "下": 1, "下下": 2}
_RELWEEK = {"上上": -2, "上": -1, "这": 0, "本": 0, "下": 1, "下下": 2}
_WEEKDAY = {"1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "日": 6, "天": 6}
_WEEKDAY_NAMES = "一二三四五六日"
_HINT_KINDS = frozenset({"lunar", "age", "vym", "vy", "vm", "vague"})


# --- helpers ---------------------------------------------------------------------------------------


def _cn(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def days_in_month(year: int, month: int) -> int:
    # calendar.monthrange would do, but importing calendar costs more than these two lines.
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def months_before(day: date, months: int) -> date:
    """The same day `months` months earlier, or that month's last day where it is shorter (3月31日 → 2月29日)."""
    shifted = day.year * 12 + day.month - 1 - months
    year, month = shifted // 12, shifted % 12 + 1
    return date(year, month, min(day.day, days_in_month(year, month)))


def _shift_month(year: int, month: int, by: int) -> tuple[int, int]:
    y, m0 = divmod(year * 12 + month - 1 + by, 12)
    return y, m0 + 1


class _Reader:
    """Per-call state: today, the preference and how to phrase an error for this field."""

    __slots__ = ("example", "field", "prefer", "today")

    def __init__(self, today: date, prefer: Prefer, field: str) -> None:
        self.today = today
        self.prefer = prefer
        self.field = field
        self.example = _PAST_EXAMPLE if prefer == "past" else _FUTURE_EXAMPLE

    def error(self, message: str, example: str | None = None) -> UserInputError:
        return UserInputError(field=self.field, message=message, example=example or self.example)

    # -- validation -------------------------------------------------------------------------------

    def check_month(self, month: int) -> None:
        if not 1 <= month <= 12:
            raise self.error(f"没有{month}月，月份应在1到12之间，请检查日期")

    def day_of(self, year: int, month: int, token: str) -> int:
        """The day number for token (digits, or 底/末 = last day) in a month whose year is known."""
        self.check_month(month)
        last = days_in_month(year, month)
        if token in ("底", "末"):
            return last
        day = int(token)
        if day == 0:
            raise self.error("没有0日，日期应从1日开始，请检查日期")
        if day > last:
            raise self.error(f"{year}年{month}月没有{day}日（这个月只有{last}天），请检查日期")
        return day

    def exact(self, year: int, month: int, token: str) -> date:
        return date(year, month, self.day_of(year, month, token))

    # -- dates without a year / month -------------------------------------------------------------

    def month_day(self, month: int, token: str) -> date:
        """Month and day with no year: the next such date on/after today (future) or latest on/before."""
        self.check_month(month)
        if token not in ("底", "末"):
            day = int(token)
            if day == 0 or day > days_in_month(2000, month):  # 2000 is a leap year: 2月29日 is allowed
                raise self.error(f"{month}月没有{day}日，请检查日期")
        step = 1 if self.prefer == "future" else -1
        # Eight years always contain a 29 February (the longest gap, e.g. 1896->1904, is eight).
        for k in range(9):
            year = self.today.year + step * k
            last = days_in_month(year, month)
            day = last if token in ("底", "末") else int(token)
            if day > last:
                continue
            candidate = date(year, month, day)
            if (candidate >= self.today) if step > 0 else (candidate <= self.today):
                return candidate
        raise self.error(f"找不到{month}月{token}日这一天，请写出年份")  # unreachable for valid input

    def day_only(self, day: int) -> date:
        """A bare "5号": the next 5th on/after today (future) or the latest on/before today (past)."""
        if not 1 <= day <= 31:
            raise self.error(f"没有{day}号，日期应在1到31之间，请检查日期")
        step = 1 if self.prefer == "future" else -1
        for k in range(3):  # a 31st is at most two months away
            year, month = _shift_month(self.today.year, self.today.month, step * k)
            if day > days_in_month(year, month):
                continue
            candidate = date(year, month, day)
            if (candidate >= self.today) if step > 0 else (candidate <= self.today):
                return candidate
        raise self.error(f"找不到{day}号这一天，请写出月份")  # unreachable for 1..31

    def two_digit_year(self, yy: int, month: int, token: str) -> date:
        """Resolve "58年3月2日". past: latest such date on/before today; future: year nearest today."""
        self.check_month(month)
        this_year = self.today.year
        if self.prefer == "past":
            year = this_year - (this_year - yy) % 100
            if token not in ("底", "末") and int(token) > days_in_month(year, month):
                # e.g. 2月29日 in a non-leap year: step back a century before judging the day.
                year -= 100
            day = self.day_of(year, month, token)
            if date(year, month, day) > self.today:
                year -= 100
        else:
            year = this_year + (yy - this_year) % 100
            if year - this_year >= 50:  # window [this_year-50, this_year+49]
                year -= 100
        return self.exact(year, month, token)

    # -- one regex match ---------------------------------------------------------------------------

    def resolve(self, m: re.Match[str]) -> date:
        """The concrete date a matched piece stands for (only called for non-hint kinds)."""
        kind = m.lastgroup
        today = self.today
        if kind == "ymd":
            return self.exact(int(m["ymd_y"]), int(m["ymd_m"]), m["ymd_d"])
        if kind == "sep":
            return self.exact(int(m["sep_y"]), int(m["sep_m"]), m["sep_d"])
        if kind == "compact":
            return self.exact(int(m["cmp_y"]), int(m["cmp_m"]), m["cmp_d"])
        if kind == "yy":
            return self.two_digit_year(int(m["yy_y"]), int(m["yy_m"]), m["yy_d"])
        if kind == "relyear":
            return self.exact(today.year + _RELYEAR[m["ry"]], int(m["ry_m"]), m["ry_d"])
        if kind == "md":
            return self.month_day(int(m["md_m"]), m["md_d"])
        if kind == "relmonth":
            year, month = _shift_month(today.year, today.month, _RELMONTH[m["rm"].rstrip("个")])
            return self.exact(year, month, m["rm_d"])
        if kind == "monthend":
            return date(today.year, today.month, days_in_month(today.year, today.month))
        if kind == "weekday":
            return self.weekday(m["wk"], _WEEKDAY[m["wk_d"]])
        if kind == "offset":
            return self.offset(int(m["off_n"]), m["off_u"], m["off_dir"])
        if kind == "after":
            return self.offset(int(m["aft_n"]), m["aft_u"], "后")
        if kind == "relday":
            return today + timedelta(days=_RELDAY[m["relday"]])
        if kind == "day":
            return self.day_only(int(m["day_d"]))
        raise AssertionError(f"unhandled date form {kind!r}")  # a pattern was added without a handler

    def weekday(self, prefix: str | None, weekday: int) -> date:
        today = self.today
        if prefix is None:
            # "周三" on its own: the nearest Wednesday in the preferred direction (today counts).
            if self.prefer == "future":
                return today + timedelta(days=(weekday - today.weekday()) % 7)
            return today - timedelta(days=(today.weekday() - weekday) % 7)
        # "下周三" is the Wednesday of next Monday-to-Sunday week, the usual Chinese reading, even when
        # today is Monday and this week's Wednesday is still ahead.
        monday = today - timedelta(days=today.weekday())
        return monday + timedelta(days=7 * _RELWEEK[prefix] + weekday)

    def check_weekday(self, day: date, weekday: re.Match[str]) -> None:
        if day.weekday() != _WEEKDAY[weekday["wk_d"]]:
            actual = _WEEKDAY_NAMES[day.weekday()]
            raise self.error(f"{_cn(day)}是星期{actual}，不是「{weekday.group()}」，请核对日期")

    def offset(self, n: int, unit: str, direction: str) -> date:
        sign = -1 if direction.endswith("前") else 1
        if unit == "天":
            return self.today + timedelta(days=sign * n)
        if unit == "个月":
            # Month arithmetic clamps to the month's last day (1月31日 + 1个月 = 2月28/29日), the same
            # convention as dateutil's relativedelta.
            year, month = _shift_month(self.today.year, self.today.month, sign * n)
            return date(year, month, min(self.today.day, days_in_month(year, month)))
        return self.today + timedelta(days=7 * sign * n)  # 周 / 星期 / 礼拜

    def explain(self, hints: list[re.Match[str]], shown: str) -> UserInputError:
        """Why nothing concrete was found, most helpful reason first."""
        by_kind = {h.lastgroup: h for h in reversed(hints)}  # reversed: keep the first of each kind
        if "age" in by_kind:
            return self.error(
                f"「{by_kind['age'].group()}」是年龄，不是日期，请填写出生日期（年月日）", _PAST_EXAMPLE
            )
        if "vym" in by_kind:
            h = by_kind["vym"]
            return self.error(f"只写了年月（{h['vym_y']}年{h['vym_m']}月），请补上具体是哪一天")
        if "vy" in by_kind:
            return self.error(f"只写了年份（{by_kind['vy']['vy_y']}年），请写出具体的年月日")
        if "vm" in by_kind:
            return self.error(f"只写了月份（{by_kind['vm']['vm_m']}月），请写出具体是哪一天")
        if "vague" in by_kind:
            return self.error(f"「{by_kind['vague'].group()}」太笼统了，请写出具体是哪一天")
        return self.error(f"没能从「{shown}」中认出日期，请写出具体的年月日")


def _annotates(text: str, previous_end: int, weekday: re.Match[str]) -> bool:
    """Whether a weekday directly follows the previous date, at most behind a bracket or comma."""
    gap = text[previous_end : weekday.start()]
    return len(gap) <= 1 and all(ch in "(,、" for ch in gap)


def _shown(text: str) -> str:
    """The resident's own words, shortened for quoting back in an error message."""
    return text if len(text) <= 20 else text[:20] + "…"


# --- public API ------------------------------------------------------------------------------------


def parse_date(text: str, *, today: date, field: str = "date", prefer: Prefer = "future") -> date:
    """Parse a date a resident typed, relative to ``today``.

    Accepted forms (surrounding filler words and spaces are ignored, full-width digits are fine):

    * with a year: ``2023年9月1日``/``号``, ``2023.9.1``, ``2023/9/1``, ``2023-09-01``, ``20230901``,
      ``二〇二三年九月一日``, ``一九五八年三月二日``, ``2023年9月底``, ``明年3月1日``/``去年``/``今年``;
    * with a two-digit year, only when written with 年 (``58年3月2日``): with ``prefer="past"`` the latest
      such date on or before today (in 2023: ``58年`` is 1958, ``23年3月2日`` is 2023, ``23年12月1日``
      is 1923); with ``prefer="future"`` the year ending in those digits nearest to today, i.e. within
      [this year - 50, this year + 49];
    * without a year: ``9月1日``, ``九月一号``, ``9月底``, and a bare ``5号``: ``prefer="future"`` picks the
      next such date on or after today (a payment date), ``prefer="past"`` the latest on or before today
      (a birth date);
    * relative: ``今天 明天 后天 大后天 昨天 前天`` (and 今日/明日/昨日), ``下个月5号``/``下月5号``/
      ``这个月25号``/``本月25日``/``上个月3号``, ``月底``/``下个月底``, ``下周一``/``下星期三``/
      ``这周五``/``上礼拜天`` (weeks run Monday to Sunday), a bare ``周三`` (nearest in the ``prefer``
      direction), ``三天后``/``3天以后``/``过3天``/``2周后``/``1个月后``/``5天前`` (but ``过两天``,
      colloquially "in a day or two", is refused as vague).

    A weekday written right after a date (``2023年9月1日（星期五）``) is checked against it, not read as
    a second date.

    Raises :class:`UserInputError` (with ``field`` and an ``example``) for empty or over-long text, no
    recognisable date, a month or day that does not exist (``2023-02-30``), something vague
    (``明年吧``, ``9月份``, ``下个月``), an age (``60岁``), a lunar date (``农历八月十五``) or two
    different dates in one message (or a date and a weekday that disagree).
    """
    if prefer not in ("future", "past"):
        raise ValueError(f"prefer must be 'future' or 'past', not {prefer!r}")  # a programming error
    reader = _Reader(today, prefer, field)
    # Length is checked before any regex work, so a pasted essay costs next to nothing to reject
    # (strip() only scans inward from the ends).
    if len(text) > MAX_INPUT_CHARS and len(text.strip()) > MAX_INPUT_CHARS:
        raise reader.error(f"输入太长了（{len(text)}个字），请只发日期，不要超过{MAX_INPUT_CHARS}个字")
    cleaned = _SPACES.sub(_drop_space, _NEEDS_CLEANUP.sub(_cleanup, text))
    if not cleaned:
        raise reader.error("没有收到日期，请写出具体的年月日")
    normalised = _CN_RUN.sub(_cn_replace, cleaned)

    found: list[date] = []
    hints: list[re.Match[str]] = []
    previous_end = -1
    for m in _PATTERN.finditer(normalised):
        if m.lastgroup in _HINT_KINDS:
            hints.append(m)
            continue
        if found and m.lastgroup == "weekday" and m["wk"] is None and _annotates(normalised, previous_end, m):
            # "2023年9月1日（星期五）": the weekday describes the date before it rather than naming
            # a second date; it must agree, or one of the two is a typo we should not pick between.
            reader.check_weekday(found[-1], m)
            continue
        try:
            found.append(reader.resolve(m))
        except (OverflowError, ValueError):
            # Only reachable at the edges of datetime's range (year 1 or 9999), e.g. 9999天前 from year 1;
            # real inputs are validated above. Still the resident's text, so still a UserInputError.
            raise reader.error(f"「{m.group()}」超出了可以计算的日期范围，请写出具体的年月日") from None
        previous_end = m.end()

    if any(h.lastgroup == "lunar" for h in hints):
        # Checked first: "农历8月15" also matches the month-day form, and converting is not our call.
        raise reader.error("暂不支持农历日期，请换算成公历（阳历）日期后再填写")
    distinct = sorted(set(found))
    if len(distinct) > 1:
        listed = "、".join(_cn(d) for d in distinct[:3])
        raise reader.error(f"消息里有多个不同的日期（{listed}），请只写一个日期")
    if distinct:
        return distinct[0]
    raise reader.explain(hints, _shown(cleaned))


def parse_birth_date(text: str, *, today: date) -> date:
    """A birth date: year-less forms resolve to the past; dates after today or before 1900 are refused."""
    return check_birth_date(parse_date(text, today=today, field="birth", prefer="past"), today=today)


def check_birth_date(born: date, *, today: date) -> date:
    """`born` if it can be a birth date: not after today, not before 1900 (however it was written)."""
    if born > today:
        raise UserInputError(
            field="birth",
            message=f"出生日期（{_cn(born)}）不能晚于今天（{_cn(today)}），请检查年份",
            example=_PAST_EXAMPLE,
        )
    if born < _EARLIEST_BIRTH:
        raise UserInputError(
            field="birth",
            message=f"出生日期（{_cn(born)}）早于1900年，请检查年份是否写错",
            example=_PAST_EXAMPLE,
        )
    return born


def parse_payment_date(text: str, *, today: date) -> date:
    """A payment date: year-less forms resolve to the next such date on or after today."""
    return parse_date(text, today=today, field="date", prefer="future")


def date_kinds(text: str) -> set[str]:
    """Which date forms `text` contains ("ymd", "md", "relday", "age", "vy", "vague", "lunar" …), without
    resolving any: lets a reader of a longer message tell "no date here" from "a date it cannot pin down"."""
    if len(text) > MAX_INPUT_CHARS:
        text = text[:MAX_INPUT_CHARS]
    return read_date_kinds(read_numerals(text))


def read_date_kinds(numerals_read: str) -> set[str]:
    """date_kinds of a text (at most MAX_INPUT_CHARS long) already through read_numerals: for a reader that
    needs the normalised text as well, so that it is worked out once."""
    return {str(m.lastgroup) for m in _PATTERN.finditer(numerals_read)}


def read_numerals(text: str) -> str:
    """`text` with full-width characters, spaces and Chinese numerals as the date parser reads them
    (二〇二三年九月一日 → 2023年9月1日, 七十岁 → 70岁)."""
    cleaned = _SPACES.sub(_drop_space, _NEEDS_CLEANUP.sub(_cleanup, text))
    return _CN_RUN.sub(_cn_replace, cleaned)
