"""Schema of the policy knowledge base: one `PolicyDocument` per local document, plus the shared vocabulary.

Every amount, date, window and step carries a `Citation` whose quote must occur in the document's source text
(checked by `bot.policy.citations`). Unknown keys and wrong types are rejected, so a typo in a YAML file fails
loudly instead of silently dropping a rule.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.policy.cited import Cited, NotCited

# The figures of a document, each with the unit it is written in and the passage that states it (bot.policy.cited).
Yuan = Annotated[int, Cited("yuan")]
CitedDate = Annotated[date, Cited("date")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Citation(Strict):
    """A passage of the source document: section heading as the document numbers it, and a verbatim quote."""

    section: str
    quote: str = Field(min_length=4)


class CitedText(Strict):
    text: str
    cite: Citation


# --- shared vocabulary -----------------------------------------------------------------------------------------


class VocabularyTerm(Strict):
    """A status (低保, 特困 …) or situation (职工医保断保 …) with the words residents use for it.

    `parents` makes the vocabulary a small graph: 农村一类低保 is a 农村低保 is a 低保; 脱贫不稳定户 is both a
    监测对象 and an 易返贫致贫人口. A document rule written for a parent applies to its descendants.
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    kind: Literal["status", "situation"] = "status"
    synonyms: list[str] = []
    parents: list[str] = []
    description: str | None = None


class Vocabulary(Strict):
    terms: list[VocabularyTerm]
    none_words: list[str] = Field(description="words meaning 'none of these' (没有, 都不是 …)")


# --- one document ----------------------------------------------------------------------------------------------


class SourceDocument(Strict):
    file: str
    title: str
    number: str | None = None
    issuer: str
    issued: Annotated[date | None, NotCited("the document's own date, shown with its title")] = None
    short_title: str | None = Field(
        default=None, description="a short name for references where the document has no number (沁源县2023年度方案)"
    )
    enquiries: str = Field(description="where a resident asks when the document is silent")


class Place(Strict):
    name: str
    kind: str
    aliases: list[str] = []
    cite: Citation | None = Field(
        default=None, description="where the document names the place; None for well-known administrative units"
    )


class Jurisdiction(Strict):
    name: str
    full_name: str
    aliases: list[str] = []
    parents: list[str] = Field(
        default=[], description="larger units the document does not cover whole (安化县 for 冷市镇)"
    )
    subunits: list[Place] = []


class Period(Strict):
    start: CitedDate | None
    end: CitedDate | None
    text: str = Field(description="the period as the document words it")
    cite: Citation


class Amount(Strict):
    amount: Yuan = Field(gt=0)
    cite: Citation


class DayRange(Strict):
    first: Annotated[int, Cited("day_of_month", by="parent")] = Field(ge=1, le=31)
    last: Annotated[int, Cited("day_of_month", by="parent")] = Field(ge=1, le=31)


class Collection(Strict):
    """The collection (征缴) window for this benefit year. None for a bound means the document gives none."""

    start: CitedDate | None
    start_text: str | None = None
    end: CitedDate | None
    end_text: str | None = None
    days_of_month: DayRange | None = None
    cite: Citation
    extra_cites: list[Citation] = Field(default=[], description="passages the window's dates rest on (their year)")

    @model_validator(mode="after")
    def _bounds_explained(self) -> Collection:
        if self.start is None and not self.start_text:
            raise ValueError("start is null: start_text must say how the document words the start")
        if self.start and self.end and self.start > self.end:
            raise ValueError("start is after end")
        return self


class Addon(Strict):
    id: str
    name: str
    amount: Yuan = Field(gt=0)
    voluntary: bool
    cite: Citation
    paid_for_subsidised_by: str | None = Field(
        default=None, description="who pays the add-on for residents whose fee is subsidised"
    )
    paid_for_subsidised_cite: Citation | None = None
    claims_by: str | None = Field(default=None, description="who collects the add-on and settles its claims")
    claims_cite: Citation | None = None


class Payer(Strict):
    name: str | None = Field(description="None: the document does not say who pays")
    amount: Annotated[int | None, Cited("yuan", by="parent")] = Field(default=None, gt=0)


