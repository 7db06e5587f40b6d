"""Within a dialog turn a quote request is computed once (bot/quote/memo.py); outside one, every call computes."""

from __future__ import annotations

import contextlib
from datetime import date

import pytest
from test_outcome import _sweep

from bot.errors import ExplainedError, NotCoveredError
from bot.policy.loader import default_knowledge_base
from bot.quote import memo
from bot.quote.categories import RefinementNeeded
from bot.quote.engine import QuoteEngine
from bot.quote.result import Quote, QuoteRequest

QUOTES = QuoteEngine(default_knowledge_base())
DIBAO = QuoteRequest("朔州市", date(1980, 5, 1), date(2023, 10, 10), ("dibao",))


class _Counting(QuoteEngine):
    def __init__(self) -> None:
        super().__init__(default_knowledge_base())
        self.computed = 0

    def _quote_or_reference(self, request: QuoteRequest) -> Quote:
        self.computed += 1
        return super()._quote_or_reference(request)


def test_a_request_is_computed_once_within_a_turn_and_every_time_outside() -> None:
    engine = _Counting()
    with memo.remembering():
        first, second = engine.quote(DIBAO), engine.quote(DIBAO)
        engine.quote(QuoteRequest("朔州市", date(1980, 5, 1), date(2023, 10, 10), ()))
    assert engine.computed == 2
    assert first == second and first.personal_payment == 76
    engine.quote(DIBAO)
    engine.quote(DIBAO)
    assert engine.computed == 4


def test_a_remembered_quote_is_the_same_answer_as_a_fresh_one() -> None:
    with memo.remembering():
        remembered = [QUOTES.quote(DIBAO) for _ in range(2)][1]
    assert remembered.to_json() == QUOTES.quote(DIBAO).to_json()


def test_changing_a_returned_quote_does_not_change_the_remembered_one() -> None:
    with memo.remembering():
        first = QUOTES.quote(DIBAO)
        first.notes.append("changed by a caller")
        first.trace.clear()
        first.personal_payment = 0
        again = QUOTES.quote(DIBAO)
    assert "changed by a caller" not in again.notes
    assert again.trace and again.personal_payment == 76


def test_an_error_is_remembered_and_raised_again_each_time() -> None:
    engine = _Counting()
    late = QuoteRequest("朔州市", date(1980, 5, 1), date(2030, 1, 1))
    shandan_dibao = QuoteRequest("山丹县", date(1980, 5, 1), date(2023, 10, 10), ("dibao",))
    with memo.remembering():
        for _ in range(2):
            with pytest.raises(NotCoveredError) as error:
                engine.quote(late)
            assert error.value.field == "date"
            with pytest.raises(RefinementNeeded) as needed:
                engine.quote(shandan_dibao)
            assert needed.value.refinement.term == "dibao"
    assert engine.computed == 2


def test_hukou_matters_is_remembered_too() -> None:
    with memo.remembering():
        answers = {QUOTES.hukou_matters(DIBAO) for _ in range(3)}
    assert answers == {QUOTES.hukou_matters(DIBAO)}


def test_nested_turns_share_one_memo_and_it_ends_with_the_outer_one() -> None:
    engine = _Counting()
    with memo.remembering():
        engine.quote(DIBAO)
        with memo.remembering():
            engine.quote(DIBAO)
        engine.quote(DIBAO)
    assert engine.computed == 1
    engine.quote(DIBAO)
    assert engine.computed == 2


def _hukou_answer(request: QuoteRequest) -> object:
    try:
        return QUOTES.hukou_matters(request)
    except ExplainedError as error:
        return type(error), error.field, error.message


def test_hukou_matters_remembered_on_the_way_to_a_quote_is_the_answer_worked_out_alone() -> None:
    """A quote (or outcome) for a local resident remembers hukou_matters for the same request from the statuses it
    matched: over the outcome sweep, that answer is the one hukou_matters gives on its own."""
    seeded = 0
    for request in _sweep():
        alone = _hukou_answer(request)
        for first in (QUOTES.quote, QUOTES.outcome):
            with memo.remembering():
                with contextlib.suppress(ExplainedError):
                    first(request)
                remembered = memo._MEMO.get() or {}
                seeded += (QUOTES, "hukou_matters", request) in remembered
                assert _hukou_answer(request) == alone, request
    assert seeded > 1000, "the sweep must reach quotes that remember the answer"
