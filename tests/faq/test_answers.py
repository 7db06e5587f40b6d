"""FAQ answers come from the policy data: every topic renders for every jurisdiction, cites its passages or
says the document is silent, and states no amount the document's data does not give."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from bot.faq.answers import load_answer_specs
from bot.faq.service import build_faq_service, default_entries
from bot.policy.loader import default_knowledge_base
from bot.policy.model import PolicyDocument
from bot.quote.categories import subsidy_amount
from bot.quote.engine import QuoteEngine

KB = default_knowledge_base()
QUOTES = QuoteEngine(KB)
SERVICE = build_faq_service(QUOTES)
FAQ_IDS = [entry.id for entry in default_entries() if entry.kind == "faq"]
SILENT = ("没有写", "没有规定", "未写明", "未规定")


def _amounts(document: PolicyDocument) -> set[int]:
    """Every yuan figure the document's data yields: fee, add-ons, subsidies, payer shares, personal payments."""
    fee = document.standard_fee.amount
    found = {fee, *(a.amount for a in document.addons)}
    if document.full_financing:
        found.add(document.full_financing.amount)
    for category in document.categories:
        amount = subsidy_amount(category, fee)
        if amount is not None:
            found |= {amount, fee - amount}
        found |= {p.amount for p in category.subsidy.payers if p.amount}
    return found


def test_every_faq_entry_has_an_answer_spec_and_every_spec_an_entry() -> None:
    specs = load_answer_specs()
    assert set(FAQ_IDS) == set(specs), set(FAQ_IDS) ^ set(specs)


@pytest.mark.parametrize("faq_id", FAQ_IDS)
@pytest.mark.parametrize("document", KB.documents, ids=[d.id for d in KB.documents])
def test_an_answer_cites_its_passages_or_says_the_document_is_silent(faq_id: str, document: PolicyDocument) -> None:
    match_text = next(e.question for e in default_entries() if e.id == faq_id)
    result = SERVICE.ask(match_text, document.jurisdiction.name)
    assert result.faq_id == faq_id
    assert result.sources or any(word in result.answer for word in SILENT), result.answer
    if not result.sources:
        assert document.source.enquiries in result.answer
    body = result.answer.split("依据：")[0]
    stated = {int(n) for n in re.findall(r"(\d+)元", body)}
    # A figure is the data's (fee, subsidies …) or stands in a passage the answer itself cites (人均财政补助610元).
    cited = {int(n) for source in result.sources for n in re.findall(r"(\d+)\s*元", source.quote)}
    allowed = _amounts(document) | cited
    assert stated <= allowed, f"amounts not in {document.id}'s data or cited passages: {stated - allowed}"
    others = {d.jurisdiction.name for d in KB.documents} - {document.jurisdiction.name}
    assert not [name for name in others if name in body], body


def test_without_a_region_an_answer_lists_every_jurisdiction() -> None:
    result = SERVICE.ask("今年交多少钱", None)
    assert result.faq_id == "fee_this_year"
    for document in KB.documents:
        assert f"【{document.jurisdiction.name}】" in result.answer


def test_a_region_no_document_covers_is_an_error_not_an_answer() -> None:
    from bot.errors import NotCoveredError

    with pytest.raises(NotCoveredError):
        SERVICE.ask("今年交多少钱", "北京")


def test_the_ask_command_prints_the_json_contract() -> None:
    out = subprocess.run([sys.executable, "-m", "bot", "ask", "--region", "沁源", "意外险交不交", "--json"],
                         capture_output=True, text=True, check=True)
    data = json.loads(out.stdout)
    assert {"faq_id", "question", "answer", "score", "suggestions", "sources"} <= set(data)
    assert data["faq_id"] == "accident_insurance"
    assert "20元" in data["answer"]
    assert data["sources"][0]["quote"] in KB.sources["qinyuan-2023"]


def test_an_unmatched_question_offers_three_suggestions_and_no_answer() -> None:
    result = SERVICE.ask("那个东西怎么弄", "朔州")
    assert result.kind == "not_sure"
    assert result.faq_id is None
    assert len(result.suggestions) == 3
