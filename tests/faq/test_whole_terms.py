"""Whole terms (bot/faq/whole_terms.py): part of a term in the query does not match the whole term in a text."""

from __future__ import annotations

import pytest

from bot.faq.matcher import FaqMatcher
from bot.faq.model import FaqEntry
from bot.faq.service import default_entries
from bot.faq.whole_terms import SPLIT_TERM_PENALTY, WholeTerms


def test_a_part_of_a_term_without_the_term_splits_it() -> None:
    terms = WholeTerms(["新生儿", "低保边缘", "医保"], [["新生儿参保"], ["低保边缘资助"], ["学生参保"]])
    assert terms.split_terms("大学新生参保") == {"新生儿"}
    assert terms.split_terms("新生儿参保") == set()  # the whole term: nothing split
    assert terms.split_terms("低保资助") == {"低保边缘"}
    assert terms.split_terms("保边") == {"低保边缘"}  # an inner part, not only a prefix
    assert terms.split_terms("参保") == set()  # 医保 is too short to be a term; 参保 is part of none


def test_overlapping_parts_are_all_found() -> None:
    # At one position the longest part is matched first; the shorter parts starting there still count.
    terms = WholeTerms(["什么时候", "什么东西"], [["什么时候交"], ["要带什么东西"]])
    assert terms.split_terms("带什么") == {"什么时候", "什么东西"}
    assert terms.split_terms("什么时候") == {"什么东西"}


def test_only_texts_holding_a_split_term_lose_points() -> None:
    terms = WholeTerms(["新生儿"], [["新生儿参保"], ["学生参保"], ["新生儿报销"]])
    penalty = terms.penalties("大学新生参保")
    assert penalty is not None and penalty.tolist() == [SPLIT_TERM_PENALTY, 0.0, SPLIT_TERM_PENALTY]
    assert terms.penalties("学生参保") is None


def test_a_key_shared_by_two_texts_holds_a_term_only_if_both_do() -> None:
    # The text without the term matches as well as the other, so the key is not a split-term match.
    terms = WholeTerms(["新生儿"], [["新生儿参保", "新生儿参加保险"], ["新生儿", "新声儿"]])
    penalty = terms.penalties("新生参保")
    assert penalty is not None and penalty.tolist() == [SPLIT_TERM_PENALTY, 0.0]


def _entry(entry_id: str, *texts: str) -> FaqEntry:
    return FaqEntry(id=entry_id, kind="faq", question=texts[0], phrasings=texts[1:])


def test_a_first_year_student_is_not_matched_to_the_newborn_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    newborn = _entry("newborn", "新生儿医保从什么时候开始能用", "新生儿怎么参保", "孩子刚出生怎么交", "刚生的孩子参保",
                     "婴儿医保", "新生儿参保要什么材料")
    students = _entry("student_benefit_period", "大学入学的学生医保从什么时候开始能用", "大学生医保什么时候生效",
                      "刚上大学医保管到什么时候", "学生医保待遇期", "入学以后医保什么时候能用", "大学生医保怎么算")
    matcher = FaqMatcher([newborn, students])
    result = matcher.match("大学新生医保从什么时候开始能报")
    assert result.suggestions[0].faq_id == "student_benefit_period"
    # Without the rule the shared 新生 puts the newborn entry first.
    monkeypatch.setattr(WholeTerms, "penalties", lambda self, normalized: None)
    assert matcher.match("大学新生医保从什么时候开始能报").suggestions[0].faq_id == "newborn"


def test_the_real_entries_do_not_answer_a_first_year_student_with_the_newborn_rule() -> None:
    result = FaqMatcher(default_entries()).match("大学新生医保从什么时候开始能报")
    assert result.faq_id != "newborn"
    assert result.suggestions[0].faq_id == "student_benefit_period"
