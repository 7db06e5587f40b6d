"""Schema errors in a policy file name the file and the key path, so a typo never silently drops a rule."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.policy.loader import PolicyError, load_knowledge_base

Edit = Callable[[str, str, str], Path]  # the edit_document fixture of conftest.py


def _error(root: Path) -> str:
    with pytest.raises(PolicyError) as caught:
        load_knowledge_base(root)
    return str(caught.value)


def test_an_unknown_key_is_rejected_with_the_file_and_key_path(policy_copy: Path, edit_document: Edit) -> None:
    changed = edit_document("shuozhou-2024", "  - id: tekun\n    label: 特困人员\n",
                            "  - id: tekun\n    label: 特困人员\n    subsidy_amount: 380\n")
    message = _error(policy_copy)
    assert str(changed) in message
    assert "categories.0.subsidy_amount" in message


def test_a_wrong_type_is_rejected_with_the_file_and_key_path(policy_copy: Path, edit_document: Edit) -> None:
    changed = edit_document("shuozhou-2024", "standard_fee:\n  amount: 380", "standard_fee:\n  amount: 三百八十")
    message = _error(policy_copy)
    assert str(changed) in message
    assert "standard_fee.amount" in message


def test_a_date_that_is_not_a_date_is_rejected_with_the_file_and_key_path(
    policy_copy: Path, edit_document: Edit
) -> None:
    changed = edit_document("lengshi-2024", "collection:\n  start: 2023-09-01", "collection:\n  start: 九月一日")
    message = _error(policy_copy)
    assert str(changed) in message
    assert "collection.start" in message


def test_a_last_path_with_conditions_is_rejected_with_the_file_and_key_path(
    policy_copy: Path, edit_document: Edit
) -> None:
    changed = edit_document(
        "shuozhou-2024",
        "  - id: regular\n    label: 集中征缴期参保缴费\n",
        "  - id: regular\n    label: 集中征缴期参保缴费\n    when: {born_year_offsets: [-1]}\n",
    )
    message = _error(policy_copy)
    assert str(changed) in message
    assert "last path must have no conditions" in message
    assert "paths" in message.replace("last path", "")
