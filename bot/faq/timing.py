"""Free-text questions that name a payment date or ask when the window opens or closes.

"这个月26号能交吗", "12月31号以后还能交吗", "几号之前交完", "下个月还能交不", "啥时候开始收": the general
window text does not answer them. This module reads what is asked (a day, the days after or before a day, a
month, the opening, the closing, paying late) against today, and works out, per document, where that day falls
in the document's own collection window. The rule itself is the quote engine's (bot.quote.windows.in_collection,
QuoteEngine.covered_dates and reference_date): nothing here decides whether a day is payable. The wording is
dialogs/templates/faq/timing.j2, rendered before the window (or late-payment) answer by bot.faq.service.

A day after every document of the place (asked in a later year than the newest document's campaign) is read on
the same day of the newest document's campaign, the quote engine's reference reading, and the answer says the
real date's rules are for that year's new notice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from bot.errors import UserInputError
from bot.faq.normalize import fold_char
from bot.parsing.dates import parse_payment_date, read_numerals
from bot.policy.model import CitedText, PolicyDocument
from bot.quote import windows
from bot.quote.engine import QuoteEngine
from bot.understanding.dates import read_dates
from bot.understanding.datetext import date_text

Kind = Literal["day", "after", "by", "month", "opens", "closes", "late"]
Case = Literal["inside", "before_open", "not_payment_day", "closed", "no_end", "no_start", "not_covered"]

COLLECTION_WINDOW = "collection_window"
MISSED_DEADLINE = "missed_deadline"
TIMING_ENTRIES = frozenset({COLLECTION_WINDOW, MISSED_DEADLINE})

# About something else that happens to carry a date or a time word: benefits, births, refunds, records, amounts.
# 学年: a student's cover paid by school year ends when its benefit period does (冷市镇: 延长至当年的12月31日),
# not with the campaign.
_OTHER_TOPIC = re.compile(r"报销|待遇|生效|能用|享受|出生|生的|生了|生下|岁|退|凭证|证明|到账|查到|查不到|多少|几块|几个钱|"
                          r"登记|等待期|上学|入学|开学|学年|押金|职工医保|单位")
# Paying: a date with none of these is not a question about paying on it.
_PAYING = re.compile(r"交|缴|收|来得及|赶得上|赶趟|截止|截至|办|算数|行不行|可以吗|可以不|能行|jiao")
# Now, in words the date reader leaves ("现在还能交吗"): today.
_NOW = re.compile(r"现在|目前|这会儿?|眼下")
# Paying late: the answer is the missed-deadline entry's.
_LATE = re.compile(r"补交|补缴|错过|逾期|没赶上|没来得及|过期|过了(?:截止|缴费|期限|日子|时间|\d)|截止\S{0,4}过")
# Collecting starts ("几号开始收医保", "啥时候开交"): the window opening by its own verb. 开始 alone is shared
# with benefits starting ("啥时候开始报销"), which _OTHER_TOPIC keeps out.
_STARTS_COLLECTING = re.compile(r"开始(?:收|交|缴|征)|开收|开征|开交|开缴")
_OPENS = re.compile(r"(?:啥|什么|几|哪|多会|何)\S{0,4}开始|开始\S{0,3}(?:了没|了吗|了不|没有|吗)|开收|开征")
_CLOSES = re.compile(r"截止|截至|最晚|最后一天|为止|结束|几号(?:之前|以前|前)|(?:啥|什么)时候(?:之前|以前|前)|"
                     r"交到(?:啥|什么|几|哪)")
# A day and the side of it asked about: "12月31号以后", "年底之前", "元旦以后", "25号后".
_DAY_WORDS = r"(?:\d{4}年|明年|今年)?\d{1,2}月(?:\d{1,2}[号日]?|底|末)|(?:下下?|这|本)个?月(?:\d{1,2}[号日]?|底)|" \
             r"\d{1,2}[号日]|月底|年底|年末|元旦"
_BOUNDARY = re.compile(rf"(?P<day>{_DAY_WORDS})(?:当天)?(?P<side>以后|之后|过后|以前|之前|前|后)")
# A day said to be past: "过了12月25号", "12月25号过了还能交吗": the days after it, not the day itself.
_PAST_DAY = re.compile(rf"(?:过了|过完了?|超过了?)(?P<before>{_DAY_WORDS})|"
                       rf"(?P<after>{_DAY_WORDS})(?:都|已经|就)?(?:过了|过完了?|[一1]过)")
# The words of a day inside a clause the date reader read, to say back ("这个月26号", "明天").
_SAID_DAY = re.compile(rf"{_DAY_WORDS}|大后天|后天|明天|今天|明儿|今儿|(?:下下|下|这|本)?个?(?:周|星期|礼拜)[1-6日天]")
_WEEKDAY_DIGIT = re.compile(r"(?<=[周期拜])[1-6]")  # the reader's 下周1 said back as 下周一
_YEAR_END = re.compile(r"年底|年末")
_NEW_YEAR = re.compile(r"元旦")
_MONTH = re.compile(r"(?P<rel>下下|下|这|本)个?月(?![\d底初中末])|"
                    r"(?P<year>明年|今年|\d{4}年)?(?P<month>\d{1,2})月份?(?![\d号日底初中末])")
_RELATIVE_MONTHS = {"下下": 2, "下": 1, "这": 0, "本": 0}
# A length of time said as a rule's limit, not a day: "超过90天才去办", "断保3个月以内", "不满半年". Read as a date
# ("90天" from today) it would answer a question nobody asked. Taken out before the date reader; "3天后能交吗"
# (no limit word) is left to it. Never a month or day of the calendar: 个月 not 月 ("过了12月31号" is a day), and
# no 日 ("过了10日" is the 10th).
_LIMIT_BEFORE = r"(?:超过|超出|过了|满了?|不满|未满|不到|没到|没满|多于|少于|大于|小于|晚于|早于|不超过)"
_SPAN = r"(?:\d{1,3}|半)(?:天|周|个?星期|个?礼拜|个月|个?年)(?![\d月号日])"
_LIMIT_AFTER = r"(?:以内|之内|内|以上|以下|多|左右|(?:以后|之后|后)?才)"
_DURATION = re.compile(rf"{_LIMIT_BEFORE}{_SPAN}|{_SPAN}{_LIMIT_AFTER}")


@dataclass(frozen=True)
class TimingAsk:
    """What a question asks about timing: `day` is the day asked about (for "after", the first day after the one
    named; for "by", the day named; for "month", its first day or today), `last` the month's last day."""

    kind: Kind
    words: str  # the resident's words for the date, to say back ("12月31号以后")
    late: bool  # worded as paying late (补交, 错过, 过了…): the missed-deadline entry answers
    day: date | None = None
    last: date | None = None
    collecting: bool = False  # for "opens": the question names collecting itself (开始收), not just 开始

    @property
    def faq_id(self) -> str:
        return MISSED_DEADLINE if self.late or self.kind == "late" else COLLECTION_WINDOW


