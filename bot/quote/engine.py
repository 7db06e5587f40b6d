"""Turning a resident's facts into a complete, cited answer. Pure: no I/O, no clock, no channel."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from functools import lru_cache
from typing import NamedTuple

from bot.errors import NotCoveredError, UserInputError
from bot.identity_cache import IdentityCache
from bot.policy.loader import KnowledgeBase
from bot.policy.model import Citation, EnrolmentPath, LocalCategory, PathNote, PolicyDocument, Step
from bot.policy.places import PlaceIndex, PlaceMatch
from bot.policy.vocabulary import VocabularyIndex
from bot.quote import memo, windows
from bot.quote.categories import RefinementNeeded, Selection, best, select, subsidy_amount
from bot.quote.result import AddonOffer, ChannelGuide, MissingFact, Outcome, PayerShare, Quote, QuoteRequest, Source


def uses_birth(document: PolicyDocument, on: date | None = None) -> bool:
    """Whether any rule of the document depends on the birth date (age groups, newborns).

    With `on` (the payment date), a newborn rule that only applies after collection has closed (山丹: the notice
    says nothing of babies born after its deadline) counts only for dates past the close.
    """
    closes = document.collection.end
    after = None if on is None else closes is not None and on > closes
    # Worked out once per document and side of its close: a turn asks it of every quote made without a birth date.
    return _USES_BIRTH.get(document, after, _uses_birth, document, after)


_USES_BIRTH: IdentityCache[bool] = IdentityCache(256)  # three entries per document


def _uses_birth(document: PolicyDocument, after: bool | None) -> bool:
    """uses_birth, for a payment date after the close (True), before it (False) or any (None)."""
    if any(c.born_on_or_before for c in document.categories):
        return True
    for path in document.paths:
        when = path.when
        if not (when.born_within_days or when.born_after_days or when.born_year_offsets):
            continue
        if after is not None and when.after_collection is not None and after != when.after_collection:
            continue
        return True
    return False




class _PathRule(NamedTuple):
    """An enrolment path with its conditions (``path.when``) as plain values. The policy models are pydantic, and
    pydantic's ``__getattr__`` hook leaves every attribute read on them without CPython's fast path: ``_path`` reads
    these for every path of every quote (a turn's "would this change the answer?" checks make dozens of quotes)."""

    path: EnrolmentPath
    born_within_days: int | None
    born_after_days: int | None
    born_year_offsets: tuple[int, ...]
    situation: str | None
    any_category: frozenset[str]
    after_collection: bool | None
    fact: str | None
    fact_is: bool


class _DocumentView(NamedTuple):
    """What every quote reads of its document, as plain values (see _PathRule), worked out once per document."""

    paths: tuple[_PathRule, ...]
    last_path: EnrolmentPath  # the regular path (the schema puts the unconditional one last)
    document_id: str
    benefit_year: int
    year_end: date  # the last day of the benefit year
    region: str
    title: str  # as _document_name
    fee: int
    enquiries: str
    short: str  # the number, short title or title: Quote.document_short
    window_opens_text: str | None  # Quote.window_opens_text: the words for an undated opening


def _document_view(document: PolicyDocument) -> _DocumentView:
    source, collection = document.source, document.collection
    return _DocumentView(
        paths=tuple(
            _PathRule(path, when.born_within_days, when.born_after_days, tuple(when.born_year_offsets), when.situation,
                      frozenset(when.any_category), when.after_collection, when.fact, when.fact_is)
            for path in document.paths for when in (path.when,)),
        last_path=document.paths[-1],
        document_id=document.id,
        benefit_year=document.benefit_year,
        year_end=date(document.benefit_year, 12, 31),
        region=document.jurisdiction.name,
        title=_document_name(document),
        fee=document.standard_fee.amount,
        enquiries=source.enquiries,
        short=source.number or source.short_title or f"《{source.title}》",
        window_opens_text=collection.start_text if collection.start is None else None,
    )


class QuoteEngine:
    """Built once per knowledge base; `quote` is then a cheap, pure computation."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.places = PlaceIndex(kb.documents)
        self.vocabulary = VocabularyIndex(kb.vocabulary)
        self._by_jurisdiction: dict[str, list[PolicyDocument]] = {}
        for document in kb.documents:
            self._by_jurisdiction.setdefault(document.jurisdiction.name, []).append(document)
        # Every quote reads its place and statuses from words: the same few, over and over (a bounded memo; an
        # error is not remembered but raised again each time).
        self._resolve_place = lru_cache(maxsize=1024)(self.places.resolve)
        self._resolve_categories = lru_cache(maxsize=1024)(
            lambda words: tuple(self.vocabulary.resolve_all(words)))
        # covered_dates of each document, worked out once (every quote looks its document up by date).
        self._covered: dict[int, tuple[PolicyDocument, tuple[date, date]]] = {
            id(document): (document, self.covered_dates(document)) for document in kb.documents}
        # What every quote reads of its document, as plain values (see _DocumentView).
        self._views: dict[int, tuple[PolicyDocument, _DocumentView]] = {
            id(document): (document, _document_view(document)) for document in kb.documents}
        # (document, term) pairs: a running bot has a few hundred
        self._seen_as: IdentityCache[tuple[object, ...]] = IdentityCache(4096)

    # --- document choice ---------------------------------------------------------------------------------------

    def documents_for(self, jurisdiction: str) -> list[PolicyDocument]:
        return self._by_jurisdiction.get(jurisdiction, [])

    @staticmethod
    def covered_dates(document: PolicyDocument) -> tuple[date, date]:
        """Payment dates a document answers for.

        From the start of its collection year to the end of its benefit year, but not past the day before the
        anniversary of its collection start: from then on a payment most likely belongs to the next campaign,
        for which this document says nothing (沁源 2023年度 cannot answer for a payment in October 2023).
        """
        opening = document.collection.start or document.collection.end
        assert opening is not None  # the schema requires start or start_text; end or start is always dated
        last = date(document.benefit_year, 12, 31)
        start = document.collection.start
        if start is not None:
            anniversary = start.replace(year=start.year + 1) if not (start.month == 2 and start.day == 29) \
                else date(start.year + 1, 3, 1)
            last = min(last, anniversary - timedelta(days=1))
        else:
            # An undated start (山丹: 自本通知下发之日起) leaves the next campaign's opening undated too. The
            # document only tells a late payer that its deadline has passed; in the second half of the benefit
            # year a payment far more likely belongs to the next campaign, for which we give no number.
            last = min(last, date(document.benefit_year, 6, 30))
        return date(opening.year, 1, 1), last

    def _as_document_sees(self, document: PolicyDocument, term: str) -> tuple[object, ...]:
        """:meth:`_document_sees`, worked out once per document and term (each 低保 class is checked on every quote
        that needs the class: 山丹's "which class?" asks it for every class, every turn)."""
        return self._seen_as.get(document, term, self._document_sees, document, term)

    def _document_sees(self, document: PolicyDocument, term: str) -> tuple[object, ...]:
        """All that the figures of a quote can depend on about the status `term` in this document: its kind, the
        categories it matches or is excluded from, the paths it opens, the ids it brings to a combined category
        (all_of), and the term itself where it is a situation (matched by its own id) or still broad (narrowed
        further). Two terms alike in this give the same figures in every quote of the document; only the notes
        and trace, which name them, differ."""
        lineage = self.vocabulary.ancestors(term)
        combined = {t for c in document.categories for t in c.all_of}
        situations = {p.when.situation for p in document.paths}
        exact = term if term in situations or self.vocabulary.descendants(term) else None
        return (self.vocabulary.terms[term].kind,
                frozenset(c.id for c in document.categories if not lineage.isdisjoint(c.matches)),
                frozenset(c.id for c in document.categories if not lineage.isdisjoint(c.excludes)),
                frozenset(p.id for p in document.paths if not lineage.isdisjoint(p.when.any_category)),
                lineage & combined, exact)

    def _view(self, document: PolicyDocument) -> _DocumentView:
        found = self._views.get(id(document))
        return found[1] if found is not None and found[0] is document else _document_view(document)

    def _covered_dates(self, document: PolicyDocument) -> tuple[date, date]:
        found = self._covered.get(id(document))
        return found[1] if found is not None and found[0] is document else self.covered_dates(document)

    def document_for(self, jurisdiction: str, payment_date: date) -> PolicyDocument:
        """The document governing a payment on `payment_date`. Special paths (newborns, late enrolment) reach to
        the end of the benefit year; the regular path stops at covered_dates (checked once the path is known)."""
        documents = self.documents_for(jurisdiction)
        for document in documents:
            first, _ = self._covered_dates(document)
            if first <= payment_date <= self._view(document).year_end:
                return document
        raise self.not_covered(jurisdiction, payment_date)

    def not_covered(self, jurisdiction: str, payment_date: date) -> NotCoveredError:
        documents = self.documents_for(jurisdiction)
        spans = [(d, *self.covered_dates(d)) for d in documents]
        have = "；".join(
            f"{d.benefit_year}年度（适用于{first.isoformat()}至{last.isoformat()}缴费）" for d, first, last in spans
        )
        return NotCoveredError(
            "date",
            f"没有{jurisdiction}适用于{payment_date.isoformat()}缴费的政策文件（现有：{have}；该日期可能属于其他年度的征缴），"
            f"无法给出该日期的缴费金额，请咨询{documents[0].source.enquiries if documents else '当地医保部门'}",
        )

    def _locate(self, request: QuoteRequest) -> tuple[PlaceMatch, PolicyDocument, list[str]]:
        """The place, the governing document and the vocabulary ids of a request (errors for bad input)."""
        place = self._resolve_place(request.region)
        document = self.document_for(place.jurisdiction, request.payment_date)
        return place, document, list(self._resolve_categories(request.categories))

    def hukou_matters(self, request: QuoteRequest) -> bool:
        """Whether a category the resident meets is only for local residents: then the dialog asks."""
        return memo.recall((self, "hukou_matters", request), lambda: self._hukou_matters(request))

    def _hukou_matters(self, request: QuoteRequest) -> bool:
        try:
            _, document, claimed = self._locate(request)
        except NotCoveredError as error:
            if not request.reference or error.field != "date":
                raise
            request, _ = self._shifted(request, error)
            _, document, claimed = self._locate(request)
        selection = select(document, self.vocabulary, claimed, request.birth, request.payment_date, True,
                           dict(request.facts))
        return _for_local_residents_only(selection)

    # --- the quote -----------------------------------------------------------------------------------------------

    def quote(self, request: QuoteRequest) -> Quote:
        """The answer for `request`. Within ``memo.remembering()`` (a dialog turn) a request already answered is
        not computed again: the caller gets its own copy of the remembered quote."""
        return memo.recall((self, "quote", request), lambda: self._quote_or_reference(request), _copy)

    def outcome(self, request: QuoteRequest) -> Outcome:
        """What the quote for `request` decides (the figures, the winning category, the facts still asked), or the
        same error: for the dialog's "would this change the answer?" checks, which compare many requests and
        never show them. The same computation as `quote`, without working out the wording (steps, channels,
        passages, notes); tests/quote/test_outcome.py holds the two equal."""
        return memo.recall((self, "outcome", request), lambda: Outcome.of(self._quote_or_reference(request, True)))

    def _quote_or_reference(self, request: QuoteRequest, brief: bool = False) -> Quote:
        try:
            return self._quote(request, brief)
        except NotCoveredError as error:
            if not request.reference or error.field != "date":
                raise
            return self._reference_quote(request, error, brief)

    def document_on(self, jurisdiction: str, payment_date: date, reference: bool = False) -> tuple[PolicyDocument, date]:
        """The governing document and the date to read it on: the payment date itself, or for a reference
        answer the same day in the newest document's span (see reference_date)."""
        try:
            return self.document_for(jurisdiction, payment_date), payment_date
        except NotCoveredError:
            found = self.reference_date(jurisdiction, payment_date) if reference else None
            if found is None:
                raise
            return found

    def reference_date(self, jurisdiction: str, payment_date: date) -> tuple[PolicyDocument, date] | None:
        """For a date after every document of the place: the newest document, and the same day of the year in
        the span it covers (the latest such day: March 2026 maps to March 2024, a late payment for 2024, not to
        March 2023, before that campaign opened). None for a date some document covers, or before them all."""
        documents = self.documents_for(jurisdiction)
        if not documents:
            return None
        newest = max(documents, key=lambda d: d.benefit_year)
        if payment_date <= max(self._covered_dates(d)[1] for d in documents):
            return None
        first, last = self._covered_dates(newest)
        for year in range(last.year, first.year - 1, -1):
            day = _same_day_in(payment_date, year)
            if first <= day <= last:
                return newest, day
        return None

    def _shifted(self, request: QuoteRequest, error: NotCoveredError) -> tuple[QuoteRequest, PolicyDocument]:
        """The request moved into the newest document's span (birth moved by as many years), for reference."""
        place = self.places.resolve(request.region)
        found = self.reference_date(place.jurisdiction, request.payment_date)
        if found is None:
            raise error
        document, day = found
        years = request.payment_date.year - day.year
        birth = _same_day_in(request.birth, request.birth.year - years) if request.birth else None
        return replace(request, payment_date=day, birth=birth, reference=False), document

    def _reference_quote(self, request: QuoteRequest, error: NotCoveredError, brief: bool = False) -> Quote:
        shifted, document = self._shifted(request, error)
        day = shifted.payment_date
        years = request.payment_date.year - day.year
        quote = self._quote(shifted, brief)
        quote.reference = True
        quote.reference_date = day
        quote.payment_date = request.payment_date
        # Whether a day of the new campaign works is for the new notice to say, not this document.
        quote.payable_on_date = None
        quote.next_payable_date = None
        quote.trace.insert(0, f"缴费日期 {request.payment_date.isoformat()} 晚于所有文件 → 按最新文件 {document.id} "
                              f"参考计算，对应日期 {day.isoformat()}，出生日期同样前移{years}年")
        return quote

    def _quote(self, request: QuoteRequest, brief: bool = False) -> Quote:
        """The quote; `brief`: only what decides it (see `outcome`), its wording left empty."""
        place, document, claimed = self._locate(request)
        if request.birth is None and uses_birth(document, request.payment_date):
            raise UserInputError("birth", f"{document.jurisdiction.name}的规定与出生日期有关，请提供出生日期",
                                 example="1958-03-02")
        if request.birth is not None and request.birth > request.payment_date:
            raise UserInputError("birth", "出生日期晚于缴费日期", example="1958-03-02")
        facts = dict(request.facts)
        known_facts = {f.id for f in document.facts} if facts else set()
        for fact_id in facts:
            if fact_id not in known_facts:
                raise UserInputError(
                    "fact", f"{document.jurisdiction.name}的文件没有「{fact_id}」这一条件",
                    example=", ".join(sorted(known_facts)) or "（本地区无需补充条件）",
                )
        builder = _QuoteBuilder(self, document, request, claimed, facts, brief)
        try:
            quote = builder.build(place.matched_name, place.subunit)
        except RefinementNeeded as needed:
            return self._refinement_if_it_matters(needed, document, request, claimed, facts, place.matched_name,
                                                  place.subunit, brief)
        if request.local_hukou and builder.local_only is not None:
            # The statuses were matched just as hukou_matters(request) matches them (same document, claims, birth,
            # date and facts, as a local resident): within a turn that question is answered already.
            memo.remember((self, "hukou_matters", request), builder.local_only)
        return quote

    def _refinement_if_it_matters(
        self, needed: RefinementNeeded, document: PolicyDocument, request: QuoteRequest, claimed: list[str],
        facts: dict[str, bool], matched_name: str, subunit: str | None, brief: bool = False,
    ) -> Quote:
        """Ask which kind (of 低保 …) only when the kinds lead to different answers (山丹 低保 + 特困: never)."""
        term = needed.refinement.term
        kinds = [[option if t == term else t for t in claimed] for option in needed.refinement.options]
        outcomes = []
        # Kinds this document does not tell apart (under the same categories and paths) give the same figures: each
        # distinct one is computed once, in brief (only the figures are compared).
        seen: set[tuple[object, ...]] = set()
        distinct = []  # kinds[0] first: its quote is the one returned
        for option, narrowed in zip(needed.refinement.options, kinds, strict=True):
            alike = self._as_document_sees(document, option)
            if alike not in seen:
                seen.add(alike)
                distinct.append(narrowed)
        for narrowed in distinct:
            try:
                quote = _QuoteBuilder(self, document, request, narrowed, facts, brief=True).build(matched_name, subunit)
            except RefinementNeeded:
                raise needed from None
            outcomes.append(quote)
        figures = {(q.personal_payment, q.subsidy, q.deadline, q.payable_on_date, q.benefit_start, q.path)
                   for q in outcomes}
        if len(figures) > 1:
            raise needed
        quote = outcomes[0] if brief else _QuoteBuilder(self, document, request, kinds[0], facts).build(matched_name,
                                                                                                       subunit)
        quote.notes.append(f"「{self.vocabulary.name(term)}」属于哪一类不影响以上结果。")
        quote.trace.append(f"「{self.vocabulary.name(term)}」的各类别结果相同，无需细分")
        return quote


def _for_local_residents_only(selection: Selection) -> bool:
    """Whether a category the statuses meet is only for local residents (then registration is asked)."""
    return any(c.requires_local_hukou for c in selection.applicable + selection.pending_fact)


def _copy(quote: Quote) -> Quote:
    """A copy whose fields and lists can be changed without changing a remembered quote."""
    copied = object.__new__(Quote)  # as copy.copy, without its generic (slower) protocol
    copied.__dict__.update({name: list(value) if isinstance(value, list) else value
                            for name, value in vars(quote).items()})
    return copied


def _document_name(document: PolicyDocument) -> str:
    number = f"（{document.source.number}）" if document.source.number else ""
    return f"《{document.source.title}》{number}"


def _same_day_in(day: date, year: int) -> date:
    """`day` moved to `year` (29 February becomes 28 February)."""
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


class _QuoteBuilder:
    """One quote's working state: collects the figures, sources, notes and trace as it goes."""

    def __init__(
        self,
        engine: QuoteEngine,
        document: PolicyDocument,
        request: QuoteRequest,
        claimed: list[str],
        facts: dict[str, bool],
        brief: bool = False,
    ) -> None:
        self.engine = engine
        self.brief = brief  # only what decides the answer: no sources, notes, steps, channels (QuoteEngine.outcome)
        self.doc = document
        self.request = request
        self.claimed = claimed
        self.facts = facts
        self.sources: list[Source] = []
        self._cited: set[tuple[str, str]] = set()  # (section, quote): each passage is cited once
        self.view = engine._view(document)
        self._name = self.view.title
        self.notes: list[str] = []
        self.trace: list[str] = []
        self.fee = self.view.fee
        self.pending_path_fact: str | None = None
        self.local_only: bool | None = None  # a category met is for local residents only (set once matched)

    def cite(self, citation: Citation | None) -> None:
        if citation is None or self.brief:
            return
        passage = (citation.section, citation.quote)
        if passage not in self._cited:
            self._cited.add(passage)
            self.sources.append(Source(self._name, *passage))

    def _document_name(self) -> str:
        return self._name

    def note(self, text: str) -> None:
        if not self.brief and text not in self.notes:
            self.notes.append(text)

    # The order of these steps is the order of the trace a hotline worker reads.
    def build(self, matched_name: str, subunit: str | None) -> Quote:
        doc, request = self.doc, self.request
        # A brief quote (QuoteEngine.outcome) shows no trace: its lines are not formatted, as with notes and sources.
        if not self.brief:
            where = f"{doc.jurisdiction.name}（输入匹配「{matched_name}」{'，' + subunit if subunit else ''}）"
            self.trace.append(f"地区：{where} → 文件 {doc.id}：{self._document_name()}，{doc.benefit_year}年度")
            self.cite(doc.standard_fee.cite)
            self.trace.append(f"个人缴费标准：{self.fee}元")

        selection = select(
            doc, self.engine.vocabulary, self.claimed, request.birth, request.payment_date,
            request.local_hukou, self.facts,
        )
        self.local_only = _for_local_residents_only(selection)
        if not self.brief:
            self.trace.extend(selection.trace)
            self._explain_selection(selection)  # notes and passages only

        path = self._path(selection)
        view = self.view
        if path is view.last_path and request.payment_date > self.engine._covered_dates(doc)[1]:
            # A regular payment this late belongs to the next campaign, which this document does not cover.
            raise self.engine.not_covered(view.region, request.payment_date)
        if not self.brief:  # (cite and note keep nothing in a brief quote: its passages and notes are not read)
            self.trace.append(f"适用情形：{path.label}（{path.id}）")
            self.cite(path.cite)
            for extra in path.extra_cites:
                self.cite(extra)
            for note in path.notes:
                if isinstance(note, str):
                    self.note(note)
                elif self._note_applies(note):
                    self.note(note.text)

        winner, subsidy, payers, personal = self._money(path, selection)
        availability, deadline = self._availability(path, winner)
        benefit_start, benefit_end, benefit_text = self._benefit(path, availability.payable)
        addons: list[AddonOffer] = []
        steps: list[str] = []
        channels: list[ChannelGuide] = []
        registration: list[str] = []
        status_steps: list[str] = []
        if not self.brief:  # the wording: what to do and where (none of it changes a figure)
            addons = self._addons(winner, subsidy)
            steps = self._steps(winner, subsidy, personal, path)
            channels, registration, status_steps = self._guide(winner, personal, path)
        missing = [
            MissingFact(f.id, f.question)
            for f in doc.facts
            if any(c.requires_fact == f.id for c in selection.pending_fact) or f.id == self.pending_path_fact
        ] if selection.pending_fact or self.pending_path_fact is not None else []
        return Quote(
            region=view.region,
            document_id=view.document_id,
            document_title=view.title,
            benefit_year=view.benefit_year,
            standard_fee=self.fee,
            subsidy=subsidy,
            subsidy_payers=payers,
            personal_payment=personal,
            optional_addons=addons,
            deadline=deadline,
            payable_on_date=availability.payable,
            next_payable_date=availability.next_date,
            payment_date=request.payment_date,
            benefit_start=benefit_start,
            benefit_end=benefit_end,
            benefit_text=benefit_text,
            path=path.id,
            path_label=path.label,
            categories=[c.label for c in selection.applicable],
            winning_category=winner.label if winner else None,
            steps=steps,
            sources=self.sources,
            notes=self.notes,
            trace=self.trace,
            missing_facts=missing,
            enquiries=view.enquiries,
            document_short=view.short,
            channels=channels,
            registration_steps=registration,
            registration_required=bool(path.steps),
            status_steps=status_steps,
            window_opens_text=view.window_opens_text,
        )

    def _note_applies(self, note: PathNote) -> bool:
        vocabulary = self.engine.vocabulary
        with_status = any(vocabulary.terms[term].kind == "status" for term in self.claimed)
        if note.applies_to == "with_status":
            return with_status
        if note.applies_to == "without_status":
            return not with_status
        return True

    def _explain_selection(self, selection: Selection) -> None:
        vocabulary = self.engine.vocabulary
        names = [vocabulary.name(term) for term in self.claimed]
        self.trace.append(f"申报身份：{'、'.join(names) if names else '无'}")
        for category in selection.applicable:
            self.trace.append(f"符合：{category.label}")
        for category, reason in selection.excluded:
            self.trace.append(f"不适用：{category.label}（{reason}）")
            if category.hukou_cite and "户籍" in reason:
                self.cite(category.hukou_cite)
                self.note(f"「{category.label}」的资助{reason}；您不是本地户籍，按标准缴费。")
            if category.registration and "登记" in reason:
                self.cite(category.registration.cite)
                self.note(f"「{category.label}」须在规定时间登记，您未登记，需个人自行缴费。")
        for term in selection.unmatched_terms:
            self.note(
                f"{self._document_name()}未列出「{vocabulary.name(term)}」的参保资助，以下按其他身份或标准计算；"
                f"如有疑问请咨询{self.doc.source.enquiries}。"
            )
        situations = {p.when.situation for p in self.doc.paths}
        for term in self.claimed:
            if vocabulary.terms[term].kind == "situation" and term not in situations:
                self.note(f"{self._document_name()}未对「{vocabulary.name(term)}」作特别规定，按一般规定计算。")

    def _path(self, selection: Selection) -> EnrolmentPath:
        request = self.request
        lineage: set[str] = set()
        for term in self.claimed:
            lineage |= self.engine.vocabulary.ancestors(term)
        birth = request.birth
        # The same for every path (worked out once: every "would this change the answer?" check runs this).
        age_days = (request.payment_date - birth).days if birth else 0
        closes = self.doc.collection.end
        after = closes is not None and request.payment_date > closes
        opens = self.doc.collection.start
        benefit_year = self.view.benefit_year
        for path, within, after_days, offsets, situation, any_category, after_collection, fact, fact_is in (
                self.view.paths):
            if birth is None and (within or after_days or offsets):
                continue
            if situation and situation not in self.claimed:
                continue
            if any_category and lineage.isdisjoint(any_category):
                continue
            if after_collection is not None and after != after_collection:
                continue
            if within is not None and age_days > within:
                continue
            if after_days is not None and age_days <= after_days:
                continue
            if offsets and birth and birth.year - benefit_year not in offsets:
                continue
            if within and birth and opens and windows.plus_days(birth, within) < opens:
                continue  # the days after birth run out before this year's collection opens: not this document's
            if fact is not None:
                answer = self.facts.get(fact)
                if answer is None:
                    # The amount depends on a fact not given yet: no number, and the question is returned.
                    self.pending_path_fact = fact
                    return path
                if answer != fact_is:
                    continue
            return path
        raise AssertionError("the schema guarantees an unconditional last path")

    def _money(
        self, path: EnrolmentPath, selection: Selection
    ) -> tuple[LocalCategory | None, int | None, list[PayerShare], int | None]:
        """(winning category, subsidy, payers, personal payment); None amounts are unknown, never guessed."""
        fee = self.fee
        if self.pending_path_fact is not None:
            fact = next(f for f in self.doc.facts if f.id == self.pending_path_fact)
            self.cite(fact.cite)
            self.note(f"个人缴费取决于：{fact.question}（见下方说明）")
            self.trace.append(f"情形取决于尚未回答的条件「{fact.id}」→ 个人缴费未定")
            return None, None, [], None
        path_fee, path_subsidies = path.fee, path.subsidies  # (read once: pydantic attribute reads are slow)
        if path_fee == "free":
            self.trace.append("本情形免缴当年个人缴费")
            return None, 0, [], 0
        if path_fee == "unstated":
            self.note(f"文件未写明「{path.label}」的缴费金额，请咨询{self.doc.source.enquiries}。")
            return None, None, [], None
        if path_fee == "full_financing":
            self.note("本情形须按当年度居民医保筹资标准（含个人缴费部分和财政补助部分）一次性足额缴纳。")
            if self.doc.full_financing is None:
                self.note(f"文件未给出筹资标准的金额，请咨询{self.doc.source.enquiries}。")
                self.trace.append("筹资标准金额：文件未给出 → 个人缴费未知")
                return None, None, [], None
            self.cite(self.doc.full_financing.cite)
            return None, 0, [], self.doc.full_financing.amount

        candidates = selection.applicable + selection.pending_fact
        subsidised = [c for c in candidates if c.subsidy.kind != "none"]
        if path_subsidies == "none" or not candidates:
            if candidates and path_subsidies == "none":
                self.note(f"「{path.label}」按居民医保个人缴费标准缴费。")
            self.trace.append(f"资助：无 → 个人缴费 {fee}元")
            return None, 0, [], fee
        if path_subsidies == "unstated" and subsidised:
            self.note(
                f"文件未写明「{path.label}」时是否仍享受身份资助；标准个人缴费为{fee}元，"
                f"资助请咨询{self.doc.source.enquiries}。"
            )
            self.trace.append("资助：本情形下文件未写明 → 个人缴费未知")
            return None, None, [], None

        winner, certain = best(selection.applicable, fee)
        # A 单纯… category set aside by another status is a choice about combining statuses, unless the document
        # rules on that very combination (乌拉特前旗: 脱贫享受政策人员中的低保对象).
        ruled_together = {term for c in subsidised for term in c.all_of}
        set_aside = [c for c in selection.superseded if not set(c.matches) <= ruled_together]
        if len(subsidised) > 1 or (subsidised and set_aside):
            if self.doc.combination.rule == "best_single":
                self.cite(self.doc.combination.cite)
                self.trace.append("多重身份：文件规定按最优一项资助，不重复")
            else:
                self.note(
                    "文件未写明具有多重身份时如何资助；以上按其中最优的一项计算，"
                    f"请向{self.doc.source.enquiries}确认。"
                )
                self.trace.append("多重身份：文件未规定 → 按最优一项计算并提示")
        if selection.pending_fact:
            return self._pending(selection, winner)
        if winner is None:
            self.trace.append(f"资助：无 → 个人缴费 {fee}元")
            return None, 0, [], fee
        if not self.brief:  # (a brief quote keeps no passages: see cite)
            self.cite(winner.subsidy.cite)
            for extra in winner.subsidy.extra_cites:
                self.cite(extra)
        amount = subsidy_amount(winner, fee)
        if winner.note:
            self.note(winner.note)
        if amount is None or not certain:
            self.note(
                f"「{winner.label}」的资助金额文件未写明（{self._subsidy_words(winner)}），无法确定个人缴费，"
                f"请咨询{self.doc.source.enquiries}。"
            )
            self.trace.append(f"资助：{winner.label}，金额文件未写明 → 个人缴费未知")
            return winner, None, self._payers(winner, None), None
        personal = fee - amount
        if not self.brief:
            self.trace.append(
                f"资助：{winner.label}，{self._subsidy_words(winner)} = {amount}元 → 个人缴费 {fee} − {amount} = {personal}元"
            )
        if winner.subsidy.personal_stated is not None and winner.subsidy.personal_stated != personal:
            raise AssertionError(f"{self.doc.id}/{winner.id}: computed {personal}, document states "
                                 f"{winner.subsidy.personal_stated}")
        return winner, amount, self._payers(winner, amount), personal

    def _pending(
        self, selection: Selection, winner: LocalCategory | None
    ) -> tuple[LocalCategory | None, int | None, list[PayerShare], int | None]:
        """A category hangs on an unanswered fact: give both outcomes, and no single number."""
        fee = self.fee
        with_fact, _ = best(selection.applicable + selection.pending_fact, fee)
        amounts = []
        for option in (with_fact, winner):
            amount = subsidy_amount(option, fee) if option else 0
            amounts.append(None if amount is None else fee - amount)
        if amounts[0] == amounts[1]:
            return self._money_of(winner)
        for category in selection.pending_fact:
            if category.registration:
                self.cite(category.registration.cite)
        labels = "、".join(c.label for c in selection.pending_fact)
        yes, no = amounts
        self.note(
            f"「{labels}」的资助取决于是否已按规定登记：已登记的个人缴费{yes if yes is not None else '未知'}元，"
            f"未登记的个人缴费{no if no is not None else '未知'}元。"
        )
        self.trace.append("资助取决于尚未回答的条件 → 个人缴费未定")
        return None, None, [], None

    def _money_of(
        self, winner: LocalCategory | None
    ) -> tuple[LocalCategory | None, int | None, list[PayerShare], int | None]:
        if winner is None:
            return None, 0, [], self.fee
        amount = subsidy_amount(winner, self.fee)
        self.cite(winner.subsidy.cite)
        return winner, amount, self._payers(winner, amount), None if amount is None else self.fee - amount

    def _subsidy_words(self, category: LocalCategory) -> str:
        subsidy = category.subsidy
        if subsidy.kind == "full":
            return "全额资助"
        if subsidy.kind == "percent":
            return f"个人缴费标准的{subsidy.percent}%"
        if subsidy.kind == "fixed":
            return "定额资助"
        if subsidy.kind == "unstated":
            return "按相关政策资助"
        return "无资助"

    def _payers(self, category: LocalCategory, amount: int | None) -> list[PayerShare]:
        payers = category.subsidy.payers
        if not payers:
            return []
        # One payer carries the whole subsidy; several carry the shares the document names.
        single = len(payers) == 1
        shares = [PayerShare(p.name, amount if single else p.amount) for p in payers]
        if any(share.payer is None for share in shares):
            self.note("文件未写明资助资金由哪个部门承担。")
        return shares

    def _availability(
        self, path: EnrolmentPath, winner: LocalCategory | None
    ) -> tuple[windows.Availability, date | None]:
        doc, day = self.doc, self.request.payment_date
        collection = doc.collection
        if winner is not None and winner.payment_timing == "separately_notified":
            self.cite(winner.payment_timing_cite)
            self.note(f"「{winner.label}」的具体缴费时间另行通知，文件未给出日期。")
            return windows.Availability(None, None, "缴费时间另行通知"), None
        if winner is not None and winner.registration and day <= winner.registration.end:
            registration = winner.registration
            self.cite(registration.cite)
            self.note(
                f"须于{registration.start.isoformat()}至{registration.end.isoformat()}到户籍所在地行政村（社区）登记，"
                "登记后个人不缴费；错过登记时间需个人自行缴费。"
            )
            availability = windows.within(day, registration.start, registration.end, "登记时间")
            if not self.brief:
                self.trace.append(f"登记日期 {day.isoformat()}：{availability.reason}")
            return availability, registration.end

        deadline: date | None
        window = path.window  # (read once: pydantic attribute reads are slow)
        if window == "collection":
            if not self.brief:
                self.cite(collection.cite)
            availability = windows.in_collection(day, collection, doc.benefit_year)
            deadline = collection.end
            if collection.end is None:
                no_end = collection.end_text or "文件未写明缴费截止日期"
                self.note(f"{no_end}，请尽早缴费并向{doc.source.enquiries}确认截止日期。")
            if collection.start is None:
                self.note(f"缴费开始时间：{collection.start_text}。")
        elif window == "collection_then_until":
            assert path.window_until is not None
            availability = windows.in_collection(day, collection, doc.benefit_year)
            if collection.end is not None and day > collection.end:
                availability = windows.within(day, collection.end, path.window_until, "补办期")
            deadline = path.window_until
        elif window == "after_birth":
            assert path.window_days is not None and self.request.birth is not None  # path needs birth
            last = windows.plus_days(self.request.birth, path.window_days)
            # A baby born before this document's collection opens cannot pay this year's fee before it opens
            # (_path has checked that the 90 days reach that far).
            first = max(self.request.birth, collection.start) if collection.start else self.request.birth
            if day < first:
                availability = windows.Availability(False, first, f"{doc.benefit_year}年度缴费自{first.isoformat()}开始")
            else:
                availability = windows.within(day, first, last, f"出生后{path.window_days}天")
            deadline = last
        elif window == "benefit_year":
            # Document coverage already bounds the date by the end of the benefit year.
            availability = windows.Availability(True, None, f"{doc.benefit_year}年度内可办理")
            deadline = None
            self.note("文件未给出本情形的缴费截止日期。")
        else:
            availability = windows.Availability(None, None, path.window_text or "文件未写明")
            deadline = None
            self.note(f"{path.window_text}。")
        if not self.brief:
            self.trace.append(f"缴费日期 {day.isoformat()}：{availability.reason}")
        closed = availability.payable is False and availability.next_date is None
        if closed and (path.id == self.view.last_path.id or window == "collection"):
            self._missed_window(path)
        return availability, deadline

    def _missed_window(self, path: EnrolmentPath) -> None:
        """The collection window has closed: what the document rules for late payers, and the exceptions left.

        A path paid in the collection window (冷市镇 新入学大中专院校学生) falls under the regular path's rule."""
        doc, enquiries = self.doc, self.doc.source.enquiries
        after_window = path.after_window or doc.paths[-1].after_window
        if after_window is None:
            self.note(f"{self._document_name()}未规定集中缴费期结束后的补缴办法，请咨询{enquiries}。")
        else:
            self.cite(after_window.cite)
            self.note(after_window.text)
            open_to_resident = self._exceptions_not_claimed()
            if open_to_resident:
                self.note(
                    f"文件列明的特殊情况中，您还可能属于：{'、'.join(open_to_resident)}；"
                    f"如属于其中一种，请说明，或咨询{enquiries}。"
                )
        if self.request.payment_date.year >= doc.benefit_year:
            self.note(
                f"本文件只规定{doc.benefit_year}年度的参保缴费；如您要缴的是{doc.benefit_year + 1}年度的费用，"
                f"本文件未作规定，请咨询{enquiries}。"
            )

    def _exceptions_not_claimed(self) -> list[str]:
        """Late-enrolment situations of the document (复转军人 …) the resident has not said they are in."""
        vocabulary = self.engine.vocabulary
        names: list[str] = []
        for other in self.doc.paths:
            situation = other.when.situation
            if other.when.after_collection is not True or situation is None or situation in self.claimed:
                continue
            name = vocabulary.name(situation)
            if name not in names:
                names.append(name)
        return names

    def _benefit(self, path: EnrolmentPath, payable: bool | None) -> tuple[date | None, date | None, str]:
        doc = self.doc
        period = doc.benefit_period
        if not self.brief:
            self.cite(period.cite)
        end = period.end
        benefit_start = path.benefit_start  # (read once: pydantic attribute reads are slow)
        if benefit_start == "period_start":
            start = period.start
            text = period.text
            if start is None:
                self.note(f"文件只写待遇享受期为「{period.text}」，未写明起止日期，请咨询{doc.source.enquiries}。")
            elif payable is None and self.request.payment_date >= start:
                # 乌拉特前旗 in 2024: whether one may still pay is not written, nor from when a late payer is covered.
                start = None
                self.note(f"文件未写明待遇享受期开始（{period.start.isoformat() if period.start else ''}）"
                          f"以后缴费的，待遇从何时开始，请咨询{doc.source.enquiries}。")
        elif benefit_start == "birth":
            start = self.request.birth
            text = f"自出生之日（{start.isoformat() if start else ''}）起"
        elif benefit_start == "payment":
            start = self.request.payment_date if payable else None
            text = "自参保缴费之日起"
        elif benefit_start == "payment_plus_days":
            assert path.benefit_start_days is not None
            start = windows.plus_days(self.request.payment_date, path.benefit_start_days) if payable else None
            text = f"从缴费到账之日起{path.benefit_start_days}日后"
        elif benefit_start == "date":
            start = path.benefit_start_date
            text = f"自{start.isoformat() if start else ''}起"
        else:
            start = None
            text = path.benefit_start_text or "文件未写明"
            self.note(f"待遇开始时间：{text}。")
        return start, end, text

    def _addons(self, winner: LocalCategory | None, subsidy: int | None) -> list[AddonOffer]:
        offers: list[AddonOffer] = []
        subsidised = winner is not None and winner.subsidy.kind != "none"
        for addon in self.doc.addons:
            self.cite(addon.cite)
            paid_by = None
            if subsidised and addon.paid_for_subsidised_by:
                paid_by = addon.paid_for_subsidised_by
                self.cite(addon.paid_for_subsidised_cite)
                self.note(f"资助参保对象的{addon.name}（{addon.amount}元）由{paid_by}代缴。")
            offers.append(AddonOffer(addon.id, addon.name, addon.amount, addon.voluntary, paid_by))
        return offers

    def _steps(
        self, winner: LocalCategory | None, subsidy: int | None, personal: int | None, path: EnrolmentPath
    ) -> list[str]:
        payment = self.doc.payment
        steps: list[str] = []
        subsidised = winner is not None and winner.subsidy.kind != "none"
        for instruction in winner.instructions if winner else []:
            self.cite(instruction.cite)
            steps.append(instruction.text)
        # A path's own registration steps (新生儿 …) replace the general enrolment steps, and are given even
        # when nothing is to be paid: a free newborn still has to be registered.
        for step in path.steps:
            if self._step_applies(step, subsidised, personal):
                self.cite(step.cite)
                steps.append(f"【参保登记】{step.text}")
        if personal == 0:
            if subsidised or path.fee == "free":
                steps.append("个人无需缴费")
            return steps
        for step in [] if path.steps else payment.enrolment:
            self.cite(step.cite)
            steps.append(f"【参保登记】{step.text}")
        for channel in payment.channels:
            for step in channel.steps:
                if not self._step_applies(step, subsidised, personal):
                    continue
                self.cite(step.cite)
                steps.append(f"【{channel.name}】{step.text}")
        return steps

    def _guide(
        self, winner: LocalCategory | None, personal: int | None, path: EnrolmentPath
    ) -> tuple[list[ChannelGuide], list[str], list[str]]:
        """The same steps as _steps, kept apart: (payment channels, registration steps, status instructions).

        Channels only when there is something to pay; registration is the path's own (newborns: everyone on the
        path) or the document's enrolment steps (only for new or lapsed enrolees, paying or not)."""
        payment = self.doc.payment
        subsidised = winner is not None and winner.subsidy.kind != "none"
        status_steps = [instruction.text for instruction in winner.instructions] if winner else []
        if subsidised and personal != 0:
            # A channel step written for subsidised residents (朔州: 低保等特殊人群选择“特殊人群”) is their status's
            # instruction too: the first message can carry it before any channel is chosen.
            for channel in payment.channels:
                status_steps += [step.text for step in channel.steps
                                 if step.applies_to == "subsidised" and step.text not in status_steps]
        registration = [step.text for step in path.steps if self._step_applies(step, subsidised, personal)]
        if not path.steps:
            # New or lapsed enrolees register first, whether or not they pay (a subsidy does not enrol anyone).
            registration = [step.text for step in payment.enrolment if self._step_applies(step, subsidised, personal)]
        channels: list[ChannelGuide] = []
        if personal != 0:
            for channel_id, channel in zip(payment.channel_ids(), payment.channels, strict=True):
                applying = [step for step in channel.steps if self._step_applies(step, subsidised, personal)]
                sections = list(dict.fromkeys(step.cite.section for step in applying))
                channels.append(ChannelGuide(channel_id, channel.name, [step.text for step in applying], sections))
        return channels, registration, status_steps

    @staticmethod
    def _step_applies(step: Step, subsidised: bool, personal: int | None) -> bool:
        if step.applies_to == "subsidised":
            return subsidised
        if step.applies_to == "unsubsidised":
            return not subsidised
        if step.applies_to == "paying":
            return personal != 0
        return True
