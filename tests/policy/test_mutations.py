"""`check` catches every wrong figure: each cited value of each document is changed once (number+1, swapped
with another number of its own quote, a date's year moved, the payment days cut short, the benefit year moved)
and `check` must reject every mutated document. The checked fields come from the schema's markers, so a new
numeric field without a marker fails here first."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from pydantic import BaseModel

from bot.policy import model
from bot.policy.citations import check_document
from bot.policy.cited import Cited, NotCited, is_numeric, marker
from bot.policy.loader import KnowledgeBase, load_knowledge_base
from bot.policy.mutations import Mutation, caught, mutations

KB: KnowledgeBase = load_knowledge_base()


def _models() -> list[type[BaseModel]]:
    return [cls for cls in vars(model).values() if isinstance(cls, type) and issubclass(cls, BaseModel)]


def test_every_numeric_field_of_the_schema_says_how_it_is_cited() -> None:
    unmarked = [f"{cls.__name__}.{name}" for cls in _models() for name, info in cls.model_fields.items()
                if is_numeric(info.annotation) and not isinstance(marker(info), Cited | NotCited)]
    assert unmarked == []


def test_the_fields_the_issue_found_unchecked_are_cited() -> None:
    fields = {
        ("PolicyDocument", "benefit_year"), ("DayRange", "first"), ("DayRange", "last"),
        ("PathWhen", "born_within_days"), ("PathWhen", "born_after_days"), ("PathWhen", "born_year_offsets"),
    }
    for cls_name, name in fields:
        assert isinstance(marker(getattr(model, cls_name).model_fields[name]), Cited), (cls_name, name)


def test_the_documents_as_written_pass() -> None:
    for document in KB.documents:
        assert check_document(document, KB.source_text(document)) == []


def _all() -> list[tuple[str, Mutation]]:
    return [(document.id, m) for document in KB.documents for m in mutations(document)]


def test_every_mutation_of_every_cited_value_is_caught(capsys: pytest.CaptureFixture[str]) -> None:
    documents = {d.id: d for d in KB.documents}
    generated = _all()
    missed = [str(m) for doc_id, m in generated
              if not caught(documents[doc_id], KB.source_text(documents[doc_id]), m)]
    kinds = Counter(m.kind for _, m in generated)
    with capsys.disabled():
        print(f"\npolicy mutations: {len(generated)} tried, {len(generated) - len(missed)} caught {dict(kinds)}")
    assert len(generated) >= 200 and {"number+1", "swapped", "year+1", "year-1", "days cut short"} <= set(kinds)
    assert missed == []


@pytest.mark.parametrize(("document_id", "path", "after"), [
    ("shuozhou-2024", "benefit_year", 2025),  # 2024 → 2025 changed the answers and passed before
    ("shuozhou-2024", "collection.days_of_month", (1, 12)),  # 1–25 → 1–12 passed before
    ("shuozhou-2024", "collection.end", date(2024, 12, 25)),  # dates were matched without their year
    ("lengshi-2024", "paths[4].benefit_start_days", 90),  # 30 swapped with the 90 of the same quote
])
def test_the_mutations_the_issue_names_are_caught(document_id: str, path: str, after: object) -> None:
    document = next(d for d in KB.documents if d.id == document_id)
    generated = [m for m in mutations(document) if m.path == path and m.after == after]
    assert generated, f"the generator makes {path} → {after}"
    assert caught(document, KB.source_text(document), generated[0])
