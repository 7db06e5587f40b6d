"""Whose conversation a Telegram update belongs to, and whether it is meant for this bot at all.

In a private chat the chat is the resident. In a group several residents share the chat, each with their
own dialog: the key adds the sender, so one member's "出生日期改成…" never changes another member's answers.
A command addressed to another bot in the group (``/start@otherbot``) is not ours and is ignored.
"""

from __future__ import annotations

from telegram import Chat, Update


def conversation_key(update: Update) -> str | None:
    """``telegram:<chat id>`` in a private chat, ``telegram:<chat id>:<user id>`` in a group; None when the
    update has no chat (not a conversation)."""
    chat = update.effective_chat
    if chat is None:
        return None
    if chat.type == Chat.PRIVATE:
        return f"telegram:{chat.id}"
    user = update.effective_user
    if user is None:  # a channel post or an anonymous admin: the chat as a whole
        return f"telegram:{chat.id}"
    return f"telegram:{chat.id}:{user.id}"


def addressed_to_another_bot(text: str, username: str | None) -> bool:
    """True for ``/command@name`` when ``name`` is not this bot's username (compared without case)."""
    if not text.startswith("/"):
        return False
    command = text.split(maxsplit=1)[0]
    _, at, name = command.partition("@")
    if not at:
        return False
    return username is None or name.lower() != username.lower()
