"""A calendar day named in a payment-date question ("12月31号以后还能交吗", "12月底还能交不", "每月25号以后"), and
what one document's collection window says about it.

The FAQ answers such a question with the window (collection_window) and, before it, a verdict for that day in
that document: inside the window, after its end, or outside the days of the month when payment is possible.
Only the document's own dates are used; where it gives no end date the verdict says so.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from bot.faq.normalize import fold
from bot.parsing.dates import read_numerals
from bot.policy.model import Collection

Relation = Literal["after", "before", "on"]

# 12月31号以后 / 12月底 / 12月 / 25号以后 (a day alone is a day of the month: 每月25号以后).
_DAY = re.compile(
    r"(?:(?P<month>1[0-2]|0?[1-9])月(?:(?P<mday>[12][0-9]|3[01]|0?[1-9])[日号]?|(?P<end>底|末))?"
    r"|(?P<day>[12][0-9]|3[01]|0?[1-9])[日号])"
    r"(?P<rel>以后|之后|以前|之前|过后|后|前)?"
)
_AFTER_WORDS = re.compile(r"过了|超过|晚于")
_PAY_WORDS = re.compile(r"交|缴|办理|办")
_REFUND_WORDS = re.compile(r"退")


# The day must be the one paying is asked about: a paying word right after it ("12月底还能交", "25号以后能缴费吗",
# "31号前交完"), and not the day of something else ("去年十一月生的", "8月份厂子倒了").
_PAYING_AFTER = re.compile(r"^.{0,6}?(?:交|缴|办理)")
_OTHER_EVENT = re.compile(r"^.{0,3}(?:生|出生|倒|断|离职|辞职|上学|入学|开学|毕业|迁)")
_OTHER_YEAR = re.compile(r"(?:去年|前年|明年)$")


def _about_paying(text: str, found: re.Match[str]) -> bool:
    after = text[found.end() :]
    return (_PAYING_AFTER.search(after) is not None and _OTHER_EVENT.search(after) is None
            and _OTHER_YEAR.search(text[: found.start()]) is None)


@dataclass(frozen=True)
class AskedDate:
    month: int | None  # None: a day of any month (每月25号)
    day: int | None  # None with month: the whole month; end_of_month: its last days
    end_of_month: bool
    relation: Relation

    def in_year(self, year: int) -> date | None:
        """The day the question is about in `year`: the named day; for a month alone its first day, or its last
        day for 月底 and for "12月以后"."""
        if self.month is None:
            return None
        last = calendar.monthrange(year, self.month)[1]
        if self.day is not None:
            return date(year, self.month, min(self.day, last))
        return date(year, self.month, last if self.end_of_month or self.relation == "after" else 1)


def asked_date(question: str) -> AskedDate | None:
    """The day a question asks about paying on, or None (no day, or not about paying: "1月份以后还能退吗")."""
    text = read_numerals(fold(question))
    if _PAY_WORDS.search(text) is None or _REFUND_WORDS.search(text) is not None:
        return None
    found = next((m for m in _DAY.finditer(text) if _about_paying(text, m)), None)
    if found is None:
        return None
    rel = found.group("rel") or ""
    relation: Relation = "after" if rel in ("以后", "之后", "过后", "后") else "before" if rel else "on"
    if _AFTER_WORDS.search(text[: found.start()]):
        relation = "after"
    if found.group("month"):
        mday = found.group("mday")
        return AskedDate(int(found.group("month")), int(mday) if mday else None, bool(found.group("end")), relation)
    return AskedDate(None, int(found.group("day")), False, relation)


@dataclass(frozen=True)
class DateVerdict:
    """What a document's window says of an asked day: ``in_window``, ``after_end``, ``before_start``,
    ``outside_days`` (a day of the month on which payment is not handled), ``no_days`` (a day of the month asked
    about where the document limits no days of the month), or ``no_end`` (no end date given)."""

    kind: Literal["in_window", "after_end", "before_start", "outside_days", "no_days", "no_end"]
    day: date | None
    asked: AskedDate


def judge(asked: AskedDate, collection: Collection) -> DateVerdict | None:
    """The verdict for one document's collection window; None when the window gives nothing to judge by."""
    days = collection.days_of_month
    if asked.month is None:
        if asked.day is None:
            return None
        if days is None:
            return DateVerdict("no_days", None, asked)
        past_last = asked.day > days.last or (asked.relation == "after" and asked.day >= days.last)
        kind: Literal["in_window", "outside_days"] = "outside_days" if past_last else "in_window"
        return DateVerdict(kind, None, asked)
    start, end = collection.start, collection.end
    year = (start or end or date.today()).year
    day = asked.in_year(year)
    if day is None:
        return None
    if start is not None and day < start:
        day = asked.in_year(year + 1) or day
    if end is None:
        return DateVerdict("no_end", day, asked)
    if day > end or (asked.relation == "after" and day >= end):
        return DateVerdict("after_end", day, asked)
    if start is not None and day < start:
        return DateVerdict("before_start", day, asked)
    if days is not None and day.day > days.last:
        return DateVerdict("outside_days", day, asked)
    return DateVerdict("in_window", day, asked)
