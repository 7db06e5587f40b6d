"""A fake Telegram Bot API server, for driving a real python-telegram-bot ``Application`` offline.

It listens on 127.0.0.1 only (a free port chosen by the OS) and answers ``/bot<token>/<method>`` the way
the real Bot API does for the methods this bot uses, so a test can play the resident's side of a chat:

    async with FakeBotApi() as api, running(api.application_builder().build()) as app:
        app.add_handler(...)                       # handlers may also be added before `running`
        api.send_text(chat_id=42, text="你好")      # the resident writes
        [reply] = await api.wait_for_bot_messages(42, 1)
        api.tap_button(42, reply.message_id, data="pay")   # the resident taps a button
        api.rate_limit("sendMessage", retry_after=1)       # the next sendMessage answers 429

Everything is recorded: every call (``api.calls``, with method, decoded params, arrival time and the HTTP
status answered) and every chat's history with message ids (``api.history(chat_id)``).

Semantics kept from the real API because the bot's code depends on them:

* ``getUpdates`` long-polls: it returns as soon as an update with ``update_id >= offset`` is queued, or
  ``[]`` after ``timeout`` seconds; updates below ``offset`` are confirmed and forgotten.  While a webhook
  is set, it answers 409.
* ``editMessageText`` without ``reply_markup`` removes the inline keyboard; an edit that changes nothing
  answers 400 "message is not modified"; a text over 4096 characters answers 400 "message is too long".
* ``answerCallbackQuery`` works once per query id; an unknown or already answered id answers 400.
* A 429 carries ``parameters.retry_after`` (whole seconds, as Telegram sends it).

PTB sends form-encoded bodies (``reply_markup`` as a JSON string); JSON bodies and query strings are
accepted too.  All waits are bounded: a helper that times out raises ``TimeoutError`` naming what it
was waiting for and what it saw instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, Literal

from aiohttp import web
from telegram.ext import Application, ApplicationBuilder

HOST = "127.0.0.1"
MAX_MESSAGE_LENGTH = 4096

JSONDict = dict[str, Any]
AnyApplication = Application[Any, Any, Any, Any, Any, Any]
AnyApplicationBuilder = ApplicationBuilder[Any, Any, Any, Any, Any, Any]

# Form values are strings; these are kept as strings, every other value is JSON-decoded when it can be
# (so "42" becomes 42 for chat_id but a text "42" stays "42").
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "callback_query_id",
        "inline_message_id",
        "parse_mode",
        "action",
        "url",
        "secret_token",
        "ip_address",
        "description",
        "short_description",
        "name",
        "language_code",
        "business_connection_id",
        "message_effect_id",
        "emoji",
    }
)

_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"


@dataclass
class ApiCall:
    """One request the bot made. ``status`` is 0 until it is answered (or forever, if the client left)."""

    method: str
    params: JSONDict
    at: float  # time.monotonic() on arrival
    status: int = 0
    fault: str | None = None  # "rate_limit", "bad_gateway", "hang", "error" when a fault was injected
    answered_at: float | None = None


@dataclass(frozen=True)
class Button:
    text: str
    callback_data: str | None
    url: str | None = None


@dataclass
class ChatMessage:
    """A message in a chat's history, sent either by the resident (``from_bot=False``) or by the bot."""

    chat_id: int
    message_id: int
    from_bot: bool
    text: str
    date: int
    reply_markup: JSONDict | None = None
    parse_mode: str | None = None
    edits: int = 0
    deleted: bool = False
    user_id: int | None = None  # the resident who wrote it; None for the bot's messages

    @property
    def buttons(self) -> list[Button]:
        """The inline keyboard's buttons, row by row, flattened."""
        if not self.reply_markup:
            return []
        rows = self.reply_markup.get("inline_keyboard", [])
        return [
            Button(text=str(b.get("text", "")), callback_data=b.get("callback_data"), url=b.get("url"))
            for row in rows
            for b in row
        ]


