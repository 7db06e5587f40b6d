"""Resolving what a resident types as a place to the one document that covers it, or to "not covered"."""

from __future__ import annotations

import pytest

from bot.errors import NotCoveredError, UserInputError
from bot.policy.loader import default_knowledge_base
from bot.policy.places import PlaceIndex


@pytest.fixture(scope="module")
def places() -> PlaceIndex:
    return PlaceIndex(default_knowledge_base().documents)


@pytest.mark.parametrize(
    ("text", "jurisdiction", "subunit"),
    [
        pytest.param("山西朔州", "朔州市", None, id="Shanxi Shuozhou resolves to Shuozhou city"),
        pytest.param("乌前旗", "乌拉特前旗", None, id="the short name Wuqianqi resolves to Urad Front Banner"),
        pytest.param("冷市镇南华村", "冷市镇", "南华村", id="a village of Lengshi resolves to Lengshi with the village"),
        pytest.param("位奇镇", "山丹县", "位奇镇", id="Weiqi town resolves to Shandan county with the town"),
        pytest.param("我户口在沁源", "沁源县", None, id="a sentence naming Qinyuan resolves to Qinyuan county"),
        pytest.param("甘肃省山丹县", "山丹县", None, id="a full provincial name resolves to Shandan county"),
    ],
)
def test_a_covered_place_resolves(places: PlaceIndex, text: str, jurisdiction: str, subunit: str | None) -> None:
    match = places.resolve(text)
    assert match.jurisdiction == jurisdiction
    assert match.subunit == subunit


def test_a_misspelt_urad_front_banner_is_not_covered_but_urad_front_banner_is_suggested(places: PlaceIndex) -> None:
    with pytest.raises(NotCoveredError) as caught:
        places.resolve("乌拉特钱旗")
    assert caught.value.field == "region"
    assert "乌拉特前旗" in caught.value.suggestions


def test_anhua_county_is_not_covered_and_lengshi_is_suggested(places: PlaceIndex) -> None:
    # The document is the plan of 冷市镇 only, one town of 安化县.
    with pytest.raises(NotCoveredError) as caught:
        places.resolve("安化县")
    assert caught.value.field == "region"
    assert caught.value.suggestions == ("冷市镇",)


def test_another_town_of_anhua_is_not_covered(places: PlaceIndex) -> None:
    with pytest.raises(NotCoveredError) as caught:
        places.resolve("安化县东坪镇")
    assert "冷市镇" in caught.value.suggestions


def test_a_place_far_from_every_document_is_not_covered_and_nothing_is_suggested(places: PlaceIndex) -> None:
    with pytest.raises(NotCoveredError) as caught:
        places.resolve("广州市天河区")
    assert caught.value.suggestions == ()


def test_two_covered_places_at_once_are_asked_to_be_one(places: PlaceIndex) -> None:
    with pytest.raises(UserInputError) as caught:
        places.resolve("朔州和山丹")
    assert caught.value.field == "region"
    assert set(caught.value.suggestions) == {"朔州市", "山丹县"}


def test_an_empty_place_is_asked_for(places: PlaceIndex) -> None:
    with pytest.raises(UserInputError) as caught:
        places.resolve("  ")
    assert caught.value.field == "region"
    assert caught.value.example


@pytest.mark.parametrize(
    "text",
    ["鄂托克前旗", "科尔沁右翼前旗", "湖北省黄冈市高桥村", "广东省南华村", "四川省清泉镇", "湖北黄冈的高桥村", "晋中市沁源",
     "甘肃山丹四川省清泉镇"],
)
def test_a_place_only_partly_ours_is_not_covered(places: PlaceIndex, text: str) -> None:
    with pytest.raises(NotCoveredError):
        places.resolve(text)


@pytest.mark.parametrize(
    ("text", "jurisdiction"),
    [("烏拉特前旗", "乌拉特前旗"), ("甘肃张掖山丹县位奇镇", "山丹县"), ("内蒙古巴彦淖尔乌拉特前旗", "乌拉特前旗"),
     ("我在北京打工，户口在沁源", "沁源县"), ("山西省长治市沁源县", "沁源县"), ("安化冷市镇南华村", "冷市镇")],
)
def test_a_place_of_ours_with_its_own_province_city_or_county_resolves(
    places: PlaceIndex, text: str, jurisdiction: str
) -> None:
    assert places.resolve(text).jurisdiction == jurisdiction


