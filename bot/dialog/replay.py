"""Replaying scripted dialogs (dialogs/scripts/**.yaml): what testers run, and what pytest runs.

A script is a list of turns; each turn is what the resident typed (or which button they tapped) and what the
bot must answer: the template ids of its replies in order, facts of a reply (the amount to pay, the deadline),
and text that must or must not appear. Format: dialogs/README.md.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.dialog.engine import DialogEngine
from bot.dialog.replies import Incoming, Reply, find_button
from bot.dialog.service import DialogService
from bot.dialog.store import MemoryStore
from bot.policy.loader import PolicyError, parse_model


class ReplyExpectation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    template: str
    facts: dict[str, Any] = {}
    text_contains: list[str] = []
    text_excludes: list[str] = []
    buttons_contain: list[str] = []


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user: str | None = Field(default=None, description="text the resident types")

    @field_validator("user", mode="before")
    @classmethod
    def _typed_text(cls, value: object) -> object:
        # YAML reads 1980-05-01 as a date and 2023 as a number; a resident typed text.
        return value.isoformat() if isinstance(value, date) else str(value) if isinstance(value, int) else value
    tap: str | None = Field(default=None, description="label of a button of the bot's previous replies")
    restart_process: bool = Field(default=False, description="simulate a restart: a fresh engine, same store")
    expect: list[ReplyExpectation]


class Script(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    description: str | None = None
    today: date
    turns: list[Turn] = Field(min_length=1)


@dataclass
class Failure:
    turn: int
    said: str
    problem: str
    got: list[Reply]

    def describe(self) -> str:
        lines = [f"  turn {self.turn} ({self.said}): {self.problem}", "  the bot said:"]
        for reply in self.got:
            text = reply.text.replace("\n", " / ")
            lines.append(f"    [{reply.template}] {text[:200]}")
            if reply.facts:
                lines.append(f"      facts: {reply.facts}")
        return "\n".join(lines)


@dataclass
class ScriptResult:
    path: Path
    name: str
    failures: list[Failure] = field(default_factory=list)
    turns: int = 0

    @property
    def passed(self) -> bool:
        return not self.failures


def load_script(path: Path) -> Script:
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return parse_model(Script, data, path)


def script_files(paths: Iterable[str | Path]) -> list[Path]:
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(path.rglob("*.yaml")))
        elif path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(f"no such script or folder: {path}")
    return found


def _check(expectation: ReplyExpectation, reply: Reply) -> list[str]:
    problems = []
    if reply.template != expectation.template:
        return [f"expected template {expectation.template}, got {reply.template}"]
    for key, wanted in expectation.facts.items():
        got = reply.facts.get(key, "<missing>")
        if isinstance(wanted, date):
            wanted = wanted.isoformat()
        if got != wanted:
            problems.append(f"{expectation.template}: fact {key} expected {wanted!r}, got {got!r}")
    for text in expectation.text_contains:
        if text not in reply.text:
            problems.append(f"{expectation.template}: text does not contain {text!r}")
    for text in expectation.text_excludes:
        if text in reply.text:
            problems.append(f"{expectation.template}: text contains {text!r}")
    labels = [button.label for row in reply.buttons for button in row]
    for label in expectation.buttons_contain:
        if not any(label == shown or shown.endswith(label) for shown in labels):
            problems.append(f"{expectation.template}: no button {label!r} (buttons: {labels})")
    return problems


def run_script(path: Path, engine_factory: Any) -> ScriptResult:
    """Run one script against a fresh in-memory store; `engine_factory()` builds a DialogEngine."""
    script = load_script(path)
    store = MemoryStore()
    service = DialogService(engine_factory(), store)
    result = ScriptResult(path, script.name)
    shown: list[Reply] = []  # everything the bot said so far: a tester may tap an old message's button
    for number, turn in enumerate(script.turns, start=1):
        result.turns += 1
        if turn.restart_process:
            service = DialogService(engine_factory(), store)
        if turn.tap is not None:
            button = find_button(shown, turn.tap)
            if button is None:
                result.failures.append(Failure(number, f"tap {turn.tap}", "no such button in any reply so far",
                                               shown[-3:]))
                break
            incoming = Incoming(payload=button.payload)
            said = f"tap {turn.tap}"
        else:
            incoming = Incoming(text=turn.user or "")
            said = repr(turn.user)
        replies = service.handle("script:tester", incoming, script.today)
        problems: list[str] = []
        if len(replies) != len(turn.expect):
            problems.append(
                f"expected {len(turn.expect)} replies {[e.template for e in turn.expect]}, "
                f"got {len(replies)} {[r.template for r in replies]}"
            )
        for expectation, reply in zip(turn.expect, replies, strict=False):
            problems.extend(_check(expectation, reply))
        if problems:
            result.failures.append(Failure(number, said, "; ".join(problems), replies))
            break  # later turns would only repeat the same divergence
        shown.extend(replies)
    return result


def run(args: argparse.Namespace) -> int:
    from bot.dialog.factory import build_engine

    files = script_files(args.paths)
    engine = build_engine()

    def shared_engine() -> DialogEngine:
        return engine  # stateless between turns: one instance serves every script

    return report([run_script_safely(path, shared_engine) for path in files])


def run_script_safely(path: Path, factory: Any) -> ScriptResult:
    try:
        return run_script(path, factory)
    except PolicyError as error:
        return ScriptResult(path, path.stem, [Failure(0, "(loading)", str(error), [])])


def report(results: Sequence[ScriptResult]) -> int:
    passed = sum(result.passed for result in results)
    for result in results:
        status = "PASS" if result.passed else "FAIL"
        print(f"{status} {result.path} — {result.name}")
        for failure in result.failures:
            print(failure.describe())
    print(f"{passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) and results else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run(argparse.Namespace(paths=sys.argv[1:])))
