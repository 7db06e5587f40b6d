"""The dialog state machine: one resident's input in, replies out. No channel, no clock, no I/O.

Each turn: commands (/back …) first, then button payloads, then corrections typed at any point ("出生日期改成…"),
then the answer to the current question. After any accepted answer `_advance` asks the next question the
answer still needs (the quote engine decides: which kind of 低保, local registration, a registration fact),
or shows the answer. Unusable input is re-asked with what was expected; nothing already answered is lost.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol

from bot.dialog.corrections import Correction, find_correction
from bot.dialog.flow import Flow, load_flow
from bot.dialog.replies import Button, Incoming, Reply
from bot.dialog.state import DialogState
from bot.errors import NotCoveredError, PartlyCoveredError, UserInputError
from bot.parsing.dates import parse_birth_date, parse_payment_date
from bot.policy.model import PolicyDocument
from bot.quote.categories import RefinementNeeded
from bot.quote.engine import QuoteEngine, uses_birth
from bot.quote.result import Quote, QuoteRequest
from bot.render import Format, render

log = logging.getLogger(__name__)

MAX_INPUT_CHARS = 500
_QUESTION = re.compile(r"[?？]|怎么|怎样|如何|多少|什么|啥|咋|吗|哪|能不能|可不可以|是否|为什么|为啥|几号|何时|要不要|需不需要")


class FaqResponder(Protocol):
    """Answers free-text questions (bot.faq); None when the text is not a question it can handle."""

    def respond(self, text: str, region: str | None, output: Format, strict: bool) -> Reply | None: ...


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
        birth=state.birth,
        payment_date=state.payment_date,
        categories=tuple(state.categories or []) if categories is None else categories,
        facts=tuple(state.facts.items()),
        local_hukou=True if hukou is None else hukou,
    )


def looks_like_question(text: str) -> bool:
    return _QUESTION.search(text) is not None


class DialogEngine:
    def __init__(self, quotes: QuoteEngine, flow: Flow | None = None, faq: FaqResponder | None = None) -> None:
        self.quotes = quotes
        self.flow = flow or load_flow()
        self.faq = faq

    def handle(self, state: DialogState, incoming: Incoming, today: date, output: Format = "text") -> TurnResult:
        turn = _Turn(self, state, today, output)
        replies = turn.run(incoming)
        log.info("turn step=%s replies=%s", state.step, ",".join(r.template for r in replies))
        return TurnResult(replies, forget=turn.forget)

    def current_question(self, state: DialogState, today: date, output: Format = "text") -> list[Reply]:
        """Where a saved conversation stands, to resume it: "we continue" and the current question."""
        turn = _Turn(self, state, today, output)
        turn.say("resume")
        turn.ask_current()
        return turn.replies


@dataclass
class _Change:
    label: str
    before: str
    after: str


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

    # --- plumbing ----------------------------------------------------------------------------------------------

    @property
    def flow(self) -> Flow:
        return self.engine.flow

    @property
    def quotes(self) -> QuoteEngine:
        return self.engine.quotes

    def say(self, template: str, facts: dict[str, Any] | None = None,
            buttons: tuple[tuple[Button, ...], ...] = (), replaces_previous: bool = False, **context: Any) -> None:
        text = render(f"dialog/{template}", self.output, **context)
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
            if text and looks_like_question(text) and self._faq(text, strict=True):
                self._advance()
                return self.replies
            if text and incoming.payload is None and self._answer_silently(text):
                return self.replies
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
            if correction is not None and self._correct(correction):
                return self.replies
            self._answer(text)
        return self.replies

    def _answer_silently(self, text: str) -> bool:
        """A first message that already names a place ("朔州") is taken as the answer to the first question."""
        try:
            match = self.quotes.places.resolve(text)
        except (UserInputError, NotCoveredError):
            return False
        self.state.region = match.jurisdiction
        self._advance()
        return True

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
                restored = DialogState.from_dict({**snapshot, "history": history})
                self.state.__dict__.update(restored.__dict__)
            self.say("back", {"moved": moved}, moved=moved)
            self._advance(force_ask=True)
        elif command == "/forget":
            self._reset()
            self.forget = True
            self.say("forgotten")
        elif command == "/faq":
            self.say("faq_prompt")
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

    def _offered(self) -> set[str]:
        """The payloads of the buttons the current question shows (asked on a copy of the state)."""
        scratch = _Turn(self.engine, DialogState.from_dict(self.state.to_dict()), self.today, "text")
        scratch.ask_current()
        return {button.payload for reply in scratch.replies for row in reply.buttons for button in row}

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
            if from_button:
                offsets = {"today": 0, "tomorrow": 1}
                day = self.today + timedelta(days=offsets.get(text, 0))
            else:
                day = parse_payment_date(text, today=self.today)
            state.push_history()
            state.payment_date = day
        elif step == "birth":
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
        ids = [text] if from_button else vocabulary.parse(text)
        for term in ids:
            for option in options:
                if term == option or option in vocabulary.ancestors(term):
                    return option
        names = tuple(vocabulary.name(o) for o in options if o in vocabulary.terms)
        raise UserInputError("category", "请从列出的类别中选择一项", example=names[0] if names else None,
                             suggestions=names)

    def _confirm_region(self, text: str) -> None:
        name = self.state.pending.pop("confirm_region")
        answer = self.flow.answer_yes_no(text) if text not in ("yes", "no") else text == "yes"
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
        self.state.payment_date = None
        self.say("date_not_covered", {"field": "date"}, message=error.message, region=region, first=first,
                 last=last, example=example, enquiries=self.enquiries())
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

    # --- what to ask next ----------------------------------------------------------------------------------------

    def _advance(self, force_ask: bool = False) -> None:
        state = self.state
        state.reasks = 0
        if state.region is None:
            self._ask("region", again=force_ask)
            return
        if state.payment_date is None:
            self._ask("payment_date", again=force_ask)
            return
        try:
            document = self.quotes.document_for(state.region, state.payment_date)
        except NotCoveredError as error:
            self._date_not_covered(error)
            return
        if state.birth is None and uses_birth(document, state.payment_date):
            self._ask("birth", again=force_ask)
            return
        if state.birth is not None and state.birth > state.payment_date:
            self._reask("birth", UserInputError("birth", "出生日期晚于缴费日期", example="1958年3月2日"))
            state.birth = None
            return
        if state.categories is None:
            if self._statuses_cannot_matter():
                state.categories = []
            else:
                self._ask("categories", again=force_ask)
                return
        try:
            if state.local_hukou is None and self.quotes.hukou_matters(self._request(local_hukou=True)):
                self._ask_hukou(document)
                return
            quote = self.quotes.quote(self._request())
        except RefinementNeeded as needed:
            state.pending["refine"] = needed.refinement.term
            state.pending["refine_options"] = ",".join(needed.refinement.options)
            self._ask("refine")
            return
        except NotCoveredError as error:
            self._not_covered(error)
            return
        except UserInputError as error:
            self.say("cannot_answer", {"field": error.field}, message=error.one_line(), enquiries=self.enquiries())
            return
        for missing in quote.missing_facts:
            if missing.id not in state.facts:
                state.pending["fact"] = missing.id
                state.pending["fact_question"] = missing.question
                self._ask("fact")
                return
        self._show(quote)

    def _statuses_cannot_matter(self) -> bool:
        """True when the answer is the same whatever the statuses (a newborn's free first year)."""
        try:
            quote = self.quotes.quote(self._request(categories=()))
        except (UserInputError, NotCoveredError):
            return False
        return quote.personal_payment == 0 and quote.winning_category is None

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
            self.say("changed", {"changed": [c.label for c in changes]}, changes=changes)
        self.state.last_figures = figures
        self.state.step = "done"
        facts = {**figures, "standard_fee": quote.standard_fee, "next_payable_date":
                 quote.next_payable_date.isoformat() if quote.next_payable_date else None,
                 "path": quote.path, "benefit_end": quote.benefit_end.isoformat() if quote.benefit_end else None}
        self.say("answer", facts, q=quote, show_sources=True)

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
        elif step == "birth":
            self.say(spec.ask, facts)
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
            document = self.quotes.document_for(self.state.region, self.state.payment_date)
        except NotCoveredError:
            return []
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
        return relevant

    def _yes_no(self, step: str) -> tuple[tuple[Button, ...], ...]:
        return ((Button("是", f"b:{step}:yes"), Button("不是", f"b:{step}:no")),)

    # --- questions answered from the FAQ -------------------------------------------------------------------------

    def _faq(self, text: str, strict: bool) -> bool:
        if self.engine.faq is None:
            return False
        reply = self.engine.faq.respond(text, self.state.region, self.output, strict)
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


def _short_name(name: str) -> str:
    """Button labels stay short: the part before any bracket (重度残疾人（一级、二级） → 重度残疾人)."""
    return name.split("（")[0]


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
