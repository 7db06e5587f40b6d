"""Recognising a correction typed at any point: "出生日期改成1960年3月2日", "我不是低保", "参保地改成山丹"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Target = Literal["birth", "payment_date", "region", "categories", "remove_category", "add_category"]

_CHANGE = r"(?:改成|改为|换成|应该是|应为|更正为|修改为|改到|变成)"
_PATTERNS: list[tuple[Target, re.Pattern[str]]] = [
    ("birth", re.compile(rf"(?:出生日期|出生年月日|出生年月|生日|出生)\s*{_CHANGE}\s*(?P<value>.+)")),
    ("payment_date", re.compile(rf"(?:缴费日期|缴费时间|交费日期|交费时间|缴费日|日期)\s*{_CHANGE}\s*(?P<value>.+)")),
    ("region", re.compile(rf"(?:参保地|地区|户籍地|户籍|地点|地方|住址)\s*{_CHANGE}\s*(?P<value>.+)")),
    ("categories", re.compile(rf"(?:身份类别|身份|类别)\s*{_CHANGE}\s*(?P<value>.+)")),
    ("remove_category", re.compile(r"^(?:我|参保人|他|她)?(?:其实)?不是(?P<value>.{2,})$")),
    ("add_category", re.compile(r"^(?:我|参保人|他|她)?(?:还是|也是|另外还是|同时是|还有)(?P<value>.{2,})$")),
]


@dataclass(frozen=True)
class Correction:
    target: Target
    value: str


def find_correction(text: str) -> Correction | None:
    cleaned = text.strip().rstrip("。.!！")
    for target, pattern in _PATTERNS:
        match = pattern.search(cleaned)
        if match:
            return Correction(target, match.group("value").strip())
    return None