class Subsidy(Strict):
    """What a category receives toward the standard personal fee.

    full: the whole fee; fixed: `amount` yuan (or the sum of the payers' amounts); percent: `percent` of the
    standard fee; none: the document says there is no subsidy; unstated: a subsidy exists but its amount is not
    given (the personal payment is then unknown and never guessed).
    """

    kind: Literal["full", "fixed", "percent", "none", "unstated"]
    amount: Yuan | None = Field(default=None, gt=0)
    percent: Annotated[int | None, Cited("percent")] = Field(default=None, gt=0, le=100)
    payers: list[Payer] = []
    personal_stated: Yuan | None = Field(
        default=None, ge=0, description="the personal payment the document itself states; the engine must agree"
    )
    cite: Citation
    extra_cites: list[Citation] = Field(default=[], description="passages a derived amount rests on")

    @model_validator(mode="after")
    def _consistent(self) -> Subsidy:
        payer_amounts = [p.amount for p in self.payers if p.amount is not None]
        if self.kind == "fixed":
            if self.amount is None and len(payer_amounts) != len(self.payers or [None]):
                raise ValueError("fixed subsidy needs amount, or an amount for every payer")
            if self.amount is not None and payer_amounts and sum(payer_amounts) != self.amount:
                raise ValueError("payer amounts do not add up to amount")
        if self.kind == "percent" and self.percent is None:
            raise ValueError("percent subsidy needs percent")
        if self.kind != "percent" and self.percent is not None:
            raise ValueError("percent is only for kind percent")
        if self.kind in ("full", "none", "unstated") and self.amount is not None:
            raise ValueError(f"kind {self.kind} takes no amount")
        if self.kind == "none" and self.payers:
            raise ValueError("kind none takes no payers")
        return self


class Fact(Strict):
    """A yes/no fact some rule needs beyond the resident's status (e.g. registered in the elderly window)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    question: str
    cite: Citation


class RegistrationWindow(Strict):
    """A window in which the resident must register for the category to apply (沁源县 elderly)."""

    start: CitedDate
    end: CitedDate
    cite: Citation


class LocalCategory(Strict):
    """A category as this document defines it, mapped onto shared vocabulary ids."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    matches: list[str] = Field(default=[], description="shared ids; the resident has any of them")
    all_of: list[str] = Field(default=[], description="shared ids; the resident has all of them")
    excludes: list[str] = Field(default=[], description="not applicable to residents who also have these")
    only_if_no_other: bool = Field(
        default=False, description="applies only when no other category of this document applies (单纯…)"
    )
    born_on_or_before: Annotated[date | None, Cited("date", by="age_cite")] = Field(
        default=None, description="applies by birth date, unasked")
    age_cite: Citation | None = None
    requires_local_hukou: bool = False
    hukou_cite: Citation | None = None
    requires_fact: str | None = Field(
        default=None, description="fact asked only once the registration window has closed"
    )
    registration: RegistrationWindow | None = None
    subsidy: Subsidy
    payment_timing: Literal["collection", "separately_notified"] = "collection"
    payment_timing_cite: Citation | None = None
    instructions: list[CitedText] = []
    note: str | None = None

    @model_validator(mode="after")
    def _has_trigger(self) -> LocalCategory:
        if not (self.matches or self.all_of or self.born_on_or_before):
            raise ValueError("category needs matches, all_of or born_on_or_before")
        if self.born_on_or_before and not self.age_cite:
            raise ValueError("born_on_or_before needs age_cite")
        if self.requires_local_hukou and not self.hukou_cite:
            raise ValueError("requires_local_hukou needs hukou_cite")
        if self.registration and not self.requires_fact:
            raise ValueError("registration needs requires_fact (asked once the window has closed)")
        if self.payment_timing != "collection" and not self.payment_timing_cite:
            raise ValueError("payment_timing needs payment_timing_cite")
        return self


class PathWhen(Strict):
    """Conditions, all of which must hold, for an enrolment path to apply."""

    situation: str | None = None
    any_category: list[str] = []
    after_collection: bool | None = None
    born_within_days: Annotated[int | None, Cited("days", by="parent", followed_by="内")] = Field(default=None, gt=0)
    born_after_days: Annotated[int | None, Cited("days", by="parent", followed_by="内")] = Field(default=None, gt=0)
    born_year_offsets: Annotated[list[int], Cited("year_offset", by="parent")] = Field(
        default=[], description="birth year minus benefit year, e.g. [0]")
    fact: str | None = Field(default=None, description="a yes/no fact of the document; unanswered, it is asked")
    fact_is: bool = True


class Step(Strict):
    text: str
    cite: Citation
    applies_to: Literal["all", "subsidised", "unsubsidised", "paying"] = "all"


class PathNote(Strict):
    """A path note shown only to some residents (动态新增的困难对象: only to a resident who named a status)."""

    text: str
    applies_to: Literal["all", "with_status", "without_status"] = "all"


