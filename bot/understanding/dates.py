"""Dates inside a message, each with its role: a birth date or a payment date.

The role comes from cue words in the same clause (生 / 出生 / 岁 / 年生的 → birth; 交 / 缴 / 哪天 / 打算 → payment);
only when there is none, from the question being answered. A birthday without a year ("3月2号生的") is kept to
ask for the year, never read as this year; a year alone ("八零年的") or an age ("65岁", "今年70了") gives a range
of birth dates. "下个月初", "月底", "过两天" resolve against today."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from bot.errors import UserInputError
from bot.parsing.dates import (
    MAX_INPUT_CHARS,
    check_birth_date,
    date_kinds,
    days_in_month,
    months_before,
    parse_birth_date,
    parse_payment_date,
    read_date_kinds,
    read_numerals,
)
from bot.understanding.birthwords import approximate_birth, holiday_as_date
from bot.understanding.clauses import clause_spans
from bot.understanding.datetext import date_text
from bot.understanding.lunar import lunar_birth_span
from bot.understanding.result import DateRole
from bot.understanding.statuses import UNKNOWN

# Clauses: at punctuation, after a birth phrase (…生的), before a payment phrase (打算…, or 明天… right after 生).
_CLAUSE = re.compile(
    r"(?:[,;!?，。；！？\s]|\.(?!\d))+|(?<=生的)|(?<=出生的)|(?=打算|准备|计划|想在|要在|想)"
    r"|(?<=生)(?=明天|后天|今天|下个?月|下周|这个?月|月底|过两天|过几天)"
    # Voice input runs answers together: an age ends its clause, a payment day starts one.
    r"|(?<=[交缴])(?=\d|[一二三四五六七八九]\S?年)|(?<=岁)(?<!虚岁)(?!数|以|之|[的了])|(?<=岁了)|(?<=[^\d年月号日天今明后下这本个大上过\s,，])(?<!生日是)(?<!生日)(?<!生于)(?<!生在)(?<!出生是)"
    r"(?=明天|后天|大后天|今天|今儿|明儿|下个?月|下周|下礼拜|下星期|这个?月|本月|月底|过两天|过几天)"
    # A full date with its year run into a payment time ("1960年1月1日今天", "1990年12月1号下个月初").
    # Several people's births run together ("一个2019年生一个2021年生", "大的2019年的小的2021年的"): one clause each.
    r"|(?<=[生的])(?=(?:另外?一?个|一个|老[二三四小]|小的|二娃|小娃|二宝)是?[\d〇零一二两三四五六七八九十])"
    r"|(?:(?<=年\d月\d[日号])|(?<=年\d\d月\d[日号])|(?<=年\d月\d\d[日号])|(?<=年\d\d月\d\d[日号]))"
    r"(?=明天|后天|大后天|今天|今儿|明儿|下个?月|下周|下礼拜|下星期|这个?月|本月|月[底初中]|过两天|过几天)"
)
_BIRTH_CUE = re.compile(
    r"(?<!\d)\d{2}年的|(?<!\d)19\d{2}年(?:\d{1,2}月份?)?的|出生|生日|生的|年生|月生|号生|日生|生人|(?<!出)生[在于]\d"
    r"|岁|属[鼠牛虎兔龙蛇马羊猴鸡狗猪]"
    r"|今年\d{1,3}了?$|今年\d{1,3}[^\d年月]"
    # A baby just born: "上个月刚生", "才生了三天", "2023年1月15号刚生".
    r"|[刚才]出?生|生下|下生"
    # One of several people and a year ("老大2019年的", "一个2021年", numerals read: 1个, 2娃): that person's birth.
    r"|(?:另外?1?个|1个|老[大小幺]|大的|小的|大娃|2娃|小娃|大宝|2宝|[大小2]?(?:孙子|孙女|儿子|女儿|闺女)|男的|女的"
    r"|老头子?|老太太?|老伴|(?:我|俺)[爸妈])是?(?:\d{2}|\d{4})年"
    # A child's year or month with nothing else ("娃今年的", "孩子是上个月的"): the child's birth.
    r"|(?:孩子|小孩|娃娃?|宝宝|孙子|孙女|闺女|儿子|女儿)(?:是|他|她)?(?:[今去前]年|上上个?月|上个?月|这个?月|本月)(?:\d{1,2}月)?的"
)
_PAY_CUE = re.compile(r"交|缴|付|办|打算|准备|计划|哪天|去(?!年)|续|买|参保|转账")
_AGE = re.compile(
    r"(?<![\d年月])(\d{1,3})周?岁|今年(?:都|已经|才|刚|满|有)?(\d{1,3})(?![\d年月号日])(?:了|岁)?"
    r"|(?:我|俺|老人|他|她|妈|爸|娘|爹|奶奶|爷爷|老伴)(?:今年)?(?:都|已经|才|刚|满|有)?(\d{2,3})(?:了|啦)"
)
# "八十多岁", "六十好几了", "七十来岁": an age known to within a decade (or two years either side of 来).
_ABOUT_AGE = re.compile(r"(?<!\d)([1-9])0(多|好几|来)(?:岁|了)")
# A decade of birth: "六几年的", "七十年代的", "60后", "八零后" (1960–1969 …), never one year of it.
_DECADE = re.compile(r"(?<![\d年])([5-9])(?:0年代|几年|0后)|([五六七八九])(?:零后|十年代|几年)")
_DIGIT_OF = {"五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
# "几号生的记不清了", "哪天生的忘了": the day asked back as unknown, not a date too vague to read.
_ASKED_DAY = re.compile(r"几号|哪天|哪一天|什么时候|啥时候|几月")
# A resident identity card number carries the birth date (digits 7-14); only that is read, nothing is kept.
_ID_NUMBER = re.compile(r"(?<!\d)\d{6}((?:19|20)\d{2})(\d{2})(\d{2})\d{3}[\dx](?![\dx])")
# 虚岁 counts the year of birth as one and adds one each new year: born in this year minus (虚岁 - 1).
_NOMINAL_AGE = re.compile(r"虚岁(?:是|有)?(\d{1,3})岁?|(\d{1,3})岁?虚岁|(\d{1,3})岁?[(（]虚")
_ZODIAC = re.compile(r"属(?:相是?)?([鼠牛虎兔龙蛇马羊猴鸡狗猪])")
_YEAR_ONLY = re.compile(r"(?<!\d)(\d{4}|\d{2})年(?!\d{1,2}月)(?:的|生|出生|生人|人)?")
# A birth said to the month ("78年10月", "1980年5月份", "今年3月", "上个月") or to a year said relative to today
# ("今年的", "去年生的"): a range of births, like a year alone; whether the day within it matters is the quote
# engine's to say (bot.quote.needs.birth_within).
_YEAR_MONTH = re.compile(r"(?<!\d)(\d{4}|\d{2})年(\d{1,2})月(?![\d号日])")
# "1980.05", "1980-5", "1980/05" (a form's 出生年月): four-digit year, month, and no day after it.
_NUMERIC_YEAR_MONTH = re.compile(r"(?<![\d./-])((?:19|20)\d{2})[./-](0?[1-9]|1[0-2])(?![\d]|[./-]\d)")
_REL_YEAR_MONTH = re.compile(r"(今|去|前)年(\d{1,2})月(?![\d号日])")
_REL_MONTH = re.compile(r"(上上|上|这|本)个?月(?![\d初中底末])")
_REL_YEAR = re.compile(r"(今|去|前)年(?![\d底初中末内])")
# A baby's age in days, weeks or months ("出生才10天", "生了两个月了", "一个多月大", "刚满月"): a birth date (days) or a
# range of births (weeks, months) counted back from today.
_BABY_AGE = re.compile(
    r"(?:出生|生下来?|生了|落地)(?:才|刚|已经|都|有|刚刚|满)?(\d{1,3}|半)(天|个多?月|周|个?星期|个?礼拜)"
    r"|(\d{1,3}|半)(天|个多?月|周|个?星期|个?礼拜)(?:大|的(?:娃|孩子|宝宝|婴儿|小孩))"
    r"|(?:刚|才|刚刚)?满月"
)
_REL_YEARS = {"今": 0, "去": -1, "前": -2}
_REL_MONTHS = {"上上": -2, "上": -1, "这": 0, "本": 0}
# A child's rank right before a number ("老二2018年的"): read_numerals would join 二 to the digits.
_ORDINAL = re.compile(r"老[二三四](?=[\d〇零一二两三四五六七八九十])")
_DAY_KINDS = frozenset({"ymd", "sep", "compact", "yy", "relyear", "md", "relmonth", "monthend", "weekday", "offset",
                        "after", "relday", "day", "lunar", "age"})
# "8月出生的", "是8月份生的": a month of birth with no year (the year is asked for, never taken as this year's).
_MONTH_ONLY = re.compile(r"(?<![\d年])(\d{1,2})月(?:份)?(?![\d初中底末])")
_MONTH_DAY = re.compile(r"(?<![\d年])(\d{1,2})月(\d{1,2})[日号]?")
# Colloquial times the strict parser refuses, rewritten to a day it reads. What day each is read as (the answer
# says it back, so the resident can correct it; see `approximate_time`): the first day of the part of the month
# named, except 月中 and 月底:
#   下个月初 / 下月初 / 下个月头 / 下个月上旬 → the 1st of next month;  月初 / 月头 / 上旬 alone → the next 1st (today
#   when today is the 1st);  下个月中(旬) → the 15th of next month;  月中 / 中旬 alone → this month's 15th if still
#   ahead, else next month's;  下个月下旬 → the 21st of next month;  下旬 alone → the next 21st;
#   月底 / 月末 / 月尾 → the last day of this month;  过两天 / 过两日 / 过一两天 / 过两三天 / 这两天 → in two days;
#   下周 / 下礼拜 / 下星期 with no day → the Monday of next week (下下周: the one after).
# 过几天, 下周末, 下个月 alone stay too vague to read: the bot asks which day.
_NUMERAL = r"\d一二三四五六七八九十"
_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"月头"), "月初"),  # dialect
    (re.compile(r"月尾"), "月底"),
    (re.compile(r"(下下|下|这|本)个?月(?:初|上旬)"), r"\1个月1号"),
    (re.compile(r"(下下|下|这|本)个?月中旬?"), r"\1个月15号"),
    (re.compile(r"(下下|下|这|本)个?月下旬"), r"\1个月21号"),
    (re.compile(r"过(?:两|2)(?:三|3)?[天日]|过一两[天日]|这(?:两|2)天"), "2天后"),
    (re.compile(rf"(下下|下)个?(?:周|星期|礼拜)(?![1-6日天末{_NUMERAL}])"), r"\1周1"),
)
_PART_OF_MONTH = r"(?:初|头|上旬|中旬?|下旬|[底末尾])"
# A relative time that names no day of its own (read as above, and said back with the answer).
_APPROXIMATE = re.compile(
    # The lookahead lets the engine skip at once the positions no alternative can start at (it runs on every clause).
    r"(?=[下这本月上中过])(?:"
    rf"(?:下下|下|这|本)个?月{_PART_OF_MONTH}"
    rf"|(?<![{_NUMERAL}正腊冬个下这本上])月{_PART_OF_MONTH}(?![{_NUMERAL}])"
    r"|(?<![月\d])(?:上旬|中旬|下旬)|过(?:两|2)(?:三|3)?[天日]|过一两[天日]|这(?:两|2)天"
    rf"|(?:下下|下)个?(?:周|星期|礼拜)(?![1-6日天末{_NUMERAL}])"
    r")"
)
# A time that can only lie ahead of today, so never a birth date even where the birth date was asked.
_FUTURE = re.compile(
    _APPROXIMATE.pattern
    + r"|明天|明日|明儿|大?后天|(?:下下|下)个?月\d{1,2}[号日]|(?:下下|下)个?(?:周|星期|礼拜)[1-6日天]"
    r"|(?<!\d)\d{1,3}(?:天|周|个?星期|个?礼拜|个月)(?:以后|之后|后)"
    r"|(?<![超经])过\d{1,3}(?:天|周|个?星期|个?礼拜|个月)(?!了)"
)
_BOUNDARY = re.compile(r"(?:号|日|底|月|天)(?:以后|之后|以前|之前|前|后|过后)")
_ASKS = re.compile(r"吗|能不能|可不可以|还能|行不行|可以不|怎么办")
_CONCRETE = {"ymd", "sep", "compact", "yy", "relyear", "md", "relmonth", "monthend", "weekday", "offset", "after",
             "relday", "day"}
_HINT_PROBLEMS = {"lunar", "vym", "vm"}


@dataclass
class DateReading:
    role: DateRole
    start: int
    end: int
    day: date | None = None
    birth_range: tuple[date, date] | None = None
    month_day: tuple[int, int] | None = None
    month: int | None = None  # "8月出生的": a month with no year, the year still needed
    problem: UserInputError | None = None
    said: str | None = None  # a payment time that names no day ("下个月初"), as the resident said it
    lunar: bool = False  # the birth range is a lunar date's span ("农历五八年腊月初八"): its solar day is asked if needed


_BARE_START = re.compile(rf"(?<![{_NUMERAL}正腊冬个下这本上])月初(?![{_NUMERAL}])|(?<![月\d])上旬")
_BARE_MIDDLE = re.compile(rf"(?<![{_NUMERAL}正腊冬个下这本上])月中旬?(?![{_NUMERAL}])|(?<![月\d上下])中旬")
_BARE_LATE = re.compile(r"(?<![月\d])下旬")


def _rewrite(text: str, today: date) -> str:
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    # A bare 月初 / 月中: this month's if still ahead, otherwise next month's. Not 腊月初八 (a lunar day) or 12月初
    # (a month named: too vague).
    text = _BARE_START.sub("这个月1号" if today.day == 1 else "下个月1号", text)
    text = _BARE_MIDDLE.sub("这个月15号" if today.day <= 15 else "下个月15号", text)
    return _BARE_LATE.sub("这个月21号" if today.day <= 21 else "下个月21号", text)


def approximate_time(text: str) -> str | None:
    """The words of a relative time that names no day ("下个月初", "过两天", "下周"), to say back how it was read."""
    found = _APPROXIMATE.search(text)
    return None if found is None else found.group()



def _age_range(age: int, today: date) -> tuple[date, date] | None:
    if not 0 <= age <= 120:
        return None
    latest = _years_before(today, age)
    earliest = _years_before(today, age + 1) + timedelta(days=1)
    return earliest, latest


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _role(clause: str, step: str, today: date) -> DateRole | None:
    birth = _BIRTH_CUE.search(clause)
    pay = _PAY_CUE.search(clause)
    if birth and not pay:
        return "birth"
    if pay and not birth:
        return "payment"
    if birth and pay:
        # "58年生的，明天交" split already; within one clause the cue nearest a birth word wins for 生.
        return "birth" if "生" in clause[birth.start():birth.end()] and birth.start() < pay.start() else "payment"
    if _FUTURE.search(clause):
        return "payment"  # "下个月初" said where the birth date was asked: a time ahead is never a birth date
    if step == "birth":
        return "birth"
    if step == "payment_date":
        # A date decades ago answers another question: the resident gave their birth date. (A past payment date
        # within a few years is kept as one: the answer then says which documents cover it.)
        if _near_with_short_year(clause, today):
            return "payment"  # "24年1月5日" asked for the payment date is 2024, not 1924
        try:
            return "birth" if parse_birth_date(clause, today=today).year < today.year - 10 else "payment"
        except UserInputError:
            return "payment"
    return None


def has_payment_cue(text: str) -> bool:
    """Whether `text` has a word that makes a date a payment date (交, 缴, 打算, 哪天, …)."""
    return _PAY_CUE.search(text) is not None


def _near_with_short_year(clause: str, today: date) -> bool:
    """A two-digit year ("24年1月5日") that, read forwards, is within two years of today."""
    if "yy" not in date_kinds(clause):
        return False
    try:
        day = parse_payment_date(clause, today=today)
    except UserInputError:
        return False
    return abs((day - today).days) <= 731


def read_dates(text: str, step: str, today: date) -> list[DateReading]:
    """Every date-like clause of `text` (simplified) with its role; ones with no role and no step are read by
    plausibility: a date more than a year ago is a birth date, a near one a payment date. Dates in pinyin and
    digits spaced from their units are read too; spans are always positions in `text`."""
    prepared = date_text(text)
    readings = _read_dates(prepared.text, step, today)
    if prepared.text != text:
        for reading in readings:
            reading.start, reading.end = prepared.span(reading.start, reading.end)
    return readings


def _read_dates(text: str, step: str, today: date) -> list[DateReading]:
    readings: list[DateReading] = []
    zodiacs: list[DateReading] = []  # 属猴: a problem only when no year is given beside it
    for start, end in clause_spans(text, _CLAUSE):
        raw = text[start:end]
        if "老" in raw:
            raw = _ORDINAL.sub("老幺", raw)  # "老二2018年的": the second child, not the number 22018
        clause = read_numerals(raw)
        kinds = read_date_kinds(clause) if len(raw) <= MAX_INPUT_CHARS else date_kinds(raw)
        identity = _ID_NUMBER.search(clause)
        if identity is not None:
            try:
                born = check_birth_date(date(*(int(part) for part in identity.groups())), today=today)
            except (ValueError, UserInputError):
                born = None
            if born is not None:
                readings.append(DateReading("birth", start, end, day=born))
                continue
        holiday = holiday_as_date(clause)
        if holiday is not None and _role(clause, step, today) == "birth":
            clause = holiday  # "国庆节生的" is 10月1日, "中秋生的" the lunar 8月15 (asked as a solar date)
            kinds = read_date_kinds(clause)
        births = approximate_birth(clause, today)
        if births is not None and _role(clause, step, today) == "birth":
            readings.append(DateReading("birth", start, end, birth_range=births))  # "半个月前生的"
            continue
        baby = _BABY_AGE.search(clause)
        if baby is not None:
            reading = _baby_age(baby, start, end, today)
            if reading is not None:
                readings.append(reading)
                continue
        about = _ABOUT_AGE.search(clause)
        if about is not None:
            tens = int(about.group(1)) * 10
            youngest, oldest = (tens - 2, tens + 2) if about.group(2) == "来" else (tens, tens + 9)
            earliest, latest = _age_range(oldest, today), _age_range(youngest, today)
            if earliest is not None and latest is not None:
                readings.append(DateReading("birth", start, end, birth_range=(earliest[0], latest[1])))
                continue
        decade = _DECADE.search(clause)
        if decade is not None and not _PAY_CUE.search(clause):
            tens = 1900 + 10 * (int(decade.group(1)) if decade.group(1) else _DIGIT_OF[decade.group(2)])
            if tens <= today.year:
                readings.append(DateReading("birth", start, end,
                                            birth_range=(date(tens, 1, 1), min(date(tens + 9, 12, 31), today))))
                continue
        nominal = _NOMINAL_AGE.search(clause)
        if nominal is not None:
            reading = _nominal_age(int(nominal.group(1) or nominal.group(2) or nominal.group(3)), start, end, today)
            if reading is not None:
                readings.append(reading)
                continue
        age = _AGE.search(clause)
        zodiac = _ZODIAC.search(clause)
        if zodiac is not None and not (kinds & {"ymd", "sep", "compact", "yy", "vy", "vym"}) and not age:
            # 属猴 is one year in twelve: never guessed, the year is asked for.
            zodiacs.append(DateReading("birth", start, end, problem=UserInputError(
                "birth", f"属相（属{zodiac.group(1)}）每12年一轮，算不出是哪一年，请告诉我出生年份或年月日",
                example="1968年3月2日")))
            continue
        if kinds == {"vague"} and _ASKED_DAY.search(clause) and UNKNOWN.search(text):
            continue  # "记不清几号生的": the day is not known (the dialog answers where it does not matter)
        if _APPROXIMATE.search(clause) and "lunar" not in kinds:
            kinds = date_kinds(_rewrite(clause, today))  # "下个月初": the day it is read as
        if not kinds and not age:
            numeric = _NUMERIC_YEAR_MONTH.search(clause)
            if numeric is not None:
                role = _role(clause, step, today)
                year, month = int(numeric.group(1)), int(numeric.group(2))
                if role == "birth" or (role is None and date(year, month, 1) < today - timedelta(days=366)):
                    readings.append(_birth(f"{year}年{month}月", {"vym"}, start, end, today, step))
            continue
        if _BOUNDARY.search(clause) and (_ASKS.search(raw) or "?" in text):
            continue  # "12月31号以后还能交吗": a question about a limit, not the resident's date
        role = _role(clause, step, today)
        if role is None and step in ("hukou", "fact", "confirm_region"):
            continue  # "超过90天了" answers the question; it names no date
        if age and (role in (None, "birth")) and not (kinds & (_CONCRETE - {"day"})):
            value = int(age.group(1) or age.group(2) or age.group(3))
            span = _age_range(value, today)
            if span is not None:
                readings.append(DateReading("birth", start, end, birth_range=span))
                continue
        concrete = kinds & _CONCRETE
        if role is None:
            months = _birth_months(clause, kinds, today)
            if months is not None and not concrete:
                # "1980年5月": a month long past is a birth; a near one (a payment month) says no day to pay on.
                if months[1] < today - timedelta(days=366):
                    readings.append(_birth(clause, kinds, start, end, today, step))
                continue
            if not concrete:
                if kinds == {"vy"} and _long_past_year(clause, today):
                    # "朔州 低保 60年 下个月初": a year long past, said alone, is the year of birth.
                    readings.append(_birth(clause, kinds, start, end, today, step))
                continue
            role = _plausible_role(clause, today)
            if role is None:
                continue
        if role == "birth":
            readings.append(_birth(clause, kinds, start, end, today, step))
        else:
            reading = _payment(clause, kinds, start, end, today, step)
            if reading is not None:
                if reading.day is not None:
                    reading.said = approximate_time(raw)
                readings.append(reading)
    if not any(reading.role == "birth" and reading.problem is None for reading in readings):
        readings.extend(zodiacs)
    return readings


_DURATION = re.compile(r"[了过干做当住待满近快超有]\d{1,4}年|\d{1,4}年(?:了|多|来|前|后|间|整|半|啦)")


def _long_past_year(clause: str, today: date) -> bool:
    """A year alone ("60年", "1958年") at least five years before today, which no payment date can be in; a two-digit
    year that could be a recent one ("19年", "24年") is not read."""
    year = _YEAR_ONLY.search(clause)
    if year is None or _DURATION.search(clause):
        return False  # "干了30年", "住了二十年了": how long, not when
    value = int(year.group(1))
    if value < 100:
        if today.year - 10 <= 2000 + value <= today.year + 2:
            return False
        value = today.year - (today.year - value) % 100
    return 1900 <= value <= today.year - 5


def _baby_age(found: re.Match[str], start: int, end: int, today: date) -> DateReading | None:
    """A baby's age said in days, weeks or months, as its birth: a day for days, a range for weeks and months."""
    count, unit = found.group(1) or found.group(3), found.group(2) or found.group(4)
    if count is None:  # 满月: a month old
        count, unit = "1", "个月"
    if count == "半":
        if "月" not in unit:
            return None
        return DateReading("birth", start, end, birth_range=(today - timedelta(days=20), today - timedelta(days=10)))
    number = int(count)
    if unit == "天":
        return DateReading("birth", start, end, day=today - timedelta(days=number)) if number <= 400 else None
    if "月" in unit:
        if number > 24:
            return None
        earliest = months_before(today, number + 1) + timedelta(days=1)
        return DateReading("birth", start, end, birth_range=(earliest, months_before(today, number)))
    if number > 104:
        return None
    return DateReading("birth", start, end, birth_range=(today - timedelta(days=7 * number + 6),
                                                         today - timedelta(days=7 * number)))


