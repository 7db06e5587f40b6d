"""How the Telegram channel gets replies to a resident: once each, in order, whatever the network does.

The dialog engine saves the resident's state before a reply is sent, so a reply that is lost leaves the
resident waiting for a question that never comes, and a reply sent twice shows the same question twice.
:class:`Delivery` sends with this policy:

* **429 Too Many Requests** is retried after ``retry_after`` by PTB's ``AIORateLimiter`` (configured by the
  adapter), below this module.
* **Certainly not applied**, so sent again after a short back-off: the connection could not be made
  (``ConnectError``, ``ConnectTimeout``), no connection was free (``PoolTimeout``), the request was not
  completely written (``WriteTimeout``), or Telegram answered with a 5xx other than 504 (taken as refused:
  a 502 is its front end failing to reach the back end).
* **Perhaps applied** (the request reached Telegram but no answer came back: ``ReadTimeout``, a dropped
  connection, 504): an ``editMessageText`` is simply repeated (editing twice to the same content is
  harmless, and "message is not modified" then means it worked).  A ``sendMessage`` is *reconciled*
  before it is repeated: see :meth:`Delivery.send_text`.
* **403 Forbidden** (the resident blocked the bot) stops the delivery to that chat: :class:`ChatBlocked`.

Reconciling an uncertain ``sendMessage``.  The Bot API has no idempotency key and a bot cannot read a chat's
history.  It can, however, ask to edit a message by id: ``editMessageReplyMarkup`` with the keyboard the lost
message would have (none, for a message without buttons) answers "message is not modified" for a bot message
that already has exactly that keyboard (and changes nothing), "message can't be edited" for the resident's
messages and "message to edit not found" for an id with no message in the chat.  So the ids after the last
message known in the chat are probed, in order: "not modified" means the message was delivered; "not found"
first means it was not, and it is sent again.  This relies on message ids in a private chat growing by one
per message, both sides together (as the fake Bot API numbers them; not verified against Telegram itself);
if Telegram numbered them otherwise the probe would meet "not found" and send again: a duplicate at
worst, never a loss.  It is only tried when the last message id of the chat is known (the resident's message
being answered, or a message this process sent there); otherwise, and if the probe itself fails, the message
is sent again: a rare duplicate is preferred to a resident left without an answer.  Because the chat's
updates are handled one at a time and this process is the only sender, no other bot message can sit between
that last known id and the uncertain one.

Also here: :func:`split_html` (Telegram's 4096-character limit, on line boundaries, keeping HTML tags
balanced in every part) and :func:`keyboard` (engine buttons to an inline keyboard).

Logs carry method names, attempt counts and exception types; never texts, chat ids or the token.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeVar

import httpx
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError, TimedOut

from bot.dialog.replies import Button

_LOGGER = logging.getLogger(__name__)

MAX_MESSAGE_LENGTH: Final = 4096
"""Telegram's limit for a message text (counted here in UTF-16 units of the HTML source, which is never
less than what Telegram counts after parsing the markup)."""

_NO_PREVIEW: Final = LinkPreviewOptions(is_disabled=True)
_NO_PREVIEW_JSON: Final = {"is_disabled": True}
"""The same as JSON, for ``Bot._post`` (which would otherwise convert the object on every send)."""

T = TypeVar("T")


class ChatBlocked(Exception):
    """The resident blocked the bot (403): nothing more can be delivered to this chat."""


@dataclass(frozen=True)
class RetryPolicy:
    """Pauses (seconds) before each repeated attempt; the number of pauses is the number of retries."""

    delays: tuple[float, ...] = (0.5, 1.0, 2.0)
    probe_limit: int = 8  # message ids probed after the last known one when reconciling a send


# --------------------------------------------------------------------------------------------- keyboards


@functools.lru_cache(maxsize=1024)
def markup_json(markup: InlineKeyboardMarkup) -> dict[str, Any]:
    """The keyboard as the Bot API's JSON object, as PTB would send it (``to_dict``), made once per distinct
    keyboard: PTB converts it on every send otherwise (25-75 µs).  Read-only: the same dict is shared."""
    return markup.to_dict()


@functools.lru_cache(maxsize=1024)
def keyboard(rows: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup | None:
    """The engine's button rows as an inline keyboard (``None`` when there are no buttons).

    Cached: the dialog has a few hundred distinct keyboards at most, and building one (PTB's frozen
    objects) cost 25 µs for one button, 125 µs for a status keyboard, on every reply that has one."""
    if not any(rows):
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(button.label, callback_data=button.payload) for button in row] for row in rows if row]
    )


# --------------------------------------------------------------------------------------------- splitting

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)\b[^>]*>")
_SELF_CLOSING = frozenset({"br"})


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _track(stack: list[tuple[str, str]], piece: str) -> list[tuple[str, str]]:
    """The open tags (name, opening tag) after ``piece``, given those open before it."""
    stack = list(stack)
    for match in _TAG.finditer(piece):
        closing, name = match.group(1) == "/", match.group(2).lower()
        if name in _SELF_CLOSING:
            continue
        if not closing:
            stack.append((name, match.group(0)))
            continue
        for index in range(len(stack) - 1, -1, -1):
            if stack[index][0] == name:
                del stack[index]
                break
    return stack


def _closing(stack: Sequence[tuple[str, str]]) -> str:
    return "".join(f"</{name}>" for name, _ in reversed(stack))


def _opening(stack: Sequence[tuple[str, str]]) -> str:
    return "".join(tag for _, tag in stack)


def _hard_split(line: str, size: int) -> list[str]:
    """A line longer than ``size`` cut into parts of at most ``size``, never inside a tag or an entity."""
    parts: list[str] = []
    while utf16_length(line) > size:
        cut = size
        while utf16_length(line[:cut]) > size:
            cut -= 1
        head = line[:cut]
        # do not cut inside "<...>" or "&...;"
        for opener, closer in (("<", ">"), ("&", ";")):
            start = head.rfind(opener)
            if start > 0 and head.rfind(closer) < start:
                cut = start
                head = line[:cut]
        # prefer a space or a Chinese full stop / comma near the end
        soft = max(head.rfind(" "), head.rfind("。"), head.rfind("，"), head.rfind("；"))
        if soft > size // 2:
            cut = soft + 1
        parts.append(line[:cut])
        line = line[cut:]
    parts.append(line)
    return parts


def split_html(text: str, limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """``text`` (Telegram HTML) as messages of at most ``limit``, cut between lines where possible.

    A tag open at a cut is closed at the end of one part and opened again at the start of the next, so
    each part is valid HTML on its own.  Parts are stripped of the blank lines at the cut.
    """
    if utf16_length(text) <= limit:
        return [text]
    reserve = min(512, limit // 4)  # room for the tags closed and reopened at a cut
    pieces: list[str] = []
    for line in text.splitlines(keepends=True):
        pieces.extend(_hard_split(line, limit - reserve) if utf16_length(line) > limit - reserve else [line])

    parts: list[str] = []
    current, stack = "", []  # type: str, list[tuple[str, str]]
    has_content = False
    for piece in pieces:
        after = _track(stack, piece)
        if has_content and utf16_length(current + piece + _closing(after)) > limit:
            parts.append(current.rstrip("\n") + _closing(stack))
            current, has_content = _opening(stack), False
        current += piece
        stack = after
        has_content = has_content or bool(_TAG.sub("", piece).strip())
    parts.append(current + _closing(stack))

    cleaned = [part.strip("\n") for part in parts]
    result: list[str] = []
    for part in cleaned:
        if not _TAG.sub("", part).strip():
            continue
        while utf16_length(part) > limit:  # only with pathological markup; cut regardless
            result.append(part[: limit // 2])
            part = part[limit // 2 :]
        result.append(part)
    return result


# --------------------------------------------------------------------------------------------- errors


def _certainly_not_applied(error: TelegramError) -> bool:
    """True when Telegram cannot have carried out the request, so repeating it cannot double it."""
    cause = error.__cause__
    if isinstance(error, TimedOut):
        return isinstance(cause, httpx.ConnectTimeout | httpx.PoolTimeout | httpx.WriteTimeout)
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        if isinstance(cause, httpx.ConnectError):
            return True
        if cause is None or isinstance(cause, TelegramError):
            # Telegram (or its front end) answered with an error status: not carried out, except a
            # gateway timeout, where the back end may still be working on it.
            return "504" not in error.message and "gateway time" not in error.message.lower()
    return False


def _transient(error: TelegramError) -> bool:
    """Worth another attempt (network trouble or a 5xx), as opposed to a definite refusal (400, 403)."""
    return isinstance(error, NetworkError) and not isinstance(error, BadRequest | Forbidden)


def describe(error: BaseException) -> str:
    """An exception for the logs: its type, and for network errors the transport cause's type."""
    name = type(error).__name__
    cause = error.__cause__
    if isinstance(error, NetworkError) and cause is not None:
        name += f"({type(cause).__name__})"
    return name


