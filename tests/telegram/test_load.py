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
