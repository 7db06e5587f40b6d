"""Within one dialog turn the same quote request is computed once.

A turn asks the quote engine "would this change the answer?" many times over (needs.next_need, the statuses that
matter to a child, 山丹's 低保 classes, "不知道" answered for each case, the buttons on offer computed again to
check a tap), often with the same request. A quote is a pure function of the knowledge base and the request (no
clock, no I/O: ``QuoteEngine.quote``), so within :func:`remembering` the first result, or error, is reused.

The memo lives only as long as the turn (a context variable: each thread or task has its own), so it needs no
bound and can never serve a stale answer; outside :func:`remembering` every call computes afresh.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar, cast

from bot.errors import ExplainedError

T = TypeVar("T")

_MEMO: ContextVar[dict[Hashable, object] | None] = ContextVar("quote_memo", default=None)
_MISSING = object()


@contextmanager
def remembering() -> Iterator[None]:
    """Remember quotes until the block ends (nested blocks share the outer one's memo)."""
    if _MEMO.get() is not None:
        yield
        return
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def recall(key: Hashable, compute: Callable[[], T], copy: Callable[[T], T] | None = None) -> T:
    """`compute()`, or its result (or the error a resident is told: ExplainedError) remembered under `key`. With a
    memo, every caller gets `copy(result)`, so that no caller's change reaches the remembered value."""
    memo = _MEMO.get()
    if memo is None:
        return compute()
    found = memo.get(key, _MISSING)  # one lookup: the key (a QuoteRequest) is hashed field by field each time
    if found is _MISSING:
        try:
            found = compute()
        except ExplainedError as error:
            found = _Raised(error)
        memo[key] = found
    if isinstance(found, _Raised):
        raise found.error.with_traceback(None)
    result = cast(T, found)
    return result if copy is None else copy(result)


def remember(key: Hashable, value: object) -> None:
    """Remember `value` under `key` (worked out on the way to another result), unless something is already
    remembered there; outside :func:`remembering` nothing is kept."""
    memo = _MEMO.get()
    if memo is not None and key not in memo:
        memo[key] = value


class _Raised:
    __slots__ = ("error",)

    def __init__(self, error: ExplainedError) -> None:
        self.error = error
