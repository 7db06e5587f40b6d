"""FAQ matching: accuracy on the labelled eval set, the decisions, and the entry data (bot/faq/matcher.py)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from bot.faq.evaluation import load_questions
from bot.faq.matcher import DEFAULT_MARGIN, FaqMatcher, MatchResult
from bot.faq.model import FaqDataError, FaqEntry, load_entries
from bot.faq.normalize import normalize

ROOT = Path(__file__).resolve().parents[2]
ENTRIES = ROOT / "policies/faq/entries.yaml"
EVAL_SET = ROOT / "tests/faq/eval_set.yaml"
DECLINE = {"out_of_scope", "chitchat", "not_sure"}

# Measured with the current entries, synonyms and DEFAULT_THRESHOLD (benchmarks/faq_bench.py prints the
# same figures): 155/176 = 0.881 answered correctly, 51/52 = 0.981 rejected, 8/8 vague not answered.
# Floors are those figures rounded down by at most 2 points; a change that lowers them is a regression.
# The entries and synonyms were tuned while looking at this set, so the figures are optimistic: on 66
# queries written at the same time and never tuned on, 0.70 were answered correctly, 0.88 had the right
# entry ranked first, 0.98 had it among the suggestions, and 16/16 out-of-scope ones were rejected.
# Issue 9 replaced the flat threshold by a decision that also needs a lead over the next entry: on this set it
# answers 0.835 right (was 0.881) and 1 of 182 wrongly; the floor follows, and a ceiling on wrong answers joins it.
MIN_TOP1_ACCURACY = 0.83
MAX_ANSWERED_WRONGLY = 0.01
MIN_REJECTION_RATE = 0.97
MIN_VAGUE_NOT_ANSWERED = 1.0

# Topics the lead asked for, by entry id.
REQUIRED_FAQ_IDS = {
    "fee_this_year", "collection_window", "pay_wechat", "pay_alipay", "pay_bank_app", "pay_village_collector",
    "newborn", "students", "migrants_residence_permit", "lapsed_employee_insurance", "missed_deadline",
    "late_enrolment_waiting_period", "refund", "what_to_choose_when_paying", "multiple_statuses",
    "subsidy_dibao", "subsidy_tekun", "subsidy_tuopin_jiance", "subsidy_disabled", "accident_insurance",
    "not_found_in_system", "payment_proof", "record_delay", "benefits_start", "first_enrolment",
    "choose_place", "elderly", "who_pays_subsidy",
}  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Labelled:
    query: str
    expect: str


@pytest.fixture(scope="module")
def entries() -> list[FaqEntry]:
    return load_entries(ENTRIES)


@pytest.fixture(scope="module")
def matcher(entries: list[FaqEntry]) -> FaqMatcher:
    return FaqMatcher(entries)


@pytest.fixture(scope="module")
def eval_set() -> list[Labelled]:
    raw = yaml.safe_load(EVAL_SET.read_text(encoding="utf-8"))
    return [Labelled(str(item["query"]), str(item["expect"])) for item in raw["queries"]]


@pytest.fixture(scope="module")
def results(matcher: FaqMatcher, eval_set: list[Labelled]) -> list[tuple[Labelled, MatchResult]]:
    return [(item, matcher.match(item.query)) for item in eval_set]


def share(hits: list[bool]) -> float:
    return sum(hits) / len(hits)


# ---------------------------------------------------------------- the eval set itself


def test_the_eval_set_is_large_and_mostly_in_scope_with_35_out_of_scope_queries(eval_set: list[Labelled]) -> None:
    assert len(eval_set) >= 180
    assert sum(item.expect == "out_of_scope" for item in eval_set) >= 35
    assert sum(item.expect == "chitchat" for item in eval_set) >= 6


def test_every_eval_label_is_an_entry_id_or_a_decline_label(eval_set: list[Labelled], entries: list[FaqEntry]) -> None:
    faq_ids = {entry.id for entry in entries if entry.kind == "faq"}
    assert {item.expect for item in eval_set} - faq_ids - DECLINE == set()


def test_every_faq_entry_has_at_least_two_eval_queries(eval_set: list[Labelled], entries: list[FaqEntry]) -> None:
    thin = [e.id for e in entries if e.kind == "faq" and sum(item.expect == e.id for item in eval_set) < 2]
    assert thin == []


def test_no_eval_query_equals_an_entry_phrasing_or_question_after_normalisation(
    eval_set: list[Labelled], entries: list[FaqEntry]
) -> None:
    texts = {normalize(text): entry.id for entry in entries for text in (entry.question, *entry.phrasings)}
    leaked = [(item.query, texts[normalize(item.query)]) for item in eval_set if normalize(item.query) in texts]
    assert leaked == []


# ---------------------------------------------------------------- accuracy


def test_top1_accuracy_on_in_scope_queries_stays_at_the_measured_level(
    results: list[tuple[Labelled, MatchResult]],
) -> None:
    in_scope = [(item, r) for item, r in results if item.expect not in DECLINE]
    accuracy = share([r.kind == "answer" and r.faq_id == item.expect for item, r in in_scope])
    assert accuracy >= MIN_TOP1_ACCURACY
    assert share([r.kind == "answer" and r.faq_id != item.expect for item, r in in_scope]) <= MAX_ANSWERED_WRONGLY


def test_out_of_scope_and_chitchat_queries_are_not_answered_with_a_faq(
    results: list[tuple[Labelled, MatchResult]],
) -> None:
    declined = [r for item, r in results if item.expect in {"out_of_scope", "chitchat"}]
    assert share([r.kind != "answer" for r in declined]) >= MIN_REJECTION_RATE


def test_vague_or_noise_queries_are_not_answered(results: list[tuple[Labelled, MatchResult]]) -> None:
    vague = [r for item, r in results if item.expect == "not_sure"]
    assert share([r.kind != "answer" for r in vague]) >= MIN_VAGUE_NOT_ANSWERED


# ---------------------------------------------------------------- what residents type


def test_a_homophone_typo_of_dibao_finds_the_dibao_subsidy(matcher: FaqMatcher) -> None:
    assert matcher.match("低报户交多少钱").faq_id == "subsidy_dibao"


def test_a_homophone_typo_of_yibao_still_finds_the_fee(matcher: FaqMatcher) -> None:
    assert matcher.match("今年医报交多少钱").faq_id == "fee_this_year"


def test_typed_pinyin_finds_the_same_entry_as_characters(matcher: FaqMatcher) -> None:
    assert matcher.match("dibao jiao duoshao").faq_id == matcher.match("低保交多少").faq_id == "subsidy_dibao"
    assert matcher.match("ruhe jiaofei").faq_id == "payment_channels"


def test_traditional_characters_find_the_same_entry_as_simplified(matcher: FaqMatcher) -> None:
    assert matcher.match("錯過繳費時間怎麼辦").faq_id == matcher.match("错过缴费时间怎么办").faq_id == "missed_deadline"


def test_dialect_words_are_understood(matcher: FaqMatcher) -> None:
    assert matcher.match("刚生的娃咋上医保").faq_id == "newborn"
    assert matcher.match("第一回参保要带啥子").faq_id == "first_enrolment"
    assert matcher.match("细伢子读大学医保交么子地方").faq_id == "students"


def test_a_question_about_pensions_is_declined_with_its_topic(matcher: FaqMatcher) -> None:
    result = matcher.match("养老保险一年交多少钱")
    assert (result.kind, result.out_of_scope_topic) == ("out_of_scope", "养老保险")


def test_a_city_without_a_policy_document_is_declined_rather_than_given_our_fee(matcher: FaqMatcher) -> None:
    result = matcher.match("广州的医保一年多少钱")
    assert (result.kind, result.out_of_scope_topic) == ("out_of_scope", "其他地区")


def test_thanks_is_chitchat_not_an_answer(matcher: FaqMatcher) -> None:
    result = matcher.match("谢谢你啊！")
    assert (result.kind, result.faq_id) == ("chitchat", "chitchat_thanks")


@pytest.mark.parametrize("query", ["", "   ", "\n\t ", "？？！！", "😀👍", "请问一下"])
def test_a_query_with_nothing_to_match_is_empty(matcher: FaqMatcher, query: str) -> None:
    assert matcher.match(query) == MatchResult(None, "empty", 0.0, ())


def test_a_huge_query_is_not_answered(matcher: FaqMatcher) -> None:
    # Its speed is measured in benchmarks/faq_bench.py, not asserted: shared machines make timings noisy.
    query = "我想问一下今年医保交多少钱，" * 800  # 11,200 characters
    result = matcher.match(query)
    assert result.kind == "not_sure"


def test_an_ambiguous_query_is_not_sure_with_three_suggestions(matcher: FaqMatcher) -> None:
    result = matcher.match("孩子的医保")
    assert result.kind == "not_sure" and result.faq_id is None
    assert [s.faq_id for s in result.suggestions] == ["newborn", "pay_for_family", "students"]


def test_every_non_empty_result_suggests_three_distinct_faq_entries_best_first(
    results: list[tuple[Labelled, MatchResult]], entries: list[FaqEntry]
) -> None:
    kinds = {entry.id: entry.kind for entry in entries}
    for _, result in results:
        ids = [s.faq_id for s in result.suggestions]
        scores = [s.score for s in result.suggestions]
        assert len(ids) == len(set(ids)) == 3
        assert all(kinds[i] == "faq" for i in ids)
        assert scores == sorted(scores, reverse=True)


def test_noise_is_not_sure_and_still_offers_three_suggestions(matcher: FaqMatcher) -> None:
    result = matcher.match("asdfghjkl")
    assert (result.kind, len(result.suggestions)) == ("not_sure", 3)
    assert result.score < 30


def test_an_answer_is_its_own_first_suggestion(matcher: FaqMatcher) -> None:
    result = matcher.match("微信怎么交医保")
    assert result.kind == "answer"
    assert result.suggestions[0].faq_id == result.faq_id == "pay_wechat"


def test_match_results_are_immutable(matcher: FaqMatcher) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        matcher.match("退费").kind = "answer"  # type: ignore[misc]


def test_the_candidate_filter_gives_exactly_the_results_of_scoring_every_text(
    entries: list[FaqEntry], eval_set: list[Labelled]
) -> None:
    filtered = FaqMatcher(entries, candidate_filter=True)  # on at any size (by default only from FILTER_FROM_TEXTS)
    exhaustive = FaqMatcher(entries, candidate_filter=False)
    queries = [item.query for item in eval_set] + [question.text for question in load_questions()]
    for query in [*queries, "asdfghjkl", "", "啊", "医保" * 40]:
        assert filtered.match(query) == exhaustive.match(query), query


def test_ties_are_broken_by_entry_order_so_results_are_reproducible(entries: list[FaqEntry]) -> None:
    first = FaqMatcher(entries).match("孩子的医保")
    again = FaqMatcher(entries).match("孩子的医保")
    assert first == again


def test_the_threshold_decides_between_answering_and_suggesting(entries: list[FaqEntry]) -> None:
    query = "用微信交医保要点哪里"  # scores 77 against pay_wechat
    assert FaqMatcher(entries).match(query).kind == "answer"
    assert FaqMatcher(entries, threshold=100.0).match(query).kind == "not_sure"


def test_an_out_of_scope_entry_vetoed_by_an_in_scope_word_is_no_runner_up_either() -> None:
    # 其他地区 pulls the query to the out-of-scope entry; 参保 vetoes the decline. The faq entry then leads the
    # other faq entry by far: the vetoed entry, a hair above it, must not count as the entry it has to beat.
    far = FaqEntry(id="far", kind="out_of_scope", topic="外地", question="其他地区孩子上学医保在哪交", keywords=("其他地区",),
                   phrasings=("其他地区孩子上学医保在哪里交", "其他地区上学医保在哪交", "其他地区孩子医保在哪交"))
    students = FaqEntry(id="students", kind="faq", question="孩子上学医保在哪参保",
                        phrasings=("孩子上学医保在哪交", "学生医保在哪参保", "上学的孩子在哪参保", "学生在哪交医保",
                                   "孩子上大学在哪参保"))
    other = FaqEntry(id="refund", kind="faq", question="医保能退吗",
                     phrasings=("交了能退费吗", "怎么退费", "退钱", "钱能退回来吗", "不想交了能退吗"))
    query = "孩子在深圳上学医保在哪参保"
    matcher = FaqMatcher([far, students, other])
    ranked = matcher._rank(matcher._alphabet.encode(matcher._key(query)), normalize(query))
    assert [matcher.entries[i].id for i, _ in ranked[:2]] == ["far", "students"]
    assert ranked[0][1] - ranked[1][1] < DEFAULT_MARGIN  # the out-of-scope entry is only just ahead
    result = matcher.match(query)
    assert (result.kind, result.faq_id) == ("answer", "students")


# ---------------------------------------------------------------- entry data


def test_the_entries_cover_every_required_topic(entries: list[FaqEntry]) -> None:
    assert REQUIRED_FAQ_IDS - {entry.id for entry in entries} == set()


def test_the_entry_set_has_the_agreed_size(entries: list[FaqEntry]) -> None:
    faq = [e for e in entries if e.kind == "faq"]
    # Issue 9 added entries for passages no entry answered (renewal, subsidy after paying, new students).
    assert 25 <= len(faq) <= 45
    assert all(6 <= len(e.phrasings) <= 12 for e in faq)
    assert sum(e.kind == "out_of_scope" for e in entries) >= 10
    assert sum(e.kind == "chitchat" for e in entries) >= 6


def test_two_entries_that_match_identically_are_rejected_when_building() -> None:
    one = FaqEntry(id="one", kind="faq", question="医保怎么交", phrasings=("a1", "a2", "a3", "a4", "a5"))
    two = FaqEntry(id="two", kind="faq", question="醫保怎麼繳費", phrasings=("b1", "b2", "b3", "b4", "b5"))
    with pytest.raises(ValueError, match="matches exactly like a text of one"):
        FaqMatcher([one, two])


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "entries.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_faq_entry_with_too_few_phrasings_is_reported_with_file_key_path_and_reason(tmp_path: Path) -> None:
    path = write(tmp_path, "entries:\n  - {id: newborn, kind: faq, question: 新生儿, phrasings: [a, b]}\n")
    with pytest.raises(FaqDataError) as error:
        load_entries(path)
    assert str(error.value) == (
        f"{path}: entries[0] (newborn): Value error, a faq entry needs at least 5 phrasings, has 2"
    )


def test_a_misspelt_field_is_reported_with_its_key_path(tmp_path: Path) -> None:
    path = write(tmp_path, "entries:\n  - {id: x, kind: chitchat, question: 你好, phrasing: [a, b, c]}\n")
    with pytest.raises(FaqDataError) as error:
        load_entries(path)
    assert f"{path}: entries[0] (x).phrasing: Extra inputs are not permitted" in str(error.value)
    assert f"{path}: entries[0] (x).phrasings: Field required" in str(error.value)


def test_an_id_that_is_not_snake_case_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "entries:\n  - {id: New-Born, kind: chitchat, question: 你好, phrasings: [a, b, c]}\n")
    with pytest.raises(FaqDataError, match=r"entries\[0\] \(New-Born\)\.id: String should match pattern"):
        load_entries(path)


def test_an_out_of_scope_entry_without_a_topic_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "entries:\n  - {id: oos_x, kind: out_of_scope, question: 车险, phrasings: [a, b, c]}\n")
    with pytest.raises(FaqDataError, match="topic is required for out_of_scope entries"):
        load_entries(path)


def test_a_duplicate_id_is_reported_at_its_second_place(tmp_path: Path) -> None:
    entry = "{id: hi, kind: chitchat, question: 你好, phrasings: [a, b, c]}"
    path = write(tmp_path, f"entries:\n  - {entry}\n  - {entry}\n")
    with pytest.raises(FaqDataError, match=r"entries\[1\]\.id: duplicate id 'hi', first at entries\[0\]"):
        load_entries(path)


def test_broken_yaml_is_reported_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "entries:\n  - {id: hi, kind: [\n")
    with pytest.raises(FaqDataError, match=rf"{path}: line \d+, column \d+: not valid YAML"):
        load_entries(path)


def test_a_decline_needs_a_lead_over_the_best_faq_entry() -> None:
    pension = FaqEntry(id="oos_pension", kind="out_of_scope", topic="养老保险", question="养老保险交多少钱",
                       phrasings=("养老保险一年交多少", "养老金交多少钱", "养老保险怎么交"))
    fee = FaqEntry(id="fee_this_year", kind="faq", question="医保交多少钱",
                   phrasings=("今年医保交多少", "医保一年交多少钱", "一个人交多少钱", "医保多少钱", "居民医保交多少"))
    other = FaqEntry(id="refund", kind="faq", question="医保能退吗",
                     phrasings=("交了能退费吗", "怎么退费", "退钱", "钱能退回来吗", "不想交了能退吗"))
    matcher = FaqMatcher([pension, fee, other])
    # "Insurance" alone: the pension entry leads the fee entry by 5.7 points only (85.7 against 80), so the bot
    # is not sure rather than declining a question that may be about the fee.
    near = matcher.match("保险交多少钱")
    assert near.kind == "not_sure" and near.suggestions[0].faq_id == "fee_this_year"
    assert FaqMatcher([pension, fee, other], margin=5.0).match("保险交多少钱").kind == "out_of_scope"
    # A question that is clearly about pensions is still declined, with its topic.
    far = matcher.match("养老保险一年要交多少")
    assert (far.kind, far.out_of_scope_topic) == ("out_of_scope", "养老保险")


def test_a_keyword_the_synonym_table_folds_into_one_character_gives_no_bonus() -> None:
    # 续费 is rewritten to 交, which nearly every question holds: it would lift the renewal entry for all of them.
    renewal = FaqEntry(id="renewal", kind="faq", question="续保要去登记吗", keywords=("续费", "续保"),
                       phrasings=("续保还要登记吗", "老参保人要去登记吗", "往年交过今年要登记吗", "续保怎么办", "续保手续"))
    fee = FaqEntry(id="fee", kind="faq", question="医保交多少钱",
                   phrasings=("今年医保交多少", "医保一年交多少钱", "一个人交多少钱", "医保多少钱", "居民医保交多少"))
    matcher = FaqMatcher([renewal, fee])
    assert matcher._keyword_hits(normalize("医保交多少钱")) == set()
    assert matcher._keyword_hits(normalize("续保要登记吗")) == {0}


def test_a_place_we_serve_says_where_not_what(entries: list[FaqEntry]) -> None:
    matcher = FaqMatcher(entries, place_names=["朔州", "朔州市", "沁源"])
    plain = FaqMatcher(entries)
    # The name is taken out: the question scores as if it had not been said, with and without the name.
    assert matcher.match("我是外地来打工的能在朔州参保不") == plain.match("我是外地来打工的能在参保不")
    assert matcher.match("我是外地来打工的能在朔州参保不").faq_id == "migrants_residence_permit"
    assert plain.match("我是外地来打工的能在朔州参保不").kind == "not_sure"  # the name alone made it unsure
    assert matcher.match("朔州市").kind == "empty"
    # A place we do not serve is still another region (the synonym table's 其他地区), not taken out.
    assert matcher.match("深圳的医保多少钱").kind == "out_of_scope"


def test_a_chat_reply_also_needs_a_lead_over_the_best_faq_entry(entries: list[FaqEntry]) -> None:
    # 哪个单位 is near "你是哪个" (chitchat_who_are_you, 57) but the subsidy question is only 7 points behind.
    result = FaqMatcher(entries).match("补助的钱哪个单位出")
    assert result.kind == "not_sure"
    assert result.suggestions[0].faq_id == "who_pays_subsidy"
    # Chat itself still gets its reply.
    assert FaqMatcher(entries).match("你是机器人吗").kind == "chitchat"
