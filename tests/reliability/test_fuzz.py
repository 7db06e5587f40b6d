"""The dialog fuzzer (tests/reliability/fuzzer.py) for a bounded count: no crash, every new update answered,
no reply doubled, no repeated update handled again, no unknown status stored. Long runs: run the file."""

from __future__ import annotations

import pytest
from fuzzer import fuzz  # tests/reliability is on sys.path (rootdir conftest)

from bot.dialog.factory import build_engine

pytestmark = pytest.mark.slow

TURNS = 8_000


def test_fuzzed_turns_never_crash_lose_a_reply_or_handle_an_update_twice(capsys: pytest.CaptureFixture[str]) -> None:
    counts = fuzz(TURNS, seed=20261207, engine=build_engine())
    with capsys.disabled():
        print(f"\n{counts.line()}")
    assert counts.turns == TURNS and counts.repeats > 100
    assert counts.ok(), "\n".join([counts.line(), *counts.examples])
