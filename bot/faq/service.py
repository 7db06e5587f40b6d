"""Answering a free-text question: match it, then render the answer from the jurisdiction's document(s)."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import NamedTuple

from bot.dialog.replies import Button, Reply
from bot.errors import NotCoveredError, UserInputError
from bot.faq.answers import Citer, DocumentView, load_answer_specs
from bot.faq.matcher import SUGGESTIONS, FaqMatcher, MatchResult, Suggestion
from bot.faq.model import FaqEntry, load_entries
from bot.faq.normalize import fold
from bot.faq.status_topic import (
    ELDERLY,
    PAYING_TOPICS,
    STATUS_TOPICS,
    TIMING_TOPICS,
    StatusFinder,
    asks_about_paying,
    asks_about_procedure,
    asks_about_visit,
    asks_fee_amount,
    asks_how_statuses_combine,
    asks_paying_in_full_subsidy,
    asks_to_pay_again,
    names_addon,
    names_school_year,
    said_of_different_people,
    someone_without_status,
)
from bot.faq.story import story_topic
from bot.faq.timing import TIMING_ENTRIES, TimingAsk, TimingReader, read_timing
from bot.faq.told import asking_clause
from bot.policy.loader import policy_dir
from bot.policy.model import PolicyDocument
from bot.quote.engine import QuoteEngine
from bot.quote.result import Source
from bot.render import Format, render


@dataclass
class FaqAnswer:
    kind: str  # answer | not_sure | out_of_scope | chitchat | empty
    faq_id: str | None
    question: str | None  # the matched canonical question
    answer: str
    score: float
    suggestions: list[dict[str, object]]
    sources: list[Source] = field(default_factory=list)
    region: str | None = None
    template: str = "faq_answer"
    status: str | None = None  # the status the answer is about, when the question named one with its topic


# Entries that answer "when" for every resident: a question about when collecting starts may match any of them.
WHEN_FOR_EVERYONE = TIMING_ENTRIES | {"benefits_start"}

# What may be left of a question that only names a status ("返贫的", "俺是五保户呢"): particles and pronouns.
_BARE_REST = re.compile(r"[的人户们呢吗啊呀嘛吧哦我俺是家咱]")

# Rendered answers kept (FaqService._answer): a bound far above entries x places x formats, so a running bot renders
# each answer once; the bound only caps memory should timing answers (one per asked day) pile up.
RENDERED_ANSWERS = 4096


class _Rendered(NamedTuple):
    question: str
    text: str
    sources: tuple[Source, ...]


class FaqService:
    def __init__(self, quotes: QuoteEngine, entries: list[FaqEntry], matcher: FaqMatcher | None = None) -> None:
        self.quotes = quotes
        self.entries = {entry.id: entry for entry in entries}
        self.matcher = matcher or FaqMatcher(entries, place_names=quotes.places.names)
        self.specs = load_answer_specs()
        self.statuses = StatusFinder(quotes.vocabulary)
        self.timing = TimingReader(quotes)
        # An out-of-scope entry's keyword (养老保险, 公积金, 灵活就业 …) in a question with a date: not our window.
        self._out_of_scope_words = tuple(fold(word) for entry in entries if entry.kind == "out_of_scope"
                                         for word in entry.keywords)
        # A status asked about with a fee or subsidy question: that status's subsidy entry.
        self._subsidy_entry = {term: faq_id for faq_id, spec in self.specs.items()
                               if spec.template == "subsidy_for" for term in spec.terms}
        self._subsidy_entry[ELDERLY] = "elderly"
        # Words for the situations an entry answers as a group (复转军人, 刑满释放人员, 当年新迁入户口): a question
        # naming one that the matcher is unsure of is that entry's.
        self._situation_entry = {fold(word): faq_id for faq_id, spec in self.specs.items() if faq_id in self.entries
                                 for situation in spec.situations
                                 for word in (quotes.vocabulary.name(situation),
                                              *quotes.vocabulary.terms[situation].synonyms)}
        self._rendered: dict[tuple[object, ...], _Rendered] = {}
        self._replies: dict[tuple[object, ...], str] = {}

    def _documents(self, region: str | None) -> list[PolicyDocument]:
        if region is None:
            latest: dict[str, PolicyDocument] = {}
            for document in self.quotes.kb.documents:
                name = document.jurisdiction.name
                if name not in latest or document.benefit_year > latest[name].benefit_year:
                    latest[name] = document
            return [latest[name] for name in sorted(latest)]
        jurisdiction = self.quotes.places.resolve(region).jurisdiction
        documents = self.quotes.documents_for(jurisdiction)
        return [max(documents, key=lambda d: d.benefit_year)]

    def ask(self, question: str, region: str | None, output: Format = "text", today: date | None = None) -> FaqAnswer:
        """Raises NotCoveredError / UserInputError for a region no document covers. `today` reads dates relative to
        it ("这个月26号"); the clock's date when not given."""
        answer = self._ask(question, region, output, today, unsure_text=True)
        assert answer is not None  # unsure_text: every kind is answered
        return answer

    def _ask(self, question: str, region: str | None, output: Format, today: date | None,
             unsure_text: bool) -> FaqAnswer | None:
        """``ask``; None instead of the "not sure" (or empty) answer when ``unsure_text`` is False: the dialog's
        strict hook shows none, so its wording and suggestions are not rendered for nothing."""
        documents = self._documents(region)
        canonical = documents[0].jurisdiction.name if region else None
        enquiries = documents[0].source.enquiries if region else ""
        day = today or date.today()
        match, status = self._match(question, documents, day)
        suggestions = [{"faq_id": s.faq_id, "question": s.question, "score": round(s.score, 1)}
                       for s in match.suggestions]
        timing = self._timing(question, match, day)
        if timing is not None:  # a payment date, or when the window opens or closes (bot.faq.timing)
            # With a status ("低保户12月20号还能交吗"): that status's rule for the topic too (_render_answer), also
            # when the status words made the matcher pick the status's subsidy entry ("监测户元旦以后还能交吗").
            if status is None:
                named = self.statuses.find_with_denied(question, day)[0]
                status = named[0] if named else None
            return self._answer(timing.faq_id, match.score, documents, canonical, output, suggestions,
                                status if timing.faq_id in STATUS_TOPICS else None, timing=(timing, day))
        if match.kind == "answer" and match.faq_id is not None:
            held = self._ruled_combination(question, documents) if self.specs[match.faq_id].template == "subsidy_for" else ()
            asked = ((), False) if held else self._asked_statuses(question, match.faq_id, day)
            return self._answer(match.faq_id, match.score, documents, canonical, output, suggestions, status,
                                held=held, asked=asked)
        if match.kind == "out_of_scope":
            text = self._reply("dialog/faq_out_of_scope", output, topic=match.out_of_scope_topic, enquiries=enquiries)
            return FaqAnswer("out_of_scope", match.faq_id, None, text, match.score, suggestions, region=canonical,
                             template="faq_out_of_scope")
        if match.kind == "chitchat":
            text = self._reply("dialog/faq_chitchat", output, faq_id=match.faq_id, enquiries=enquiries)
            return FaqAnswer("chitchat", match.faq_id, None, text, match.score, suggestions, region=canonical,
                             template="faq_chitchat")
        if not unsure_text:
            return None
        text = self._reply("dialog/faq_not_sure", output, suggestions=match.suggestions[:3], enquiries=enquiries)
        return FaqAnswer(match.kind, None, None, text, match.score, suggestions[:3], region=canonical,
                         template="faq_not_sure")

    def _match(self, question: str, documents: list[PolicyDocument], today: date) -> tuple[MatchResult, str | None]:
        """The entry to answer and, when the question joins a status to a topic, the status (module
        bot.faq.status_topic): the topic is matched with the status words taken out."""
        match = self.matcher.match(question)
        if match.kind not in ("answer", "not_sure"):
            return match, None
        if match.kind == "not_sure":
            folded = fold(question)
            owner = next((faq_id for word, faq_id in self._situation_entry.items() if word in folded), None)
            if owner is not None:
                return dataclasses.replace(match, faq_id=owner, kind="answer"), None
        statuses, rest, denied = self.statuses.find_with_denied(question, today)
        # Not sure, and no status named: a story naming its topic (a child's birth, employee insurance that ended)
        # answers it (bot.faq.story).
        if match.kind == "not_sure" and not statuses:
            told = story_topic(question)
            if told is not None and told in self.entries:
                return dataclasses.replace(match, faq_id=told, kind="answer"), None
        # Not sure of a long question that asks one thing: its asking clause, greetings and told context left out
        # (bot.faq.told.asking_clause), when that is answered surely with an entry the whole question also suggests
        # ("麻烦问一下，我前几天在微信上交了，可是想打个缴费证明，从哪里弄": the receipt).
        if match.kind == "not_sure":
            part = asking_clause(question)
            focused = self.matcher.match(part) if part else None
            if focused is not None and focused.kind == "answer" and focused.faq_id in {
                    suggestion.faq_id for suggestion in match.suggestions}:
                match = focused
        subsidy_entries = {*self._subsidy_entry.values(), "multiple_statuses"}
        # An add-on insurance (意外险) asked about with a status: the add-on's own rule, which says who pays it for
        # subsidised residents where the document does ("低保户的意外险要自己交吗"), not the status's subsidy for
        # the basic fee. (The fee entry names the add-on too, so "医保加意外险一共多少" keeps it.)
        if names_addon(question) and "accident_insurance" in self.entries and (
                statuses or denied or match.faq_id in subsidy_entries):
            return dataclasses.replace(match, faq_id="accident_insurance", kind="answer"), None
        # Paying again for a new year after paying last year ("去年交过了今年还要交吗"): yes, every year, in the
        # window; not the renewal entry, which is about registering again.
        renewal = {"renewal_no_visit", "pay_every_year"}
        first = match.faq_id if match.kind == "answer" else (match.suggestions[0].faq_id if match.suggestions else None)
        if asks_to_pay_again(question) and "pay_every_year" in self.entries and (
                match.kind == "not_sure" or match.faq_id in (*renewal, "fee_this_year")):
            return dataclasses.replace(match, faq_id="pay_every_year", kind="answer"), None
        # ... while going to register again ("去年交过了今年还要跑医保站吗") is the renewal entry's, as is renewing
        # the matcher cannot tell from paying yearly ("往年交过的今年直接在网上交就行吧": the two lead, close).
        top_two = {s.faq_id for s in match.suggestions[:2]}
        # (Not with a status named: "俺是1960年生的，要去哪登记" asks that status's registration rule, below.)
        if "renewal_no_visit" in self.entries and not statuses and (
                (first in renewal and asks_about_visit(question))
                or (match.kind == "not_sure" and top_two == renewal)):
            return dataclasses.replace(match, faq_id="renewal_no_visit", kind="answer"), None
        # Cover paid by school year ("学年交的医保啥时候截止"): when it ends is the students' benefit period
        # (冷市镇: 延长至当年的12月31日; elsewhere the answer says the document is silent), not the campaign window
        # the matcher hears in 截止 or 啥时候.
        # (The period's own entry suggested first but unsure, "上学那个学年交的医保截止到哪天", is as good.)
        if names_school_year(question) and "student_benefit_period" in self.entries and (
                first in WHEN_FOR_EVERYONE or (match.kind == "not_sure" and first == "student_benefit_period")):
            return dataclasses.replace(match, faq_id="student_benefit_period", kind="answer"), None
        # A group's fee ("在校大学生交多少", "幼儿园小孩医保多少钱一年"): the fee entry, whose passage names the
        # group where the document does; the students entry is about where they insure.
        if match.faq_id == "students" and asks_fee_amount(question) and not statuses:
            return dataclasses.replace(match, faq_id="fee_this_year", kind="answer"), None
        # Full subsidy named instead of a status ("全额资助的人需要自己交吗"): the subsidy entry of the statuses each
        # document subsidises in full (山丹: 特困人员、孤儿); where they are several entries' (冷市镇 adds 重度残疾人),
        # "not sure" with those entries suggested, rather than one of them as if it were all.
        if not statuses and asks_paying_in_full_subsidy(question):
            owners = self._full_subsidy_entries(documents)
            if len(owners) == 1:
                return dataclasses.replace(match, faq_id=owners[0], kind="answer"), None
            if owners:
                suggestions = tuple(Suggestion(owner, self.entries[owner].question, match.score)
                                    for owner in owners[:SUGGESTIONS])
                return dataclasses.replace(match, faq_id=None, kind="not_sure", suggestions=suggestions), None
        # Statuses denied and none held ("俺不是低保也不是贫困户，就普通农民，交多少"): the plain fee.
        if not statuses and denied and match.faq_id in subsidy_entries | {None} and asks_about_paying(question):
            return dataclasses.replace(match, faq_id="fee_this_year", kind="answer"), None
        if not statuses:
            return match, None
        # A status said alone ("返贫的", "五包户"): what it gets, its subsidy entry (the status named is then rendered
        # on its own, _asked_statuses).
        if match.kind == "not_sure" and len(statuses) == 1 and not _BARE_REST.sub("", rest):
            alone = self._subsidy_entry_for(statuses[0])
            if alone in self.entries:
                return dataclasses.replace(match, faq_id=alone, kind="answer"), None
        if match.kind == "answer" and match.faq_id in STATUS_TOPICS:
            return match, statuses[0]
        topic = self.matcher.match(rest) if rest else None
        if topic is not None and topic.kind == "answer" and topic.faq_id in STATUS_TOPICS:
            return topic, statuses[0]
        # The paperwork asked for a status ("特困的还用自己去办手续吗"): that status's enrolment rule (山丹:
        # 医保部门为其代办参保手续), not its subsidy, which the matcher hears in 还用自己.
        if (asks_about_procedure(question) and "first_enrolment" in self.entries
                and (match.kind == "not_sure" or match.faq_id in subsidy_entries)):
            return dataclasses.replace(match, faq_id="first_enrolment", kind="answer"), statuses[0]
        subsidies = list(dict.fromkeys(filter(None, map(self._subsidy_entry_for, statuses))))
        # An age with a status ("老人七十多了，是低保户") is one status where no document asked about subsidises by
        # age (沁源's 1962年12月31日以前出生 does: there it is a second subsidy): the status's own entry.
        if (len(subsidies) >= 2 and self._subsidy_entry[ELDERLY] in subsidies
                and not any(category.born_on_or_before for document in documents for category in document.categories)):
            subsidies.remove(self._subsidy_entry[ELDERLY])
        subsidy = subsidies[0] if subsidies else None
        asks_amount = match.faq_id in self._subsidy_entry.values() or match.faq_id == "fee_this_year" or (
            topic is not None and topic.faq_id in ("fee_this_year", "government_contribution", "who_pays_subsidy"))
        # A status with a question about what they pay that matched no entry surely ("六十多了还要自己出钱吗",
        # "返贫致贫的人有减免吗"): that status's subsidy rule, which says what they pay and who pays the rest.
        paying = match.kind == "not_sure" and asks_about_paying(question)
        # Two statuses with different subsidy rules asked about together: how they combine.
        # Where each document asked about rules that very combination (乌拉特前旗's 脱贫享受政策人员（过渡期内）中的
        # 低保对象), the first status's subsidy entry, which lists the combined category's line.
        if len(subsidies) >= 2 and (asks_amount or paying or asks_how_statuses_combine(question)):
            if subsidy in self.entries and self._combination_ruled(statuses, documents):
                return dataclasses.replace(match, faq_id=subsidy, kind="answer"), None
            if "multiple_statuses" in self.entries:
                return dataclasses.replace(match, faq_id="multiple_statuses", kind="answer"), None
        # The subsidy entry of a status the question does not name ("返贫致贫的人有减免吗" matching the elderly's
        # "老人有优惠吗") gives way to the named status's own.
        other_status = match.faq_id in self._subsidy_entry.values() and match.faq_id not in subsidies
        if subsidy in self.entries and (paying or other_status
                                        or (match.kind == "answer" and match.faq_id == "fee_this_year")):
            return dataclasses.replace(match, faq_id=subsidy, kind="answer"), None
        return match, None

    def _asked_statuses(self, question: str, faq_id: str, today: date) -> tuple[tuple[str, ...], bool]:
        """For a subsidy answer, the statuses the question asks about, and whether they are different people's: a
        subsidy entry groups statuses a document may keep apart (冷市镇 subsidises 监测对象, not 稳定脱贫人口), so the
        answer is rendered for the status named, as the quote engine matches it. ((), False): the entry as it is."""
        spec = self.specs[faq_id]
        if not ((spec.template == "subsidy_for" and spec.terms) or faq_id == "multiple_statuses"):
            return (), False
        statuses = [status for status in self.statuses.find_with_denied(question, today)[0] if status != ELDERLY]
        if len(statuses) >= 2 and said_of_different_people(question, self.statuses):
            return tuple(statuses), True
        # One family member with a status and another with none ("我妈是低保，我啥都不是"): each answered.
        if len(statuses) == 1 and someone_without_status(question) and self._subsidy_entry_for(statuses[0]) == faq_id:
            return tuple(statuses), True
        if faq_id == "multiple_statuses":
            return (), False
        return tuple(status for status in statuses if self._subsidy_entry_for(status) == faq_id), False

    def _timing(self, question: str, match: MatchResult, today: date) -> TimingAsk | None:
        """A timing question the window answer alone would not answer: not one the matcher declines. (A status said
        with it is _ask's: that status's rule for the topic, and the day's verdict where the status pays in the
        general window, _render_answer.) A question that only asks when the window opens
        or closes, or names only a month or 现在/今天 ("…今年8月份厂子倒了，医保就断了，现在能交居民医保吗" is
        about the lapse), must also be matched to (or suggest first) a timing entry; one naming a day need not."""
        if match.kind not in ("answer", "not_sure"):
            return None
        folded = fold(question)
        if any(word in folded for word in self._out_of_scope_words):
            return None
        ask = read_timing(question, today)
        if ask is None or (ask.kind in ("day", "after", "by") and ask.day != today):
            return ask
        first = match.faq_id if match.kind == "answer" else (match.suggestions[0].faq_id if match.suggestions else None)
        # The status words drew the match to the status's subsidy entry ("吃低保的下个月能交不"): a date with a
        # paying verb and no amount asked is about when that status pays.
        if first in self._subsidy_entry.values() and ask.kind in ("day", "month") and not asks_fee_amount(question):
            return ask
        # "今年几号开始收医保" scores close to "待遇啥时候开始" on 开始; naming collecting itself settles which start
        # it asks about. (Not against another entry: "新生儿几号开始交" is the newborn's own timing.)
        if ask.collecting and first in WHEN_FOR_EVERYONE:
            return ask
        return ask if first in TIMING_ENTRIES else None

    def answer_by_id(self, faq_id: str, region: str | None, output: Format = "text",
                     status: str | None = None) -> FaqAnswer:
        """The answer to one entry, as when a resident taps a suggestion, optionally for a status; KeyError for
        an unknown faq id, or a status with a topic whose rule does not depend on status."""
        if faq_id not in self.specs or (status is not None and faq_id not in STATUS_TOPICS):
            raise KeyError(faq_id)
        documents = self._documents(region)
        canonical = documents[0].jurisdiction.name if region else None
        return self._answer(faq_id, 100.0, documents, canonical, output, [], status)

    def _answer(self, faq_id: str, score: float, documents: list[PolicyDocument], region: str | None,
                output: Format, suggestions: list[dict[str, object]], status: str | None = None,
                timing: tuple[TimingAsk, date] | None = None, held: tuple[str, ...] = (),
                asked: tuple[tuple[str, ...], bool] = ((), False)) -> FaqAnswer:
        """The answer to ``faq_id`` from ``documents``. Its text is a function of the entry, the documents, the place
        named, the format, the status and, for a timing question, what is asked and today (the policy data never
        changes in a running process): it is rendered once and then reused, as most questions residents ask are a
        few dozen entries for a handful of places. The score and the suggestions are the match's own."""
        key = (faq_id, tuple(d.id for d in documents), region, output, status, timing, held, asked)
        rendered = self._rendered.get(key)
        if rendered is None:
            rendered = self._render_answer(faq_id, documents, region, output, status, timing, held, asked)
            if len(self._rendered) >= RENDERED_ANSWERS:
                self._rendered.clear()
            self._rendered[key] = rendered
        return FaqAnswer("answer", faq_id, rendered.question, rendered.text, score, suggestions,
                         list(rendered.sources), region, status=status)

    def _render_answer(self, faq_id: str, documents: list[PolicyDocument], region: str | None, output: Format,
                       status: str | None, timing: tuple[TimingAsk, date] | None,
                       held: tuple[str, ...] = (), subsidy_of: tuple[tuple[str, ...], bool] = ((), False)) -> _Rendered:
        spec = self.specs[faq_id]
        statuses, people = subsidy_of
        names = [(asked_status, self._status_name(asked_status)) for asked_status in statuses]
        citer = Citer(documents[0])
        parts = []
        for document in documents:
            citer.document = document
            view = DocumentView(document, self.quotes.vocabulary)
            # A timing question's asked day first (bot.faq.timing), its passages numbered first; none for a status
            # whose payment time the document sets apart (乌拉特前旗's 单纯低保户: 另行通知): the general window's
            # verdict is not theirs, and the status rule says so.
            apart = status is not None and any(line.category.payment_timing != "collection"
                                               for line in view.status_categories(status))
            if timing is None:
                asked = ""
            elif apart:
                asked = render("faq/timing_apart", output, ask=timing[0], status_name=self._status_name(status or ""))
            else:
                asked = render("faq/timing", output, t=self.timing.facts(timing[0], document, timing[1]), doc=document,
                               cite=citer, enquiries=document.source.enquiries)
            # Then the status's own rule (its footnotes numbered next), then the general rule.
            rule = "" if status is None else render(
                "faq/status_topic", output, view=view, doc=document, cite=citer, status=status,
                status_name=self._status_name(status), timing=faq_id in TIMING_TOPICS,
                paying=faq_id in PAYING_TOPICS,
                enquiries=document.source.enquiries)
            if statuses:  # the statuses asked about, each from its own categories (_asked_statuses)
                body = render("faq/subsidy_status", output, view=view, doc=document, spec=spec, cite=citer,
                              statuses=names, people=people, enquiries=document.source.enquiries)
            else:
                body = render(f"faq/{spec.template}", output, view=view, doc=document, spec=spec, cite=citer,
                              held=held, enquiries=document.source.enquiries)
            if spec.template != "passage" and not people:  # the passage template renders its extras itself
                more = render("faq/_more", output, view=view, spec=spec, cite=citer)
                body = f"{body}\n{more}" if more else body
            if rule:
                body = f"{rule}\n一般规定：\n{body}"
            if asked:
                body = f"{asked}\n{body}"
            parts.append(body if region else f"【{document.jurisdiction.name}】{body}")
        if region is None:
            parts.insert(0, "各地规定不同，以下分别列出（告诉我您的参保地可只看您那里的）：")
        question = self.entries[faq_id].question
        # The title says what the answer is about: the statuses asked, not every status the entry groups (the
        # matched entry's own question stays the answer's `question`, as the hotline console shows what matched).
        title = question if not statuses else render(
            "faq/subsidy_status_question", output, names=[name for _, name in names], people=people)
        answer = "\n".join(parts)
        text = render("dialog/faq_answer", output, question=title, answer=answer, sources=citer.sources)
        return _Rendered(question, text, tuple(citer.sources))

    def _reply(self, template: str, output: Format, **context: object) -> str:
        """A decline, chat or "not sure" reply: a function of its template, format and (hashable) context, rendered
        once like the answers (``_answer``)."""
        key = (template, output, *sorted(context.items()))
        text = self._replies.get(key)
        if text is None:
            text = render(template, output, **context)
            if len(self._replies) >= RENDERED_ANSWERS:
                self._replies.clear()
            self._replies[key] = text
        return text

    def _ruled_combination(self, question: str, documents: list[PolicyDocument]) -> tuple[str, ...]:
        """The statuses a question holds when they are two or more and every document asked about rules that
        combination (the subsidy answer then puts the combined category's line first); otherwise ()."""
        statuses = [status for status in self.statuses.find(question)[0] if status != ELDERLY]
        return tuple(statuses) if len(statuses) >= 2 and self._combination_ruled(statuses, documents) else ()

    def _combination_ruled(self, statuses: list[str], documents: list[PolicyDocument]) -> bool:
        """Whether every document has a category for residents holding all of two or more of these statuses."""
        held: set[str] = set()
        for status in statuses:
            if status != ELDERLY:
                held |= self.quotes.vocabulary.ancestors(status)
        return all(any(len(category.all_of) >= 2 and set(category.all_of) <= held for category in document.categories)
                   for document in documents)

    def _full_subsidy_entries(self, documents: list[PolicyDocument]) -> list[str]:
        """The subsidy entries of the categories these documents subsidise in full, in the documents' order."""
        owners: list[str] = []
        for document in documents:
            for category in document.categories:
                if category.subsidy.kind != "full":
                    continue
                terms = [ELDERLY] if category.born_on_or_before else [*category.matches, *category.all_of]
                for owner in map(self._subsidy_entry_for, terms):
                    if owner is not None and owner in self.entries and owner not in owners:
                        owners.append(owner)
        return owners

    def _subsidy_entry_for(self, status: str) -> str | None:
        if status == ELDERLY:
            return self._subsidy_entry[ELDERLY]
        for term in sorted(self.quotes.vocabulary.ancestors(status), key=lambda t: t != status):
            if term in self._subsidy_entry:
                return self._subsidy_entry[term]
        return None

    def _status_name(self, status: str) -> str:
        return "60岁以上老人" if status == ELDERLY else self.quotes.vocabulary.name(status)

    # --- the dialog's hook (bot.dialog.engine.FaqResponder) ------------------------------------------------------

    def respond(self, text: str, region: str | None, output: Format, strict: bool,
                today: date | None = None) -> Reply | None:
        try:
            result = self._ask(text, region, output, today, unsure_text=not strict)
        except (NotCoveredError, UserInputError):
            return None
        if result is None or result.kind == "empty":
            return None
        buttons: tuple[tuple[Button, ...], ...] = ()
        facts: dict[str, object] = {"faq_id": result.faq_id, "kind": result.kind, "status": result.status}
        if result.kind == "not_sure":
            facts["suggestions"] = [s["faq_id"] for s in result.suggestions]
            # One suggestion a row; tapping one answers it (bot.dialog.engine, payload b:faq:<id>).
            buttons = tuple((Button(str(s["question"]), f"b:faq:{s['faq_id']}"),) for s in result.suggestions)
        return Reply(result.template, result.answer, facts, buttons)

    def respond_to_choice(self, faq_id: str, region: str | None, output: Format) -> Reply | None:
        """The answer to a tapped suggestion; None for an id that is no faq entry (an old or forged button)."""
        try:
            result = self.answer_by_id(faq_id, region, output)
        except (KeyError, NotCoveredError, UserInputError):
            return None
        return Reply(result.template, result.answer, {"faq_id": result.faq_id, "kind": result.kind})


@cache
def default_entries() -> list[FaqEntry]:
    return load_entries(policy_dir() / "faq" / "entries.yaml")


def build_faq_service(quotes: QuoteEngine) -> FaqService:
    return FaqService(quotes, default_entries())
