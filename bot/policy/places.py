"""Resolving what a resident types as their place ("山西朔州", "乌前旗", "冷市镇南华村") to a jurisdiction."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from rapidfuzz import fuzz, process

from bot.errors import NotCoveredError, PartlyCoveredError, UserInputError
from bot.policy.model import PolicyDocument

_NOISE = re.compile(r"[\s,，。.、;；:：!！?？\"'“”‘’()（）]|我是|我在|我们|住在|户口在|户籍在|户籍|户口|的人|的|人$")

NEAR_MISS_SCORE = 72.0  # below this a name is not offered as "您是说…吗"


@dataclass(frozen=True)
class PlaceMatch:
    jurisdiction: str  # canonical name, e.g. 乌拉特前旗
    matched_name: str  # the name or alias found in the input
    subunit: str | None  # the town or village named, if any


@dataclass(frozen=True)
class NearMiss:
    """Input that is close to a known name but not one: the dialog asks "您是说 X 吗？"."""

    jurisdiction: str
    name: str
    score: float


class PlaceIndex:
    """All names by which a jurisdiction can be found, built once from the documents."""

    def __init__(self, documents: tuple[PolicyDocument, ...]) -> None:
        self._names: dict[str, tuple[str, str | None]] = {}  # name -> (jurisdiction, subunit)
        self._parents: dict[str, str] = {}  # 安化县 -> 冷市镇: larger units only partly covered
        for document in documents:
            place = document.jurisdiction
            for name in [place.name, place.full_name, *place.aliases]:
                self._names[name] = (place.name, None)
            for subunit in place.subunits:
                for name in [subunit.name, *subunit.aliases]:
                    self._names[name] = (place.name, subunit.name)
            for parent in place.parents:
                self._parents[parent] = place.name

    @cached_property
    def _by_length(self) -> list[str]:
        return sorted(self._names, key=len, reverse=True)

    @property
    def jurisdictions(self) -> list[str]:
        return sorted({jurisdiction for jurisdiction, _ in self._names.values()})

    def resolve(self, text: str) -> PlaceMatch:
        """The jurisdiction named in `text`; NotCoveredError (with near names) when none is."""
        cleaned = _NOISE.sub("", text.strip())[:200]
        if not cleaned:
            raise UserInputError("region", "请告诉我您的参保地（户籍所在地）", example="朔州市、乌拉特前旗、冷市镇南华村")
        if cleaned in self._names:
            jurisdiction, subunit = self._names[cleaned]
            return PlaceMatch(jurisdiction, cleaned, subunit)
        found = [name for name in self._by_length if name in cleaned]
        jurisdictions = {self._names[name][0] for name in found}
        if len(jurisdictions) == 1:
            best = found[0]
            subunit = next((self._names[n][1] for n in found if self._names[n][1]), None)
            return PlaceMatch(self._names[best][0], best, subunit)
        if len(jurisdictions) > 1:
            raise UserInputError("region", "您说的地名对应多个地区，请只说一个", suggestions=tuple(sorted(jurisdictions)))
        for parent, jurisdiction in self._parents.items():
            if parent in cleaned:
                raise PartlyCoveredError(
                    "region",
                    f"本助手只有{parent}{jurisdiction}的政策文件，{parent}其他乡镇的规定不在其中",
                    suggestions=(jurisdiction,),
                )
        near = self.near_misses(cleaned)
        raise NotCoveredError(
            "region",
            f"「{text.strip()[:20]}」不在本助手覆盖的地区内（覆盖：{'、'.join(self.jurisdictions)}）",
            suggestions=tuple(dict.fromkeys(miss.jurisdiction for miss in near)),
        )

    def near_misses(self, text: str, limit: int = 3) -> list[NearMiss]:
        """Known names close to `text` (typos such as 乌拉特钱旗), best first, one per jurisdiction."""
        results = process.extract(text, list(self._names), scorer=fuzz.ratio, limit=limit * 4)
        misses: list[NearMiss] = []
        seen: set[str] = set()
        for name, score, _ in results:
            jurisdiction = self._names[name][0]
            if score >= NEAR_MISS_SCORE and jurisdiction not in seen:
                seen.add(jurisdiction)
                misses.append(NearMiss(jurisdiction, name, float(score)))
        return misses[:limit]
