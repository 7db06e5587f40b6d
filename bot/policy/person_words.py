"""Words for the resident or their family (孩子他爸, 俺家老头, 我闺女): never a place, never part of a place name.

A resident often names whom the insurance is for right before the place ("俺家老头山丹县的", "我闺女冷市镇的").
The place reader strips these words before deciding whether what stands before one of our names is another
place's name: without this, 我妈沁源县 would read as a county called 我妈沁源县 that is not ours."""

from __future__ import annotations

from bot.policy.suffixes import strip_trailing

# Longest first is not needed: `strip_person_words` tries them all until none is left at the end.
PERSON_WORDS: tuple[str, ...] = (
    "孩子他爸", "孩子他妈", "孩子他爹", "孩子他娘", "孩子她妈", "孩子她娘", "娃他爸", "娃他妈", "娃他爹", "娃他娘",
    "娃她妈", "孩他爸", "孩他妈", "孩他爹", "孩他娘", "他爸", "他妈", "他爹", "他娘", "她妈",
    "老头子", "老头儿", "老头", "老伴儿", "老伴", "老婆子", "老婆", "老公", "老汉", "老太太", "老太婆", "老人家", "老人",
    "老母亲", "老父亲", "老爷子", "老太", "那口子", "掌柜的", "当家的", "婆姨", "媳妇儿", "媳妇", "儿媳妇", "儿媳",
    "男人", "女人", "丈夫", "妻子", "爱人", "对象", "闺女", "姑娘", "女儿", "儿子", "孩子", "小孩", "娃娃", "娃儿",
    "娃", "崽", "孙子", "孙女", "外孙女", "外孙", "重孙", "孙儿", "父亲", "母亲", "爸爸", "妈妈", "爸", "妈", "爹",
    "娘", "爷爷", "奶奶", "姥姥", "姥爷", "外公", "外婆", "公公", "婆婆", "岳父", "岳母", "丈母娘", "老丈人",
    "哥哥", "姐姐", "弟弟", "妹妹", "哥", "姐", "弟", "妹", "叔叔", "叔", "婶婶", "婶", "舅舅", "舅", "姨",
    "侄子", "侄女", "亲戚", "一家人", "全家人", "全家", "家里人", "本人", "自己",
    "大儿子", "二儿子", "小儿子", "大闺女", "二闺女", "小闺女", "大女儿", "小女儿",
)


def strip_person_words(prefix: str) -> str:
    """`prefix` without the person words at its end (俺家老头 → 俺家, 我闺女 → 我)."""
    return strip_trailing(prefix, PERSON_WORDS)