@dataclass(frozen=True)
class Verdict:
    """Where one day falls in a document's collection window, as bot.quote.windows.in_collection says."""

    day: date  # the day asked about
    read_on: date  # the day read in the document: `day`, or for a reference reading the same day of its campaign
    reference: bool
    case: Case
    next_date: date | None  # the first payable day after `read_on`, when the window says one


@dataclass(frozen=True)
class TimingFacts:
    """What the timing template needs for one document."""

    ask: TimingAsk
    today: date
    verdict: Verdict | None  # the day asked about, or today for opens/closes/late
    late_rule: CitedText | None  # what the document rules for those who missed the window
    deadline_notes: list[str]  # the regular path's notes about its deadline day (山丹: whether 31 December counts)


def simplified(text: str) -> str:
    """`text` in simplified characters, punctuation and spaces kept (the date reader splits clauses there)."""
    return "".join(fold_char(char) or char for char in text)


def read_timing(question: str, today: date) -> TimingAsk | None:
    """What `question` asks about timing, or None when it asks about none (or about another topic's timing)."""
    text = simplified(question)
    if _OTHER_TOPIC.search(text):
        return None
    prepared = _DURATION.sub("", read_numerals(date_text(text).text))
    late = _LATE.search(prepared) is not None
    if _OPENS.search(prepared) or _STARTS_COLLECTING.search(prepared):
        return TimingAsk("opens", "", late, collecting=_STARTS_COLLECTING.search(prepared) is not None)
    asked = _dated(prepared, today, late)
    if asked is not None:
        return asked if _PAYING.search(prepared) or late else None
    if late:
        return TimingAsk("late", "", True)
    if _CLOSES.search(prepared):
        return TimingAsk("closes", "", False)
    return None