def _nominal_age(nominal: int, start: int, end: int, today: date) -> DateReading | None:
    """虚岁 N: born in the lunar year today.year - N + 1, i.e. from that solar year's first day to, at the
    latest, the lunar new year after it (never later than 20 February)."""
    year = today.year - nominal + 1
    if not 1900 <= year <= today.year:
        return None
    latest = min(date(year + 1, 2, 20), today)
    return DateReading("birth", start, end, birth_range=(date(year, 1, 1), latest))


def _plausible_role(clause: str, today: date) -> DateRole | None:
    if _near_with_short_year(clause, today):
        return "payment"
    try:
        day = parse_birth_date(clause, today=today)
    except UserInputError:
        return "payment"
    return "birth" if day < today - timedelta(days=366) else "payment"


def _month_end(year: int, month: int) -> date:
    return date(year, month, days_in_month(year, month))


def _birth_months(clause: str, kinds: set[str], today: date) -> tuple[date, date] | None:
    """The births a month or a relative year stands for ("78年10月", "今年3月", "上个月", "今年的"), or None when
    the clause says a day (or a lunar date, or an age) or no such thing. The range may lie after today: the caller
    says so."""
    if kinds & _DAY_KINDS:
        return None
    found = _YEAR_MONTH.search(clause)
    if found is not None:
        year, month = int(found.group(1)), int(found.group(2))
        if year < 100:
            year = today.year - (today.year - year) % 100
    elif (found := _REL_YEAR_MONTH.search(clause)) is not None:
        year, month = today.year + _REL_YEARS[found.group(1)], int(found.group(2))
    elif (found := _REL_MONTH.search(clause)) is not None:
        shifted = today.year * 12 + today.month - 1 + _REL_MONTHS[found.group(1)]
        year, month = shifted // 12, shifted % 12 + 1
    elif (found := _REL_YEAR.search(clause)) is not None and "vm" not in kinds:
        year = today.year + _REL_YEARS[found.group(1)]
        return date(year, 1, 1), date(year, 12, 31)
    else:
        return None
    if not 1 <= month <= 12 or year < 1900:
        return None
    return date(year, month, 1), _month_end(year, month)


