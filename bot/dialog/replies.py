"""What the engine says: a template id (what tests assert on), the rendered text, facts, and buttons."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Button:
    label: str
    payload: str  # "b:<step>:<value>", at most 64 bytes (Telegram's callback_data limit)
    selected: bool = False


@dataclass(frozen=True)
class Reply:
    template: str
    text: str
    facts: dict[str, Any] = field(default_factory=dict)
    buttons: tuple[tuple[Button, ...], ...] = ()
    replaces_previous: bool = False  # a keyboard update (multi-select): edit the last message if possible

    def button_by_label(self, label: str) -> Button | None:
        for row in self.buttons:
            for button in row:
                if button.label == label or button.label.lstrip("✓ ") == label:
                    return button
        return None


def carries_target_state(payload: str) -> bool:
    """A payload that names the state it sets ("b:categories:toggle=dibao:on"): a repeated tap does the same
    thing again, so channels handle every tap of it rather than dropping quick repeats as double taps."""
    return payload.endswith((":on", ":off"))


def find_button(replies: list[Reply], label: str) -> Button | None:
    """The button with `label` on the latest reply that has one (a tester may tap an old message's button)."""
    for reply in reversed(replies):
        button = reply.button_by_label(label)
        if button is not None:
            return button
    return None


@dataclass(frozen=True)
class Incoming:
    """One thing the resident did: typed text, or tapped a button (payload).

    `update_id` is the channel's increasing id of the update (Telegram's update_id), when it has one: an
    update is handled at most once (see bot.dialog.store.is_repeat)."""

    text: str = ""
    payload: str | None = None
    update_id: int | None = None
