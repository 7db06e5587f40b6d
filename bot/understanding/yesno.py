"""Yes or no said in residents' words: "是的吧", "登记过了", "没去登记", "还没到90天", "本地户口"."""

from __future__ import annotations

import re

_PUNCTUATION = re.compile(r"[\s,.!?;:，。！？；：、~～]+")
# "Within the limit" said as a negation of passing it: an answer of yes to "还在90天以内吗？".
_WITHIN = re.compile(r"(?:没|没有|不|未|还没|还没有)(?:到|超过|超|过|满)|不到|以内|之内|还在")
_PAST_LIMIT = re.compile(r"超过|超了|已经过了|早过了|过了\d*天|满了|早就|好久了|好几个月|半年|一年多")
_UNSURE = re.compile(
    r"不知道|不(?:是很|太|大|怎么)?清楚|不晓得|不确定|不记得|忘了|说不准|说不好|[搞说记弄]不清|没[搞弄]清|不太懂|不懂"
)
# Yes words that hold a negation: 没错 and its dialect forms (木错, 没得错), 可不是 ("isn't it just").
_SURE_YES = re.compile(r"^(?:对|是|嗯)?(?:没错|没问题|不错|没毛病|木错|没得错|莫得错)|^(?:那)?可不(?:是|咋的)?(?:嘛|吗|呢)?$")
_NO = re.compile(r"不是|不对|不行|不在|没有|没|未|否|不|非|冇|木有|莫得|么得|唔系|外地|别的地方|\bno\b|^n$|^bu(?:shi)?$"
                 r"|^mei(?:you)?$")
_YES = re.compile(
    r"是|对|嗯|恩|好|行|有|在|可以|没错|当然|肯定|登记|办了|办过|去过|已经|本地|当地|要得|妥|^中+[啊呀嘞哩的咧]?$|^[昂系得]$"
    r"|\byes\b|^y$|^ok$|^ja$|^shi(?: ?de)?$|^dui(?: ?de)?$|^en+$"
)
# A question back ("是不是？", "对不对") answers neither way; "不是不是", "不对不对" are a plain no.
_QUESTION_BACK = re.compile(r"(?<!不)(?:是不是|对不对)|有没有")
# Said only to "您是说沁源县吗？": the place offered is (就它, 就这个) or is not (错了, 搞错了) the one meant.
_CONFIRM_YES = re.compile(r"^(?:就|正)是?(?:它|这个|那个|这|那|这里|那里|这儿|那儿|这个地方)?[嘞哩的呀啊哈]?$")
_CONFIRM_NO = re.compile(r"^(?:搞|弄|说|打|写|认)?错(?:了|啦|咯|喽|嘞|哩)?$")


# What a "不知道" is about when it is the rule, not the fact asked: 不知道有这回事, 不晓得要登记, 不清楚这个规定.
_ABOUT_THE_RULE = re.compile(
    r"(?:还|也|说)?(?:有|要|还要|得|还得|需要|该|必须|这|那|规定|政策|要求|通知)")


def read_yes_no(text: str) -> bool | None:
    """True, False, or None when the message is neither (or both, as in "是不是")."""
    cleaned = _PUNCTUATION.sub(" ", text.strip().lower()).strip()
    if not cleaned or len(cleaned) > 30:
        return None
    if _QUESTION_BACK.search(cleaned):
        return None
    unsure = _UNSURE.search(cleaned)
    if unsure is not None:
        # "没去登记，不知道有这回事": a clear no (or yes) beside not having known of the rule is that no (or yes);
        # "不是很清楚", "没登记，不知道" and "不知道登记了没有" are not.
        if not _ABOUT_THE_RULE.match(cleaned, unsure.end()):
            return None
        clause_end = cleaned.find(" ", unsure.end())
        rest = (cleaned[:unsure.start()] + " " + (cleaned[clause_end:] if clause_end >= 0 else "")).strip()
        return read_yes_no(rest) if rest else None
    if _SURE_YES.search(cleaned):
        return True  # "没错", "没问题": yes, though they start with 没
    if _WITHIN.search(cleaned):
        return True
    if _PAST_LIMIT.search(cleaned):
        return False
    if _NO.search(cleaned):
        return False
    if _YES.search(cleaned):
        return True
    return None


# A yes word said before repeating the place offered ("对，前旗", "是的，高桥村"): only words that are yes on their own,
# not 是 / 就是, which are the copula of "是前旗的" and "就是前旗" (the place restated, still as ambiguous as before).
_YES_WORD = re.compile(r"^(?:对|对的|对头|对呀|对啊|对对|嗯|嗯嗯|是的|是啊|是呀|没错|正是|好的)(?:[,，。.!！\s]|$)")


def yes_before_the_place(text: str, start: int, end: int) -> bool:
    """Whether `text`, with the place offered at [start, end) said again, says yes to it ("对，前旗")."""
    rest = (text[:start] + " " + text[end:].removeprefix("的")).strip(" ,，。.!！")
    return _YES_WORD.match(rest) is not None and not _NO.search(rest.replace("没错", ""))


def read_confirmation(text: str) -> bool | None:
    """Yes or no to "您是说沁源县吗？": read_yes_no, and the words that only confirm or deny an offered place."""
    cleaned = _PUNCTUATION.sub("", text.strip().lower())
    if _CONFIRM_NO.match(cleaned):
        return False
    if _CONFIRM_YES.match(cleaned):
        return True
    return read_yes_no(text)


_LOCAL = re.compile(
    r"(?:户口|户籍)(?:本)?(?:就|还|也|都|一直|本来|始终)*(?:在|是)(?:这|这边|这里|本村|村里|本县|本旗|本镇|本乡|本市|本地|当地|咱这)"
    r"|(?:本地|当地|本县|本旗|本镇|本乡|本市|本村|咱这|这里|这边)(?:的)?(?:户口|户籍)"
    r"|户口在本地|户口就在|户口在这|本地人|户籍在本地|是本地的"
)
_NOT_LOCAL = re.compile(
    r"户口(?:就)?(?:不在|在外|迁走)"
    r"|外地户口|户口不在|外地人|户口在外地|不是本地|外地户籍|户籍不在|外省户口|外县户口"
)


def read_local_hukou(text: str) -> tuple[bool, int, int] | None:
    """Whether the message says the resident's household registration is local, with the span said."""
    for pattern, value in ((_NOT_LOCAL, False), (_LOCAL, True)):
        match = pattern.search(text)
        if match:
            return value, match.start(), match.end()
    return None
