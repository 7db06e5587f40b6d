"""Term penalties (bot/faq/term_penalties.py): part of a term does not match the whole term; a term does not match
its opposite."""

from __future__ import annotations

import pytest

from bot.faq.matcher import FaqMatcher
from bot.faq.model import FaqEntry
from bot.faq.service import default_entries
from bot.faq.term_penalties import OPPOSED_TERM_PENALTY, SPLIT_TERM_PENALTY, TermPenalties


def test_a_part_of_a_term_without_the_term_splits_it() -> None:
    terms = TermPenalties(["新生儿", "低保边缘", "医保"], [["新生儿参保"], ["低保边缘资助"], ["学生参保"]])
    assert terms.split_terms("大学新生参保") == {"新生儿"}
    assert terms.split_terms("新生儿参保") == set()  # the whole term: nothing split
    assert terms.split_terms("低保资助") == {"低保边缘"}
    assert terms.split_terms("保边") == {"低保边缘"}  # an inner part, not only a prefix
    assert terms.split_terms("参保") == set()  # 医保 is too short to be a term; 参保 is part of none


def test_overlapping_parts_are_all_found() -> None:
    # At one position the longest part is matched first; the shorter parts starting there still count.
    terms = TermPenalties(["什么时候", "什么东西"], [["什么时候交"], ["要带什么东西"]])
    assert terms.split_terms("带什么") == {"什么时候", "什么东西"}
    assert terms.split_terms("什么时候") == {"什么东西"}


def test_only_texts_holding_a_split_term_lose_points() -> None:
    terms = TermPenalties(["新生儿"], [["新生儿参保"], ["学生参保"], ["新生儿报销"]])
    penalty = terms.penalties("大学新生参保")
    assert penalty is not None and penalty.tolist() == [SPLIT_TERM_PENALTY, 0.0, SPLIT_TERM_PENALTY]
    assert terms.penalties("学生参保") is None


def test_a_key_shared_by_two_texts_holds_a_term_only_if_both_do() -> None:
    # The text without the term matches as well as the other, so the key is not a split-term match.
    terms = TermPenalties(["新生儿"], [["新生儿参保", "新生儿参加保险"], ["新生儿", "新声儿"]])
    penalty = terms.penalties("新生参保")
    assert penalty is not None and penalty.tolist() == [SPLIT_TERM_PENALTY, 0.0]


def _entry(entry_id: str, *texts: str) -> FaqEntry:
    return FaqEntry(id=entry_id, kind="faq", question=texts[0], phrasings=texts[1:])


def test_a_first_year_student_is_not_matched_to_the_newborn_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    newborn = _entry("newborn", "新生儿医保从什么时候开始能用", "新生儿怎么参保", "孩子刚出生怎么交", "刚生的孩子参保",
                     "婴儿医保", "新生儿参保要什么材料")
    students = _entry("student_benefit_period", "学生医保从什么时候开始能用", "学生医保什么时候生效",
                      "刚上学医保管到什么时候", "学生医保待遇期", "入学以后医保什么时候能用", "学生医保怎么算")
    matcher = FaqMatcher([newborn, students])
    query = "高一新生医保从什么时候开始能用"
    assert matcher.match(query).suggestions[0].faq_id == "student_benefit_period"
    # Without the rule the shared 新生 puts the newborn entry first.
    monkeypatch.setattr(TermPenalties, "penalties", lambda self, normalized: None)
    assert matcher.match(query).suggestions[0].faq_id == "newborn"


def test_the_real_entries_do_not_answer_a_new_pupil_with_the_newborn_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    matcher = FaqMatcher(default_entries())
    query = "高一新生医保从什么时候开始能报"
    assert matcher.match(query).kind == "not_sure"
    # Without the rule: a confident newborn answer.
    monkeypatch.setattr(TermPenalties, "penalties", lambda self, normalized: None)
    assert (matcher.match(query).kind, matcher.match(query).faq_id) == ("answer", "newborn")


def test_a_term_does_not_match_its_opposite() -> None:
    terms = TermPenalties([], [["去年没交今年能交"], ["去年已交今年要登记"], ["已交没交怎么查"]], opposed=[("已交", "没交")])
    assert terms.opposed_terms("去年已交今年还要跑") == {"已交"}
    penalty = terms.penalties("去年已交今年还要跑")
    assert penalty is not None and penalty.tolist() == [OPPOSED_TERM_PENALTY, 0.0, 0.0]
    penalty = terms.penalties("去年没交")
    assert penalty is not None and penalty.tolist() == [0.0, OPPOSED_TERM_PENALTY, 0.0]
    assert terms.penalties("已交还是没交") is None  # both asked about: neither is opposed


def test_a_text_cut_both_ways_loses_one_penalty() -> None:
    terms = TermPenalties(["新生儿"], [["新生儿没交"]], opposed=[("已交", "没交")])
    penalty = terms.penalties("新生已交")
    assert penalty is not None and penalty.tolist() == [max(SPLIT_TERM_PENALTY, OPPOSED_TERM_PENALTY)]


def test_a_resident_who_has_paid_is_not_answered_about_missing_the_deadline() -> None:
    result = FaqMatcher(default_entries()).match("去年交过了今年还要跑医保站吗")
    assert result.suggestions[0].faq_id == "renewal_no_visit"
    assert result.kind == "answer" and result.faq_id == "renewal_no_visit"
