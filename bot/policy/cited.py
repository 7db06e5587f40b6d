"""What the schema says about each figure of a policy: which unit it is written in and which passage states it.

Every ``int``, ``date`` or list of ``int`` field of the policy models carries one of these markers
(``Annotated[int, Cited("yuan")]``), and a test fails for a numeric field without one, so a new field cannot
escape ``python -m bot check``: the check reads the markers (``bot.policy.citations``), not a list of names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, get_args

from pydantic.fields import FieldInfo

Unit = Literal["yuan", "percent", "days", "date", "year", "year_offset", "day_of_month"]


@dataclass(frozen=True)
class Cited:
    """The value must stand in a quote, written in `unit`:

    * ``yuan``: ``380元`` (0: in words, 个人不需缴费); ``percent``: ``80%``; ``days``: ``90天`` / ``30日``;
    * ``date``: with its year (``2023年9月1日``, or ``12月25日`` after a ``2023年`` earlier in the quote);
    * ``year``: ``2024年``; ``year_offset``: the benefit year plus the offset (``2023年``; 0 may be 当年);
    * ``day_of_month``: the pair first/last of the model as a range (``每月1日—25日``).

    `by` names the passage: ``cite`` (the model's own ``cite`` and ``extra_cites``), another citation field of
    the model (``age_cite``), ``parent`` (the nearest enclosing model with a ``cite``), or a dotted path from
    the model (``benefit_period.cite``). `followed_by` pins the value to its own phrase where one quote
    holds several numbers of the same unit ("未在90天内参保…30日后享受").
    """

    unit: Unit
    by: str = "cite"
    followed_by: str = ""  # what the quote writes right after the value: 内 (90天内), 后 (30日后)


@dataclass(frozen=True)
class NotCited:
    """A numeric field no quote has to contain, and why (the reason is read by people, not by the check)."""

    reason: str


def marker(field: FieldInfo) -> Cited | NotCited | None:
    """The marker of a model field, whether on the field (``Annotated[int | None, Cited(...)]``) or inside
    its type (``Annotated[int, Cited(...)] | None``)."""
    for item in field.metadata:
        if isinstance(item, Cited | NotCited):
            return item
    return _marker_in(field.annotation)


def _marker_in(annotation: Any) -> Cited | NotCited | None:
    for item in getattr(annotation, "__metadata__", ()):
        if isinstance(item, Cited | NotCited):
            return item
    for argument in get_args(annotation):
        found = _marker_in(argument)
        if found is not None:
            return found
    return None


def is_numeric(annotation: Any) -> bool:
    """True for a type holding an int or a date (bool is not a figure)."""
    if annotation is bool:
        return False
    if annotation in (int, date):
        return True
    return any(is_numeric(argument) for argument in get_args(annotation) if not isinstance(argument, str))
