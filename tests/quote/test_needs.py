"""The quote engine decides what an answer still depends on; the dialog only asks that (bot/quote/needs.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.dialog.engine import DialogEngine
from bot.policy.loader import default_knowledge_base
from bot.policy.model import PolicyDocument
from bot.quote import needs
from bot.quote.engine import QuoteEngine
from bot.quote.needs import CHILD_AGE, Known, next_need, statuses_that_matter

QUOTES = QuoteEngine(default_knowledge_base())
ENGINE = DialogEngine(QUOTES)


def test_the_place_then_the_payment_date_come_first() -> None:
    assert next_need(QUOTES, Known()).kind == "region"
    assert next_need(QUOTES, Known(region="朔州市")).kind == "payment_date"


def test_statuses_said_up_front_are_not_asked_again() -> None:
    need = next_need(QUOTES, Known(region="朔州市", payment_date=date(2023, 10, 10), birth=date(1980, 5, 1),
                                   categories=("dibao",)))
    assert need.kind == "quote" and need.quote is not None
    assert need.quote.personal_payment == 76  # 朔州 二（二）: 低保 80% of 380 → 76


def test_a_birth_year_is_enough_where_no_rule_turns_on_the_day() -> None:
    # 朔州 has no rule by age within 1980: any day of that year gives the same answer.
    need = next_need(QUOTES, Known(region="朔州市", payment_date=date(2023, 10, 10),
                                   birth_range=(date(1980, 1, 1), date(1980, 12, 31)), categories=()))
    assert need.kind == "quote"


def test_an_age_that_straddles_the_60_line_asks_only_the_exact_day() -> None:
    # 沁源: 60岁以上 means born by 1962-12-31; 59 on 2022-10-08 is born 1962-10-09…1963-10-08.
    need = next_need(QUOTES, Known(region="沁源县", payment_date=date(2022, 10, 8),
                                   birth_range=(date(1962, 10, 9), date(1963, 10, 8)), categories=()))
    assert need.kind == "birth" and need.exact_birth


def test_a_birth_range_near_the_payment_date_needs_the_day_newborn_rules_count_days() -> None:
    need = next_need(QUOTES, Known(region="冷市镇", payment_date=date(2023, 10, 10),
                                   birth_range=(date(2023, 1, 1), date(2023, 10, 10))))
    assert need.kind == "birth" and need.exact_birth


def test_a_birth_month_long_past_is_enough_where_no_rule_turns_on_the_day() -> None:
    # "七八年十月出生的" in 朔州: no rule of the document falls inside October 1978.
    need = next_need(QUOTES, Known(region="朔州市", payment_date=date(2023, 10, 10),
                                   birth_range=(date(1978, 10, 1), date(1978, 10, 31)), categories=()))
    assert need.kind == "quote" and need.quote is not None and need.quote.personal_payment == 380


def test_a_babys_birth_month_needs_the_day_only_where_the_answer_runs_from_the_day() -> None:
    # 朔州 2024: a baby born in September 2023 is not a newborn of the benefit year 2024 (二（三）: 当年不缴费 is for
    # the year of birth), so every day of the month gives the same answer and the statuses come next.
    shuozhou = next_need(QUOTES, Known(region="朔州市", payment_date=date(2023, 10, 10),
                                       birth_range=(date(2023, 9, 1), date(2023, 9, 30))))
    assert shuozhou.kind == "categories"
    # 乌拉特前旗 一（三）: registration within 90 days of birth, so the deadline differs from day to day.
    wulateqianqi = next_need(QUOTES, Known(region="乌拉特前旗", payment_date=date(2023, 10, 10),
                                           birth_range=(date(2023, 9, 1), date(2023, 9, 30)), categories=()))
    assert wulateqianqi.kind == "birth" and wulateqianqi.exact_birth
    # The same baby in March: past the 90 days on every day of the month, so no day is asked.
    march = next_need(QUOTES, Known(region="乌拉特前旗", payment_date=date(2023, 10, 10),
                                    birth_range=(date(2023, 3, 1), date(2023, 3, 31)), categories=()))
    assert march.kind == "quote"


def test_a_month_that_straddles_the_90_days_asks_the_day() -> None:
    # 冷市镇 三（一）: within 90 days of birth on 2023-10-10 means born after 2023-07-11; July 2023 straddles it.
    need = next_need(QUOTES, Known(region="冷市镇", payment_date=date(2023, 10, 10),
                                   birth_range=(date(2023, 7, 1), date(2023, 7, 31)), categories=()))
    assert need.kind == "birth" and need.exact_birth


def test_shandan_tekun_with_dibao_is_not_asked_the_dibao_class() -> None:
    need = next_need(QUOTES, Known(region="山丹县", payment_date=date(2023, 10, 10), categories=("tekun", "dibao")))
    assert need.kind == "quote" and need.quote is not None and need.quote.personal_payment == 0


def test_shandan_dibao_alone_is_asked_the_class() -> None:
    need = next_need(QUOTES, Known(region="山丹县", payment_date=date(2023, 10, 10), categories=("dibao",)))
    assert need.kind == "refine" and need.refinement is not None and "dibao_rural_3" in need.refinement.options


@pytest.mark.parametrize("adult_only", ["new_university_student", "laid_off_worker", "released_prisoner",
                                        "discharged_veteran", "lapsed_employee_insurance"])
def test_a_newborn_is_never_offered_an_adults_situation(adult_only: str) -> None:
    known = Known(region="冷市镇", payment_date=date(2023, 10, 10), birth=date(2023, 9, 1))
    assert adult_only not in statuses_that_matter(QUOTES, known, [adult_only, "tekun"])


def test_an_adult_is_offered_every_status_the_document_has_a_rule_for() -> None:
    known = Known(region="冷市镇", payment_date=date(2023, 10, 10), birth=date(1970, 1, 1))
    terms = ["tekun", "new_university_student", "released_prisoner"]
    assert statuses_that_matter(QUOTES, known, terms) == terms


def test_a_childs_birth_date_is_asked_where_no_rule_turns_on_it() -> None:
    # 山丹 during its campaign: no rule turns on the birth date, so an adult is not asked it; a child is (it decides
    # which statuses can change a child's answer).
    adult = next_need(QUOTES, Known(region="山丹县", payment_date=date(2023, 10, 10)))
    child = next_need(QUOTES, Known(region="山丹县", payment_date=date(2023, 10, 10), child=True))
    assert adult.kind == "categories"
    assert child.kind == "birth" and not child.exact_birth


def test_a_payment_date_past_the_documents_window_is_no_reason_to_ask_the_birth_day() -> None:
    # 沁源 2023 covers payments to 2023-08-31: paid 2023-10-11, every day of August 1958 is equally not covered (said
    # once the rest is known), so the statuses come next, as they do for a full birth date.
    known = Known(region="沁源县", payment_date=date(2023, 10, 11), birth_range=(date(1958, 8, 1), date(1958, 8, 31)))
    assert next_need(QUOTES, known).kind == "categories"
    assert next_need(QUOTES, Known(region="沁源县", payment_date=date(2023, 10, 11), birth=date(1958, 8, 15))).kind \
        == "categories"


def _child_births(paid: date) -> list[date]:
    """Every day of a baby's first 400 days, then every third day up to CHILD_AGE: births in order, so a band worked
    out for one birth is asked again for the next ones."""
    first_days = [paid - timedelta(days=days) for days in range(400)]
    later = [paid - timedelta(days=days) for days in range(400, CHILD_AGE * 366, 3)]
    return first_days + later


def _payment_dates(document: PolicyDocument) -> list[date]:
    """A day inside the document's collection, and one after it closes where the document still answers for it."""
    first, last = QUOTES.covered_dates(document)
    opening = document.collection.start or first
    days = [max(opening, first) + timedelta(days=5)]
    closes = document.collection.end
    if closes is not None and closes + timedelta(days=20) <= last:
        days.append(closes + timedelta(days=20))
    return days


