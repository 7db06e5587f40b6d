"""Within a dialog turn a quote request is computed once (bot/quote/memo.py); outside one, every call computes."""

from __future__ import annotations

from datetime import date

import pytest

from bot.errors import NotCoveredError
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
