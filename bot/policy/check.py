"""`python -m bot check`: every policy file loads, every citation is verbatim, every figure is consistent."""

from __future__ import annotations

import sys

from bot.policy.citations import CitationProblem, check_knowledge_base
from bot.policy.loader import KnowledgeBase, PolicyError, load_knowledge_base
from bot.policy.model import PolicyDocument
from bot.quote.categories import subsidy_amount


def check_consistency(kb: KnowledgeBase) -> list[CitationProblem]:
    """Figures the engine derives must be whole yuan and agree with what the document itself states."""
    return [problem for document in kb.documents for problem in check_document_consistency(document)]


def check_document_consistency(document: PolicyDocument) -> list[CitationProblem]:
    problems: list[CitationProblem] = []
    fee = document.standard_fee.amount
    for index, category in enumerate(document.categories):
        where = f"categories[{index}] ({category.id})"
        amount = subsidy_amount(category, fee)
        kind = category.subsidy.kind
        if kind in ("full", "fixed", "percent", "none") and amount is None:
            problems.append(CitationProblem(document.id, where, "subsidy is not a whole number of yuan"))
            continue
        if amount is not None and amount > fee:
            problems.append(CitationProblem(document.id, where, f"subsidy {amount} exceeds the fee {fee}"))
        stated = category.subsidy.personal_stated
        if stated is not None and amount is not None and fee - amount != stated:
            problems.append(CitationProblem(
                document.id, where, f"fee {fee} - subsidy {amount} = {fee - amount}, document states {stated}"))
        payer_amounts = [p.amount for p in category.subsidy.payers if p.amount is not None]
        if kind == "percent" and payer_amounts and sum(payer_amounts) != amount:
            problems.append(CitationProblem(
                document.id, where, f"payers add up to {sum(payer_amounts)}, percent gives {amount}"))
    return problems


def run_check(mutations: bool = False) -> int:
    try:
        kb = load_knowledge_base()
    except PolicyError as error:
        print(f"policy error:\n{error}", file=sys.stderr)
        return 1
    problems = check_knowledge_base(kb) + check_consistency(kb)
    citations = sum(_count_citations(d) for d in kb.documents)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    for document in kb.documents:
        print(f"{document.id}: {document.jurisdiction.name} {document.benefit_year}年度, "
              f"{len(document.categories)} categories, {len(document.paths)} paths, "
              f"fee {document.standard_fee.amount}元")
    print(f"{len(kb.documents)} documents, {len(kb.vocabulary.terms)} vocabulary terms, "
          f"{citations} citations checked, {len(problems)} problems")
    if mutations and not problems:
        return _run_mutations(kb)
    return 1 if problems else 0


def _run_mutations(kb: KnowledgeBase) -> int:
    """Every cited figure changed once (bot.policy.mutations): check must reject each changed document."""
    from bot.policy.mutations import caught, mutations

    tried = missed = 0
    for document in kb.documents:
        for mutation in mutations(document):
            tried += 1
            if not caught(document, kb.source_text(document), mutation):
                missed += 1
                print(f"not caught: {mutation}", file=sys.stderr)
    print(f"{tried} policy mutations, {tried - missed} caught, {missed} not caught")
    return 1 if missed else 0


def _count_citations(document: object) -> int:
    from bot.policy.citations import _walk
    from bot.policy.model import Citation

    return sum(1 for _, node in _walk(document, "") if isinstance(node, Citation))
