"""The dialog state machine: one resident's input in, replies out. No channel, no clock, no I/O.

Each turn: commands (/back …, or said in Chinese) first, then button payloads, then every message is read whole
by bot.understanding whatever the step: place, dates with their roles, ages, statuses added or removed, yes/no,
registration. What it says is applied (a correction needs no command word; after the answer the reply says what
changed); a question other than "how much" is answered from the FAQ. Only when a message says nothing usable
does the current step's own reading explain what was expected. `_advance` then asks what the answer still needs
(bot.quote.needs decides) or shows the answer. Nothing already answered is lost.
"""

from __future__ import annotations

import contextlib
import logging
import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Protocol

from bot.dialog import about_answer, answer
from bot.dialog.corrections import Correction, find_correction
from bot.dialog.flow import Flow, load_flow
from bot.dialog.replies import Button, Incoming, Reply
from bot.dialog.state import DialogState
from bot.errors import NotCoveredError, PartlyCoveredError, UserInputError
from bot.identity_cache import IdentityCache
from bot.parsing.dates import parse_birth_date, parse_payment_date, read_numerals
from bot.policy.model import PolicyDocument
from bot.quote import memo
from bot.quote.engine import QuoteEngine
from bot.quote.needs import (
    ADULT_AGE,
    Known,
    birth_cases,
    birth_cuts,
    birth_within,
    next_need,
    request_for,
    statuses_that_matter,
)
from bot.quote.result import Quote, QuoteRequest
from bot.render import Format, render
from bot.understanding import Reader, Understanding
from bot.understanding.about_answer import read_about_answer
from bot.understanding.buttons import may_name_a_button, typed_button
from bot.understanding.dates import has_payment_cue
from bot.understanding.lunar import solar_date_needed
from bot.understanding.yesno import read_confirmation, yes_before_the_place

log = logging.getLogger(__name__)

MAX_INPUT_CHARS = 500
_REFINE_FILLER = re.compile(r"[\s,.!?，。！？]|^(?:我们?家?|俺家?|是|属于|算)+|(?:的|吧|啊|呢|户|那种|那个)+$")
_DIGITS_TO_CN = str.maketrans("1234", "一二三四")
# A class said alone after the answer ("哦是二类的", "应该是第三类"): only a correction of a class already held.
_BARE_CLASS = re.compile(
    r"^(?:哦|噢|嗯|啊|呃|不对|搞错了|说错了|弄错了)?[，,、\s]*(?:我们?家?|俺家?|咱家?)?(?:是|应该是|其实是|改成|算|属于)?"
    r"(?:第)?([一二三四1234])类(?:的|户|低保|那种)*[。.!！~～]*$"
)
# "15号" answering "2023年3月几号出生的？": the day of the month already said.
_DAY_ANSWER = re.compile(r"^\s*(?:是|就是)?(\d{1,2})\s*(?:号|日)?(?:生的|出生的?)?[的吧呀啊嘞]?\s*$")
_YEAR_ANSWER = re.compile(r"^\s*(\d{4}|\d{2})\s*年?(?:的|生的|出生的?)?\s*$")
_FEE_QUESTION = re.compile(r"多少钱|交多少|缴多少|要交|要缴|交钱|缴费多少|个人缴|自己交|自己出|花多少|收多少|免费|不用交")
_PLACE_NAME = re.compile(r"^[\u4e00-\u9fff]{2,12}(?:省|市|县|区|旗|盟|镇|乡|村)$")
_QUESTION = re.compile(r"多少钱|交多少|缴多少|要交|要缴|交钱|缴费多少|个人缴|自己交|自己出|花多少|收多少|免费|不用交")
_QUESTION = re.compile(r"[?？]|怎么|怎样|如何|多少|什么|啥|咋|吗|哪|能不能|可不可以|是否|为什么|为啥|几号|何时|要不要|需不需要")


class FaqResponder(Protocol):
    """Answers free-text questions (bot.faq); None when the text is not a question it can handle."""

    def respond(self, text: str, region: str | None, output: Format, strict: bool,
                today: date | None = None) -> Reply | None: ...

    def respond_to_choice(self, faq_id: str, region: str | None, output: Format) -> Reply | None: ...


@dataclass
class TurnResult:
    replies: list[Reply]
    forget: bool = False  # the resident asked to delete their stored state


def quote_request(
    state: DialogState, categories: tuple[str, ...] | None = None, local_hukou: bool | None = None
) -> QuoteRequest:
    """The quote request for the answers in `state`; overrides let the engine ask "would this change it?"."""
    assert state.region is not None and state.payment_date is not None
    hukou = state.local_hukou if local_hukou is None else local_hukou
    return QuoteRequest(
        region=state.region,
        birth=state.birth or state.birth_to,  # a year or an age said: the answer holds for any day in it
        payment_date=state.payment_date,
        categories=tuple(state.categories or []) if categories is None else categories,
        facts=tuple(state.facts.items()),
        local_hukou=True if hukou is None else hukou,
        reference=answer.is_reference(state.pending, state.payment_date),
    )


def looks_like_question(text: str) -> bool:
    return _QUESTION.search(text) is not None


class DialogEngine:
    def __init__(self, quotes: QuoteEngine, flow: Flow | None = None, faq: FaqResponder | None = None) -> None:
        self.quotes = quotes
        self.flow = flow or load_flow()
        self.faq = faq
        self.reader = Reader(quotes.places, quotes.vocabulary)
        self._terms_with_rules: IdentityCache[tuple[str, ...]] = IdentityCache(64)

    def handle(self, state: DialogState, incoming: Incoming, today: date, output: Format = "text") -> TurnResult:
        turn = _Turn(self, state, today, output)
        with memo.remembering():  # a turn asks the same "would this change the answer?" several times
            replies = turn.run(incoming)
        log.info("turn step=%s replies=%s", state.step, ",".join(r.template for r in replies))
        return TurnResult(replies, forget=turn.forget)

    def terms_with_rules(self, document: PolicyDocument) -> list[str]:
        """The flow's button terms for which `document` has any rule (worked out once per document: every
        question about statuses, and every tap on one, needs them)."""
        return list(self._terms_with_rules.get(document, None, self._find_terms_with_rules, document))

    def _find_terms_with_rules(self, document: PolicyDocument) -> tuple[str, ...]:
        vocabulary = self.quotes.vocabulary
        used: set[str] = set()
        for category in document.categories:
            used |= set(category.matches) | set(category.all_of)
        for path in document.paths:
            used |= set(path.when.any_category)
            if path.when.situation:
                used.add(path.when.situation)
        relevant = []
        for term in self.flow.steps["categories"].buttons_from:
            # Relevant when the term, or a narrower kind of it, falls under a rule (监测户 → 脱贫不稳定户 → 易返贫).
            family = {term} | vocabulary.descendants(term)
            if any(vocabulary.ancestors(member) & used for member in family):
                relevant.append(term)
        return tuple(relevant)

    def current_question(self, state: DialogState, today: date, output: Format = "text") -> list[Reply]:
        """Where a saved conversation stands, to resume it: "we continue" and the current question."""
        turn = _Turn(self, state, today, output)
        with memo.remembering():
            turn.say("resume")
            turn.ask_current()
        return turn.replies


@dataclass
class _Change:
    label: str
    before: str
    after: str


_SAID_LABELS = {"payment_date": "缴费日期", "birth": "出生日期", "statuses": "身份"}
_FIGURE_LABELS = {
    "region": "参保地",
    "personal_payment": "个人缴费",
    "subsidy": "资助",
    "deadline": "截止日期",
    "payable_on_date": "当天能否办理",
    "benefit_start": "待遇开始",
}


