"""Helpers for tests that break a copy of the policies/ folder on purpose."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.policy.loader import DEFAULT_POLICY_DIR

Edit = Callable[[str, str, str], Path]


@pytest.fixture
def policy_copy(tmp_path: Path) -> Path:
    """A private copy of policies/ (documents, sources, vocabulary) that a test may change."""
    root = tmp_path / "policies"
    shutil.copytree(DEFAULT_POLICY_DIR, root)
    return root


@pytest.fixture
def edit_document(policy_copy: Path) -> Edit:
    """Replace one exact, unique passage of documents/<id>.yaml in the copy; returns the file changed."""

    def edit(document_id: str, old: str, new: str) -> Path:
        path = policy_copy / "documents" / f"{document_id}.yaml"
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} should occur exactly once in {path.name}"
        path.write_text(text.replace(old, new), encoding="utf-8")
        return path

    return edit
