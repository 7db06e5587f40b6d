"""Resolving what a resident types as their place ("山西朔州", "乌前旗", "冷市镇南华村") to a jurisdiction."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from rapidfuzz import fuzz, process

from bot.errors import NotCoveredError, PartlyCoveredError, UserInputError
from bot.policy.admin_units import PROVINCES, ancestor_names, conflict_before
from bot.policy.model import PolicyDocument
from bot.policy.suffixes import strip_trailing
from bot.textnorm import simplify

_NOISE = re.compile(r"[\s,，。.、;；:：!！?？\"'“”‘’()（）]|我是|我在|我们|住在|户口在|户籍在|户籍|户口|的人|的|人$")

_UNIT_CHARS = "省市县区旗盟镇乡村"
# Kinds of subunit whose names recur all over China (高桥村, 清泉镇): said alone, they are confirmed back.
_COMMON_KINDS = frozenset({"村", "社区", "镇", "乡"})
NEAR_MISS_SCORE = 72.0  # below this a name is not offered as "您是说…吗"


@dataclass(frozen=True)
class PlaceMatch:
    jurisdiction: str  # canonical name, e.g. 乌拉特前旗
    matched_name: str  # the name or alias found in the input
    subunit: str | None  # the town or village named, if any


@dataclass(frozen=True)
class LocatedPlace:
    """A covered place found inside a longer message, with where it was found."""

    match: PlaceMatch
    start: int
    end: int
    # False when only a village or town name was said (高桥村): many places share it, so it is confirmed back
    # ("您是说安化县冷市镇高桥村吗？") rather than taken.
    anchored: bool = True
    label: str = ""  # how the place is said back: 安化县冷市镇高桥村


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
        self._ancestors: dict[str, tuple[str, ...]] = {}  # 沁源县 -> 山西省, 山西, 长治市, 长治 (longest first)
        self._common: set[str] = set()  # village and town names (高桥村, 清泉镇): not enough alone
        self._homes: dict[str, tuple[str, ...]] = {}  # a subunit name -> every jurisdiction that has it
        self._labels: dict[str, str] = {}  # 冷市镇 -> 安化县冷市镇: the county said with a town or village
        self._full: dict[str, str] = {}  # 乌拉特前旗 -> 内蒙古自治区巴彦淖尔市乌拉特前旗: how a bare tail is said back
        for document in documents:
            place = document.jurisdiction
            self._ancestors[place.name] = ancestor_names(place.full_name, place.name)
            self._labels[place.name] = (place.parents[0] if place.parents else "") + place.name
            self._full[place.name] = place.full_name
            for name in [place.name, place.full_name, *place.aliases]:
                self._names[name] = (place.name, None)
                if name != place.name and place.name.endswith(name):
                    # 前旗 is the tail of 乌拉特前旗 and of every other 前旗 (鄂托克前旗, 科尔沁右翼前旗): said alone it
                    # may be any of them, so it is confirmed back with the full name, as a village name is.
                    self._common.add(name)
            for subunit in place.subunits:
                for name in [subunit.name, *subunit.aliases]:
                    self._names.setdefault(name, (place.name, subunit.name))
                    homes = self._homes.get(name, ())
                    if place.name not in homes:
                        self._homes[name] = (*homes, place.name)
                    if subunit.kind in _COMMON_KINDS:
                        self._common.add(name)
            for parent in place.parents:
                self._parents[parent] = place.name

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        # One alternation, longest names first: at each position the longest name wins (山西朔州 over 朔州).
        return re.compile("|".join(re.escape(name) for name in sorted(self._names, key=len, reverse=True)))

    @property
    def names(self) -> dict[str, tuple[str, str | None]]:
        """Every name a place can be found by: name -> (jurisdiction, subunit or None)."""
        return self._names

    @property
    def jurisdictions(self) -> list[str]:
        return sorted({jurisdiction for jurisdiction, _ in self._names.values()})

    def resolve(self, text: str) -> PlaceMatch:
        """The jurisdiction named in `text`; NotCoveredError (with near names) when none is.

        A place only partly ours is refused: a name of ours inside another name (鄂托克前旗 contains 前旗), or
        under a province, city or county that contradicts the document's (湖北省黄冈市高桥村, 四川省清泉镇)."""
        text = simplify(text.strip()[:200])
        cleaned = _NOISE.sub("", text)
        if not cleaned:
            raise UserInputError("region", "请告诉我您的参保地（户籍所在地）", example="朔州市、乌拉特前旗、冷市镇南华村")
        if cleaned in self._names and len(self._homes.get(cleaned, ())) < 2:  # a name exactly (common)
            jurisdiction, subunit = self._names[cleaned]
            return PlaceMatch(jurisdiction, cleaned, subunit)
        located = self.locate(text)
        if located is not None:
            return located.match
        located = self.locate(cleaned)  # a name split by spaces or punctuation ("朔 州")
        if located is not None:
            return located.match
        partly = self.partly_covered(cleaned)
        if partly is not None:
            raise partly
        near = self.near_misses(cleaned)
        raise NotCoveredError(
            "region",
            f"「{text.strip()[:20]}」不在本助手覆盖的地区内（覆盖：{'、'.join(self.jurisdictions)}）",
            suggestions=tuple(dict.fromkeys(miss.jurisdiction for miss in near)),
        )

    def locate(self, text: str) -> LocatedPlace | None:
        """The covered place named anywhere in a (simplified) message, with its span; None when none is.

        Raises NotCoveredError when the name is part of another place's name or under a contradicting province,
        city or county, and UserInputError when two different jurisdictions are named."""
        found: list[tuple[int, int, str]] = []
        for match in self._pattern.finditer(text):
            start, end = match.span()
            name = match.group()
            if end < len(text) and text[end] in _UNIT_CHARS and name[-1] not in _UNIT_CHARS:
                end += 1  # 张掖山丹|县: the unit word belongs to the name
            found.append((start, end, name))
        if not found:
            return None
        jurisdiction = self._one_jurisdiction([name for _, _, name in found])
        ancestors = self._ancestors.get(jurisdiction, ())
        found.sort()
        previous_end = 0
        for start, end, name in found:
            # Before the first name, and between names (冷市镇|南华村: nothing; 山丹|四川省|清泉镇: a conflict).
            before = text[:start] if previous_end == 0 else text[previous_end:start]
            generic = name[-1] in _UNIT_CHARS or self._names[name][1] is not None  # 前旗, 高桥村 (not 沁源)
            conflict = conflict_before(before, ancestors, generic) if before else None
            if conflict is not None:
                # 乌拉待前旗 is a typo of ours (offered back), 鄂托克前旗 another banner (refused).
                near = self.near_misses(conflict + name) if conflict + name in text else []
                if near and near[0].jurisdiction == jurisdiction and len(near[0].name) > len(name):
                    raise NotCoveredError(
                        "region", f"「{conflict + name}」不在本助手覆盖的地区内", suggestions=(jurisdiction,))
                raise self._conflicting(text[:end], name, conflict, jurisdiction)
            previous_end = end
        subunit = next((self._names[name][1] for _, _, name in found if self._names[name][1]), None)
        if subunit is not None:
            # A village or town name alone is common across China: any other province named refutes it.
            for province in PROVINCES:
                if province in text and province not in ancestors:
                    raise self._conflicting(text[:found[-1][1]], subunit, province, jurisdiction)
        start, end, best = max(found, key=lambda item: item[1] - item[0])
        anchored = any(name not in self._common for _, _, name in found) or any(
            parent in text for parent, home in self._parents.items() if home == jurisdiction) or (
            # 巴彦淖尔前旗: a tail with our own city before it is ours (a province has several 前旗, a city one).
            subunit is None and any(a in text[:start] for a in ancestors if a not in PROVINCES))
        if subunit is None and not anchored:
            label = self._full.get(jurisdiction, jurisdiction)  # 前旗 alone: 内蒙古自治区巴彦淖尔市乌拉特前旗
        else:
            label = self._labels.get(jurisdiction, jurisdiction) + (subunit or "")
        return LocatedPlace(PlaceMatch(jurisdiction, best, subunit), found[0][0], found[-1][1], anchored, label)

    def within_ours(self, name: str) -> bool:
        """`name` is only the province, city or county around one of our places (山西, 长治市, 内蒙古巴彦淖尔), so it
        neither confirms nor refutes that a household registered there is registered in our place."""
        return bool(name) and not strip_trailing(name, self._surrounding_names)

    @cached_property
    def _surrounding_names(self) -> tuple[str, ...]:
        """Every province, city and county name around one of our places, longest first."""
        return tuple(sorted({a for names in self._ancestors.values() for a in names} | set(self._parents), key=len,
                            reverse=True))

    def _one_jurisdiction(self, names: list[str]) -> str:
        """The one jurisdiction every name found can belong to; UserInputError when none or several can."""
        candidates: set[str] | None = None
        for name in names:
            homes = set(self._homes.get(name) or (self._names[name][0],))
            candidates = homes if candidates is None else candidates & homes
        assert candidates is not None
        if len(candidates) == 1:
            return next(iter(candidates))
        if candidates:
            # A village name in two of our documents (and nothing else said): which one?
            shared = next(name for name in names if len(self._homes.get(name, ())) > 1)
            options = tuple(sorted(candidates))
            raise UserInputError(
                "region", f"「{shared}」在{'、'.join(self._labels.get(o, o) for o in options)}都有，请问是哪里的？",
                suggestions=options)
        every = sorted({home for name in names for home in self._homes.get(name) or (self._names[name][0],)})
        raise UserInputError("region", "您说的地名对应多个地区，请只说一个", suggestions=tuple(every))

    def partly_covered(self, text: str) -> PartlyCoveredError | None:
        """A larger unit only part of which we cover (安化县: only its 冷市镇), named in `text`."""
        for parent, jurisdiction in self._parents.items():
            if parent in text:
                return PartlyCoveredError(
                    "region",
                    f"本助手只有{parent}{jurisdiction}的政策文件，{parent}其他乡镇的规定不在其中",
                    suggestions=(jurisdiction,),
                )
        return None

    def _conflicting(self, said: str, name: str, conflict: str, jurisdiction: str) -> NotCoveredError:
        said = _NOISE.sub("", said)[-20:]
        # 鄂托克|前旗: the head of a longer name is no unit of its own; the other place is that whole name.
        other = conflict + name if conflict + name in said and conflict[-1] not in _UNIT_CHARS else ""
        reason = f"{other}是另一个地方" if other else f"{conflict}与{jurisdiction}的所属地区不符"
        return NotCoveredError(
            "region",
            f"「{said}」不是本助手覆盖的{jurisdiction}（{reason}），"
            f"本助手只有{'、'.join(self.jurisdictions)}的政策文件",
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
