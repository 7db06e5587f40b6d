"""Schemas and loaders for the two FAQ data files: the entries (entries.yaml) and the synonym table.

A mistake in either file must stop the bot at start-up with a message naming the file, the key path
inside it and the reason, e.g. ``policies/faq/entries.yaml: entries[12] (newborn).phrasings: List should
have at least 5 items after validation, not 3``: these files are edited by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

EntryKind = Literal["faq", "out_of_scope", "chitchat"]

# Entry ids name jinja2 answer templates, so they must be safe file names: snake_case ASCII.
SNAKE_CASE = r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$"

# A faq entry needs enough colloquial phrasings to be found by fuzzy matching; out_of_scope and chitchat
# entries only have to pull their own kind of query away from the faq entries.
MIN_PHRASINGS: dict[EntryKind, int] = {"faq": 5, "out_of_scope": 3, "chitchat": 3}

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class FaqDataError(ValueError):
    """A FAQ data file that cannot be used: names the file, and each problem's key path and reason."""

    def __init__(self, path: Path, problems: Sequence[tuple[str, str]]) -> None:
        self.path = path
        self.problems = tuple(problems)
        super().__init__("\n".join(f"{path}: {key_path}: {reason}" for key_path, reason in self.problems))


class FaqEntry(BaseModel):
    """One matchable topic: a faq answered from the policy data, or a kind of query to decline."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, StringConstraints(pattern=SNAKE_CASE)]
    kind: EntryKind
    question: Text
    phrasings: tuple[Text, ...]
    # Out-of-scope entries say what the resident asked about instead (养老保险, 社保卡 ...), so the reply
    # can name it; other kinds have no topic.
    topic: Text | None = None
    # Words that on their own identify this topic (公积金, 意外险 ...); the matcher boosts the entry a little
    # when the query contains one.
    keywords: tuple[Text, ...] = ()

    @model_validator(mode="after")
    def _check_kind_rules(self) -> Self:
        minimum = MIN_PHRASINGS[self.kind]
        if len(self.phrasings) < minimum:
            raise ValueError(f"a {self.kind} entry needs at least {minimum} phrasings, has {len(self.phrasings)}")
        if (self.kind == "out_of_scope") != (self.topic is not None):
            raise ValueError("topic is required for out_of_scope entries and only for them")
        duplicates = sorted({p for p in self.phrasings if self.phrasings.count(p) > 1})
        if duplicates:
            raise ValueError(f"phrasings listed twice: {', '.join(duplicates)}")
        return self


class _EntriesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entries: list[FaqEntry] = Field(min_length=1)


class _SynonymsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    replace: dict[Text, list[Text]]
    drop: list[Text] = []
    stop: list[Text] = []


@dataclass(frozen=True)
class SynonymTable:
    """Rewrites for normalisation: ``replacements`` maps a variant to its canonical form; ``drop`` lists
    filler words removed outright; ``stop`` lists words the matcher ignores (normalize keeps them).
    All as written in the file, not yet normalised."""

    replacements: dict[str, str]
    drop: tuple[str, ...]
    stop: tuple[str, ...] = ()


def load_entries(path: Path) -> list[FaqEntry]:
    """Load and validate entries.yaml; raise FaqDataError naming file, key path and reason."""
    raw = _read_yaml(path)
    try:
        parsed = _EntriesFile.model_validate(raw)
    except ValidationError as error:
        raise FaqDataError(path, _problems(error, raw)) from None
    seen: dict[str, int] = {}
    problems: list[tuple[str, str]] = []
    for index, entry in enumerate(parsed.entries):
        if entry.id in seen:
            problems.append((f"entries[{index}].id", f"duplicate id {entry.id!r}, first at entries[{seen[entry.id]}]"))
        seen.setdefault(entry.id, index)
    if problems:
        raise FaqDataError(path, problems)
    return parsed.entries


def load_synonyms(path: Path) -> SynonymTable:
    """Load and validate synonyms.yaml; a variant listed under two canonical forms is an error."""
    raw = _read_yaml(path)
    try:
        parsed = _SynonymsFile.model_validate(raw)
    except ValidationError as error:
        raise FaqDataError(path, _problems(error, raw)) from None
    replacements: dict[str, str] = {}
    problems: list[tuple[str, str]] = []
    for canonical, variants in parsed.replace.items():
        for index, variant in enumerate(variants):
            key_path = f"replace.{canonical}[{index}]"
            if variant == canonical:
                problems.append((key_path, f"{variant!r} is its own canonical form"))
            elif variant in parsed.replace:
                problems.append((key_path, f"{variant!r} is also a canonical form"))
            elif variant in replacements and replacements[variant] != canonical:
                problems.append((key_path, f"{variant!r} is already a variant of {replacements[variant]!r}"))
            replacements[variant] = canonical
    for index, word in enumerate(parsed.drop):
        if word in replacements or word in parsed.replace:
            problems.append((f"drop[{index}]", f"{word!r} is also in replace"))
    for index, word in enumerate(parsed.stop):
        if word in replacements:
            problems.append((f"stop[{index}]", f"{word!r} is a variant; list its canonical form instead"))
    if problems:
        raise FaqDataError(path, problems)
    return SynonymTable(replacements=replacements, drop=tuple(parsed.drop), stop=tuple(parsed.stop))


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise FaqDataError(path, [("<file>", error.strerror or str(error))]) from None
    try:
        # The C loader when PyYAML has it: it parses several times faster, which counts at start-up.
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # a safe loader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "<yaml>"
        reason = getattr(error, "problem", None) or str(error)
        raise FaqDataError(path, [(where, f"not valid YAML: {reason}")]) from None


def _problems(error: ValidationError, raw: Any) -> list[tuple[str, str]]:
    return [(_key_path(detail["loc"], raw), detail["msg"]) for detail in error.errors()]


def _key_path(loc: tuple[int | str, ...], raw: Any) -> str:
    """``("entries", 3, "phrasings")`` -> ``entries[3] (newborn).phrasings``: the id makes it findable."""
    parts: list[str] = []
    node = raw
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
            node = node[item] if isinstance(node, list) and item < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("id"), str):
                parts.append(f" ({node['id']})")
        else:
            parts.append(f".{item}" if parts else item)
            node = node.get(item) if isinstance(node, dict) else None
    return "".join(parts) or "<top level>"
