"""The citation checker: every quote is verbatim, every cited number stands in its own quote."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.policy.check import check_consistency
from bot.policy.citations import CitationProblem, check_knowledge_base
from bot.policy.loader import load_knowledge_base

Edit = Callable[[str, str, str], Path]  # the edit_document fixture of conftest.py


def _problems(root: Path) -> list[CitationProblem]:
    return check_knowledge_base(load_knowledge_base(root))


def _at(problems: list[CitationProblem], document_id: str, key_path: str) -> list[CitationProblem]:
    return [p for p in problems if p.document_id == document_id and p.key_path == key_path]


def test_the_real_knowledge_base_has_no_citation_or_consistency_problem() -> None:
    kb = load_knowledge_base()
    assert [str(p) for p in check_knowledge_base(kb)] == []
    assert [str(p) for p in check_consistency(kb)] == []


def test_a_quote_altered_by_one_character_is_reported_with_its_key_path(
    policy_copy: Path, edit_document: Edit
) -> None:
    # 比例 → 比列: one character of the 低保 quote no longer matches the source text.
    edit_document("shuozhou-2024", "quote: 低保对象按个人缴费标准80%的比例给予定额资助}",
                  "quote: 低保对象按个人缴费标准80%的比列给予定额资助}")
    problems = _problems(policy_copy)
    found = _at(problems, "shuozhou-2024", "categories[1].subsidy.cite")
    assert len(found) == 1, [str(p) for p in problems]
    assert "not found in source" in found[0].reason
    assert "shuozhou-2024: categories[1].subsidy.cite:" in str(found[0])
    assert [p for p in problems if p.document_id != "shuozhou-2024"] == []


def test_an_amount_absent_from_its_quote_is_reported(policy_copy: Path, edit_document: Edit) -> None:
    # The document says 每人每年380元; 390 is nowhere in that quote.
    edit_document("shuozhou-2024", "standard_fee:\n  amount: 380", "standard_fee:\n  amount: 390")
    problems = _problems(policy_copy)
    found = _at(problems, "shuozhou-2024", "standard_fee.amount")
    assert len(found) == 1, [str(p) for p in problems]
    assert "390" in found[0].reason


def test_a_percent_subsidy_whose_percent_is_not_in_its_quote_is_reported(
    policy_copy: Path, edit_document: Edit
) -> None:
    # 低保对象按个人缴费标准80%: an encoded 85 must be caught even though 380 × 85% is a whole number.
    edit_document("shuozhou-2024", "kind: percent\n      percent: 80", "kind: percent\n      percent: 85")
    problems = _problems(policy_copy)
    found = _at(problems, "shuozhou-2024", "categories[1].subsidy.percent")
    assert len(found) == 1, [str(p) for p in problems]
    assert "85" in found[0].reason


def test_a_payer_amount_absent_from_the_subsidy_quote_is_reported(policy_copy: Path, edit_document: Edit) -> None:
    # 沁源: 即医疗救助资助315元 — a payer amount of 316 is not in the quote.
    edit_document("qinyuan-2023", "payers: [{name: 医疗救助, amount: 315}]", "payers: [{name: 医疗救助, amount: 316}]")
    problems = _problems(policy_copy)
    paths = [p.key_path for p in problems if p.document_id == "qinyuan-2023"]
    assert any(path.endswith("subsidy.payers[0].amount") for path in paths), [str(p) for p in problems]


def test_a_collection_date_absent_from_its_quote_is_reported(policy_copy: Path, edit_document: Edit) -> None:
    # 朔州: 集中征缴期原则上为9月1日至12月25日 — an end of 12-24 is not what the document says.
    edit_document("shuozhou-2024", "  end: 2023-12-25\n", "  end: 2023-12-24\n")
    problems = _problems(policy_copy)
    assert _at(problems, "shuozhou-2024", "collection.end"), [str(p) for p in problems]


def test_a_number_is_not_found_inside_a_longer_number(policy_copy: Path, edit_document: Edit) -> None:
    # 38 occurs only inside 380 in the fee quote; a percent of 38 citing the 380 quote must still be reported.
    dibao_quote = "quote: 低保对象按个人缴费标准80%的比例给予定额资助}"
    fee_quote = "quote: 2023年预收2024年度城乡居民医保个人缴费标准为每人每年380元}"
    edit_document("shuozhou-2024", f"percent: 80\n      payers: [{{name: null}}]\n      cite: {{section: 二（二）, {dibao_quote}",
                  f"percent: 38\n      payers: [{{name: null}}]\n      cite: {{section: 二（二）, {fee_quote}")
    problems = _problems(policy_copy)
    assert _at(problems, "shuozhou-2024", "categories[1].subsidy.percent"), [str(p) for p in problems]
