"""Which updates could not be handled because the state store was down (``bot.dialog.unavailable``).

The webhook asks :meth:`StoreOutages.take` after handling an update, and answers 503 instead of 200 when the
store failed it, so Telegram delivers it again later.  :meth:`StoreOutages.failed` says whether this is the
update's first failure in this process: the resident is told once that the message will be answered, not
at every one of Telegram's retries.  Both are bounded: a long outage cannot grow them without end.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Final

REMEMBERED: Final = 10_000
"""Update ids remembered (a few hundred kilobytes at most)."""


class StoreOutages:
    def __init__(self, limit: int = REMEMBERED) -> None:
        self.limit = limit
        self._notified: OrderedDict[int, None] = OrderedDict()
        self._pending: OrderedDict[int, None] = OrderedDict()

    def failed(self, update_id: int) -> bool:
        """Records that the store failed ``update_id``; True the first time in this process."""
        _remember(self._pending, update_id, self.limit)
        if update_id in self._notified:
            return False
        _remember(self._notified, update_id, self.limit)
        return True

    def take(self, update_id: int) -> bool:
        """True (once) if the store failed ``update_id`` since it was last taken: answer it 503."""
        if update_id not in self._pending:
            return False
        del self._pending[update_id]
        return True


def _remember(ids: OrderedDict[int, None], update_id: int, limit: int) -> None:
    ids[update_id] = None
    ids.move_to_end(update_id)
    while len(ids) > limit:
        ids.popitem(last=False)