@pytest.mark.slow
@pytest.mark.parametrize("document", QUOTES.kb.documents, ids=lambda d: d.id)
def test_a_childs_status_buttons_worked_out_once_per_birth_band_are_those_of_every_birth_in_it(
        document: PolicyDocument) -> None:
    # The buttons are kept per birth band (needs._birth_band), not per birth date: each birth's, as kept, must be the
    # ones worked out afresh for it, on every side of every rule's day (newborns' days, age limits, years of birth).
    terms = ENGINE.terms_with_rules(document)
    region = document.jurisdiction.name
    for paid in _payment_dates(document):
        needs._OFFERED.clear()
        births = _child_births(paid)
        for birth in births:
            for hukou in (None, False):
                known = Known(region=region, payment_date=paid, birth=birth, local_hukou=hukou, child=True)
                age = paid.year - birth.year - ((paid.month, paid.day) < (birth.month, birth.day))
                afresh = terms if age >= CHILD_AGE else needs._statuses_that_matter(QUOTES, known, terms, age)
                assert statuses_that_matter(QUOTES, known, terms) == afresh, (document.id, paid, birth, hukou)
        assert 0 < len(needs._OFFERED) < len(births)  # bands were reused: the test saw kept buttons


def test_a_babys_birth_band_splits_where_a_deadline_counted_from_birth_meets_another_date() -> None:
    # 冷市镇: a baby pays within 90 days of birth, and the collection ends 2023-12-31. Born 2023-10-01, the 90 days end
    # before the collection does; born 2023-10-03, after it: a status whose deadline is the collection's may change
    # the answer for one and not the other, so their buttons are not shared. Two days with no date between share them.
    document = next(d for d in QUOTES.kb.documents if d.id == "lengshi-2024")
    paid = date(2024, 1, 10)
    assert needs._birth_band(document, date(2023, 10, 1), paid) != needs._birth_band(document, date(2023, 10, 3), paid)
    assert needs._birth_band(document, date(2023, 12, 5), paid) == needs._birth_band(document, date(2023, 12, 6), paid)
