"""The fake Bot API delivering updates by webhook, as Telegram does once ``setWebhook`` is called.

Each queued update is POSTed to ``url`` with the secret token header.  Like Telegram's Bot API server,
one chat's updates are delivered one at a time and in order (the next only after the previous was
answered 200), chats side by side up to ``max_connections``; an update that gets no 200 (connection
refused or dropped, a worker killed mid-request, a 5xx) is delivered again after ``retry_delay``.

``attempts`` counts every POST (spread over the target URLs in turn); ``answered`` is the set of update
ids acknowledged (a second 200 for the same id would be Telegram repeating an update the bot had
already acknowledged, which it does not do: it is recorded in ``acknowledged_twice``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import deque
from typing import Any

import aiohttp
from fake_bot_api import FakeBotApi, JSONDict


class WebhookTelegram(FakeBotApi):
    def __init__(self, *, max_connections: int = 40, retry_delay: float = 0.05, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.target_urls: list[str] = []
        self.secret = ""
        self.max_connections = max_connections
        self.retry_delay = retry_delay
        self.attempts = 0
        self.failed_attempts = 0
        self.answered: set[int] = set()
        self.acknowledged_twice: list[int] = []
        self.statuses: dict[int, int] = {}
        self._queues: dict[int, deque[JSONDict]] = {}
        self._senders: dict[int, asyncio.Task[None]] = {}
        self._slots = asyncio.Semaphore(max_connections)
        self._session: aiohttp.ClientSession | None = None

    def deliver_to(self, *urls: str, secret: str) -> None:
        """POST updates to ``urls`` in turn (several workers behind a round-robin proxy), with ``secret``."""
        self.target_urls, self.secret = list(urls), secret

    async def close(self) -> None:
        for task in self._senders.values():
            task.cancel()
        for task in list(self._senders.values()):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._session is not None:
            await self._session.close()
        await super().close()

    @property
    def undelivered(self) -> int:
        return sum(len(q) for q in self._queues.values())

    def push_update(self, update: JSONDict) -> int:
        update_id = next(self._update_ids)
        full = {"update_id": update_id, **update}
        chat = _chat_of(full)
        self._queues.setdefault(chat, deque()).append(full)
        sender = self._senders.get(chat)
        if sender is None or sender.done():
            self._senders[chat] = asyncio.get_running_loop().create_task(self._send_chat(chat))
        return update_id

    async def _send_chat(self, chat: int) -> None:
        queue = self._queues[chat]
        while queue:
            update = queue[0]
            while not await self._post(update):
                await asyncio.sleep(self.retry_delay)
            queue.popleft()
            if update["update_id"] in self.answered:
                self.acknowledged_twice.append(update["update_id"])
            self.answered.add(update["update_id"])
            self._bump()

    async def _post(self, update: JSONDict) -> bool:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.max_connections), timeout=aiohttp.ClientTimeout(total=60)
            )
        async with self._slots:
            self.attempts += 1
            try:
                url = self.target_urls[self.attempts % len(self.target_urls)]
                async with self._session.post(
                    url,
                    data=json.dumps(update),
                    headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": self.secret},
                ) as response:
                    await response.read()
                    self.statuses[response.status] = self.statuses.get(response.status, 0) + 1
                    if response.status == 200:
                        return True
            except (TimeoutError, aiohttp.ClientError):
                pass
            self.failed_attempts += 1
            return False


def _chat_of(update: JSONDict) -> int:
    for kind in ("message", "callback_query"):
        body = update.get(kind)
        if isinstance(body, dict):
            message = body.get("message", body) if kind == "callback_query" else body
            chat = message.get("chat") if isinstance(message, dict) else None
            if isinstance(chat, dict):
                return int(chat["id"])
    return 0