def _dated(text: str, today: date, late: bool) -> TimingAsk | None:
    boundary = _BOUNDARY.search(text)
    if boundary is not None:
        day = _special_day(boundary.group("day"), today) or _parse(boundary.group("day"), today)
        if day is not None:
            after = boundary.group("side") in ("以后", "之后", "过后", "后")
            # "元旦以后" counts from New Year's Day itself; "12月31号以后" from the day after.
            first = day + timedelta(days=1) if after and not _NEW_YEAR.fullmatch(boundary.group("day")) else day
            return TimingAsk("after" if after else "by", boundary.group(), late, first)
    past = _PAST_DAY.search(text)
    if past is not None:
        words = past.group("before") or past.group("after")
        day = _special_day(words, today) or _parse(words, today)
        if day is not None:
            first = day if _NEW_YEAR.fullmatch(words) else day + timedelta(days=1)
            return TimingAsk("after", f"{words}以后", late, first)  # said back as the days after it
    special = _YEAR_END.search(text) or _NEW_YEAR.search(text)
    if special is not None:
        day = _special_day(special.group(), today)
        return TimingAsk("day", special.group(), late, day)
    for reading in read_dates(text, "", today):
        if reading.role == "payment" and reading.day is not None:
            said = _SAID_DAY.search(text, reading.start, reading.end)
            words = _WEEKDAY_DIGIT.sub(lambda d: "一二三四五六"[int(d.group()) - 1], said.group()) if said else ""
            return TimingAsk("day", words, late, reading.day)
    if _NOW.search(text):
        return TimingAsk("day", "今天", late, today)
    month = _MONTH.search(text)
    if month is not None:
        opening = _month_start(month, today)
        if opening is not None:
            last = windows.first_of_next_month(opening) - timedelta(days=1)
            if last >= today:
                return TimingAsk("month", month.group(), late, max(opening, today), last)
    return None


def _special_day(words: str, today: date) -> date | None:
    if _YEAR_END.fullmatch(words):
        return date(today.year, 12, 31)
    if _NEW_YEAR.fullmatch(words):
        return date(today.year + 1, 1, 1)
    return None


def _parse(words: str, today: date) -> date | None:
    try:
        return parse_payment_date(words, today=today)
    except UserInputError:
        return None


def _month_start(found: re.Match[str], today: date) -> date | None:
    if found.group("rel"):
        months = today.year * 12 + today.month - 1 + _RELATIVE_MONTHS[found.group("rel")]
        return date(months // 12, months % 12 + 1, 1)
    month = int(found.group("month"))
    if not 1 <= month <= 12:
        return None
    year_words = found.group("year")
    if year_words == "明年":
        year = today.year + 1
    elif year_words == "今年":
        year = today.year
    elif year_words:
        year = int(year_words[:4])
    else:  # a month without a year: the next such month (this one included)
        year = today.year if month >= today.month else today.year + 1
    return date(year, month, 1)


class TimingReader:
    """Per document: where the asked day (or today) falls in its window, read with the quote engine's rule."""

    def __init__(self, quotes: QuoteEngine) -> None:
        self.quotes = quotes

    def facts(self, ask: TimingAsk, document: PolicyDocument, today: date) -> TimingFacts:
        if ask.kind in ("opens", "closes", "late") or ask.day is None:
            verdict = self.verdict(document, today)
        elif ask.kind == "by":
            verdict = self.verdict(document, ask.day - timedelta(days=1))  # the last day before the one named
        else:
            verdict = self.verdict(document, ask.day)
            if ask.kind == "month" and ask.last is not None and verdict.next_date is not None \
                    and verdict.case in ("before_open", "not_payment_day"):
                # The month's first payable day, when it has one.
                later = ask.day + (verdict.next_date - verdict.read_on)
                if later <= ask.last:
                    verdict = self.verdict(document, later)
        regular = document.paths[-1]
        end = document.collection.end
        notes = [] if end is None else [
            note for note in regular.notes if isinstance(note, str) and f"{end.month}月{end.day}日" in note]
        return TimingFacts(ask, today, verdict, regular.after_window, notes)

    def verdict(self, document: PolicyDocument, day: date) -> Verdict:
        first, last = self.quotes.covered_dates(document)
        read_on, reference = day, False
        if day > last:
            found = self.quotes.reference_date(document.jurisdiction.name, day)
            if found is None or found[0] is not document:
                return Verdict(day, day, False, "not_covered", None)
            read_on, reference = found[1], True
        elif day < first:
            return Verdict(day, day, False, "not_covered", None)
        collection = document.collection
        availability = windows.in_collection(read_on, collection, document.benefit_year)
        case: Case
        if availability.payable is True:
            case = "inside"
        elif availability.payable is False:
            if availability.next_date is None:
                case = "closed"
            elif collection.start is not None and read_on < collection.start:
                case = "before_open"
            else:
                case = "not_payment_day"
        else:
            case = "no_end" if collection.end is None else "no_start"
        return Verdict(day, read_on, reference, case, availability.next_date)