@dataclass(frozen=True)
class _Fault:
    kind: Literal["rate_limit", "bad_gateway", "hang", "error"]
    retry_after: int = 1
    seconds: float = 0.0
    deliver: bool = False
    status: int = 400
    description: str = ""


class _ApiError(Exception):
    def __init__(self, status: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


class FakeBotApi:
    """The fake server. Use as ``async with FakeBotApi() as api``; it binds 127.0.0.1 on a free port."""

    def __init__(
        self,
        *,
        bot_id: int = 7_000_000_001,
        bot_username: str = "insurance_test_bot",
        latency: float = 0.0,
    ) -> None:
        self.bot_id = bot_id
        self.token = f"{bot_id}:fake-token-for-tests"
        self.bot_user: JSONDict = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "医保缴费助手",
            "username": bot_username,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.latency = latency
        """Seconds added to every call before it is handled (for benchmarks); may be changed at any time."""

        self.calls: list[ApiCall] = []
        self.commands: list[JSONDict] = []
        self.webhook_url = ""
        self.webhook_secret: str | None = None
        self.callback_answers: dict[str, JSONDict] = {}

        self._chats: dict[int, list[ChatMessage]] = {}
        self._next_message_id: dict[int, int] = {}
        self._pending_updates: list[JSONDict] = []
        self._update_ids = itertools.count(1000)
        self._query_ids = itertools.count(1)
        self._open_queries: set[str] = set()
        self._faults: dict[str, deque[_Fault]] = {}
        self._changed = asyncio.Event()
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._port = 0

    # ------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        # handler_cancellation: a request whose client gave up (timeout) stops being handled, as a hung
        # upstream would; shutdown_timeout: close() never waits long for a handler.
        runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=1.0, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, HOST, 0)
        await site.start()
        self._runner = runner
        address = runner.addresses[0]
        self._port = int(address[1])

    async def close(self) -> None:
        """Releases every long poll and hung call, then stops listening (the port is free afterwards)."""
        self._closing.set()
        self._bump()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    @property
    def port(self) -> int:
        return self._port

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)``: PTB appends the token to it."""
        return f"http://{HOST}:{self._port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{HOST}:{self._port}/file/bot"

    def application_builder(self) -> AnyApplicationBuilder:
        """An ``ApplicationBuilder`` already pointed at this server (token and base URLs set)."""
        return ApplicationBuilder().token(self.token).base_url(self.base_url).base_file_url(self.base_file_url)

    # ------------------------------------------------------------------ the resident's side

    def send_text(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        first_name: str = "测试居民",
        language_code: str = "zh-hans",
    ) -> ChatMessage:
        """Queues an update in which the resident writes ``text`` in ``chat_id``; returns that message.

        A text starting with ``/`` carries a ``bot_command`` entity, so ``CommandHandler`` sees it.
        In a private chat (positive ``chat_id``) the user id defaults to the chat id.
        """
        user = self._user(chat_id, user_id, first_name, language_code)
        message = ChatMessage(
            chat_id=chat_id,
            message_id=self._take_message_id(chat_id),
            from_bot=False,
            text=text,
            date=int(time.time()),
            user_id=int(user["id"]),
        )
        self._chats.setdefault(chat_id, []).append(message)
        payload = self._message_json(message, sender=user)
        if text.startswith("/"):
            command = text.split()[0]
            payload["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        self.push_update({"message": payload})
        return message

    def tap_button(
        self,
        chat_id: int,
        message_id: int,
        *,
        data: str | None = None,
        text: str | None = None,
        user_id: int | None = None,
        first_name: str = "测试居民",
        check_keyboard: bool = True,
    ) -> str:
        """Queues a ``callback_query`` for a tap on a button of the bot's message; returns the query id.

        The button is named by its ``data`` (callback data) or its label ``text``.  With
        ``check_keyboard`` (default) the button must be on the message's *current* keyboard, as a real
        client only shows those; pass ``check_keyboard=False`` together with ``data`` to simulate a tap
        on a keyboard that the bot has already replaced (the update was in flight during the edit).
        Every call is a new tap with a new query id, so calling it twice is a double tap.
        """
        message = self.message(chat_id, message_id)
        if not message.from_bot:
            raise ValueError(f"message {message_id} in chat {chat_id} was not sent by the bot")
        if check_keyboard or data is None:
            matches = [
                b
                for b in message.buttons
                if b.callback_data is not None and (data is None or b.callback_data == data) and (text is None or b.text == text)
            ]
            if not matches:
                shown = [(b.text, b.callback_data) for b in message.buttons]
                raise ValueError(f"no button data={data!r} text={text!r} on message {message_id}: {shown}")
            data = matches[0].callback_data
        query_id = f"q{next(self._query_ids)}"
        self._open_queries.add(query_id)
        user = self._user(chat_id, user_id, first_name, "zh-hans")
        self.push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user,
                    "message": self._message_json(message, sender=self.bot_user),
                    "chat_instance": f"ci{chat_id}",
                    "data": data,
                }
            }
        )
        return query_id

    def push_update(self, update: JSONDict, *, update_id: int | None = None) -> int:
        """Queues a raw update (without ``update_id``, which is assigned here unless given: a given one
        repeats an update, as a redelivery does); returns its id."""
        if update_id is None:
            update_id = next(self._update_ids)
        self._pending_updates.append({"update_id": update_id, **update})
        self._bump()
        return update_id

    def repeat_last_update(self) -> int:
        """Queues the last queued update once more, same ``update_id`` (a redelivery); returns the id."""
        last = dict(self._pending_updates[-1])
        update_id = int(last.pop("update_id"))
        return self.push_update(last, update_id=update_id)

    @property
    def pending_updates(self) -> int:
        """Updates not yet confirmed by a later ``getUpdates`` offset."""
        return len(self._pending_updates)

    # ------------------------------------------------------------------ what the bot did

    def history(self, chat_id: int) -> list[ChatMessage]:
        """Every message of the chat, both sides, in order of message id."""
        return list(self._chats.get(chat_id, []))

    def bot_messages(self, chat_id: int) -> list[ChatMessage]:
        return [m for m in self._chats.get(chat_id, []) if m.from_bot]

    def message(self, chat_id: int, message_id: int) -> ChatMessage:
        for message in self._chats.get(chat_id, []):
            if message.message_id == message_id:
                return message
        raise KeyError(f"no message {message_id} in chat {chat_id}")

    def calls_to(self, method: str) -> list[ApiCall]:
        name = method.lower()
        return [c for c in self.calls if c.method.lower() == name]

    def is_answered(self, callback_query_id: str) -> bool:
        return callback_query_id in self.callback_answers

    async def wait_until(self, predicate: Callable[[], bool], *, timeout: float, what: str, poll: float = 0.02) -> None:
        """Waits until ``predicate()`` holds, re-checking after every call and injected update, and every
        ``poll`` seconds for conditions outside the fake (e.g. a list a handler appends to)."""
        deadline = time.monotonic() + timeout
        while True:
            changed = self._changed
            if predicate():
                return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"gave up after {timeout}s waiting for {what}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), min(remaining, poll))

    async def wait_for_bot_messages(self, chat_id: int, count: int, timeout: float = 5.0) -> list[ChatMessage]:
        """Waits until the bot has sent at least ``count`` messages to the chat; returns all of them."""
        try:
            await self.wait_until(
                lambda: len(self.bot_messages(chat_id)) >= count,
                timeout=timeout,
                what=f"{count} bot message(s) in chat {chat_id}",
            )
        except TimeoutError as exc:
            seen = [m.text for m in self.bot_messages(chat_id)]
            raise TimeoutError(f"{exc}; the bot sent {seen}; calls: {self._call_summary()}") from None
        return self.bot_messages(chat_id)

    async def wait_for_calls(self, method: str, count: int = 1, timeout: float = 5.0, *, answered: bool = False) -> list[ApiCall]:
        """Waits until ``method`` was called ``count`` times (``answered``: and answered, any status)."""

        def matching() -> list[ApiCall]:
            return [c for c in self.calls_to(method) if not answered or c.status]

        try:
            await self.wait_until(lambda: len(matching()) >= count, timeout=timeout, what=f"{count} call(s) of {method}")
        except TimeoutError as exc:
            raise TimeoutError(f"{exc}; calls: {self._call_summary()}") from None
        return matching()

    async def wait_for_answer(self, callback_query_id: str, timeout: float = 5.0) -> JSONDict:
        """Waits until the bot answered the callback query; returns the answer's params."""
        await self.wait_until(
            lambda: self.is_answered(callback_query_id),
            timeout=timeout,
            what=f"answerCallbackQuery for {callback_query_id}",
        )
        return self.callback_answers[callback_query_id]

    # ------------------------------------------------------------------ fault injection

    def rate_limit(self, method: str, times: int = 1, *, retry_after: int = 1) -> None:
        """The next ``times`` calls of ``method`` answer 429 with ``parameters.retry_after``."""
        self._add_fault(method, times, _Fault("rate_limit", retry_after=retry_after))

    def bad_gateway(self, method: str, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` answer 502 Bad Gateway (as nginx in front of Telegram)."""
        self._add_fault(method, times, _Fault("bad_gateway"))

    def hang(self, method: str, times: int = 1, *, seconds: float = 30.0, deliver: bool = False) -> None:
        """The next ``times`` calls of ``method`` stall for ``seconds`` before answering.

        With ``deliver=False`` nothing happens unless the client is still connected after the stall (then
        the call is handled normally, only late).  With ``deliver=True`` the call takes effect at once and
        only the answer is late: the message is in the chat even though the client timed out, as when a
        real answer is lost on the way back.  ``close()`` ends every stall at once.
        """
        self._add_fault(method, times, _Fault("hang", seconds=seconds, deliver=deliver))

    def error(self, method: str, times: int = 1, *, status: int = 403, description: str = "") -> None:
        """The next ``times`` calls of ``method`` answer ``status`` (403 by default: bot blocked)."""
        text = description or ("Forbidden: bot was blocked by the user" if status == 403 else f"Error {status}")
        self._add_fault(method, times, _Fault("error", status=status, description=text))

    def clear_faults(self) -> None:
        self._faults.clear()

    # ------------------------------------------------------------------ internals

    def _add_fault(self, method: str, times: int, fault: _Fault) -> None:
        if times < 1:
            raise ValueError("times must be at least 1")
        self._faults.setdefault(method.lower(), deque()).extend([fault] * times)

    def _bump(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    def _call_summary(self) -> list[str]:
        return [f"{c.method}:{c.status or '...'}" for c in self.calls[-30:]]

    def _take_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        return message_id

    @staticmethod
    def _chat_json(chat_id: int) -> JSONDict:
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "测试居民"}
        return {"id": chat_id, "type": "group", "title": f"测试群 {chat_id}"}

    @staticmethod
    def _user(chat_id: int, user_id: int | None, first_name: str, language_code: str) -> JSONDict:
        uid = user_id if user_id is not None else (chat_id if chat_id > 0 else 1)
        return {"id": uid, "is_bot": False, "first_name": first_name, "language_code": language_code}

    def _message_json(self, message: ChatMessage, *, sender: JSONDict) -> JSONDict:
        payload: JSONDict = {
            "message_id": message.message_id,
            "date": message.date,
            "chat": self._chat_json(message.chat_id),
            "from": sender,
            "text": message.text,
        }
        if message.reply_markup:
            payload["reply_markup"] = message.reply_markup
        if message.edits:
            payload["edit_date"] = int(time.time())
        return payload

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _read_params(request)
        call = ApiCall(method=method, params=params, at=time.monotonic())
        self.calls.append(call)
        self._bump()
        try:
            if request.match_info["token"] != self.token:
                raise _ApiError(401, "Unauthorized")
            if self.latency > 0:
                await self._stall(self.latency)
            result = await self._dispatch(request, call)
            return self._answer(call, 200, {"ok": True, "result": result})
        except _ApiError as exc:
            body: JSONDict = {"ok": False, "error_code": exc.status, "description": exc.description}
            if exc.parameters:
                body["parameters"] = exc.parameters
            return self._answer(call, exc.status, body)

    def _answer(self, call: ApiCall, status: int, body: JSONDict) -> web.Response:
        call.status = status
        call.answered_at = time.monotonic()
        self._bump()
        return web.json_response(body, status=status)

    async def _stall(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), seconds)

    async def _dispatch(self, request: web.Request, call: ApiCall) -> Any:
        name = call.method.lower()
        handler = self._methods().get(name)
        queue = self._faults.get(name)
        fault = queue.popleft() if queue else None
        if fault is not None:
            call.fault = fault.kind
            if fault.kind == "rate_limit":
                raise _ApiError(
                    429,
                    f"Too Many Requests: retry after {fault.retry_after}",
                    {"retry_after": fault.retry_after},
                )
            if fault.kind == "bad_gateway":
                raise _ApiError(502, "Bad Gateway")
            if fault.kind == "error":
                raise _ApiError(fault.status, fault.description)
            # hang
            if fault.deliver:
                result = handler(call.params) if handler else None
                await self._stall(fault.seconds)
                return result
            await self._stall(fault.seconds)
            transport = request.transport
            if self._closing.is_set() or transport is None or transport.is_closing():
                raise _ApiError(502, "Bad Gateway")
        if name == "getupdates":
            return await self._get_updates(call.params)
        if handler is None:
            raise _ApiError(404, f"Not Found: method {call.method} is not implemented by FakeBotApi")
        return handler(call.params)

    def _methods(self) -> dict[str, Callable[[JSONDict], Any]]:
        return {
            "getme": lambda p: self.bot_user,
            "deletewebhook": self._delete_webhook,
            "setwebhook": self._set_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "setmycommands": self._set_my_commands,
            "getmycommands": lambda p: self.commands,
            "deletemycommands": self._delete_my_commands,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "deletemessage": self._delete_message,
            "answercallbackquery": self._answer_callback_query,
            "sendchataction": lambda p: True,
            "close": lambda p: True,
            "logout": lambda p: True,
        }

    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        if self.webhook_url:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        if offset:
            self._pending_updates = [u for u in self._pending_updates if u["update_id"] >= offset]
        if not self._pending_updates and timeout > 0:
            with contextlib.suppress(TimeoutError):
                await self.wait_until(
                    lambda: bool(self._pending_updates) or self._closing.is_set(),
                    timeout=timeout,
                    what="an update",
                    poll=timeout,
                )
        return self._pending_updates[:limit]

    def _delete_webhook(self, params: JSONDict) -> bool:
        self.webhook_url = ""
        self.webhook_secret = None
        if params.get("drop_pending_updates"):
            self._pending_updates.clear()
        return True

    def _set_webhook(self, params: JSONDict) -> bool:
        self.webhook_url = str(params.get("url") or "")
        self.webhook_secret = params.get("secret_token")
        if params.get("drop_pending_updates"):
            self._pending_updates.clear()
        return True

    def _get_webhook_info(self, params: JSONDict) -> JSONDict:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending_updates),
        }

    def _set_my_commands(self, params: JSONDict) -> bool:
        commands = params.get("commands") or []
        if not isinstance(commands, list):
            raise _ApiError(400, "Bad Request: can't parse commands JSON object")
        self.commands = commands
        return True

    def _delete_my_commands(self, params: JSONDict) -> bool:
        self.commands = []
        return True

    def _chat_id(self, params: JSONDict) -> int:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int):
            raise _ApiError(400, "Bad Request: chat not found")
        return chat_id

    @staticmethod
    def _checked_text(params: JSONDict) -> str:
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if len(text) > MAX_MESSAGE_LENGTH:
            raise _ApiError(400, "Bad Request: message is too long")
        return text

    @staticmethod
    def _markup(params: JSONDict) -> JSONDict | None:
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        return markup

    def _send_message(self, params: JSONDict) -> JSONDict:
        chat_id = self._chat_id(params)
        text = self._checked_text(params)
        message = ChatMessage(
            chat_id=chat_id,
            message_id=self._take_message_id(chat_id),
            from_bot=True,
            text=text,
            date=int(time.time()),
            reply_markup=self._markup(params),
            parse_mode=params.get("parse_mode"),
        )
        self._chats.setdefault(chat_id, []).append(message)
        return self._message_json(message, sender=self.bot_user)

    def _editable(self, params: JSONDict) -> ChatMessage:
        if params.get("inline_message_id"):
            raise _ApiError(400, "Bad Request: inline messages are not supported by FakeBotApi")
        chat_id = self._chat_id(params)
        try:
            message = self.message(chat_id, int(params.get("message_id") or 0))
        except KeyError:
            raise _ApiError(400, "Bad Request: message to edit not found") from None
        if message.deleted:
            raise _ApiError(400, "Bad Request: message to edit not found")
        if not message.from_bot:
            raise _ApiError(400, "Bad Request: message can't be edited")
        return message

    def _edit_message_text(self, params: JSONDict) -> JSONDict:
        message = self._editable(params)
        text = self._checked_text(params)
        markup = self._markup(params)  # absent: the inline keyboard is removed, as in Telegram
        if text == message.text and markup == message.reply_markup:
            raise _ApiError(400, _NOT_MODIFIED)
        message.text = text
        message.reply_markup = markup
        message.parse_mode = params.get("parse_mode")
        message.edits += 1
        return self._message_json(message, sender=self.bot_user)

    def _edit_message_reply_markup(self, params: JSONDict) -> JSONDict:
        message = self._editable(params)
        markup = self._markup(params)
        if markup == message.reply_markup:
            raise _ApiError(400, _NOT_MODIFIED)
        message.reply_markup = markup
        message.edits += 1
        return self._message_json(message, sender=self.bot_user)

    def _delete_message(self, params: JSONDict) -> bool:
        chat_id = self._chat_id(params)
        try:
            message = self.message(chat_id, int(params.get("message_id") or 0))
        except KeyError:
            raise _ApiError(400, "Bad Request: message to delete not found") from None
        message.deleted = True
        return True

    def _answer_callback_query(self, params: JSONDict) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._open_queries:
            raise _ApiError(400, _QUERY_INVALID)
        self._open_queries.discard(query_id)
        self.callback_answers[query_id] = params
        return True


async def _read_params(request: web.Request) -> JSONDict:
    raw: dict[str, Any] = dict(request.query)
    if request.body_exists:
        if request.content_type == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                return {**raw, **body}
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                raw[key] = value if isinstance(value, str) else f"<file {getattr(value, 'filename', '')}>"
    return {key: _decode(key, value) for key, value in raw.items()}


def _decode(key: str, value: Any) -> Any:
    if not isinstance(value, str) or key in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


@contextlib.asynccontextmanager
async def running(
    app: AnyApplication,
    *,
    poll_timeout: int = 10,
    bootstrap_retries: int = 0,
) -> AsyncIterator[AnyApplication]:
    """Initialises ``app``, polls and starts it; on exit stops polling, waits for its update tasks and
    shuts it down, so no task or connection outlives the block."""
    async with app:
        assert app.updater is not None
        await app.updater.start_polling(timeout=poll_timeout, bootstrap_retries=bootstrap_retries)
        await app.start()
        try:
            yield app
        finally:
            if app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()


def stray_tasks() -> set[asyncio.Task[Any]]:
    """Tasks of the running loop other than the current one: a test should end with none."""
    current = asyncio.current_task()
    return {t for t in asyncio.all_tasks() if t is not current and not t.done()}


class ChatWakingBotApi(FakeBotApi):
    """The fake, plus one event per chat, set whenever the bot sends there: for benchmarks with many residents
    waiting at once, each waking only for its own chat (``wait_until`` wakes every waiter on every call, which
    with a hundred residents costs the fake more CPU than the bot under test)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.arrived: dict[int, asyncio.Event] = {}

    def _send_message(self, params: JSONDict) -> JSONDict:
        result = super()._send_message(params)
        self.arrived.setdefault(int(str(params["chat_id"])), asyncio.Event()).set()
        return result
