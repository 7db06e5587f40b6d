"""What an answer still depends on: the quote engine decides, the dialog only asks.

`next_need(quotes, known)` returns either the finished quote or the one thing to ask next (the place, the payment
date, the birth date or only its exact day, the statuses, which kind of a status, local registration, a fact).
Nothing is asked that cannot change the answer: no statuses where the answer is free anyway, no exact birth date
where every day of the year (or of the age said) gives the same answer, no 低保 class where every class pays the
same (the engine's refinement check)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Literal

from bot.errors import NotCoveredError, UserInputError
from bot.identity_cache import IdentityCache
from bot.policy.model import PolicyDocument
from bot.policy.vocabulary import Refinement
from bot.quote import windows
from bot.quote.categories import RefinementNeeded
from bot.quote.engine import QuoteEngine, uses_birth
from bot.quote.result import MissingFact, Outcome, Quote, QuoteRequest

NeedKind = Literal["region", "payment_date", "birth", "birth_after_payment", "categories", "refine", "hukou",
                   "fact", "date_not_covered", "not_covered", "cannot_answer", "quote"]


@dataclass(frozen=True)
class Known:
    """What the resident has told so far (None: not said)."""

    region: str | None = None
    payment_date: date | None = None
    birth: date | None = None
    birth_range: tuple[date, date] | None = None  # a year or an age: the birth date lies in this range
    categories: tuple[str, ...] | None = None
    local_hukou: bool | None = None
    facts: tuple[tuple[str, bool], ...] = ()
    reference: bool = False  # the resident accepted an answer from the newest document for a later date
    child: bool = False  # a parent or grandparent speaks for a child: the child's birth date is asked for


@dataclass
class Need:
    kind: NeedKind
    quote: Quote | None = None
    document: PolicyDocument | None = None
    refinement: Refinement | None = None
    fact: MissingFact | None = None
    error: UserInputError | NotCoveredError | None = None
    exact_birth: bool = False  # the year (or age) is known; only the exact day is missing
    statuses_cannot_matter: bool = False
    birth_used: date | None = None  # the birth date the quote was computed with (a range's representative)
    notes: list[str] = field(default_factory=list)


def request_for(known: Known, categories: tuple[str, ...] | None = None, local_hukou: bool | None = None,
                birth: date | None = None) -> QuoteRequest:
    assert known.region is not None and known.payment_date is not None
    hukou = known.local_hukou if local_hukou is None else local_hukou
    return QuoteRequest(
        region=known.region,
        birth=birth or known.birth,
        payment_date=known.payment_date,
        categories=(known.categories or ()) if categories is None else categories,
        facts=known.facts,
        local_hukou=True if hukou is None else hukou,
        reference=known.reference,
    )


def _figures(quote: Quote | Outcome) -> tuple[object, ...]:
    return (quote.personal_payment, quote.subsidy, quote.deadline, quote.payable_on_date, quote.benefit_start,
            quote.path, quote.standard_fee)


def birth_within(quotes: QuoteEngine, known: Known, document: PolicyDocument) -> date | None:
    """A birth date that stands for the whole of `known.birth_range` when every date in it gives the same answer
    (None when the exact day matters). Checked at the range's ends and on both sides of every age threshold of
    the document that falls inside it. A baby's range ("上个月生的", "今年3月") is checked the same way, at every
    day-count a newborn rule turns on (days since birth, the year of birth): a deadline or benefit start that
    runs from the birth date differs between the range's ends, so it asks for the day."""
    assert known.birth_range is not None and known.payment_date is not None
    earliest, latest = known.birth_range
    paid = known.payment_date
    latest = min(latest, paid)
    if earliest > latest:
        return None
    # The last day of each rule's side: born on it or before is one case, born after it another.
    limits = {c.born_on_or_before for c in document.categories if c.born_on_or_before is not None}
    if latest >= paid - timedelta(days=3 * 366):
        opens = document.collection.start
        for path in document.paths:
            when = path.when
            for days in (when.born_within_days, when.born_after_days):
                if days is not None:
                    limits.add(paid - timedelta(days=days + 1))  # age_days > days from the day before
                    if opens is not None:
                        limits.add(opens - timedelta(days=days + 1))  # the days run out before collection
            if when.born_year_offsets:
                limits.update(date(year, 12, 31) for year in range(earliest.year, latest.year))
    candidates = {earliest, latest}
    for limit in limits:
        if earliest <= limit <= latest:
            candidates.add(limit)
            if limit + timedelta(days=1) <= latest:
                candidates.add(limit + timedelta(days=1))
    outcomes: set[tuple[object, ...]] = set()
    for birth in sorted(candidates):
        try:
            quote = quotes.outcome(request_for(known, birth=birth, categories=known.categories or ()))
        except RefinementNeeded:
            outcomes.add(("refine",))
            continue
        except NotCoveredError as error:
            # 沁源 paid after its document's window: not covered whatever the day (said once the rest is known),
            # so the day is no reason to ask; births on both sides of a coverage line still differ.
            outcomes.add(("not_covered", error.field, error.message))
            continue
        except UserInputError:
            return None
        outcomes.add(_figures(quote))
        try:
            hukou = quotes.hukou_matters(request_for(known, birth=birth, categories=known.categories or ()))
        except RefinementNeeded:  # as a local resident a broad status needs its kind (found by the fuzzer)
            outcomes.add(("refine",))
            continue
        outcomes.add(("hukou", hukou))
    if len([o for o in outcomes if o[0] != "hukou"]) > 1 or len([o for o in outcomes if o[0] == "hukou"]) > 1:
        return None
    return latest


