"""FAQ answers rendered from the policy data: one source of truth for every number, date and step.

policies/faq/answers.yaml says, per FAQ id, which template of dialogs/templates/faq/ answers it and with which
parameters. A template reads one jurisdiction's document through `DocumentView` and cites what it uses with
`cite(...)`, which prints a footnote mark and records the passage. Where the document is silent the template
says so and names where to ask.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from bot.policy.loader import parse_model, policy_dir, read_yaml
from bot.policy.model import Channel, Citation, CitedText, EnrolmentPath, LocalCategory, PolicyDocument, Step
from bot.policy.vocabulary import VocabularyIndex
from bot.quote.categories import subsidy_amount
from bot.quote.result import Source


class AnswerSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    template: str
    terms: list[str] = []  # subsidy_for: vocabulary ids asked about
    age: bool = False  # subsidy_for: include categories defined by birth date
    channel_words: list[str] = []  # channels: only channels whose name contains one of these
    field: str | None = None  # passage/list: a document field
    extra: str | None = None  # passage: a key of the document's extras
    situation: str | None = None  # paths: a situation id
    situations: list[str] = []  # paths: several situation ids (复转军人, 刑满释放人员, 当年新迁入户口)
    path_filter: str | None = None  # paths: "newborn"
    waiting: bool = False  # late: only paths with a waiting period
    words: list[str] = []  # list: only items whose text contains one of these
    # Further keys of the document's extras, rendered after the answer where the document has them (a passage
    # that belongs to this topic in one document only: 冷市镇's children taken in by welfare institutions).
    more_extras: list[str] = []


@cache
def load_answer_specs(path: Path | None = None) -> dict[str, AnswerSpec]:
    path = path or policy_dir() / "faq" / "answers.yaml"
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: expected a mapping of FAQ id to answer spec")
    return {key: parse_model(AnswerSpec, value, path) for key, value in raw.items()}


@dataclass
class Citer:
    """Numbers the passages a template cites (［1］, ［2］ …) and keeps them for the sources list."""

    document: PolicyDocument
    sources: list[Source] = field(default_factory=list)

    def __call__(self, citation: Citation | None) -> str:
        if citation is None:
            return ""
        name = f"《{self.document.source.title}》" + (f"（{self.document.source.number}）"
                                                       if self.document.source.number else "")
        source = Source(name, citation.section, citation.quote)
        if source not in self.sources:
            self.sources.append(source)
        return f"［{self.sources.index(source) + 1}］"


@dataclass(frozen=True)
class CategoryLine:
    label: str
    words: str  # 全额资助 / 个人缴费标准的80% / 定额资助
    subsidy: int | None
    personal: int | None
    payers: str
    category: LocalCategory


@dataclass(frozen=True)
class StatusSubsidy:
    """One status's subsidy in one document, matched as the quote engine matches it (bot.quote.categories.select):
    the categories of the status or a broader one; else, for a broad status (低保) the document splits, the
    categories of its kinds, with the kinds it gives nothing (``uncovered``); ``combined``: categories for residents
    holding this status with another (乌拉特前旗's 脱贫享受政策人员（过渡期内）中的低保对象)."""

    lines: list[CategoryLine]
    uncovered: list[str]
    combined: list[CategoryLine]


class DocumentView:
    """What templates may ask of one document, in words a resident understands."""

    def __init__(self, document: PolicyDocument, vocabulary: VocabularyIndex) -> None:
        self.doc = document
        self.vocabulary = vocabulary
        self.fee = document.standard_fee.amount

    def categories_for(self, terms: list[str], age: bool = False) -> list[CategoryLine]:
        wanted: set[str] = set()
        for term in terms:
            wanted |= self.vocabulary.ancestors(term) | self.vocabulary.descendants(term)
        lines = []
        for category in self.doc.categories:
            hit = bool(set(category.matches) & wanted) or bool(set(category.all_of) & wanted)
            if (hit and terms) or (age and category.born_on_or_before):
                lines.append(self._line(category))
        return lines

    def all_categories(self) -> list[CategoryLine]:
        return self.categories_for(list(self.vocabulary.terms), age=True)

    def held_first(self, lines: list[CategoryLine], held: tuple[str, ...]) -> list[CategoryLine]:
        """``lines`` with the combined categories whose statuses are all ``held`` first (a resident who is both
        脱贫 and 低保 reads 乌拉特前旗's 脱贫享受政策人员（过渡期内）中的低保对象 first), the rest in the document's order."""
        if not held:
            return lines
        expanded: set[str] = set()
        for status in held:
            expanded |= self.vocabulary.ancestors(status)

        def combined_and_held(line: CategoryLine) -> bool:
            return len(line.category.all_of) >= 2 and set(line.category.all_of) <= expanded

        return sorted(lines, key=lambda line: not combined_and_held(line))

    def combined_categories(self) -> list[CategoryLine]:
        """Categories for residents holding several statuses at once (乌拉特前旗's 脱贫享受政策人员（过渡期内）中的低保对象)."""
        return [line for line in self.all_categories() if len(line.category.all_of) >= 2]

    def channels(self, words: list[str]) -> list[Channel]:
        if not words:
            return list(self.doc.payment.channels)
        return [c for c in self.doc.payment.channels if any(w in c.name for w in words)]

    def newborn_paths(self) -> list[EnrolmentPath]:
        return [p for p in self.doc.paths if p.when.born_within_days or p.when.born_after_days
                or p.when.born_year_offsets]

    def situation_paths(self, situation: str | None, situations: list[str] | None = None) -> list[EnrolmentPath]:
        wanted = {situation, *(situations or [])} - {None}
        return [p for p in self.doc.paths if p.when.situation in wanted]

    def late_paths(self, waiting: bool = False) -> list[EnrolmentPath]:
        # Paths for after the window, and paths whose own window runs on past it (沁源's 2022 newborns:
        # "错过缴费期的可于2023年3月25日前办理参保手续").
        late = [p for p in self.doc.paths if p.when.after_collection or p.window == "collection_then_until"]
        if waiting:
            late = [p for p in late if p.benefit_start == "payment_plus_days"]
        return late

    def steps(self, field_name: str, words: list[str] | None = None) -> list[CitedText | Step]:
        """A payment field's items; with ``words``, only those whose text contains one of them."""
        value = getattr(self.doc.payment, field_name, None)
        if value is None:
            return []
        items = list(value) if isinstance(value, list) else [value]
        return [item for item in items if not words or any(word in item.text for word in words)]

    def status_categories(self, status: str) -> list[CategoryLine]:
        """The document's categories for one status (a vocabulary id, or "elderly": categories by birth date)."""
        if status == "elderly":
            return self.categories_for([], age=True)
        # As the quote engine matches them (status_subsidy): 乌拉特前旗's 易返贫致贫人口 are its 监测户.
        found = self.status_subsidy(status)
        return found.lines + found.combined

    def status_subsidy(self, status: str) -> StatusSubsidy:
        """What the document subsidises for a resident of this one status: never the lines of a status it only
        groups with it in a FAQ entry (冷市镇 subsidises 监测对象, not 稳定脱贫人口)."""
        lineage = self.vocabulary.ancestors(status)
        direct = [c for c in self.doc.categories if not lineage.isdisjoint(c.matches)]
        uncovered: list[str] = []
        if not direct:
            for leaf in self.vocabulary.leaves_under(status):
                found = [c for c in self.doc.categories if not self.vocabulary.ancestors(leaf).isdisjoint(c.matches)]
                if not found:
                    uncovered.append(self.vocabulary.name(leaf))
                direct.extend(c for c in found if c not in direct)
            if not direct:
                uncovered = []
        combined = [c for c in self.doc.categories if len(c.all_of) >= 2 and not lineage.isdisjoint(c.all_of)]
        return StatusSubsidy([self._line(c) for c in direct], uncovered, [self._line(c) for c in combined])

    def _line(self, category: LocalCategory) -> CategoryLine:
        amount = subsidy_amount(category, self.fee)
        personal = None if amount is None else self.fee - amount
        return CategoryLine(category.label, _words(category), amount, personal, _payers(category), category)

    def status_late_paths(self, status: str) -> list[EnrolmentPath]:
        """Late-enrolment paths written for this status (or a broader or narrower one)."""
        if status == "elderly":
            return []
        related = self.vocabulary.ancestors(status) | self.vocabulary.descendants(status)
        return [p for p in self.doc.paths if p.when.any_category and related & set(p.when.any_category)]

    def passage(self, field_name: str | None, extra: str | None) -> CitedText | None:
        if extra:
            return self.doc.extras.get(extra)
        value = getattr(self.doc, field_name or "", None)
        return value if isinstance(value, CitedText) else None

    def more(self, keys: list[str]) -> list[CitedText]:
        """The document's extras under these keys, in this order; keys it does not have are skipped."""
        return [self.doc.extras[key] for key in keys if key in self.doc.extras]

    def choice_steps(self) -> list[Step]:
        return [s for c in self.doc.payment.channels for s in c.steps if "选择" in s.text]

    def choice_instructions(self) -> list[tuple[str, CitedText]]:
        found = []
        for category in self.doc.categories:
            for instruction in category.instructions:
                if "选择" in instruction.text:
                    found.append((category.label, instruction))
        return found


def _words(category: LocalCategory) -> str:
    subsidy = category.subsidy
    return {"full": "全额资助", "fixed": "定额资助", "none": "不享受资助", "unstated": "按相关政策资助（金额文件未写明）"}.get(
        subsidy.kind, f"按个人缴费标准的{subsidy.percent}%资助"
    )


def _payers(category: LocalCategory) -> str:
    names = []
    for payer in category.subsidy.payers:
        name = payer.name or "文件未写明出资部门"
        names.append(f"{name}{payer.amount}元" if payer.amount and len(category.subsidy.payers) > 1 else name)
    return "、".join(names)
