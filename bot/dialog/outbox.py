"""The outbox: a turn's replies, stored with its state, so a reply is never lost to a crash.

Without it a process killed after the state was committed but before the replies went out lost them for
good: the redelivered update was (rightly) not handled again, and the resident got the current question
instead of the answer to what they had said; after the final answer, they never got the fee.

So every turn that carries an update id writes, in the same transaction as the state and
``last_update_id`` (``bot.dialog.store``'s contract), an :class:`Outbox`: the id of that update and its
replies.  Once the channel has sent them it marks the outbox delivered, which drops the replies' text
(it contains the resident's answers: it is not kept longer than needed).  When the last handled update is
delivered again (:func:`replies_for_repeat`):

* outbox of that update, not marked delivered: the process died before or while sending, or before
  marking; the saved replies are sent (again: delivery is unknown, so all of them);
* marked delivered: the resident has them; nothing is sent;
* no outbox for it (a row written before the outbox existed): the current question, as before.

Only the text, the buttons and whether a reply replaces the previous keyboard are kept: that is what a
channel sends (``facts`` are for tests and the replay, which have no update ids).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.dialog.replies import Button, Incoming, Reply
from bot.dialog.state import DialogState


def record_turn(state: DialogState, incoming: Incoming, replies: list[Reply]) -> Outbox | None:
    """After a turn: note `incoming`'s update id on the state (the dedupe) and the outbox to write with it in the
    same transaction; None for input without an update id (console, replay)."""
    if incoming.update_id is None:
        return None
    state.last_update_id = incoming.update_id
    return Outbox(incoming.update_id, tuple(replies))


@dataclass(frozen=True)
class Outbox:
    update_id: int
    replies: tuple[Reply, ...] = ()
    delivered: bool = False

    def to_json(self) -> str:
        data: dict[str, Any] = {"update_id": self.update_id, "delivered": self.delivered}
        if not self.delivered:
            data["replies"] = [_reply_to_dict(reply) for reply in self.replies]
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | None) -> Outbox | None:
        """None for no outbox, or one that cannot be read (then the redelivered update gets the current
        question, as without an outbox)."""
        if not text:
            return None
        try:
            data = json.loads(text)
            return cls(
                update_id=int(data["update_id"]),
                replies=tuple(_reply_from_dict(item) for item in data.get("replies", ())),
                delivered=bool(data.get("delivered", False)),
            )
        except (ValueError, TypeError, KeyError, AttributeError):
            return None


def delivered_json(update_id: int) -> str:
    """What an outbox becomes once its replies are sent: the update id alone."""
    return Outbox(update_id, delivered=True).to_json()


def replies_for_repeat(outbox: Outbox | None, update_id: int) -> list[Reply] | None:
    """What to send for the redelivered last update ``update_id``: its saved replies, nothing (they were
    delivered), or None when there is no outbox for it (the caller asks the current question)."""
    if outbox is None or outbox.update_id != update_id:
        return None
    return [] if outbox.delivered else list(outbox.replies)


def _reply_to_dict(reply: Reply) -> dict[str, Any]:
    data: dict[str, Any] = {"template": reply.template, "text": reply.text}
    if reply.buttons:
        data["buttons"] = [[[b.label, b.payload, b.selected] for b in row] for row in reply.buttons]
    if reply.replaces_previous:
        data["replaces_previous"] = True
    return data


def _reply_from_dict(data: dict[str, Any]) -> Reply:
    buttons = tuple(
        tuple(Button(label=str(label), payload=str(payload), selected=bool(selected)) for label, payload, selected in row)
        for row in data.get("buttons", ())
    )
    return Reply(template=str(data["template"]), text=str(data["text"]), buttons=buttons,
                 replaces_previous=bool(data.get("replaces_previous", False)))