def birth_cuts(document: PolicyDocument, earliest: date, latest: date) -> list[date]:
    """The document's age thresholds inside a birth range ("born on or before 1962-12-31"): a birth on one side
    or the other of each gets a different answer, so that side is all that is still needed."""
    return sorted({c.born_on_or_before for c in document.categories
                   if c.born_on_or_before is not None and earliest <= c.born_on_or_before < latest})


def statuses_cannot_matter(quotes: QuoteEngine, known: Known) -> bool:
    """True when the answer is the same whatever the statuses (a newborn's free first year)."""
    try:
        quote = quotes.outcome(request_for(known, categories=()))
    except (UserInputError, NotCoveredError, RefinementNeeded):
        return False
    return quote.personal_payment == 0 and quote.winning_category is None


CHILD_AGE = 16  # below it, only statuses that change the child's answer are offered (checked quote by quote)
# Situations only an adult (or a school leaver) can be in: never offered to a baby or a child.
_MINIMUM_AGE = {"new_university_student": 14, "laid_off_worker": 16, "lapsed_employee_insurance": 16,
                "discharged_veteran": 16, "released_prisoner": 14, "youfu": 0}


def _age(known: Known) -> int | None:
    if known.birth is None or known.payment_date is None:
        return None
    paid, born = known.payment_date, known.birth
    return paid.year - born.year - ((paid.month, paid.day) < (born.month, born.day))


def statuses_that_matter(quotes: QuoteEngine, known: Known, terms: list[str]) -> list[str]:
    """Of `terms`, those that alone change a child's answer (a newborn is not offered 刑满释放人员 nor a status
    that its free first year makes irrelevant). Registration, if not said yet, is taken as local (the usual
    case, and the one in which statuses count). An adult is offered every status the document has a rule for.

    Worked out once per place, payment date, registration, facts and birth band (see _birth_band): every child
    of that band gets the same buttons, and every tap on one asks for them again."""
    age = _age(known)
    if age is None or age >= CHILD_AGE:
        return terms  # an adult may be in any of them: the document's categories decide
    key = _offer_key(quotes, known, terms, age)
    if key is None:
        return _statuses_that_matter(quotes, known, terms, age)
    return list(_OFFERED.get(quotes, key, _offered, quotes, known, terms, age))


def _offered(quotes: QuoteEngine, known: Known, terms: list[str], age: int) -> tuple[str, ...]:
    return tuple(_statuses_that_matter(quotes, known, terms, age))


def _statuses_that_matter(quotes: QuoteEngine, known: Known, terms: list[str], age: int) -> list[str]:
    """statuses_that_matter for a child of `age`, worked out quote by quote."""
    known = replace(known, local_hukou=True if known.local_hukou is None else known.local_hukou)
    try:
        base = _figures(quotes.outcome(request_for(known, categories=())))
    except (UserInputError, NotCoveredError):
        return terms
    kept = []
    for term in terms:
        if age < _MINIMUM_AGE.get(term, 0):
            continue
        try:
            changes = _figures(quotes.outcome(request_for(known, categories=(term,)))) != base
        except (UserInputError, NotCoveredError):
            changes = True  # RefinementNeeded included: its kinds differ
        if changes:
            kept.append(term)
    return kept


# Children's status buttons worked out (statuses_that_matter): far more than the places x days x bands in use at once;
# the bound only caps memory over a long run.
_OFFERED: IdentityCache[tuple[str, ...]] = IdentityCache(4096)


