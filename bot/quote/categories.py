"""Which of a document's categories apply to a resident, and which subsidy wins when several do."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from bot.errors import UserInputError
from bot.identity_cache import IdentityCache
from bot.policy.model import LocalCategory, PolicyDocument
from bot.policy.vocabulary import Refinement, VocabularyIndex


class RefinementNeeded(UserInputError):
    """A status that this document splits further (山丹县 低保 → 一、二类 or 三、四类): ask which."""

    def __init__(self, refinement: Refinement, vocabulary: VocabularyIndex, region: str) -> None:
        self.refinement = refinement
        names = tuple(vocabulary.name(option) for option in refinement.options)
        super().__init__(
            "category",
            f"{region}对「{vocabulary.name(refinement.term)}」按类别分别资助，请说明是哪一类",
            example=names[0],
            suggestions=names,
        )


@dataclass
class Selection:
    applicable: list[LocalCategory] = field(default_factory=list)
    unmatched_terms: list[str] = field(default_factory=list)  # statuses this document gives no rule for
    excluded: list[tuple[LocalCategory, str]] = field(default_factory=list)  # and why
    pending_fact: list[LocalCategory] = field(default_factory=list)  # depend on a fact not yet given
    # 单纯… categories the resident's other statuses set aside: reading "单纯" that way is itself a choice
    # about combining statuses, which the answer must own up to where the document has no combination rule.
    superseded: list[LocalCategory] = field(default_factory=list)
    trace: list[str] = field(default_factory=list)


def subsidy_amount(category: LocalCategory, standard_fee: int) -> int | None:
    """Yuan toward the personal fee; None when the document does not give the amount."""
    subsidy = category.subsidy
    if subsidy.kind == "full":
        return standard_fee
    if subsidy.kind == "fixed":
        if subsidy.amount is not None:
            return subsidy.amount
        return sum(payer.amount or 0 for payer in subsidy.payers)
    if subsidy.kind == "percent":
        assert subsidy.percent is not None  # guaranteed by the schema
        share = standard_fee * subsidy.percent
        if share % 100:
            return None  # a fraction of a yuan: never rounded silently (`bot check` flags it)
        return share // 100
    if subsidy.kind == "none":
        return 0
    return None


class _CategoryRule(NamedTuple):
    """A category with what ``select`` reads of it for every quote, as plain values: the policy models are pydantic,
    whose ``__getattr__`` hook leaves every attribute read on them without CPython's fast path, and a turn's "would
    this change the answer?" checks select categories dozens of times."""

    category: LocalCategory
    matches: frozenset[str]
    all_of: frozenset[str]
    born_on_or_before: date | None


_RULES: IdentityCache[tuple[_CategoryRule, ...]] = IdentityCache(64)


def _category_rules(document: PolicyDocument) -> tuple[_CategoryRule, ...]:
    return _RULES.get(document, None, _read_category_rules, document)


def _read_category_rules(document: PolicyDocument) -> tuple[_CategoryRule, ...]:
    return tuple(_CategoryRule(c, frozenset(c.matches), frozenset(c.all_of), c.born_on_or_before)
                 for c in document.categories)


def select(
    document: PolicyDocument,
    vocabulary: VocabularyIndex,
    claimed: list[str],
    birth: date | None,
    payment_date: date,
    local_hukou: bool,
    facts: dict[str, bool],
) -> Selection:
    """Match the resident's statuses onto the document's categories, applying the document's own limits."""
    selection = Selection()
    rules = _category_rules(document)
    lineages: dict[str, frozenset[str]] = {term: vocabulary.ancestors(term) for term in claimed}
    matched: list[LocalCategory] = []
    for term in claimed:
        if vocabulary.terms[term].kind == "situation":
            continue
        lineage = lineages[term]
        # (isdisjoint inline: this runs for every category and status of every quote.)
        direct = [c for c, matches, _, _ in rules if not lineage.isdisjoint(matches)]
        if direct:
            matched.extend(direct)
            continue
        # A broad word (低保) whose parts this document treats differently must be narrowed down.
        leaves = vocabulary.leaves_under(term)
        outcomes = {
            leaf: frozenset(c.id for c, matches, _, _ in rules if not vocabulary.ancestors(leaf).isdisjoint(matches))
            for leaf in leaves
        }
        distinct: set[frozenset[str]] = set(outcomes.values())
        if len(distinct) > 1:
            raise RefinementNeeded(Refinement(term, tuple(leaves)), vocabulary, document.jurisdiction.name)
        ids = distinct.pop() if distinct else frozenset()
        if ids:
            matched.extend(c for c in document.categories if c.id in ids)
            continue
        selection.unmatched_terms.append(term)

    all_lineage: set[str] = set().union(*lineages.values())
    for category, _, all_of, born_on_or_before in rules:
        if all_of and all_lineage.issuperset(all_of):
            matched.append(category)
        if born_on_or_before and birth and birth <= born_on_or_before:
            matched.append(category)
            selection.trace.append(f"按出生日期属于：{category.label}")

    unique = list({c.id: c for c in matched}.values())
    candidates: list[LocalCategory] = []
    for category in unique:
        reason = _exclusion(category, all_lineage, local_hukou)
        if reason:
            selection.excluded.append((category, reason))
            continue
        candidates.append(category)

    # 单纯… / 不属于上述人员范围: only when nothing else of this document applies.
    for category in list(candidates):
        # "不属于上述人员范围": only subsidised categories count as "other" (沁源 稳定脱贫 gives none).
        if category.only_if_no_other and any(
            other is not category and other.subsidy.kind != "none" for other in candidates
        ):
            candidates.remove(category)
            selection.superseded.append(category)
            selection.excluded.append((category, "文件规定仅适用于不属于其他资助类别的人员"))

    for category in candidates:
        if category.registration and payment_date > category.registration.end and category.requires_fact:
            answer = facts.get(category.requires_fact)
            if answer is False:
                selection.excluded.append((category, "未在规定时间内登记"))
                continue
            if answer is None:
                selection.pending_fact.append(category)
                continue
        selection.applicable.append(category)
    return selection


def _exclusion(category: LocalCategory, lineage: set[str], local_hukou: bool) -> str | None:
    if not lineage.isdisjoint(category.excludes):
        return "文件规定不含已纳入低保、特困供养范围人员等（见原文）"
    if category.requires_local_hukou and not local_hukou:
        return "文件规定须为本地户籍（或在户籍所在地参保）"
    return None


def best(categories: list[LocalCategory], standard_fee: int) -> tuple[LocalCategory | None, bool]:
    """The most favourable category, and whether the choice is certain.

    Uncertain when a category with an unstated amount competes with known ones that are not already full.
    """
    subsidised = [c for c in categories if c.subsidy.kind != "none"]
    if not subsidised:
        return (categories[0] if categories else None), True
    known = [(subsidy_amount(c, standard_fee), c) for c in subsidised]
    amounts = [(amount, c) for amount, c in known if amount is not None]
    unknown = [c for amount, c in known if amount is None]
    if amounts:
        top_amount, top = max(amounts, key=lambda item: item[0])
        if unknown and top_amount < standard_fee:
            return unknown[0], False
        return top, True
    return unknown[0], False
