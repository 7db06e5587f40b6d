"""A conversation's state: a small value, serialisable to JSON, stored after every turn."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

STATE_VERSION = 1
HISTORY_LIMIT = 20  # /back steps kept; older ones are dropped so a state stays small


@dataclass
class DialogState:
    step: str = "start"
    region: str | None = None
    payment_date: date | None = None
    birth: date | None = None
    birth_from: date | None = None  # a year or an age said: the birth date lies between these
    birth_to: date | None = None
    categories: list[str] | None = None  # vocabulary ids; None: not answered yet
    selecting: list[str] = field(default_factory=list)  # multi-select in progress (buttons)
    local_hukou: bool | None = None
    facts: dict[str, bool] = field(default_factory=dict)
    pending: dict[str, str] = field(default_factory=dict)  # confirm_region / refine: what is being asked
    reasks: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)
    last_figures: dict[str, Any] | None = None  # of the last answer shown, to say what changed
    last_update_id: int | None = None  # the channel's id of the last update handled (see store.is_repeat)
    version: int = STATE_VERSION

    @classmethod
    def tombstone(cls, last_update_id: int | None) -> DialogState:
        """What is kept after /forget: no answers, only the last handled update id, so a redelivered older
        update is still recognised as handled and cannot bring the deleted answers back."""
        return cls(last_update_id=last_update_id)

    def snapshot(self) -> dict[str, Any]:
        """The answers, for /back, which restores them as they were. Only those that differ from a new
        conversation's are kept (the others are restored as defaults): the state is written on every turn, and
        its history of up to HISTORY_LIMIT snapshots is most of it. Never kept: the history itself, the answer
        last shown (/back keeps the current one, to say what changed) and the channel's bookkeeping
        (last_update_id)."""
        return {name: value for name, value in self._copied(_SNAPSHOT_FIELDS, skip_defaults=True).items()}

    def push_history(self) -> None:
        self.history.append(self.snapshot())
        del self.history[:-HISTORY_LIMIT]

    def to_dict(self) -> dict[str, Any]:
        """Every field as JSON values, the lists and dicts copied (a snapshot must not change with the state)."""
        return self._copied(_FIELDS)

    def _copied(self, names: tuple[str, ...], skip_defaults: bool = False) -> dict[str, Any]:
        # By hand rather than dataclasses.asdict (a deep copy per field): this runs on every turn.
        data: dict[str, Any] = {}
        for name in names:
            value = getattr(self, name)
            if skip_defaults and value == _DEFAULT_VALUES[name]:
                continue
            if isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, list):
                value = [dict(v) if isinstance(v, dict) else v for v in value]
            elif isinstance(value, dict):
                value = dict(value)
            data[name] = value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DialogState:
        values = {key: value for key, value in data.items() if key in _FIELD_SET}
        for key in _DATE_FIELDS:
            if values.get(key):
                values[key] = date.fromisoformat(values[key])
        return cls(**values)

    def to_json(self) -> str:
        # The same JSON as to_dict's, without copying: json.dumps only reads (written on every turn).
        data = {name: getattr(self, name) for name in _FIELDS}
        for name in _DATE_FIELDS:
            if data[name] is not None:
                data[name] = data[name].isoformat()
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> DialogState:
        return cls.from_dict(json.loads(text))


_FIELDS = tuple(item.name for item in fields(DialogState))
_FIELD_SET = frozenset(_FIELDS)
_SNAPSHOT_FIELDS = tuple(name for name in _FIELDS if name not in ("history", "last_figures", "last_update_id"))
_DEFAULT_VALUES = {name: getattr(DialogState(), name) for name in _FIELDS}
_DATE_FIELDS = ("payment_date", "birth", "birth_from", "birth_to")
