"""Polling that confirms an update to Telegram only after it has been handled.

Telegram forgets the updates below the ``offset`` of a ``getUpdates`` call: that call is the
acknowledgement.  PTB's ``Updater`` asks for the next batch (acknowledging the last one) as soon as it has
queued it, so a process killed while the batch is still being handled loses those updates for good: the
resident's message is never answered.

:func:`acknowledge_after_handling` makes every ``getUpdates`` of the updater wait until the application has
finished every update fetched so far (``update_queue.join()``: PTB marks an update done after its handler
ran, or failed).  A kill then costs at most a redelivery of the batch being handled, and the state store
skips the updates of it that were already handled (``bot.dialog.store.is_repeat``): nothing lost, nothing
done twice.  The price is that one batch is finished before the next is fetched; chats within a batch are
still handled side by side.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

from telegram import Bot
from telegram.ext import Application


class _AckAfterHandledBot:
    """The application's bot for the updater: ``get_updates`` first waits for the queue to be handled;
    everything else goes to the bot itself."""

    def __init__(self, bot: Bot, queue: asyncio.Queue[object]) -> None:
        self._bot = bot
        self._queue = queue

    async def get_updates(self, *args: Any, **kwargs: Any) -> Any:
        await self._queue.join()
        return await self._bot.get_updates(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._bot, name)


def acknowledge_after_handling(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Polling by ``application.updater`` confirms updates only once they are handled (see above)."""
    updater = application.updater
    if updater is None or isinstance(updater.bot, _AckAfterHandledBot):
        return
    updater.bot = cast(Bot, _AckAfterHandledBot(application.bot, application.update_queue))
