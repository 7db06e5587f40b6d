"""QuoteEngine.outcome decides exactly what QuoteEngine.quote does (figures, winning category, facts still asked, or
the same error), over every quote case and a sweep of places, dates, births, statuses, registration and facts."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from test_quote_cases import CASES, _request

from bot.errors import ExplainedError
from bot.policy.loader import default_knowledge_base
from bot.quote.engine import QuoteEngine
from bot.quote.result import Outcome, QuoteRequest

KB = default_knowledge_base()
QUOTES = QuoteEngine(KB)


def _either(request: QuoteRequest, brief: bool) -> object:
    """The outcome, or the error (its type and every field a resident is told)."""
    try:
        return QUOTES.outcome(request) if brief else Outcome.of(QUOTES.quote(request))
    except ExplainedError as error:
        refinement = getattr(error, "refinement", None)
        return type(error), error.field, error.message, error.example, error.suggestions, refinement


def _sweep() -> list[QuoteRequest]:
    """Per document: dates around its collection window and benefit year (and past them, as a reference),
    births around each age threshold and a newborn's, no status, each status (broad ones too) alone and with
    低保 or 特困, registration either way and each fact either way."""
    requests = []
    terms = sorted(term.id for term in KB.vocabulary.terms)  # broad ones too (低保: its kinds compared)
    for document in KB.documents:
        region = document.jurisdiction.name
        collection = document.collection
        opening = collection.start or collection.end or date(document.benefit_year - 1, 9, 1)
        dates = {opening, opening + timedelta(days=20), date(document.benefit_year, 3, 1),
                 date(document.benefit_year, 11, 1), date(document.benefit_year + 2, 3, 1)}
        if collection.end:
            dates |= {collection.end, collection.end + timedelta(days=1)}
        for paid in sorted(dates):
            births = {date(paid.year - 40, 5, 1), date(paid.year - 70, 1, 1), paid - timedelta(days=30),
                      paid - timedelta(days=200), date(paid.year - 10, 6, 1), None}
            births |= {c.born_on_or_before for c in document.categories if c.born_on_or_before}
            statuses: list[tuple[str, ...]] = [(), *((term,) for term in terms),
                                               *((term, "dibao") for term in terms if term != "dibao"),
                                               *((term, "tekun") for term in terms if term != "tekun")]
            for birth, categories, local in itertools.product(sorted(births, key=str), statuses, (True, False)):
                requests.append(QuoteRequest(region, birth, paid, categories, (), local, paid.year > document.benefit_year))
            for fact, answer in itertools.product(document.facts, (True, False)):
                for categories in statuses[:12]:
                    requests.append(QuoteRequest(region, date(paid.year - 40, 5, 1), paid, categories,
                                                 ((fact.id, answer),)))
    return requests


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_every_quote_case_decides_the_same(case: dict[str, object]) -> None:
    request = _request(case)
    assert _either(request, brief=True) == _either(request, brief=False)


def test_a_sweep_of_requests_decides_the_same() -> None:
    requests = _sweep()
    assert len(requests) > 5000
    differing = [r for r in requests if _either(r, brief=True) != _either(r, brief=False)]
    assert not differing, differing[:3]
    answered = sum(isinstance(_either(r, brief=True), Outcome) for r in requests)
    assert answered > len(requests) // 3, "the sweep must reach real answers, not only errors"