@dataclass(frozen=True)
class _BirthRules:
    """What a document's rules read of a birth date, as plain values (see _birth_band)."""

    limits: tuple[date, ...]  # categories' born_on_or_before
    # Per path: born_within_days, born_after_days, born_year_offsets.
    paths: tuple[tuple[int | None, int | None, frozenset[int]], ...]
    opens: date | None
    benefit_year: int
    # Where a path reads the birth date itself: the days after birth a figure can be (0: benefits from birth, and the
    # window's first day; a window's days after birth: its deadline) …
    from_birth: tuple[int, ...]
    # … and the other dates a deadline, a window's first day or a benefit start can be: the document's own, and days
    # after the payment date (benefits from payment, or some days after it; the payment date itself).
    dates: tuple[date, ...]
    after_payment: tuple[int, ...]


_RULES: IdentityCache[_BirthRules] = IdentityCache(4096)


def _birth_rules(document: PolicyDocument) -> _BirthRules:
    return _RULES.get(document, None, _read_birth_rules, document)


def _read_birth_rules(document: PolicyDocument) -> _BirthRules:
    paths, collection = document.paths, document.collection
    reads_birth = [p for p in paths if p.window == "after_birth" or p.benefit_start == "birth"]
    dates = {collection.start, collection.end, document.benefit_period.start,
             *(p.window_until for p in paths), *(p.benefit_start_date for p in paths),
             *(d for c in document.categories if c.registration for d in (c.registration.start, c.registration.end))}
    return _BirthRules(
        limits=tuple(c.born_on_or_before for c in document.categories if c.born_on_or_before is not None),
        paths=tuple((p.when.born_within_days, p.when.born_after_days, frozenset(p.when.born_year_offsets))
                    for p in paths),
        opens=collection.start,
        benefit_year=document.benefit_year,
        from_birth=tuple(sorted({0, *(p.window_days for p in reads_birth if p.window_days is not None)}))
        if reads_birth else (),
        dates=tuple(sorted(d for d in dates if d is not None)),
        after_payment=tuple(sorted({0, *(p.benefit_start_days for p in paths if p.benefit_start_days is not None)})),
    )


def _birth_band(document: PolicyDocument, birth: date, paid: date) -> tuple[bool, ...]:
    """Every comparison the quote engine makes with a birth date for a payment on `paid` under `document`, as the
    engine makes it: born after the payment; born on or before each category's day; each path's days since birth,
    year of birth, days run out before collection opens (engine._path, categories.select). Where a path reads the
    birth date itself (a window or benefits counted from it: engine._availability, engine._benefit), each day after
    birth it can give is also placed before, on or after every other date a figure can be. Two births with the same
    band then take the same paths and categories, and every figure of any two quotes for them is equal, or not,
    alike: the same statuses change a child's answer."""
    rules = _birth_rules(document)
    age_days = (paid - birth).days
    band = [birth > paid, *(birth <= limit for limit in rules.limits)]
    opens = rules.opens
    for within, after_days, offsets in rules.paths:
        band += (within is not None and age_days > within,
                 after_days is not None and age_days <= after_days,
                 bool(offsets) and birth.year - rules.benefit_year not in offsets,
                 bool(within) and opens is not None and windows.plus_days(birth, within or 0) < opens)
    if rules.from_birth:
        others = (*rules.dates, *(windows.plus_days(paid, days) for days in rules.after_payment))
        for days in rules.from_birth:
            day = windows.plus_days(birth, days)
            for other in others:
                band += (day < other, day > other)
    return tuple(band)


def _offer_key(quotes: QuoteEngine, known: Known, terms: list[str], age: int) -> tuple[object, ...] | None:
    """What a child's status buttons depend on, with the birth date as its band; None for a reference answer (its
    dates are shifted into another document's year: worked out each time)."""
    if known.reference or known.region is None or known.payment_date is None or known.birth is None:
        return None
    try:
        document, _ = quotes.document_on(known.region, known.payment_date)
    except NotCoveredError:
        return None
    band = _birth_band(document, known.birth, known.payment_date)
    hukou = True if known.local_hukou is None else known.local_hukou
    return (known.region, known.payment_date, hukou, known.facts, tuple(terms), age, band)


def _hukou_matters(quotes: QuoteEngine, known: Known) -> tuple[bool, Quote | None]:
    """Whether local registration changes the answer, and the quote for a local resident when it was computed on
    the way. A broad status whose kinds all give the same answer (山丹: 特困 + any class of 低保) is not a reason
    to ask which kind: each kind is checked instead."""
    try:
        return quotes.hukou_matters(request_for(known, local_hukou=True)), None
    except RefinementNeeded as needed:
        quote = quotes.quote(request_for(known))  # raises RefinementNeeded again when the kind matters
        term = needed.refinement.term
        categories = known.categories or ()
        matters = any(
            quotes.hukou_matters(request_for(
                known, local_hukou=True, categories=tuple(option if t == term else t for t in categories)))
            for option in needed.refinement.options
        )
        return matters, quote