def _birth(clause: str, kinds: set[str], start: int, end: int, today: date, step: str) -> DateReading:
    lunar = lunar_birth_span(clause, today) if "lunar" in kinds else None
    if lunar is not None:
        earliest, latest = lunar
        if earliest > today:
            return DateReading("birth", start, end, problem=UserInputError(
                "birth", f"出生日期（农历{earliest.year}年）晚于今天，请检查年份", example="1958年3月2日"))
        return DateReading("birth", start, end, birth_range=(earliest, min(latest, today)), lunar=True)
    months = _birth_months(clause, kinds, today)
    if months is not None:
        earliest, latest = months
        if earliest > today:
            return DateReading("birth", start, end, problem=UserInputError(
                "birth", f"出生日期（{earliest.year}年{earliest.month}月）晚于今天，请检查年份和月份",
                example="1958年3月2日"))
        return DateReading("birth", start, end, birth_range=(earliest, min(latest, today)))
    if "lunar" not in kinds and not kinds & {"ymd", "sep", "compact", "yy", "relyear"}:
        month_day = _MONTH_DAY.search(clause)
        if month_day and "md" in kinds:
            return DateReading("birth", start, end, month_day=(int(month_day.group(1)), int(month_day.group(2))))
        month = _MONTH_ONLY.search(clause)
        if month and kinds == {"vm"} and 1 <= int(month.group(1)) <= 12:
            return DateReading("birth", start, end, month=int(month.group(1)))
        year = _YEAR_ONLY.search(clause)
        if year and kinds <= {"vy", "vague", "age"}:
            value = int(year.group(1))
            if value < 100:
                value = today.year - (today.year - value) % 100
            if 1900 <= value <= today.year:
                last = min(date(value, 12, 31), today)
                return DateReading("birth", start, end, birth_range=(date(value, 1, 1), last))
    try:
        return DateReading("birth", start, end, day=parse_birth_date(clause, today=today))
    except UserInputError as error:
        return DateReading("birth", start, end, problem=error)


def _payment(clause: str, kinds: set[str], start: int, end: int, today: date, step: str) -> DateReading | None:
    rewritten = _rewrite(clause, today)
    kinds = date_kinds(rewritten)
    if not kinds & _CONCRETE and not kinds & _HINT_PROBLEMS and step != "payment_date":
        return None  # "什么时候能报销": a question, not a date
    try:
        return DateReading("payment", start, end, day=parse_payment_date(rewritten, today=today))
    except UserInputError as error:
        return DateReading("payment", start, end, problem=error)
