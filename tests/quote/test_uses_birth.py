"""Whether the birth date must be asked: only where some rule of the document can depend on it on that date."""

from __future__ import annotations

from datetime import date

import pytest

from bot.policy.loader import default_knowledge_base
from bot.policy.model import PolicyDocument
from bot.quote.engine import uses_birth


def _document(document_id: str) -> PolicyDocument:
    return next(d for d in default_knowledge_base().documents if d.id == document_id)


@pytest.mark.parametrize(
    ("document_id", "on", "expected"),
    [
        # 山丹's notice has no rule by age; only a baby born after its deadline (2023-12-31) has no answer.
        ("shandan-2024", date(2023, 11, 15), False),
        ("shandan-2024", date(2023, 12, 31), False),
        ("shandan-2024", date(2024, 3, 10), True),
        # 朔州 frees newborns whatever the date; 沁源 has its elderly by birth date.
        ("shuozhou-2024", date(2023, 10, 10), True),
        ("qinyuan-2023", date(2022, 10, 10), True),
    ],
)
def test_the_birth_date_is_needed_only_where_a_rule_can_use_it(document_id: str, on: date, expected: bool) -> None:
    assert uses_birth(_document(document_id), on) is expected


def test_without_a_date_any_rule_by_birth_counts() -> None:
    assert uses_birth(_document("shandan-2024")) is True
