"""Each figure of a quote with the passage it rests on, so staff can check a number against the document.

The quote engine cites every passage it uses (`Quote.sources`); this module says which of them stands behind
which figure, by looking the quote's own choices (its path, its winning category) up in the document.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.policy.model import Citation, EnrolmentPath, LocalCategory, PolicyDocument
from bot.quote.result import Quote


@dataclass(frozen=True)
class Figure:
    key: str  # the Quote field it shows
    label: str
    value: str
    citations: tuple[Citation, ...]


def _yuan(amount: int | None, unknown: str = "文件未写明，无法确定") -> str:
    return unknown if amount is None else f"{amount}元"


def _day(value: date | None, unknown: str = "文件未写明") -> str:
    return unknown if value is None else f"{value.year}年{value.month}月{value.day}日"


def _category(document: PolicyDocument, label: str | None) -> LocalCategory | None:
    return next((c for c in document.categories if c.label == label), None) if label else None


def _path(document: PolicyDocument, path_id: str) -> EnrolmentPath:
    return next(p for p in document.paths if p.id == path_id)


def figures_of(quote: Quote, document: PolicyDocument) -> list[Figure]:
    path = _path(document, quote.path)
    winner = _category(document, quote.winning_category)
    fee_cites = (document.standard_fee.cite,)
    subsidy_cites: tuple[Citation, ...] = ()
    if winner is not None:
        subsidy_cites = (winner.subsidy.cite, *winner.subsidy.extra_cites)
    if path.fee == "full_financing" and document.full_financing is not None:
        fee_cites = (document.full_financing.cite,)
    if path.fee in ("free", "unstated", "full_financing"):
        subsidy_cites = (path.cite,)

    payers = "、".join(
        (share.payer or "文件未写明出资部门") + (f" {share.amount}元" if share.amount and len(quote.subsidy_payers) > 1
                                               else "")
        for share in quote.subsidy_payers
    )
    subsidy_text = _yuan(quote.subsidy) if quote.subsidy != 0 else "无"
    if quote.subsidy and payers:
        subsidy_text += f"（{payers}）"
    window_cites: tuple[Citation, ...] = (document.collection.cite,) if path.window in ("collection", "collection_then_until") \
        else (path.cite,)
    if path.window == "collection_then_until":
        window_cites = (document.collection.cite, path.cite)
    benefit_cites = (document.benefit_period.cite,) if path.benefit_start == "period_start" \
        else (path.cite, document.benefit_period.cite)

    if quote.payable_on_date:
        payable = f"{_day(quote.payment_date)}可以办理"
    elif quote.payable_on_date is None:
        payable = f"{_day(quote.payment_date)}能否办理：文件未写明"
    else:
        payable = f"{_day(quote.payment_date)}不能办理"
        if quote.next_payable_date:
            payable += f"，最近可办理日期：{_day(quote.next_payable_date)}"

    figures = [
        Figure("path_label", "适用情形", quote.path_label, (path.cite,)),
        Figure("standard_fee", "个人缴费标准", _yuan(quote.standard_fee), fee_cites),
        Figure("subsidy", "资助" + (f"（{quote.winning_category}）" if quote.winning_category else ""),
               subsidy_text, subsidy_cites),
        Figure("personal_payment", "个人应缴", _yuan(quote.personal_payment), fee_cites + subsidy_cites),
        Figure("deadline", "缴费截止", _day(quote.deadline), window_cites),
        Figure("payable_on_date", "缴费日期", payable, window_cites),
        Figure("benefit_start", "待遇开始", _day(quote.benefit_start, quote.benefit_text or "文件未写明"),
               benefit_cites),
        Figure("benefit_end", "待遇结束", _day(quote.benefit_end), (document.benefit_period.cite,)),
    ]
    for offer in quote.optional_addons:
        addon = next((a for a in document.addons if a.id == offer.id), None)
        who = f"，由{offer.paid_by}代缴" if offer.paid_by else ("，自愿参加" if offer.voluntary else "")
        figures.append(Figure(f"addon:{offer.id}", offer.name, f"{offer.amount}元{who}",
                              (addon.cite,) if addon else ()))
    return figures
