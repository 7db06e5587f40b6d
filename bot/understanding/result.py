"""The typed result of reading one message: each field found, with the span of text it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Generic, Literal, TypeVar

from bot.errors import ExplainedError

T = TypeVar("T")

DateRole = Literal["birth", "payment"]
StatusMode = Literal["add", "replace"]


@dataclass(frozen=True)
class Found(Generic[T]):
    value: T
    start: int
    end: int


@dataclass
class Understanding:
    """What one message says. Empty fields were not said; `problems` are things said that cannot be used as they
    are (a date without a year, a lunar date, a place we do not cover), each to be explained back."""

    text: str  # the message after simplification (traditional → simplified, full-width → half-width)
    command: str | None = None  # "/restart", "/back", "/help", "/human", "/forget"
    region: Found[str] | None = None  # a covered jurisdiction
    subunit: str | None = None
    region_guess: Found[str] | None = None  # a near miss or homophone, to confirm ("您是说沁源县吗？")
    region_label: str | None = None  # how a guessed village or town is said back (安化县冷市镇高桥村)
    region_problem: ExplainedError | None = None  # not covered, only partly ours, two places at once
    payment_date: Found[date] | None = None
    payment_said: str | None = None  # "下个月初": the words a payment date was read from when they name no day
    birth: Found[date] | None = None
    birth_range: Found[tuple[date, date]] | None = None  # year only ("八零年的") or an age ("65岁")
    birth_lunar: bool = False  # the range is a lunar date's span (农历五八年腊月初八): its solar day asked if needed
    birth_month_day: Found[tuple[int, int]] | None = None  # "3月2号生的": the year is still needed
    birth_month: Found[int] | None = None  # "8月出生的": a month with no year; the year is still needed
    date_problem: ExplainedError | None = None
    date_problem_role: DateRole | None = None
    statuses: list[Found[str]] = field(default_factory=list)  # vocabulary ids the resident says they have
    removed: list[Found[str]] = field(default_factory=list)  # vocabulary ids they say they do not (or no longer)
    status_mode: StatusMode | None = None  # "也是" adds; "不对，是…" replaces
    no_status: bool = False  # 普通农民, 啥也不是, 都不是吧
    status_unknown: bool = False  # 不知道 (not the same as none)
    insured_child: bool = False  # "我是孩子他爸", "给娃交": the resident speaks for a child, who is the insured
    class_unknown: bool = False  # "低保户，不知道是几类": a status said, its class (or grade) not known
    ambiguous_status: Found[tuple[str, ...]] | None = None  # 困难户: which of these
    unknown_words: list[str] = field(default_factory=list)  # leftover words that looked like a status
    yes_no: Found[bool] | None = None
    local_hukou: Found[bool] | None = None
    does_not_know: bool = False  # "不知道" / "不记得" said (of whatever is being asked)
    birth_unknown: bool = False  # "生日记不清了": the birth date said to be unknown, whatever was asked
    correction: bool = False  # 不对 / 其实 / 应该是: the resident is correcting an earlier answer
    question: bool = False  # the message asks something
    hukou_place: bool = False  # the place was said as where the household is registered (户口在沁源)
    several_people: Found[str] | None = None  # 我和我妈, 老两口: one resident at a time, so asked about one
    # Several people, each with a birth ("一个2019年生一个2021年生", "老大2019年的"): the words of the one taken first
    # (whose birth is kept) and of the others said, who come next.
    first_person: Found[str] | None = None
    next_people: list[str] = field(default_factory=list)

    @property
    def said(self) -> list[str]:
        """Names of the fields found (for logs and tests; no values, so no personal data)."""
        names = []
        for name in ("command", "region", "region_guess", "region_problem", "payment_date", "birth", "birth_range",
                     "birth_month_day", "birth_month", "date_problem", "ambiguous_status", "yes_no", "local_hukou",
                     "several_people"):
            if getattr(self, name) is not None:
                names.append(name)
        if self.statuses:
            names.append("statuses")
        if self.removed:
            names.append("removed")
        if self.no_status:
            names.append("no_status")
        if self.status_unknown:
            names.append("status_unknown")
        if self.class_unknown:
            names.append("class_unknown")
        if self.insured_child:
            names.append("insured_child")
        if self.birth_lunar:
            names.append("birth_lunar")
        return names

    @property
    def says_status(self) -> bool:
        return bool(self.statuses or self.removed or self.no_status or self.status_unknown
                    or self.ambiguous_status)

    @property
    def says_anything(self) -> bool:
        return bool(self.said)
