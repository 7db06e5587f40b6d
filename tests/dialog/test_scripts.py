"""Every scripted dialog in dialogs/scripts/ is a test: the tester's scripts and CI cannot drift apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.dialog.engine import DialogEngine
from bot.dialog.factory import build_engine
from bot.dialog.replay import load_script, run_script, script_files

SCRIPTS = script_files([Path(__file__).resolve().parents[2] / "dialogs" / "scripts"])
_ENGINE = build_engine()


def _engine() -> DialogEngine:
    return _ENGINE


@pytest.mark.parametrize("path", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_scripted_dialog_behaves_as_written(path: Path) -> None:
    result = run_script(path, _engine)
    assert result.passed, f"{load_script(path).name}\n" + "\n".join(f.describe() for f in result.failures)


def test_every_behaviour_folder_has_scripts_for_several_jurisdictions() -> None:
    folders = {path.parent.name for path in SCRIPTS}
    assert {"happy_path", "corrections", "invalid_input", "digressions", "resume"} <= folders
    happy = [load_script(p).name for p in SCRIPTS if p.parent.name == "happy_path"]
    for place in ("朔州", "冷市镇", "沁源", "乌拉特前旗", "山丹"):
        assert any(place in name for name in happy), f"no happy-path script for {place}"
