"""A small version of benchmarks/load_bench.py: ``python -m bot serve --workers 2`` on PostgreSQL, residents
doing whole dialogs, one worker killed mid-run: order kept, nothing lost, nothing doubled."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import pytest
from load_bench import run_load


@pytest.mark.slow
async def test_two_workers_keep_every_dialog_whole_when_one_is_killed(postgres_dsn: str) -> None:
    # killed early (a sixth of the updates answered), while the residents are in the first two steps
    result = await run_load(workers=2, residents=60, dsn=postgres_dsn, kill=True, kill_at=1 / 6, timeout=60.0)
    assert result.kills == 1
    assert result.problems == []
    assert result.order_kept and result.lost == 0 and result.doubled == 0
    assert len(result.waits) == 60 * 3


def test_a_turns_replies_sent_again_are_told_apart_from_doubles_and_losses() -> None:
    from load_bench import DIALOG, resent

    reference = [f"m{n}" for n in range(sum(r for _, _, r in DIALOG))]  # welcome, date, birth, answer
    assert resent(reference[:2] + reference[:2] + reference[2:], reference), "the first turn's two again"
    assert resent(reference[:1] + reference[:2] + reference[2:], reference), "cut after its first, then both"
    assert resent(reference + reference[-1:], reference), "the answer again"
    assert not resent(reference, reference), "nothing repeated"
    assert not resent(reference[:3] + reference[1:], reference), "not one turn's replies"
    assert not resent(reference[:-1], reference), "a reply missing"
