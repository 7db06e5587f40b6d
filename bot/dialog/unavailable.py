"""The state store cannot be reached just now (PostgreSQL down, restarting, out of connections).

Not the resident's fault, and not a turn that failed: nothing was written, so the update must come again
once the store is back rather than be answered with an apology and confirmed (Telegram would then never
deliver it again, and the resident's message would be lost).  Channels catch this one exception: the
webhook answers 503, so Telegram redelivers the update later (``bot.channels.webhook``).
"""

from __future__ import annotations


class StoreUnavailable(Exception):
    """Raised by a store when it cannot run the turn's transaction; the message names no resident."""