def next_need(quotes: QuoteEngine, known: Known) -> Need:
    """The answer, or the one thing it still depends on."""
    if known.region is None:
        return Need("region")
    if known.payment_date is None:
        return Need("payment_date")
    paid = known.payment_date
    try:
        document, on = quotes.document_on(known.region, known.payment_date, known.reference)
    except NotCoveredError as error:
        return Need("date_not_covered", error=error)
    birth_used = known.birth
    # A child's birth date is asked even where no rule of the document turns on it: it decides which statuses can
    # change a child's answer (a baby is offered neither 刑满释放人员 nor 新入学大中专学生), and a child's parent knows it.
    if known.birth is None and (uses_birth(document, on) or known.child):
        if known.birth_range is None:
            return Need("birth", document=document)
        birth_used = birth_within(quotes, known, document)
        if birth_used is None:
            return Need("birth", document=document, exact_birth=True)
        known = replace(known, birth=birth_used)
    if known.birth is not None and known.birth > paid:
        return Need("birth_after_payment", error=UserInputError("birth", "出生日期晚于缴费日期", example="1958年3月2日"))
    if known.categories is None:
        if statuses_cannot_matter(quotes, known):
            known = replace(known, categories=())
            cannot = True
        else:
            return Need("categories", document=document)
    else:
        cannot = False
    try:
        computed = None
        if known.local_hukou is None:
            matters, computed = _hukou_matters(quotes, known)
            if matters:
                return Need("hukou", document=document)
        quote = computed or quotes.quote(request_for(known))
    except RefinementNeeded as needed:
        return Need("refine", document=document, refinement=needed.refinement)
    except NotCoveredError as error:
        return Need("not_covered", error=error)
    except UserInputError as error:
        return Need("cannot_answer", error=error)
    asked = dict(known.facts)
    for missing in quote.missing_facts:
        if missing.id not in asked:
            return Need("fact", document=document, fact=missing)
    return Need("quote", quote=quote, document=document, statuses_cannot_matter=cannot, birth_used=birth_used)


ADULT_AGE = 18  # "不知道" the birth date: the answer is given for an adult when every adult's is the same
OLDEST_AGE = 110


@dataclass(frozen=True)
class BirthCase:
    """Adults born between `earliest` and `latest` (inclusive) all get `quote` (what it decides: the figures);
    `conditional`: the amount also depends on something not asked yet (local registration, a registration fact)."""

    earliest: date
    latest: date
    quote: Outcome
    conditional: bool = False


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def adult_birth_range(paid: date) -> tuple[date, date]:
    """Births of everyone aged ADULT_AGE to OLDEST_AGE on the payment date."""
    return _years_before(paid, OLDEST_AGE), _years_before(paid, ADULT_AGE)


def birth_cases(quotes: QuoteEngine, known: Known) -> list[BirthCase]:
    """For a resident who does not know the birth date: the adult birth ranges whose answers differ, split at the
    document's age thresholds (沁源: born on or before 1962-12-31). One case: the birth date does not change any
    adult's answer, and the answer can be given for an adult with that assumption stated. Empty: it cannot be
    told without more answers (each range is checked with birth_within, with the statuses known so far)."""
    if known.region is None or known.payment_date is None:
        return []
    try:
        document, on = quotes.document_on(known.region, known.payment_date, known.reference)
    except NotCoveredError:
        return []
    if not uses_birth(document, on):
        return []
    earliest, latest = adult_birth_range(known.payment_date)
    cuts = birth_cuts(document, earliest, latest)
    bounds = [earliest]
    for cut in cuts:
        bounds.extend([cut, cut + timedelta(days=1)])
    bounds.append(latest)
    cases: list[BirthCase] = []
    for start, end in zip(bounds[::2], bounds[1::2], strict=True):
        segment = replace(known, birth=None, birth_range=(start, end))
        representative = birth_within(quotes, segment, document)
        if representative is None:
            return []
        request = request_for(segment, birth=representative, categories=known.categories or ())
        try:
            quote = quotes.outcome(request)
            conditional = (quote.personal_payment is None or bool(quote.missing_facts)
                           or (known.local_hukou is None and quotes.hukou_matters(request)))
        except (UserInputError, NotCoveredError):
            return []  # RefinementNeeded included: a status's kind is still to be asked
        if cases and _figures(cases[-1].quote) == _figures(quote) and cases[-1].conditional == conditional:
            cases[-1] = BirthCase(cases[-1].earliest, end, cases[-1].quote, conditional)
        else:
            cases.append(BirthCase(start, end, quote, conditional))
    return cases
