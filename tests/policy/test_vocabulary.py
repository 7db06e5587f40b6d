"""Turning a resident's words for their status into vocabulary ids."""

from __future__ import annotations

import pytest

from bot.errors import UserInputError
from bot.policy.loader import default_knowledge_base
from bot.policy.vocabulary import VocabularyIndex


@pytest.fixture(scope="module")
def vocabulary() -> VocabularyIndex:
    return VocabularyIndex(default_knowledge_base().vocabulary)


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        pytest.param("低保和残疾", ["dibao", "disability"], id="dibao and disability are two statuses"),
        pytest.param("五保户", ["tekun"], id="wubaohu is a tekun person"),
        pytest.param("低报", ["dibao"], id="the homophone dibao written wrongly is understood as dibao"),
        pytest.param("都不是", [], id="none of these means no status"),
        pytest.param("没有", [], id="no means no status"),
        pytest.param("我是低保户，也是脱贫户", ["dibao", "poverty_alleviated"], id="a sentence with two statuses"),
        pytest.param("二级及以上残疾", ["severe_disability"], id="a grade phrase containing ji is not split"),
        pytest.param("农村三类低保", ["dibao_rural_3"], id="a rural dibao class is kept as the class"),
        pytest.param("低边", ["dibao_edge"], id="the short word dibian is the dibao edge family"),
        pytest.param("dibao", ["dibao"], id="the pinyin id is accepted as a whole answer"),
    ],
)
def test_a_resident_answer_resolves_to_vocabulary_ids(vocabulary: VocabularyIndex, text: str, ids: list[str]) -> None:
    assert sorted(vocabulary.parse(text)) == sorted(ids)


def test_an_unknown_status_is_rejected_naming_the_category_field_with_an_example(vocabulary: VocabularyIndex) -> None:
    with pytest.raises(UserInputError) as caught:
        vocabulary.parse("外星人")
    assert caught.value.field == "category"
    assert caught.value.example


def test_a_rural_dibao_class_belongs_to_rural_dibao_and_to_dibao(vocabulary: VocabularyIndex) -> None:
    assert {"dibao_rural_1", "dibao_rural", "dibao"} <= vocabulary.ancestors("dibao_rural_1")


def test_an_unstable_alleviated_household_is_both_monitored_and_at_risk(vocabulary: VocabularyIndex) -> None:
    # Glossary: 监测对象 = 脱贫不稳定户, 边缘易致贫户, 突发严重困难户; 易返贫致贫人口 = the first two only.
    assert {"monitored", "at_risk"} <= vocabulary.ancestors("unstable_alleviated")
    assert {"monitored", "at_risk"} <= vocabulary.ancestors("edge_at_risk")
    assert "at_risk" not in vocabulary.ancestors("sudden_hardship")
    assert "monitored" in vocabulary.ancestors("sudden_hardship")
