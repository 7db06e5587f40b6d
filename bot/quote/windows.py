"""Whether a date falls in a payment window, and the next date that does: the calendar half of a quote."""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta

from bot.policy.model import Collection


@dataclass(frozen=True)
class Availability:
    payable: bool | None  # None: the document does not let us say
    next_date: date | None
    reason: str


def first_of_next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def next_allowed_day(day: date, collection: Collection) -> date:
    """`day` or the first later day allowed by the days-of-month rule (每月1日—25日)."""
    rule = collection.days_of_month
    if rule is None:
        return day
    if day.day < rule.first:
        return day.replace(day=rule.first)
    if day.day > min(rule.last, monthrange(day.year, day.month)[1]):
        return first_of_next_month(day).replace(day=rule.first)
    return day


def in_collection(day: date, collection: Collection, benefit_year: int) -> Availability:
    start, end = collection.start, collection.end
    if start is not None and day < start:
        first = next_allowed_day(start, collection)
        return Availability(False, first, f"集中缴费期自{start.isoformat()}开始")
    if end is not None and day > end:
        return Availability(False, None, f"集中缴费期已于{end.isoformat()}结束")
    if end is None and day.year >= benefit_year:
        # 年预缴费制度: paying in advance for next year. Past the start of the benefit year the document
        # does not say whether collection is still open.
        return Availability(None, None, f"{collection.end_text or '文件未写明截止日期'}，无法确定该日期能否缴费")
    allowed = next_allowed_day(day, collection)
    rule = collection.days_of_month
    if allowed != day and rule is not None:
        upcoming: date | None = allowed if end is None or allowed <= end else None
        return Availability(False, upcoming, f"每月{rule.first}日—{rule.last}日可办理缴费，{day.day}日不可")
    if start is None:
        # The window opens on a date the document does not give: before the deadline, we cannot say.
        return Availability(None, None, f"开始日期{collection.start_text}，无法确定该日期能否缴费")
    return Availability(True, None, "在集中缴费期内")


def within(day: date, first: date, last: date, what: str) -> Availability:
    if day < first:
        return Availability(False, first, f"{what}自{first.isoformat()}开始")
    if day > last:
        return Availability(False, None, f"{what}已于{last.isoformat()}结束")
    return Availability(True, None, f"在{what}内")


def plus_days(day: date, days: int) -> date:
    return day + timedelta(days=days)
