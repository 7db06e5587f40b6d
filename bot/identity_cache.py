"""Values worked out once per object, for objects known by identity: a policy document (pydantic models hash
field by field, or not at all) or a quote engine. Several places keep such a cache; they share this one.

An entry is kept with its object, so an id reused after that object is gone never returns another object's
value. The cache is emptied when it reaches its bound: a running bot has a handful of documents and one engine,
while the tests build many of them."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, ParamSpec, TypeVar

P = ParamSpec("P")
V = TypeVar("V")


class IdentityCache(Generic[V]):
    """``get(owner, key, compute, *args)``: ``compute(*args)`` once per owner (by identity) and key."""

    __slots__ = ("_found", "_limit")

    def __init__(self, limit: int) -> None:
        self._found: dict[tuple[int, Hashable], tuple[object, V]] = {}
        self._limit = limit

    def get(self, owner: object, key: Hashable, compute: Callable[P, V], *args: P.args, **kwargs: P.kwargs) -> V:
        slot = (id(owner), key)
        found = self._found.get(slot)
        if found is None or found[0] is not owner:
            if len(self._found) >= self._limit:
                self._found.clear()
            found = self._found[slot] = (owner, compute(*args, **kwargs))
        return found[1]

    def clear(self) -> None:
        self._found.clear()

    def __len__(self) -> int:
        return len(self._found)
