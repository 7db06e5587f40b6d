"""Names of China's administrative units, to tell a place of ours from a same-named place elsewhere.

A document covers one place (沁源县 of 长治市, 山西省). A resident's message may name a province, city or county
around one of our names: when it is the document's own (山西沁源) the place is ours; when it is another
(湖北省黄冈市高桥村, 四川省清泉镇) or our name is only the tail of a longer name (鄂托克前旗 ends in 前旗), it is not.
"""

from __future__ import annotations

import re

from bot.policy.person_words import strip_person_words
from bot.policy.suffixes import strip_trailing

# Provinces, autonomous regions and municipalities: full names, then the short names residents use.
PROVINCES: tuple[str, ...] = (
    "北京市", "天津市", "上海市", "重庆市", "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省", "江苏省", "浙江省",
    "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "海南省", "四川省", "贵州省",
    "云南省", "陕西省", "甘肃省", "青海省", "台湾省", "内蒙古自治区", "广西壮族自治区", "西藏自治区",
    "宁夏回族自治区", "新疆维吾尔自治区", "香港", "澳门",
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建", "江西",
    "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海", "台湾", "内蒙古",
    "内蒙", "广西", "西藏", "宁夏", "新疆",
)

_UNIT = re.compile(r".+?(?:自治区|自治州|省|市|盟|州|县|区|旗)")
_UNIT_SUFFIX = ("省", "市", "县", "区", "旗", "盟", "州", "镇", "乡", "村")
# Characters that end filler before a place ("我是", "户口在", "俺们", "老家"): a name after one of these is a
# name on its own; after any other Chinese character it is the tail of a longer name (鄂托克|前旗).
_BOUNDARY = set(
    "我俺咱你您他她们是在的住到去来回从于属家老乡里啊呀嘛吧呢就也还都那这个人口籍地方边上下了说叫和跟与及或户边"
    "对喂哈嗯哦噢额呃个儿滴噻咧哩嘞撒"
    "算查问看帮给找想要请替咨询交缴办参医保费钱多少能可以吗么去往朝向自由归"
)


def ancestor_names(full_name: str, name: str) -> tuple[str, ...]:
    """The units above `name` in `full_name`, each also without its suffix, longest first.

    山西省长治市沁源县 → 山西省, 长治市, 山西, 长治 (and 内蒙古自治区 → 内蒙古, 内蒙)."""
    units = [unit for unit in _UNIT.findall(full_name) if unit != name and not full_name.endswith(unit)]
    names: set[str] = set()
    for unit in units:
        names.add(unit)
        for suffix in ("自治区", "自治州", "省", "市", "盟", "州", "县", "区", "旗"):
            if unit.endswith(suffix) and len(unit) - len(suffix) >= 2:
                names.add(unit[: -len(suffix)])
                break
        if unit == "内蒙古自治区":
            names.add("内蒙")
    return tuple(sorted(names, key=len, reverse=True))


def conflict_before(prefix: str, ancestors: tuple[str, ...], generic: bool = True) -> str | None:
    """What, right before one of our names, says it is another place; None when nothing does.

    `prefix` is the text before the name; `ancestors` are the document's own province/city/county names, which
    may stand there (山西省长治市沁源县). `generic`: the name is a common kind of name (前旗, 高桥村, 山丹县) that
    can be the tail of another place's name; a distinctive name (沁源, 朔州) is only refuted by a unit word or a
    province right before it."""
    prefix = strip_trailing(prefix, ancestors)
    if not prefix:
        return None
    # 我妈|沁源县, 俺家老头|山丹县: whom the insurance is for, not the head of another place's name.
    prefix = strip_person_words(prefix)
    if not prefix:
        return None
    last = prefix[-1]
    if not ("\u4e00" <= last <= "\u9fff") or last in _BOUNDARY:
        return None
    for province in PROVINCES:
        if prefix.endswith(province):
            return province
    if last in _UNIT_SUFFIX:
        named = next((province for province in PROVINCES if province in prefix), None)
        unit = re.search(r"[\u4e00-\u9fff]{1,3}$", prefix)
        return named or (unit.group() if unit else last)
    if not generic:
        return None
    # Our name is the tail of a longer one (鄂托克前旗, 科尔沁右翼前旗): say the longer name's head.
    head = re.search(r"[\u4e00-\u9fff]{1,6}$", prefix)
    if head is None:
        return last
    # 户口在|湖北黄冈, 鄂尔多斯市|鄂托克: the head starts after the last filler word or unit word.
    words = head.group()
    cut = max((i for i, char in enumerate(words) if char in _BOUNDARY or char in _UNIT_SUFFIX), default=-1)
    return words[cut + 1:] or last
