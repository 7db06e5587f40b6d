"""Query parameters of the console API, read the way the CLI reads its arguments.

A parameter that cannot be read (a malformed date, a fact without yes/no) is a `BadParameter` (HTTP 400);
a request the quote engine rejects (a birth date after the payment date, an unknown status) is a
`UserInputError` (HTTP 422). Both carry the CLI's one-line message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from bot.errors import UserInputError
from bot.quote.result import QuoteRequest

_EXAMPLES = {"birth": "1958-03-02", "date": "2023-09-01"}
_YES = {"yes": True, "y": True, "是": True, "true": True, "1": True,
        "no": False, "n": False, "否": False, "false": False, "0": False}
MAX_TEXT = 200  # longer input is cut, as the engine cuts it


class BadParameter(UserInputError):
    """A query parameter that is missing or cannot be read at all."""


class Params:
    """Single and repeated query parameters (Starlette's QueryParams has this shape)."""

    def __init__(self, single: Mapping[str, str], multi: Mapping[str, Sequence[str]]) -> None:
        self.single = single
        self.multi = multi

    def get(self, name: str) -> str | None:
        value = self.single.get(name)
        return value.strip()[:MAX_TEXT] if value is not None and value.strip() else None

    def required(self, name: str, example: str) -> str:
        value = self.get(name)
        if value is None:
            raise BadParameter(name, f"缺少参数 {name}", example=example)
        return value

    def all(self, name: str) -> list[str]:
        return [v.strip()[:MAX_TEXT] for v in self.multi.get(name, []) if v.strip()]

    def flag(self, name: str) -> bool:
        value = self.get(name)
        if value is None:
            return False
        if value.lower() not in _YES:
            raise BadParameter(name, f"应为 true 或 false，而不是「{value[:20]}」", example=f"{name}=true")
        return _YES[value.lower()]


def parse_date(field: str, text: str, today: date) -> date:
    """ISO dates, or what a resident said (2023年9月1日, 九月一号), as `quote --birth/--date` accepts them."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    from bot.parsing.dates import parse_birth_date, parse_payment_date

    parse = parse_birth_date if field == "birth" else parse_payment_date
    try:
        return parse(text, today=today)
    except UserInputError as error:
        raise BadParameter(field, f"{error.message}（应为 YYYY-MM-DD）", example=_EXAMPLES[field]) from None


def parse_fact(text: str) -> tuple[str, bool]:
    key, sep, value = text.partition("=")
    if not sep or value.strip().lower() not in _YES:
        raise BadParameter("fact", f"应为 条件=yes 或 条件=no，而不是「{text[:40]}」",
                           example="county_finance_registered=yes")
    return key.strip(), _YES[value.strip().lower()]


def quote_request(params: Params, today: date) -> QuoteRequest:
    """The QuoteRequest of `GET /api/quote?region=&birth=&category=&category=&date=&fact=&non_local=&reference=`."""
    region = params.required("region", "朔州")
    birth_text = params.get("birth")
    date_text = params.get("date")
    return QuoteRequest(
        region=region,
        birth=parse_date("birth", birth_text, today) if birth_text else None,
        payment_date=parse_date("date", date_text, today) if date_text else today,
        categories=tuple(params.all("category")),
        facts=tuple(parse_fact(text) for text in params.all("fact")),
        local_hukou=not params.flag("non_local"),
        reference=params.flag("reference"),
    )
