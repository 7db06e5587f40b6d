"""Corrections typed at any point are recognised; ordinary answers are not mistaken for them."""

from __future__ import annotations

import pytest

from bot.dialog.corrections import find_correction

CASES = [
    ("出生日期改成1960年3月2日", ("birth", "1960年3月2日")),
    ("生日应该是1958-3-2", ("birth", "1958-3-2")),
    ("缴费日期改为明天", ("payment_date", "明天")),
    ("参保地改成山丹县", ("region", "山丹县")),
    ("我不是低保", ("remove_category", "低保")),
    ("我还是重度残疾", ("add_category", "重度残疾")),
    ("身份改成监测户", ("categories", "监测户")),
    ("1960年3月2日", None),
    ("低保", None),
    ("不是", None),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_a_correction_is_recognised_only_when_it_is_one(text: str, expected: tuple[str, str] | None) -> None:
    found = find_correction(text)
    assert (None if found is None else (found.target, found.value)) == expected