class EnrolmentPath(Strict):
    """One way of enrolling for this benefit year: regular, newborn, late, special situations.

    Paths are tried in file order; the first whose `when` holds applies. The last path must have no conditions.
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    when: PathWhen = PathWhen()
    fee: Literal["standard", "free", "full_financing", "unstated"]
    subsidies: Literal["apply", "unstated", "none"] = "apply"
    window: Literal["collection", "collection_then_until", "after_birth", "benefit_year", "unstated"]
    window_days: Annotated[int | None, Cited("days", followed_by="内")] = Field(
        default=None, gt=0, description="for after_birth: days after birth")
    window_until: CitedDate | None = None
    window_text: str | None = Field(default=None, description="for unstated: how the document words it")
    benefit_start: Literal["period_start", "birth", "payment", "payment_plus_days", "date", "unstated"]
    benefit_start_days: Annotated[int | None, Cited("days", followed_by="后")] = Field(default=None, gt=0)
    benefit_start_date: CitedDate | None = None
    benefit_start_text: str | None = None
    notes: list[str | PathNote] = []
    steps: list[Step] = Field(
        default=[], description="what a resident on this path does first (registration); replaces payment.enrolment"
    )
    after_window: CitedText | None = Field(
        default=None, description="what the document rules for a resident who missed this path's window"
    )
    cite: Citation
    extra_cites: list[Citation] = []

    @model_validator(mode="after")
    def _parameters_present(self) -> EnrolmentPath:
        if self.window == "after_birth" and self.window_days is None:
            raise ValueError("window after_birth needs window_days")
        if self.window == "collection_then_until" and self.window_until is None:
            raise ValueError("window collection_then_until needs window_until")
        if self.window == "unstated" and not self.window_text:
            raise ValueError("window unstated needs window_text")
        if self.benefit_start == "payment_plus_days" and self.benefit_start_days is None:
            raise ValueError("benefit_start payment_plus_days needs benefit_start_days")
        if self.benefit_start == "date" and self.benefit_start_date is None:
            raise ValueError("benefit_start date needs benefit_start_date")
        if self.benefit_start == "unstated" and not self.benefit_start_text:
            raise ValueError("benefit_start unstated needs benefit_start_text")
        return self


RESERVED_CHANNEL_ID = "register"  # the button for registration steps shares the channel buttons' payload


class Channel(Strict):
    id: str | None = Field(
        default=None, pattern=r"^[a-z][a-z0-9_]*$",
        description="stable id for buttons and `quote --channel`; default c1, c2 … in file order",
    )
    name: str
    steps: list[Step] = Field(min_length=1)


class Payment(Strict):
    enrolment: list[Step] = Field(default=[], description="what a new (or lapsed) enrollee does first")
    channels: list[Channel] = Field(min_length=1)
    proof: list[CitedText] = []
    records: CitedText | None = None
    lookup_problem: list[CitedText] = Field(default=[], description="what to do when payment finds no record")

    def channel_ids(self) -> list[str]:
        """Each channel's id, in file order (c1, c2 … where the file gives none)."""
        return [channel.id or f"c{number}" for number, channel in enumerate(self.channels, start=1)]

    @model_validator(mode="after")
    def _unique_channel_ids(self) -> Payment:
        ids = self.channel_ids()
        if len(ids) != len(set(ids)):
            raise ValueError(f"duplicate channel id in {ids}")
        if RESERVED_CHANNEL_ID in ids:
            raise ValueError(f"channel id {RESERVED_CHANNEL_ID!r} is reserved for the registration steps")
        return self


class Refund(Strict):
    text: str
    cite: Citation


class CombinationRule(Strict):
    rule: Literal["best_single", "unstated"]
    cite: Citation | None = None


class PolicyDocument(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    source: SourceDocument
    jurisdiction: Jurisdiction
    benefit_year: Annotated[int, Cited("year", by="benefit_period.cite")]
    benefit_period: Period
    standard_fee: Amount
    full_financing: Amount | None = Field(
        default=None, description="筹资标准 (personal + fiscal part) where the document gives it"
    )
    addons: list[Addon] = []
    collection: Collection
    combination: CombinationRule
    facts: list[Fact] = []
    categories: list[LocalCategory]
    paths: list[EnrolmentPath] = Field(min_length=1)
    payment: Payment
    refund: Refund | None = None
    coverage: CitedText | None = Field(default=None, description="who is covered (参保对象)")
    students: CitedText | None = None
    migrants: CitedText | None = None
    extras: dict[str, CitedText] = Field(
        default={}, description="passages for FAQ topics not modelled above, keyed by FAQ id (pay_for_family …)"
    )

    @field_validator("paths")
    @classmethod
    def _regular_path_last(cls, paths: list[EnrolmentPath]) -> list[EnrolmentPath]:
        if paths and paths[-1].when != PathWhen():
            raise ValueError(f"the last path must have no conditions: {paths[-1].id} is the regular path")
        return paths

    @model_validator(mode="after")
    def _internal_references(self) -> PolicyDocument:
        fact_ids = {f.id for f in self.facts}
        ids = [c.id for c in self.categories]
        if len(ids) != len(set(ids)):
            raise ValueError("duplicate category id")
        for category in self.categories:
            if category.requires_fact and category.requires_fact not in fact_ids:
                raise ValueError(f"category {category.id}: unknown fact {category.requires_fact}")
        for path in self.paths:
            if path.when.fact and path.when.fact not in fact_ids:
                raise ValueError(f"path {path.id}: unknown fact {path.when.fact}")
        return self