def test_a_typo_of_our_banner_is_offered_back_but_another_banner_is_refused(places: PlaceIndex) -> None:
    with pytest.raises(NotCoveredError) as typo:
        places.resolve("乌拉待前旗")
    assert typo.value.suggestions == ("乌拉特前旗",)
    with pytest.raises(NotCoveredError) as other:
        places.resolve("鄂托克前旗")
    assert other.value.suggestions == ()


@pytest.mark.parametrize(
    ("text", "label"),
    [
        pytest.param("高桥村", "安化县冷市镇高桥村", id="a Lengshi village alone"),
        pytest.param("俺是南华村的", "安化县冷市镇南华村", id="a Lengshi village in a sentence"),
        pytest.param("清泉镇", "山丹县清泉镇", id="a Shandan town alone"),
        pytest.param("李桥乡的低保户", "山丹县李桥乡", id="a Shandan township in a sentence"),
        pytest.param("前旗", "内蒙古自治区巴彦淖尔市乌拉特前旗", id="the tail 前旗 alone, shared by many banners"),
        pytest.param("就是前旗的", "内蒙古自治区巴彦淖尔市乌拉特前旗", id="the tail 前旗 in a sentence"),
        pytest.param("内蒙古前旗", "内蒙古自治区巴彦淖尔市乌拉特前旗", id="the tail 前旗 under a province of several"),
    ],
)
def test_a_village_or_town_name_alone_is_to_be_confirmed(places: PlaceIndex, text: str, label: str) -> None:
    located = places.locate(text)
    assert located is not None
    assert not located.anchored
    assert located.label == label


@pytest.mark.parametrize("text", ["冷市高桥村", "安化高桥村", "安化县冷市镇高桥村", "山丹清泉镇", "张掖山丹县位奇镇", "山阴县",
                                  "巴彦淖尔前旗", "乌前旗"])
def test_a_village_or_town_with_our_county_or_town_is_taken(places: PlaceIndex, text: str) -> None:
    located = places.locate(text)
    assert located is not None
    assert located.anchored


def test_a_village_name_in_two_documents_asks_which(places: PlaceIndex) -> None:
    documents = list(default_knowledge_base().documents)
    index = next(i for i, d in enumerate(documents) if d.jurisdiction.name == "山丹县")
    shandan = documents[index]
    lengshi_village = next(d for d in documents if d.jurisdiction.name == "冷市镇").jurisdiction.subunits[6]
    assert lengshi_village.name == "高桥村"
    documents[index] = shandan.model_copy(update={"jurisdiction": shandan.jurisdiction.model_copy(
        update={"subunits": [*shandan.jurisdiction.subunits, lengshi_village]})})
    shared = PlaceIndex(tuple(documents))
    with pytest.raises(UserInputError) as raised:
        shared.locate("俺是高桥村的")
    assert set(raised.value.suggestions) == {"冷市镇", "山丹县"}
    assert "哪里" in raised.value.message
    with pytest.raises(UserInputError):
        shared.resolve("高桥村")
    located = shared.locate("山丹高桥村")
    assert located is not None and located.match.jurisdiction == "山丹县" and located.anchored
    located = shared.locate("冷市镇高桥村")
    assert located is not None and located.match.jurisdiction == "冷市镇"


@pytest.mark.parametrize(
    ("text", "other"), [("内蒙古鄂尔多斯市鄂托克前旗", "鄂托克前旗"), ("兴安盟科尔沁右翼前旗", "科尔沁右翼前旗")])
def test_another_banner_is_named_whole_in_the_refusal(places: PlaceIndex, text: str, other: str) -> None:
    with pytest.raises(NotCoveredError) as refused:
        places.locate(text)
    assert f"（{other}是另一个地方）" in refused.value.message


@pytest.mark.parametrize(("name", "within"), [("长治", True), ("山西省长治市", True), ("内蒙古巴彦淖尔", True), ("安化", True),
                                              ("河北", False), ("山西太原", False), ("包头", False)])
def test_only_the_units_around_our_places_are_within_ours(places: PlaceIndex, name: str, within: bool) -> None:
    # 户口在长治 neither confirms nor refutes a 沁源 registration; 户口在山西太原 refutes it.
    assert places.within_ours(name) is within
