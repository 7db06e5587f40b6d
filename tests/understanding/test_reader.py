"""The public utterance set: every resident message yields exactly the fields listed, and no others."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.policy.loader import default_knowledge_base
from bot.quote.engine import QuoteEngine
from bot.understanding import Reader, Understanding

_DATA = yaml.safe_load((Path(__file__).parent / "utterances.yaml").read_text(encoding="utf-8"))
TODAY: date = _DATA["today"]
CASES: list[dict[str, Any]] = _DATA["cases"]
_QUOTES = QuoteEngine(default_knowledge_base())
READER = Reader(_QUOTES.places, _QUOTES.vocabulary)


def yielded(understood: Understanding) -> dict[str, Any]:
    """The fields of a reading in the utterance set's terms (empty fields left out)."""
    def value(found: Any) -> Any:
        return None if found is None else found.value

    fields: dict[str, Any] = {
        "command": understood.command,
        "region": value(understood.region),
        "region_guess": value(understood.region_guess),
        "region_problem": True if understood.region_problem is not None else None,
        "payment_date": value(understood.payment_date),
        "birth": value(understood.birth),
        "birth_range": list(understood.birth_range.value) if understood.birth_range else None,
        "birth_lunar": True if understood.birth_range and understood.birth_lunar else None,
        "birth_month_day": list(understood.birth_month_day.value) if understood.birth_month_day else None,
        "birth_month": value(understood.birth_month),
        "date_problem": True if understood.date_problem is not None else None,
        "statuses": sorted(f.value for f in understood.statuses) or None,
        "removed": sorted(f.value for f in understood.removed) or None,
        "status_mode": understood.status_mode if understood.statuses else None,
        "no_status": understood.no_status or None,
        "status_unknown": understood.status_unknown or None,
        "class_unknown": understood.class_unknown or None,
        "insured_child": understood.insured_child or None,
        "ambiguous_status": True if understood.ambiguous_status is not None else None,
        "yes_no": value(understood.yes_no),
        "local_hukou": value(understood.local_hukou),
        "several_people": True if understood.several_people is not None else None,
        "first_person": value(understood.first_person),
        "next_people": understood.next_people or None,
        "birth_unknown": understood.birth_unknown or None,
    }
    return {key: item for key, item in fields.items() if item is not None}


def test_the_set_is_large_and_covers_every_field() -> None:
    assert len(CASES) >= 300  # issue 8: at least 300 resident messages across the five jurisdictions
    said = {key for case in CASES for key in case["expect"]}
    assert said >= {"region", "region_guess", "region_problem", "payment_date", "birth", "birth_range",
                    "birth_month_day", "date_problem", "statuses", "removed", "no_status", "status_unknown",
                    "ambiguous_status", "yes_no", "local_hukou", "command"}


@pytest.mark.parametrize("case", CASES, ids=[f"{c['step']}:{c['text']}" for c in CASES])
def test_a_message_yields_exactly_its_fields(case: dict[str, Any]) -> None:
    understood = READER.understand(case["text"], case["step"], TODAY)
    got = yielded(understood)
    expected = dict(case["expect"])
    for key in ("statuses", "removed"):
        if key in expected:
            expected[key] = sorted(expected[key])
    if "status_mode" not in expected:
        got.pop("status_mode", None)
    assert got == expected


def test_every_found_field_names_the_text_it_came_from() -> None:
    understood = READER.understand("俺是沁源的低保户，58年3月2号生的", "start", TODAY)
    assert understood.region is not None and understood.text[understood.region.start:understood.region.end] == "沁源"
    assert [understood.text[f.start:f.end] for f in understood.statuses] == ["低保户"]
    assert understood.birth is not None and "58年3月2号" in understood.text[understood.birth.start:understood.birth.end]


def test_the_set_names_each_of_the_five_jurisdictions_many_times() -> None:
    named = [case["expect"].get("region") or case["expect"].get("region_guess") for case in CASES]
    for jurisdiction in ("朔州市", "沁源县", "山丹县", "乌拉特前旗", "冷市镇"):
        assert named.count(jurisdiction) >= 15, jurisdiction