def _says(error: TelegramError, *phrases: str) -> bool:
    text = error.message.lower()
    return any(phrase in text for phrase in phrases)


def is_not_modified(error: TelegramError) -> bool:
    return isinstance(error, BadRequest) and _says(error, "message is not modified")


# --------------------------------------------------------------------------------------------- delivery


class _KnownIds:
    """The last message id seen in each chat (bounded LRU: ``capacity`` chats)."""

    def __init__(self, capacity: int = 50_000) -> None:
        self._ids: OrderedDict[int, int] = OrderedDict()
        self._capacity = capacity

    def see(self, chat_id: int, message_id: int) -> None:
        current = self._ids.pop(chat_id, 0)
        self._ids[chat_id] = max(current, message_id)
        while len(self._ids) > self._capacity:
            self._ids.popitem(last=False)

    def last(self, chat_id: int) -> int | None:
        return self._ids.get(chat_id)


class Delivery:
    """Sends, edits and answers with the policy described in the module docstring."""

    def __init__(
        self,
        policy: RetryPolicy | None = None,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        message_objects: bool = False,
    ):
        self.policy = policy or RetryPolicy()
        self._sleep = sleep
        # False: a send's result is read for its message id only (see _send_message); True: PTB's
        # bot.send_message, which builds a Message object from it (kept for the benchmark's comparison).
        self.message_objects = message_objects
        self.known = _KnownIds()
        self.retries = 0  # attempts repeated, for the admin's statistics
        self.reconciled = 0  # uncertain sends found delivered (not sent again)

    def saw(self, chat_id: int, message_id: int) -> None:
        """Record a message of the chat (the resident's, or one the bot sent) as the latest known."""
        self.known.see(chat_id, message_id)

    async def send_text(self, bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None) -> int | None:
        """Sends one message (``text`` within the length limit); returns its id, or None if it was found
        delivered by reconciliation."""
        delays = list(self.policy.delays)
        while True:
            anchor = self.known.last(chat_id)
            try:
                message_id = await self._send_message(bot, chat_id, text, markup)
            except Forbidden as error:
                raise ChatBlocked from error
            except TelegramError as error:
                if not _transient(error) or not delays:
                    raise
                if not _certainly_not_applied(error):
                    found = await self._find_delivered(bot, chat_id, anchor, markup)
                    if found is not None:
                        self.reconciled += 1
                        _LOGGER.warning("sendMessage outcome unknown (%s); found delivered, not sent again", describe(error))
                        self.known.see(chat_id, found)
                        return None
                self.retries += 1
                delay = delays.pop(0)
                _LOGGER.warning("sendMessage failed (%s); sending again in %.1fs", describe(error), delay)
                await self._sleep(delay)
                continue
            self.known.see(chat_id, message_id)
            return message_id

    async def _send_message(self, bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None) -> int:
        """sendMessage, returning the new message's id.

        ``bot.send_message`` turns Telegram's answer into a ``Message`` (with its ``Chat``, ``User``,
        entities and keyboard objects), for the one number the bot reads: benchmarks/telegram_bench.py
        measured 1.86-1.89 ms of the bot's CPU per update with it, 1.60-1.62 ms without (0 ms latency,
        engine on the event loop as in the webhook workers, two runs).  So the request goes through
        ``Bot._post`` (the same path below ``send_message``: defaults, the rate limiter, the HTTP client,
        errors raised as ``TelegramError``) and only ``message_id`` is read from the answer.  ``_post`` is
        PTB's internal method: PTB is pinned, and tests/telegram run every send through it."""
        if self.message_objects:
            message = await bot.send_message(
                chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup, link_preview_options=_NO_PREVIEW)
            return message.message_id
        result = await bot._post(
            "sendMessage",
            {"chat_id": chat_id, "text": text, "parse_mode": ParseMode.HTML,
             "reply_markup": markup_json(markup) if markup is not None else None,
             "link_preview_options": _NO_PREVIEW_JSON},
        )
        return int(result["message_id"])

    async def _find_delivered(
        self, bot: Bot, chat_id: int, anchor: int | None, markup: InlineKeyboardMarkup | None
    ) -> int | None:
        """The id of the message an uncertain send created, or None (not delivered, or cannot tell)."""
        if anchor is None:
            return None
        for candidate in range(anchor + 1, anchor + 1 + self.policy.probe_limit):
            try:
                await bot.edit_message_reply_markup(chat_id, candidate, reply_markup=markup)
            except BadRequest as error:
                if _says(error, "message is not modified"):
                    return candidate
                if _says(error, "can't be edited", "message_id_invalid"):
                    continue  # the resident's message (or a service message): look further
                return None  # "message to edit not found": past the end of the chat
            except TelegramError as error:
                _LOGGER.warning("probing for an uncertain send failed (%s)", describe(error))
                return None
            else:
                # A bot message with another keyboard: not the one we look for (and not expected to exist
                # after the last known id).  Its keyboard was replaced; note it and look further.
                _LOGGER.warning("probing for an uncertain send edited an unexpected message")
                continue
        return None

    async def edit_text(
        self, bot: Bot, chat_id: int, message_id: int, text: str, markup: InlineKeyboardMarkup | None
    ) -> bool:
        """Edits a message's text and keyboard; True when it shows ``text`` now (also when it already
        did: "not modified"), False when the message cannot be edited (too old, deleted, inaccessible)."""
        delays = list(self.policy.delays)
        while True:
            try:
                await bot.edit_message_text(
                    text,
                    chat_id=chat_id,
                    message_id=message_id,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                    link_preview_options=_NO_PREVIEW,
                )
                return True
            except Forbidden as error:
                raise ChatBlocked from error
            except BadRequest as error:
                if is_not_modified(error):
                    return True
                _LOGGER.info("editMessageText refused (%s): sending a new message instead", describe(error))
                return False
            except TelegramError as error:
                if not _transient(error) or not delays:
                    raise
                self.retries += 1
                delay = delays.pop(0)
                _LOGGER.warning("editMessageText failed (%s); trying again in %.1fs", describe(error), delay)
                await self._sleep(delay)

    async def answer_query(self, bot: Bot, query_id: str) -> None:
        """Stops the spinner on a tapped button. Never raises: a query too old or already answered is
        only logged (the tap itself is still handled)."""
        delays = list(self.policy.delays[:2])
        while True:
            try:
                await bot.answer_callback_query(query_id)
                return
            except TelegramError as error:
                if _transient(error) and delays:
                    await self._sleep(delays.pop(0))
                    continue
                _LOGGER.info("answerCallbackQuery failed (%s)", describe(error))
                return

    async def typing(self, bot: Bot, chat_id: int) -> None:
        """Shows "typing…" in the chat; best effort (never raises, never retried)."""
        try:
            await bot.send_chat_action(chat_id, ChatAction.TYPING)
        except TelegramError as error:
            _LOGGER.debug("sendChatAction failed (%s)", describe(error))
