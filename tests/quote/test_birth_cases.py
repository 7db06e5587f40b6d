""""不知道" the birth date: the quote engine says whether any adult's answer depends on it (needs.birth_cases)."""

from __future__ import annotations

from datetime import date

from bot.policy.loader import default_knowledge_base
from bot.quote.engine import QuoteEngine
from bot.quote.needs import ADULT_AGE, Known, adult_birth_range, birth_cases

QUOTES = QuoteEngine(default_knowledge_base())


def test_where_no_adult_rule_turns_on_the_birth_date_there_is_one_case() -> None:
    # 朔政办发〔2023〕29号 二（二）: 低保 80% of 380 → 76元 for every adult.
    cases = birth_cases(QUOTES, Known(region="朔州市", payment_date=date(2023, 10, 10), categories=("dibao",)))
    assert len(cases) == 1
    assert cases[0].quote.personal_payment == 76
    assert (cases[0].earliest, cases[0].latest) == adult_birth_range(date(2023, 10, 10))
    assert cases[0].latest == date(2023 - ADULT_AGE, 10, 10)  # a child is never assumed


def test_an_age_threshold_splits_the_adults_and_the_older_case_is_conditional() -> None:
    # 沁源 四（一）1: 60岁以上老年人（1962年12月31日前出生）are county-funded if local and registered in time.
    cases = birth_cases(QUOTES, Known(region="沁源县", payment_date=date(2022, 10, 10)))
    assert [(c.earliest <= date(1962, 12, 31) <= c.latest) for c in cases] == [True, False]
    assert cases[0].latest == date(1962, 12, 31) and cases[1].earliest == date(1963, 1, 1)
    assert cases[0].conditional  # 具有我县户籍 and the registration are not asked yet
    assert cases[1].quote.personal_payment == 350 and not cases[1].conditional


def test_nothing_is_told_before_the_place_and_the_date_are_known() -> None:
    assert birth_cases(QUOTES, Known(region="朔州市")) == []
    assert birth_cases(QUOTES, Known()) == []