@dataclass
class _Turn:
    engine: DialogEngine
    state: DialogState
    today: date
    output: Format
    replies: list[Reply] = field(default_factory=list)
    forget: bool = False
    # False for a scratch turn asked only for the buttons it would show (a typed button's text, a tapped
    # payload): its replies are thrown away, so their wording is not rendered.
    renders: bool = True

    # --- plumbing ----------------------------------------------------------------------------------------------

    @property
    def flow(self) -> Flow:
        return self.engine.flow

    @property
    def quotes(self) -> QuoteEngine:
        return self.engine.quotes

    def say(self, template: str, facts: dict[str, Any] | None = None,
            buttons: tuple[tuple[Button, ...], ...] = (), replaces_previous: bool = False, **context: Any) -> None:
        text = render(f"dialog/{template}", self.output, **context) if self.renders else ""
        self.replies.append(Reply(template, text, facts or {}, buttons, replaces_previous))

    def enquiries(self) -> str:
        if self.state.region:
            documents = self.quotes.documents_for(self.state.region)
            if documents:
                return documents[0].source.enquiries
        return "当地医疗保障局"

    # --- the turn ----------------------------------------------------------------------------------------------

    def run(self, incoming: Incoming) -> list[Reply]:
        text = incoming.text.strip()
        if self.state.step == "start" and not text.startswith("/"):
            self.say("welcome")
            self.state.step = "region"
            if not text or incoming.payload is not None or len(text) > MAX_INPUT_CHARS:
                self._advance()
                return self.replies
            understood = self.engine.reader.understand(text, "start", self.today)
            if understood.command is not None and understood.command != "/start":
                self._command(understood.command)
                return self.replies
            if self._take(understood, text):
                return self.replies
            if looks_like_question(text) and self._faq(text, strict=True):
                self._advance()
            elif _PLACE_NAME.match(text):
                self._answer(text)  # a place we do not cover: say so at once
            else:
                self._advance()
            return self.replies
        if incoming.payload is not None:
            self._payload(incoming.payload)
        elif len(text) > MAX_INPUT_CHARS:
            self.say("too_long", {"field": self.state.step}, length=len(text), limit=MAX_INPUT_CHARS)
            self._ask(self.state.step, again=True)
        elif not text:
            self.say("empty")
            self._ask(self.state.step, again=True)
        elif text.startswith("/"):
            self._command(text)
        else:
            correction = find_correction(text)
            # A field named with 改成 is changed here; a status added or removed ("不是低保是特困") is read
            # below with everything else the message says.
            if (correction is not None and correction.target not in ("remove_category", "add_category")
                    and self._correct(correction)):
                return self.replies
            step = "confirm_region" if self.state.pending.get("confirm_region") else self.state.step
            understood = self.engine.reader.understand(text, step, self.today)
            if understood.command is not None:
                self._command(understood.command)
                return self.replies
            if self._about_the_answer(understood):
                return self.replies
            if self._take(understood, text):
                return self.replies
            payload = typed_button(text, self._offered_labels()) if may_name_a_button(text) else None
            if payload is not None:
                self._payload(payload)  # a button's text typed with a typo ("都部是")
                return self.replies
            self._answer(text)
        return self.replies

    def _about_the_answer(self, understood: Understanding) -> bool:
        """"依据是啥" / "怎么交" after the answer, "按去年的标准算" when a reference answer is on offer: what the
        依据, channel and reference buttons do. Only for a message that says nothing else."""
        kind = read_about_answer(understood.text)
        state = self.state
        if kind == "reference" and state.step == "payment_date" and state.pending.get("reference_offer"):
            self._answer("reference", from_button=True)
            return True
        if kind not in ("basis", "pay_how") or state.step != "done" or understood.says_anything:
            return False
        if kind == "basis":
            self._follow_up("basis", "show")
            return True
        reply = about_answer.pay_how(self.quotes, self._request(), self.output)
        if reply is None:
            return False
        self.replies.append(reply)
        return True

    def _asks_about_other_things(self, understood: Understanding, text: str) -> bool:
        """A question other than "how much" ("低保户怎么报销？", "沁源的医保什么时候开始交") is for the FAQ; anything
        else it says is still kept. "俺是沁源的低保户，要交多少钱" is what the dialog itself answers."""
        if understood.does_not_know and self.state.step in ("birth", "categories", "refine"):
            return False  # "不知道啥时候生的" answers the question (with how to go on), it does not ask one
        return understood.question and not _FEE_QUESTION.search(text)

    # --- commands ----------------------------------------------------------------------------------------------

    def _command(self, text: str) -> None:
        command = text.split()[0].split("@")[0].lower()
        if command in ("/start", "/restart"):
            self._reset()
            self.say("welcome" if command == "/start" else "restarted")
            self._advance()
        elif command == "/back":
            moved = bool(self.state.history)
            if moved:
                snapshot = self.state.history.pop()
                history = self.state.history
                # The answer last shown stays the reference: a new answer after /back says what changed.
                restored = DialogState.from_dict(
                    {**snapshot, "history": history, "last_figures": self.state.last_figures})
                self.state.__dict__.update(restored.__dict__)
            self.say("back", {"moved": moved}, moved=moved)
            self._advance(force_ask=True)
        elif command == "/forget":
            self._reset()
            self.forget = True
            self.say("forgotten")
        elif command == "/faq":
            self.say("faq_prompt")
        elif command == "/human":
            self.say("human", {"enquiries": self.enquiries()}, enquiries=self.enquiries(), region=self.state.region)
            if self.state.step not in ("done", "start"):
                self._ask(self.state.step, again=True)
        elif command == answer.SOURCES_COMMAND:
            self._follow_up("basis", "show")
        else:
            self.say("help")
            if self.state.step != "done":
                self._ask(self.state.step, again=True)

    def _reset(self) -> None:
        self.state.__dict__.update(DialogState(step="region").__dict__)

    # --- buttons -------------------------------------------------------------------------------------------------

    def _payload(self, payload: str) -> None:
        """A tapped button. Only what the current question offers is accepted (a forged or stale payload
        gets the expired-button reply and the current question again); a status toggle carries the state
        it asks for (on/off), so a double tap does the same thing twice and a quick untick is kept."""
        parts = payload.split(":", 2)
        if len(parts) != 3 or parts[0] != "b":
            self._expired_button()
            return
        _, step, value = parts
        if step in answer.FOLLOW_UP_STEPS:
            self._follow_up(step, value)
            return
        if step == "faq" and self.engine.faq is not None:  # a "not sure" suggestion, valid at any step
            reply = self.engine.faq.respond_to_choice(value, self.state.region, self.output)
            if reply is not None:
                self.replies.append(reply)
                if self.state.step != "done":
                    self._ask(self.state.step, again=True, resume=True)
                return
        toggle = _toggle_target(value) if step == "categories" else None
        if toggle is not None:
            term, on = toggle
            if self.state.step != "categories" or self.state.pending.get("confirm_region") \
                    or term not in self._relevant_terms():
                self._expired_button()
                return
            chosen = self.state.selecting
            if on and term not in chosen:
                chosen.append(term)
            elif not on and term in chosen:
                chosen.remove(term)
            self._ask("categories", again=True, replaces_previous=True)
            return
        if payload not in self._offered() and not self._names_a_region(step, value):
            self._expired_button()
            return
        if step == "categories" and value in ("done", "none"):
            self.state.push_history()
            self.state.categories = list(self.state.selecting) if value == "done" else []
            self.state.selecting = []
            self._advance()
            return
        self._answer(value, from_button=True)

    def _offered_labels(self) -> dict[str, str]:
        """Label -> payload of the buttons the current question shows (a status toggle is not a typed answer)."""
        scratch = _Turn(self.engine, DialogState.from_dict(self.state.to_dict()), self.today, "text", renders=False)
        scratch.ask_current()
        rows = [row for reply in scratch.replies for row in reply.buttons]
        if self.state.step == "done":  # the answer's own buttons (a channel, 注意事项, 依据)
            with contextlib.suppress(UserInputError, NotCoveredError):
                rows += answer.answer_buttons(self.quotes.quote(self._request()), self.output)
        return {button.label: button.payload for row in rows for button in row if ":toggle=" not in button.payload}

    def _offered(self) -> set[str]:
        """The payloads of the buttons the current question shows (asked on a copy of the state)."""
        scratch = _Turn(self.engine, DialogState.from_dict(self.state.to_dict()), self.today, "text", renders=False)
        scratch.ask_current()
        offered = {button.payload for reply in scratch.replies for row in reply.buttons for button in row}
        if self.state.step == "payment_date" and self.state.pending.get("reference_offer"):
            offered.add("b:payment_date:reference")  # shown with "no document for that date", still on offer
        return offered

    def _names_a_region(self, step: str, value: str) -> bool:
        """A region button (the list, or a suggestion after an unknown place) while the region is asked."""
        if step != "region" or self.state.step != "region" or self.state.pending.get("confirm_region"):
            return False
        try:
            self.quotes.places.resolve(value)
        except (UserInputError, NotCoveredError):
            return False
        return True

    def _expired_button(self) -> None:
        self.say("expired_button", {"step": self.state.step})
        self.ask_current()

    def ask_current(self) -> None:
        """Ask the question the resident is at again, with its buttons (after the answer: what they can do)."""
        state = self.state
        name = state.pending.get("confirm_region")
        if name:
            self.say("confirm_region", {"suggestion": name}, buttons=self._yes_no("confirm_region"), name=name)
        elif state.step == "done":
            self.say("ask_done", {"step": "done"})
        else:
            self._ask(state.step, again=True)

    def _follow_up(self, step: str, value: str) -> None:
        """A payment channel's steps or the quoted passages, for the answer on show."""
        request = self._request() if self.state.step == "done" else None
        reply = answer.follow_up(self.quotes, request, step, value, self.output)
        if reply is None:
            self._expired_button()
        else:
            self.replies.append(reply)

    # --- answers -------------------------------------------------------------------------------------------------

    def _answer(self, text: str, from_button: bool = False) -> None:
        step = self.state.step
        if self.state.pending.get("confirm_region"):
            self._confirm_region(text)
            return
        if step == "done":
            if not self._faq(text, strict=False):
                self.say("help")
            return
        try:
            self._apply(step, text, from_button)
        except NotCoveredError as error:
            self._not_covered(error)
            return
        except UserInputError as error:
            if not from_button and looks_like_question(text) and self._faq(text, strict=True):
                self._ask(step, again=True, resume=True)
                return
            self._reask(step, error)
            return
        self._advance()

    def _apply(self, step: str, text: str, from_button: bool) -> None:
        """Validate and store one answer; raises UserInputError / NotCoveredError for unusable input."""
        state = self.state
        if step == "region":
            match = self.quotes.places.resolve(text)
            state.push_history()
            state.region = match.jurisdiction
        elif step == "payment_date":
            if from_button and text == "reference":
                offered = state.pending.pop("reference_offer", None)
                if offered is None:
                    raise UserInputError("date", "这个按钮已过期，请重新输入缴费日期", example="2023年10月8日")
                state.push_history()
                state.payment_date = date.fromisoformat(offered)
                state.pending["reference"] = offered
                return
            if from_button:
                offsets = {"today": 0, "tomorrow": 1}
                day = self.today + timedelta(days=offsets.get(text, 0))
            else:
                day = parse_payment_date(text, today=self.today)
            state.push_history()
            state.payment_date = day
            state.pending.pop("payment_said", None)
        elif step == "birth":
            held_month = self._birth_month()
            if held_month is not None and _DAY_ANSWER.match(read_numerals(text)):
                # "30号" to "2023年2月几号": not a day of that month (a valid day was taken by _apply_understood).
                raise UserInputError("birth", f"{held_month[0]}年{held_month[1]}月没有这一天，请说是几号",
                                     example=f"{held_month[1]}月15号")
            birth = parse_birth_date(text, today=self.today)
            state.push_history()
            state.birth = birth
        elif step == "categories":
            ids = [text] if from_button else self.quotes.vocabulary.parse(text)
            state.push_history()
            state.categories = ids
            state.selecting = []
        elif step == "refine":
            chosen = self._refinement_choice(text, from_button)
            state.push_history()
            broad = state.pending.pop("refine")
            state.categories = [chosen if term == broad else term for term in state.categories or []]
        elif step in ("hukou", "fact"):
            answer = {"yes": True, "no": False}.get(text) if from_button else self.flow.answer_yes_no(text)
            if answer is None:
                spec = self.flow.steps[step]
                raise UserInputError(step, "请回答“是”或“不是”", example=spec.example)
            state.push_history()
            if step == "hukou":
                state.local_hukou = answer
            else:
                state.facts[state.pending.pop("fact")] = answer
        else:
            raise UserInputError(step, "当前没有需要回答的问题", example="/restart")

    def _refinement_choice(self, text: str, from_button: bool) -> str:
        options = self.state.pending.get("refine_options", "").split(",")
        vocabulary = self.quotes.vocabulary
        if not from_button:
            # "三类的", "全额", "不稳定": a distinctive part of one option's name is enough.
            said = _REFINE_FILLER.sub("", text.translate(_DIGITS_TO_CN))
            named = [o for o in options if o in vocabulary.terms and len(said) >= 2 and said in vocabulary.name(o)]
            if len(named) == 1:
                return named[0]
        try:
            ids = [text] if from_button else vocabulary.parse(text)
        except UserInputError:
            ids = []
        for term in ids:
            for option in options:
                if term == option or option in vocabulary.ancestors(term):
                    return option
        names = tuple(vocabulary.name(o) for o in options if o in vocabulary.terms)
        raise UserInputError("category", "请从列出的类别中选择一项", example=names[0] if names else None,
                             suggestions=names)

    def _confirm_region(self, text: str) -> None:
        name = self.state.pending.pop("confirm_region")
        answer = read_confirmation(text) if text not in ("yes", "no") else text == "yes"
        if answer is None:
            # Neither yes nor no ("啥？"): the offered place is asked about again, not dropped.
            self.state.pending["confirm_region"] = name
            self.say("confirm_region", {"suggestion": name, "again": True}, buttons=self._yes_no("confirm_region"),
                     name=name, again=True)
            return
        if answer:
            self.state.push_history()
            self.state.region = name
            self._advance()
        else:
            self._ask("region", again=True)

    def _not_covered(self, error: NotCoveredError) -> None:
        if error.field == "region":
            # One close name (a typo such as 乌拉特钱旗): ask "您是说…吗". A partly covered county: offer the town.
            if len(error.suggestions) == 1 and not isinstance(error, PartlyCoveredError):
                self.state.pending["confirm_region"] = error.suggestions[0]
                self.say("confirm_region", {"suggestion": error.suggestions[0]},
                         buttons=self._yes_no("confirm_region"), name=error.suggestions[0])
                return
            buttons = tuple((Button(name, f"b:region:{name}"),) for name in error.suggestions)
            self.say("region_not_covered", {"field": "region"}, buttons=buttons,
                     message=error.message, suggestions=list(error.suggestions))
            self._ask("region", again=True)
            return
        self._date_not_covered(error)

    def _date_not_covered(self, error: NotCoveredError) -> None:
        region = self.state.region or ""
        documents = self.quotes.documents_for(region)
        first = last = None
        example = ""
        if documents:
            first, last = self.quotes.covered_dates(documents[0])
            opening = documents[0].collection.start or first
            example = f"{opening.year}年{opening.month}月{opening.day}日"
        day = self.state.payment_date
        offer = answer.reference_offer(self.quotes, region, day) if day else None
        if offer is not None:
            self.state.pending["reference_offer"] = offer.day.isoformat()
        self.state.payment_date = None
        self.say("date_not_covered", {"field": "date", "reference_offered": offer is not None},
                 buttons=offer.buttons if offer else (), message=error.message, region=region, first=first,
                 last=last, example=example, enquiries=self.enquiries(), offer=offer)
        self._ask("payment_date", again=True)

    def _reask(self, step: str, error: UserInputError) -> None:
        self.state.reasks += 1
        spec = self.flow.steps.get(step)
        self.say(
            "reask", {"field": step, "reasks": self.state.reasks},
            message=error.message, field=spec.field if spec else step,
            example=error.example or (spec.example if spec else ""), suggestions=list(error.suggestions),
            limit_reached=self.state.reasks >= self.flow.max_reasks, enquiries=self.enquiries(),
        )
        self._ask(step, again=True)

    # --- corrections ---------------------------------------------------------------------------------------------

    def _correct(self, correction: Correction) -> bool:
        """Apply a correction; False when it is not one after all (then the text is read as an answer)."""
        state = self.state
        vocabulary = self.quotes.vocabulary
        target = correction.target
        if target in ("remove_category", "add_category") and state.step in ("categories", "refine"):
            return False  # "不是低保" while choosing statuses is an answer, not a correction
        field_step = {"birth": "birth", "payment_date": "payment_date", "region": "region",
                      "categories": "categories"}.get(target, "categories")
        try:
            if target in ("birth", "payment_date", "region", "categories"):
                saved_step = state.step
                self._apply(field_step, correction.value, from_button=False)
                state.step = saved_step
            else:
                ids = vocabulary.parse(correction.value)
                state.push_history()
                current = list(state.categories or [])
                if target == "remove_category":
                    current = [t for t in current if not set(ids) & vocabulary.ancestors(t)]
                else:
                    current += [t for t in ids if t not in current]
                state.categories = current
        except NotCoveredError as error:
            self._not_covered(error)
            return True
        except UserInputError as error:
            if target in ("remove_category", "add_category"):
                return False
            self._reask(field_step, error)
            return True
        if target == "region":
            # Another jurisdiction's rules: follow-up answers given for the old one no longer apply.
            state.local_hukou = None
            state.facts = {}
        state.pending.pop("refine", None)
        state.pending.pop("fact", None)
        self._advance()
        return True

    # --- everything a message says, at any step ------------------------------------------------------------------

    def _take(self, understood: Understanding, text: str) -> bool:
        """Apply every field the message gives (a correction needs no command word: a new value replaces the old
        one, and after the answer the reply says what changed). A question is answered from the FAQ, and what
        it also said is kept. False when the message gives nothing usable: the step's own reading then explains
        what was expected."""
        state = self.state
        step = state.step
        understood = self._birth_restated(understood)
        if step == "done" and self._birth_day_not_needed(understood):
            return True
        if step == "done" and understood.class_unknown and self._class_forgotten(understood):
            return True
        before = self._answers()
        state.push_history()
        said = self._apply_understood(understood)
        if not said and step == "done":
            said = self._reclassify(text)
        changed = self._answers() != before
        if self._asks_about_other_things(understood, text) and self._faq(text, strict=True):
            if not changed:
                state.history.pop()
            if changed or understood.region_guess is not None:
                if not self._explain_problems(understood):
                    self._advance()
            elif step != "done":
                self._ask(step, again=True, resume=True)
            return True
        problem = self._explain_problems(understood)
        if not said and not problem:
            state.history.pop()
            return False
        if not problem:
            self._advance()
        return True

    def _birth_restated(self, u: Understanding) -> Understanding:
        """A past date with no payment word that is the birth already held, or falls within the birth held as a
        range ("去年11月生的", then "2022年11月15号"), is the birth said again or made exact, not a payment date:
        nobody plans to pay on a day gone by."""
        state = self.state
        found = u.payment_date
        if found is None or u.birth is not None or found.value >= self.today or has_payment_cue(u.text):
            return u
        day = found.value
        held = state.birth == day or (
            state.birth is None and state.birth_from is not None and state.birth_to is not None
            and state.birth_from <= day <= state.birth_to)
        if not held:
            return u
        return replace(u, birth=found, payment_date=None, payment_said=None)

    def _birth_day_not_needed(self, u: Understanding) -> bool:
        """"记不清几号生的" after an answer that was worked out from a birth year or an age: the day was never
        needed, so the resident is told so, with the amount that stands (not a FAQ guess)."""
        state = self.state
        if not (u.birth_unknown and state.birth is None and state.birth_from is not None) or set(u.said) - {"birth_unknown"}:
            return False
        figures = state.last_figures or {}
        self.say("birth_day_not_needed", {"personal_payment": figures.get("personal_payment")},
                 birth=self._said()["birth"], amount=figures.get("personal_payment"))
        return True

    def _class_forgotten(self, u: Understanding) -> bool:
        """"不知道几类" / "不清楚是几类低保" after an answer for one class: the class held is not known after all, so
        it goes back to its broad status and, as when the class is asked, the amount for each class is given and the
        class asked again. Only where the quote engine says the class matters (its refinement of the broad status);
        False otherwise (the message is then read as anything else)."""
        state = self.state
        vocabulary = self.quotes.vocabulary
        said = {f.value for f in u.statuses}
        held = list(state.categories or [])
        for term in held:
            if said and not said <= vocabulary.ancestors(term):
                continue  # "不知道几类低保" while holding a class of 特困: not this one
            for broad in sorted(vocabulary.ancestors(term) - {term}):
                categories = tuple(broad if t == term else t for t in held)
                need = next_need(self.quotes, replace(self._known(), categories=categories))
                if need.kind != "refine" or need.refinement is None or need.refinement.term != broad:
                    continue
                state.push_history()
                state.categories = list(categories)
                state.pending["refine"] = broad
                state.pending["refine_options"] = ",".join(need.refinement.options)
                state.step = "refine"
                self._class_unknown()
                return True
        figures = state.last_figures or {}
        for term in held:
            if said and not said <= vocabulary.ancestors(term):
                continue
            top = max(vocabulary.ancestors(term), key=lambda t: len(vocabulary.leaves_under(t)))
            if len(vocabulary.leaves_under(top)) < 2:
                continue  # a status without classes: "几类" is not about it
            categories = tuple(top if t == term else t for t in held)
            need = next_need(self.quotes, replace(self._known(), categories=categories))
            if need.kind == "quote" and need.quote is not None \
                    and need.quote.personal_payment == figures.get("personal_payment"):
                # 朔州: every class of 低保 pays the same, so the answer on show stands whatever the class.
                self.say("class_not_needed", {"personal_payment": figures.get("personal_payment")},
                         term=_short_name(vocabulary.name(top)), amount=figures.get("personal_payment"))
                return True
        return False

    def _reclassify(self, text: str) -> bool:
        """"哦是二类的" after an answer for 农村三类低保: the held class is replaced by its sibling of that number. Only a
        class already held is changed, so a bare number never brings in a status the resident did not name."""
        match = _BARE_CLASS.match(text.strip())
        if match is None or not self.state.categories:
            return False
        label = match.group(1).translate(_DIGITS_TO_CN) + "类"
        vocabulary = self.quotes.vocabulary
        for held in self.state.categories:
            if "类" not in vocabulary.name(held):
                continue
            siblings = [t for t in vocabulary.terms if t != held and label in vocabulary.name(t)
                        and vocabulary.terms[t].parents == vocabulary.terms[held].parents]
            if len(siblings) == 1:
                self.state.categories = [siblings[0] if t == held else t for t in self.state.categories]
                return True
        return False

    def _answers(self) -> tuple[object, ...]:
        """What the resident has told so far (to see whether a message changed any of it)."""
        state = self.state
        return (state.region, state.payment_date, state.birth, state.birth_from, state.birth_to,
                tuple(state.categories) if state.categories is not None else None, state.local_hukou,
                tuple(sorted(state.facts.items())), state.pending.get("birth_md"), state.pending.get("birth_m"),
                state.pending.get("confirm_region"))

    def _apply_understood(self, u: Understanding) -> bool:
        state = self.state
        vocabulary = self.quotes.vocabulary
        changed = False
        confirming = state.pending.get("confirm_region")
        if confirming and u.region is None and u.region_guess is None and u.region_problem is None:
            answer = read_confirmation(u.text)
            if answer is not None:
                state.pending.pop("confirm_region")
                if answer:
                    self._set_region(confirming)
                changed = True
        elif confirming and u.region is None and u.region_guess is not None and u.region_problem is None \
                and u.region_guess.value == confirming \
                and yes_before_the_place(u.text, u.region_guess.start, u.region_guess.end):
            state.pending.pop("confirm_region")  # "对，前旗" to "您是说「…乌拉特前旗」吗？": yes, not the place again
            self._set_region(confirming)
            changed = True
        if u.region is not None and u.hukou_place and state.region and (
                state.step == "hukou" or u.region.value == state.region):
            # "户口在朔州" to "is your registration in 乌拉特前旗?": an answer (no), not a move to 朔州; 户口在乌拉特前旗
            # said at any step: registered here.
            state.local_hukou = u.region.value == state.region
            changed = True
        elif u.region is not None:
            state.pending.pop("confirm_region", None)
            self._set_region(u.region.value)
            changed = True
        if u.insured_child and (u.several_people is None or u.first_person is not None):
            state.pending["insured"] = "child"  # not an answer by itself: the birth asked for is the child's
        if u.payment_date is not None:
            state.payment_date = u.payment_date.value
            if u.payment_said:
                # Said back with the answer (the day "下个月初" was read as), while the date stays the same.
                state.pending["payment_said"] = f"{u.payment_date.value.isoformat()} {u.payment_said}"
            else:
                state.pending.pop("payment_said", None)
            changed = True
        year = _YEAR_ANSWER.match(u.text) if state.pending.get("birth_md") or state.pending.get("birth_m") else None
        birth_held = (state.birth, state.birth_from, state.birth_to)
        lunar_said = False
        held_month = self._birth_month()
        day_said = _DAY_ANSWER.match(read_numerals(u.text)) if held_month and state.step == "birth" else None
        if held_month is not None and day_said is not None:
            try:
                state.birth, state.birth_from, state.birth_to = date(*held_month, int(day_said.group(1))), None, None
            except ValueError:
                return changed  # "2月30号": the step's own reading explains what was expected
            changed = True
        elif u.birth is not None:
            state.birth, state.birth_from, state.birth_to = u.birth.value, None, None
            state.pending.pop("birth_md", None)
            state.pending.pop("birth_m", None)
            changed = True
        elif (u.birth_range is not None or year) and state.pending.get("birth_m"):
            # The year asked for after "8月出生的": that month's births, and the quote engine says whether the day
            # within it still matters.
            month = int(state.pending.pop("birth_m"))
            if u.birth_range is not None:
                years = u.birth_range.value
            else:
                assert year is not None
                born_year = int(year.group(1))
                if born_year < 100:
                    born_year = self.today.year - (self.today.year - born_year) % 100
                years = (date(born_year, 1, 1), min(date(born_year, 12, 31), self.today))
            births = _month_within(years, month) or years
            state.birth, state.birth_from, state.birth_to = None, *births
            changed = True
        elif (u.birth_range is not None or year) and state.pending.get("birth_md"):
            month, day = (int(part) for part in state.pending.pop("birth_md").split("-"))
            if u.birth_range is not None:
                born_year = u.birth_range.value[1].year
            else:
                assert year is not None
                born_year = int(year.group(1))
                if born_year < 100:
                    born_year = self.today.year - (self.today.year - born_year) % 100
            try:
                state.birth, state.birth_from, state.birth_to = date(born_year, month, day), None, None
            except ValueError:
                state.birth = None
            changed = True
        elif u.birth_range is not None:
            state.birth = None
            state.birth_from, state.birth_to = u.birth_range.value
            lunar_said = u.birth_lunar
            changed = True
        elif u.birth_month_day is not None and self._birth_in_range(*u.birth_month_day.value) is not None:
            # "9月3号" to "which day?" after "刚满月" (born 2023-08-11…09-10): the year is the range's.
            state.birth, state.birth_from, state.birth_to = self._birth_in_range(*u.birth_month_day.value), None, None
            changed = True
        elif u.birth_month_day is not None:
            month, day = u.birth_month_day.value
            state.pending["birth_md"] = f"{month}-{day}"
            state.birth = None
            changed = True
        elif u.birth_month is not None and (narrowed := self._month_in_held_birth(u.birth_month.value)) is not None:
            # "8月生的" after "80年的" (or "不对，是8月生的" after 1980-05-01): the year already said, now to the month.
            state.birth, (state.birth_from, state.birth_to) = None, narrowed
            state.pending.pop("birth_m", None)
            changed = True
        elif u.birth_month is not None:
            state.pending["birth_m"] = str(u.birth_month.value)
            state.pending.pop("birth_md", None)
            state.birth = None
            changed = True
        if lunar_said:
            # "农历五八年腊月初八": the span of solar days it can be; if the answer turns on the day, the solar date is
            # asked for (not the day inside the span: the resident knows the lunar day, not the solar one).
            state.pending["birth_lunar"] = "1"
        elif (state.birth, state.birth_from, state.birth_to) != birth_held:
            state.pending.pop("birth_lunar", None)
        if u.birth is not None or u.birth_range is not None:
            state.pending.pop("birth_unknown", None)
        elif u.birth_unknown and state.birth is None and not state.birth_from and state.step != "birth":
            # "生日记不清了" before the birth is asked: remembered, and answered when the birth is what is needed.
            state.pending["birth_unknown"] = "1"
            changed = True
        if u.statuses or u.removed or u.no_status:
            changed = self._apply_statuses(u, vocabulary) or changed
        if u.local_hukou is not None:
            state.local_hukou = u.local_hukou.value
            changed = True
        if u.yes_no is not None and state.step in ("hukou", "fact") and not confirming:
            if state.step == "hukou":
                state.local_hukou = u.yes_no.value
            elif "fact" in state.pending:
                state.facts[state.pending.pop("fact")] = u.yes_no.value
            changed = True
        return changed

    def _birth_in_range(self, month: int, day: int) -> date | None:
        """The one day with this month and day inside the birth range said before (a year, a month, a baby's age),
        or None (no range held, or the day falls outside it)."""
        state = self.state
        if state.birth is not None or state.birth_from is None or state.birth_to is None \
                or state.pending.get("birth_assumed"):
            return None
        for year in range(state.birth_from.year, state.birth_to.year + 1):
            try:
                day_said = date(year, month, day)
            except ValueError:
                continue
            if state.birth_from <= day_said <= state.birth_to:
                return day_said
        return None

    def _month_in_held_birth(self, month: int) -> tuple[date, date] | None:
        """The births of `month` inside the birth held (a year, an age, a baby's range, or the year of a birth date),
        when they fall in one year of it; None otherwise (the year is then asked)."""
        state = self.state
        if state.birth is not None:
            held = (date(state.birth.year, 1, 1), min(date(state.birth.year, 12, 31), self.today))
        elif state.birth_from is not None and state.birth_to is not None and not state.pending.get("birth_assumed"):
            held = (state.birth_from, state.birth_to)
        else:
            return None
        return _month_within(held, month)

    def _birth_month(self) -> tuple[int, int] | None:
        """The year and month of a birth said to the month ("今年3月"), while its day is still to come."""
        state = self.state
        if state.birth is not None or state.birth_from is None or state.birth_to is None:
            return None
        if (state.birth_from.year, state.birth_from.month) != (state.birth_to.year, state.birth_to.month):
            return None
        return state.birth_from.year, state.birth_from.month

    def _set_region(self, jurisdiction: str) -> None:
        state = self.state
        if state.region is not None and state.region != jurisdiction:
            # Another jurisdiction's rules: follow-up answers given for the old one no longer apply.
            state.local_hukou = None
            state.facts = {}
            state.pending.pop("refine", None)
            state.pending.pop("fact", None)
        state.region = jurisdiction

    def _apply_statuses(self, u: Understanding, vocabulary: Any) -> bool:
        state = self.state
        claimed = [f.value for f in u.statuses]
        removed = {f.value for f in u.removed}
        if state.step == "refine" and claimed:
            options = [o for o in state.pending.get("refine_options", "").split(",") if o]
            for term in claimed:
                chosen = next((o for o in options if o == term or o in vocabulary.ancestors(term)), None)
                if chosen is not None:
                    broad = state.pending.pop("refine", None)
                    current = list(state.categories or [])
                    # Without the broad term on record (a correction dropped it), the kind is added as said.
                    state.categories = [chosen if t == broad else t for t in current] if broad in current \
                        else [*(t for t in current if t not in vocabulary.ancestors(chosen)), chosen]
                    return True
        answering = state.categories is None or state.step == "categories"
        if not claimed and not u.no_status and state.categories is None and state.step != "categories":
            return False  # "我不是低保" before the question: nothing known yet about the others
        if u.no_status and not claimed:
            new: list[str] = []
        else:
            keep_old = u.status_mode == "add" or (not answering and u.status_mode != "replace")
            base = list(state.categories or []) if keep_old else []
            new = [t for t in base if not removed & vocabulary.ancestors(t)]
            for term in claimed:
                # A narrower word replaces a broader one said before (低保 → 农村一类低保).
                new = [t for t in new if t not in vocabulary.ancestors(term) or t == term]
                if term not in new:
                    new.append(term)
        state.categories = new
        state.selecting = []
        state.pending.pop("refine", None)
        return True

    def _explain_problems(self, u: Understanding) -> bool:
        """Say what cannot be used as said; True when something was (the question then follows the note)."""
        state = self.state
        if u.several_people is not None:
            # One resident at a time: said once, then the next question is about one of them.
            done = state.step == "done"
            first_words = u.first_person
            # Said of all of them ("都是低保") is named back; said inside the first person's own words is in those words.
            kept = [_short_name(self.quotes.vocabulary.name(f.value)) for f in u.statuses
                    if first_words is None or not first_words.start <= f.start < first_words.end]
            first = u.first_person.value if u.first_person is not None and not done else None
            self.say("one_person", {"step": state.step, "kept": kept, "first": first},
                     said=u.text[u.several_people.start:u.several_people.end], done=done, kept=kept, first=first,
                     others=u.next_people)
            if not self._explain_problems(replace(u, several_people=None)) and not done:
                self._advance()
            return True
        if u.region is None and u.region_problem is not None:
            if isinstance(u.region_problem, NotCoveredError):
                self._not_covered(u.region_problem)
            else:
                self._reask("region", UserInputError(u.region_problem.field, u.region_problem.message,
                                                     suggestions=u.region_problem.suggestions))
            return True
        if u.region is None and u.region_guess is not None and u.region_guess.value != state.region:
            name = u.region_guess.value
            state.pending["confirm_region"] = name
            self.say("confirm_region", {"suggestion": name}, buttons=self._yes_no("confirm_region"),
                     name=u.region_label or name)
            return True
        if u.date_problem is not None and u.date_problem_role is not None:
            role = u.date_problem_role
            if (role == "birth" and u.birth is None) or (role == "payment" and u.payment_date is None):
                step = "birth" if role == "birth" else "payment_date"
                if isinstance(u.date_problem, UserInputError):
                    self._reask(step, u.date_problem)
                    return True
        if state.pending.get("birth_m") and state.birth is None:
            state.step = "birth"
            self.say("ask_birth_year", {"step": "birth"}, month=state.pending["birth_m"], day=None,
                     child=state.pending.get("insured") == "child")
            return True
        if state.pending.get("birth_md") and state.birth is None:
            month, day = state.pending["birth_md"].split("-")
            state.step = "birth"
            self.say("ask_birth_year", {"step": "birth"}, month=month, day=day,
                     child=state.pending.get("insured") == "child")
            return True
        if u.ambiguous_status is not None and not u.statuses:
            names = tuple(self.quotes.vocabulary.name(t) for t in u.ambiguous_status.value)
            said = u.text[u.ambiguous_status.start:u.ambiguous_status.end]
            self._reask("categories", UserInputError(
                "category", f"「{said}」可能是以下几种身份之一，请说具体是哪一种（可以问村委会或社区）",
                example=names[0], suggestions=names))
            return True
        if u.does_not_know and state.step == "birth" and state.pending.get("birth_lunar") and not (
                u.birth or u.birth_range):
            # "阳历不知道" after a lunar birth whose solar day matters: where the solar date is written.
            self._reask("birth", solar_date_needed())
            return True
        if u.does_not_know and state.birth is None and not state.birth_from and (
                state.step == "birth" or (u.birth_unknown and next_need(self.quotes, self._known()).kind == "birth")):
            # Said at the birth question, or "生日记不清了" in a run-on message when the birth is what is needed next.
            if self._birth_unknown():
                return True
            if state.pending.get("insured") == "child":
                self._reask("birth", UserInputError(
                    "birth", "孩子的出生日期在出生医学证明或户口簿上；记不清哪天的话，说出生年月（如“2023年3月”）也可以，"
                    "只有规定与具体日期有关时才再问是几号", example="2023年3月"))
                return True
            self._reask("birth", UserInputError(
                "birth", "不知道具体日期的话，说出生年份（如“1958年”）或年龄（如“65岁”）也可以；只有规定与具体日期有关时"
                "才需要年月日", example="65岁"))
            return True
        if u.does_not_know and u.yes_no is None and (
                state.step == "hukou" or (state.step == "fact" and "fact" in state.pending)):
            self._yes_no_unknown()
            return True
        if u.status_unknown and state.step == "refine":
            self._class_unknown()
            return True
        if u.class_unknown and state.step != "done":
            # "低保户，不知道是几类": the status is kept; where its class matters, the amount for each class.
            need = next_need(self.quotes, self._known())
            if need.kind == "refine" and need.refinement is not None:
                state.pending["refine"] = need.refinement.term
                state.pending["refine_options"] = ",".join(need.refinement.options)
                state.step = "refine"
                self._class_unknown()
                return True
            return False
        if u.status_unknown and state.step == "categories":
            self._status_unknown()
            return True
        return False

    def _birth_unknown(self) -> bool:
        """"不知道" the birth date. Where no adult's answer depends on it (the quote engine checks: needs.birth_cases)
        go on for an adult and say so; where adults' answers differ, say by which births. False: neither can be
        told yet (the caller asks for the year or the age)."""
        state = self.state
        if state.pending.get("insured") == "child":
            return False  # the cases are adults' (needs.birth_cases): never offered for a child
        cases = birth_cases(self.quotes, self._known())
        if len(cases) == 1:
            state.birth_from, state.birth_to = cases[0].earliest, cases[0].latest
            state.pending["birth_assumed"] = f"{cases[0].earliest.isoformat()},{cases[0].latest.isoformat()}"
            self.say("birth_unknown", {"step": "birth", "assumed": True}, cases=[], adult_age=ADULT_AGE)
            self._advance()
            return True
        if not cases:
            return False
        shown = [{"earliest": c.earliest, "latest": c.latest, "amount": c.quote.personal_payment,
                  "more": c.conditional} for c in cases]
        self.say("birth_unknown", {"step": "birth", "assumed": False, "cases": len(cases)}, cases=shown,
                 adult_age=ADULT_AGE, enquiries=self.enquiries(), statuses_known=state.categories is not None)
        self._ask("birth", again=True)
        return True

    def _birth_assumed(self) -> bool:
        """The birth date was not known and the answer is an adult's (see _birth_unknown)."""
        state = self.state
        return (state.birth is None and state.birth_from is not None and state.birth_to is not None
                and state.pending.get("birth_assumed") == f"{state.birth_from.isoformat()},{state.birth_to.isoformat()}")

    def _status_unknown(self) -> None:
        """"不知道" is not "none": the answer for each status that would change it, and where to find out."""
        known = self._known_for_cases()
        cases = []
        if known.region and known.payment_date:
            for term in [None, *self._relevant_terms()]:
                try:
                    quote = self.quotes.outcome(request_for(known, categories=(term,) if term else ()))
                except (UserInputError, NotCoveredError):
                    continue  # a case that needs more answers is simply not listed
                name = "都不是" if term is None else _short_name(self.quotes.vocabulary.name(term))
                cases.append({"name": name, "amount": quote.personal_payment})
        self.say("status_unknown", {"step": "categories", "cases": [c["name"] for c in cases]}, cases=cases,
                 enquiries=self.enquiries(), term="")
        self._ask("categories", again=True)

    def _known_for_cases(self) -> Known:
        """What is known, with a birth said as a year, month or age standing as the day the quote engine uses for
        it (every day of it gives the same answer, or the day would have been asked first)."""
        known = self._known()
        if known.birth is None and known.birth_range is not None and known.region and known.payment_date:
            try:
                document, _ = self.quotes.document_on(known.region, known.payment_date, known.reference)
            except NotCoveredError:
                return known
            representative = birth_within(self.quotes, known, document)
            if representative is not None:
                known = replace(known, birth=representative)
        return known

    def _class_unknown(self) -> None:
        """"不知道是几类" (which class of 低保): "不知道" is not "none", so the amount for each class, and where to find
        out; then the class is asked again."""
        state = self.state
        known = self._known_for_cases()
        broad = state.pending.get("refine", "")
        options = [o for o in state.pending.get("refine_options", "").split(",") if o]
        held = list(known.categories or ())
        cases = []
        for option in options:
            categories = tuple(option if t == broad else t for t in held) if broad in held else (*held, option)
            try:
                quote = self.quotes.outcome(request_for(known, categories=categories))
            except (UserInputError, NotCoveredError):
                continue  # a class that needs more answers is simply not listed
            cases.append({"name": self.quotes.vocabulary.name(option), "amount": quote.personal_payment,
                          "more": bool(quote.missing_facts) or quote.personal_payment is None})
        vocabulary = self.quotes.vocabulary
        self.say("status_unknown", {"step": "refine", "cases": [c["name"] for c in cases]}, cases=cases,
                 enquiries=self.enquiries(), term=vocabulary.name(broad) if broad in vocabulary.terms else "")
        self._ask("refine", again=True)

    def _yes_no_unknown(self) -> None:
        """"不知道" to a yes/no question (local registration, a registration fact): the answer either way."""
        state = self.state
        step = state.step
        known = self._known_for_cases()
        cases = []
        for value in (True, False):
            if step == "hukou":
                case = replace(known, local_hukou=value)
                name = "户籍在本地" if value else "户籍不在本地"
            else:
                case = replace(known, facts=(*known.facts, (state.pending.get("fact", ""), value)))
                name = "是" if value else "不是"
            try:
                quote = self.quotes.outcome(request_for(case))
            except (UserInputError, NotCoveredError):
                continue
            cases.append({"name": name, "amount": quote.personal_payment, "more": bool(quote.missing_facts)})
        self.say("yes_no_unknown", {"step": step, "cases": [c["name"] for c in cases]}, cases=cases,
                 enquiries=self.enquiries())
        self._ask(step, again=True)

    # --- what to ask next ----------------------------------------------------------------------------------------

    def _known(self) -> Known:
        state = self.state
        birth_range = (state.birth_from, state.birth_to) if state.birth_from and state.birth_to else None
        return Known(
            region=state.region, payment_date=state.payment_date, birth=state.birth, birth_range=birth_range,
            categories=None if state.categories is None else tuple(state.categories),
            local_hukou=state.local_hukou, facts=tuple(state.facts.items()),
            reference=answer.is_reference(state.pending, state.payment_date),
            child=state.pending.get("insured") == "child",
        )

    def _advance(self, force_ask: bool = False) -> None:
        """Ask what the answer still depends on (the quote engine decides: bot.quote.needs), or show it."""
        state = self.state
        state.reasks = 0
        need = next_need(self.quotes, self._known())
        if need.kind in ("region", "payment_date", "categories"):
            self._ask(need.kind, again=force_ask)
        elif need.kind == "birth" and not need.exact_birth and state.pending.pop("birth_unknown", "") \
                and self._birth_unknown():
            return  # said earlier that the birth date is not known: the answer for an adult, or which births differ
        elif need.kind == "birth":
            if need.exact_birth and state.pending.get("birth_lunar"):
                self._reask("birth", solar_date_needed())
            elif need.exact_birth:
                self.state.step = "birth"
                # Say exactly what is still needed: which side of the document's age threshold (the year alone
                # when the threshold is a 31 December), or the day where no threshold explains it (a baby).
                cuts = birth_cuts(need.document, state.birth_from, state.birth_to) \
                    if need.document is not None and state.birth_from and state.birth_to else []
                year_enough = bool(cuts) and all((cut.month, cut.day) == (12, 31) for cut in cuts)
                self.say("ask_birth_exact", {"step": "birth", "cuts": [c.isoformat() for c in cuts],
                                             "year_enough": year_enough},
                         earliest=state.birth_from, latest=state.birth_to, year_enough=year_enough,
                         cuts=[(cut, cut + timedelta(days=1)) for cut in cuts],
                         child=state.pending.get("insured") == "child")
            else:
                self._ask("birth", again=force_ask)
        elif need.kind == "date_not_covered" and isinstance(need.error, NotCoveredError):
            self._date_not_covered(need.error)
        elif need.kind == "birth_after_payment" and isinstance(need.error, UserInputError):
            self._reask("birth", need.error)
            state.birth = None
        elif need.kind == "hukou" and need.document is not None:
            self._ask_hukou(need.document)
        elif need.kind == "refine" and need.refinement is not None:
            state.pending["refine"] = need.refinement.term
            state.pending["refine_options"] = ",".join(need.refinement.options)
            self._ask("refine")
        elif need.kind == "not_covered" and isinstance(need.error, NotCoveredError):
            self._not_covered(need.error)
        elif need.kind == "cannot_answer" and need.error is not None:
            self.say("cannot_answer", {"field": need.error.field}, message=need.error.one_line(),
                     enquiries=self.enquiries())
        elif need.kind == "fact" and need.fact is not None:
            state.pending["fact"] = need.fact.id
            state.pending["fact_question"] = need.fact.question
            self._ask("fact")
        elif need.quote is not None:
            if need.statuses_cannot_matter and state.categories is None:
                state.categories = []
            self._show(need.quote)

    def _said(self) -> dict[str, str]:
        """The resident's answers as shown back, to say which of them changed since the last answer."""
        state = self.state
        vocabulary = self.quotes.vocabulary
        return {
            "payment_date": _cn_date(state.payment_date),
            "birth": "不知道（按成年人算）" if self._birth_assumed() else
                     _cn_date(state.birth) or (f"{state.birth_from.year}年" if state.birth_from else ""),
            "statuses": "、".join(_short_name(vocabulary.name(t)) for t in state.categories or []) or "都不是",
        }

    def _request(self, categories: tuple[str, ...] | None = None, local_hukou: bool | None = None) -> QuoteRequest:
        return quote_request(self.state, categories, local_hukou)

    def _show(self, quote: Quote) -> None:
        figures = {
            "region": quote.region,
            "personal_payment": quote.personal_payment,
            "subsidy": quote.subsidy,
            "deadline": quote.deadline.isoformat() if quote.deadline else None,
            "payable_on_date": quote.payable_on_date,
            "benefit_start": quote.benefit_start.isoformat() if quote.benefit_start else None,
        }
        previous = self.state.last_figures
        # Shown again after an earlier answer (a correction, perhaps via a follow-up question): say what changed.
        if previous is not None:
            changes = [
                _Change(_FIGURE_LABELS[key], _show_value(previous.get(key)), _show_value(value))
                for key, value in figures.items()
                if previous.get(key) != value
            ]
            said = self._said()
            before = previous.get("said") or {}
            inputs = [_Change(_SAID_LABELS[key], before.get(key) or "未填", value or "未填")
                      for key, value in said.items() if key in before and before.get(key) != value]
            self.say("changed", {"changed": [c.label for c in changes], "inputs": [c.label for c in inputs]},
                     changes=changes, inputs=inputs)
        self.state.last_figures = {**figures, "said": self._said()}
        said_day, _, words = self.state.pending.get("payment_said", "").partition(" ")
        paying = self.state.payment_date
        if words and paying is not None and said_day == paying.isoformat():
            self.say("payment_date_read", {"said": words, "payment_date": said_day}, said=words, day=paying,
                     example=paying + timedelta(days=4))
        if self._birth_assumed() and not any(reply.template == "birth_unknown" for reply in self.replies):
            self.say("birth_assumed", {"adult_age": ADULT_AGE}, adult_age=ADULT_AGE)
        self.state.step = "done"
        facts = {**figures, "standard_fee": quote.standard_fee, "next_payable_date":
                 quote.next_payable_date.isoformat() if quote.next_payable_date else None,
                 "path": quote.path, "benefit_end": quote.benefit_end.isoformat() if quote.benefit_end else None}
        self.replies.extend(answer.answer_replies(quote, facts, self.output))

    # --- questions -----------------------------------------------------------------------------------------------

    def _ask(self, step: str, again: bool = False, replaces_previous: bool = False, resume: bool = False) -> None:
        state = self.state
        if step in ("start", "done"):
            return
        if not again:
            state.reasks = 0
        state.step = step
        if resume:
            self.say("resume")
        spec = self.flow.steps[step]
        facts = {"step": step}
        buttons: tuple[tuple[Button, ...], ...]
        if step == "region":
            regions = sorted({d.jurisdiction.name for d in self.quotes.kb.documents})
            buttons = tuple((Button(name, f"b:region:{name}"),) for name in regions)
            self.say(spec.ask, facts, buttons=buttons, regions=regions)
        elif step == "payment_date":
            buttons = (tuple(Button(b.label, f"b:payment_date:{b.value}") for b in spec.buttons),)
            self.say(spec.ask, facts, buttons=buttons)
        elif step == "birth" and self._birth_month() is not None:
            self.say("ask_birth_exact", {**facts, "cuts": [], "year_enough": False}, earliest=state.birth_from,
                     latest=state.birth_to, year_enough=False, cuts=[], child=state.pending.get("insured") == "child")
        elif step == "birth":
            self.say(spec.ask, facts, child=state.pending.get("insured") == "child")
        elif step == "categories":
            self._ask_categories(replaces_previous)
        elif step == "refine":
            options = [o for o in state.pending.get("refine_options", "").split(",") if o]
            vocabulary = self.quotes.vocabulary
            buttons = tuple((Button(vocabulary.name(o), f"b:refine:{o}"),) for o in options)
            self.say(spec.ask, facts, buttons=buttons, region=state.region,
                     term=vocabulary.name(state.pending.get("refine", options[0] if options else "dibao")),
                     options=[vocabulary.name(o) for o in options])
        elif step == "hukou":
            document = self.quotes.documents_for(state.region or "")[0]
            self._ask_hukou(document)
        elif step == "fact":
            self.say(spec.ask, {**facts, "fact": state.pending.get("fact")}, buttons=self._yes_no("fact"),
                     question=state.pending.get("fact_question", ""))

    def _ask_hukou(self, document: PolicyDocument) -> None:
        self.state.step = "hukou"
        reason = next((c.hukou_cite.quote for c in document.categories if c.hukou_cite), "")
        self.say("ask_hukou", {"step": "hukou"}, buttons=self._yes_no("hukou"), region=document.jurisdiction.name,
                 reason=reason)

    def _ask_categories(self, replaces_previous: bool) -> None:
        vocabulary = self.quotes.vocabulary
        relevant = self._relevant_terms()
        chosen = self.state.selecting
        rows: list[tuple[Button, ...]] = []
        row: list[Button] = []
        for term in relevant:
            selected = term in chosen
            label = ("✓ " if selected else "") + _short_name(vocabulary.name(term))
            target = "off" if selected else "on"  # the state the tap asks for (see _payload)
            row.append(Button(label, f"b:categories:toggle={term}:{target}", selected))
            if len(row) == 2:
                rows.append(tuple(row))
                row = []
        if row:
            rows.append(tuple(row))
        rows.append((Button("都不是", "b:categories:none"), Button("选好了", "b:categories:done")))
        self.say("ask_categories", {"step": "categories", "options": relevant}, buttons=tuple(rows),
                 replaces_previous=replaces_previous, selected=[vocabulary.name(t) for t in chosen])

    def _relevant_terms(self) -> list[str]:
        """The flow's button terms for which this jurisdiction's document has any rule."""
        if not self.state.region or not self.state.payment_date:
            return []
        try:
            document, _ = self.quotes.document_on(self.state.region, self.state.payment_date, self._request().reference)
        except NotCoveredError:
            return []
        relevant = self.engine.terms_with_rules(document)
        state = self.state
        if state.birth is not None:
            # Only the statuses that can change this resident's answer (a newborn: not 刑满释放人员).
            relevant = statuses_that_matter(self.quotes, self._known(), relevant)
        elif state.birth_from is not None and state.birth_to is not None and state.pending.get("birth_assumed") is None:
            # A birth said to the month or year ("今年3月生的"): the answer is the same on every day of it (the quote
            # engine checked before statuses are asked), so its last day stands for it.
            relevant = statuses_that_matter(self.quotes, replace(self._known(), birth=state.birth_to), relevant)
        return relevant

    def _yes_no(self, step: str) -> tuple[tuple[Button, ...], ...]:
        return ((Button("是", f"b:{step}:yes"), Button("不是", f"b:{step}:no")),)

    # --- questions answered from the FAQ -------------------------------------------------------------------------

    def _faq(self, text: str, strict: bool) -> bool:
        if self.engine.faq is None:
            return False
        reply = self.engine.faq.respond(text, self.state.region, self.output, strict, self.today)
        if reply is None:
            return False
        self.replies.append(reply)
        return True


def _toggle_target(value: str) -> tuple[str, bool] | None:
    """("dibao", True) for "toggle=dibao:on"; None when `value` is not a toggle."""
    if not value.startswith("toggle="):
        return None
    term, _, target = value.removeprefix("toggle=").rpartition(":")
    if target not in ("on", "off") or not term:
        return ("", False)  # a toggle without a target state: from an old keyboard, never accepted
    return term, target == "on"


def _month_within(births: tuple[date, date], month: int) -> tuple[date, date] | None:
    """The days of `month` inside `births` when they lie in one year of it (None: in none, or in two years)."""
    found = []
    for year in range(births[0].year, births[1].year + 1):
        first = date(year, month, 1)
        last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
        if first <= births[1] and births[0] <= last:
            found.append((max(first, births[0]), min(last, births[1])))
    return found[0] if len(found) == 1 else None


def _short_name(name: str) -> str:
    """Button labels stay short: the part before any bracket (重度残疾人（一级、二级） → 重度残疾人)."""
    return name.split("（")[0]


def _cn_date(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def _show_value(value: Any) -> str:
    if value is None:
        return "未知"
    if value is True:
        return "可以"
    if value is False:
        return "不可以"
    if isinstance(value, int):
        return f"{value}元"
    return str(value)
