"""What a resident's story names when the matcher cannot tell what is asked (issue 9, class 6: long questions).

"你好，我想问一下，我女儿是去年8月生的，当时忙没有给她办医保，现在都快一岁了，还能给她交吗": the asking clause
(还能给她交吗) alone reads as paying late in general, and the whole text scores low against every entry. The topic is
in the story: a child's birth is the newborn rule's question, employee insurance that ended is the lapse rule's.
Used only where the matcher is not sure (bot/faq/service.py): a story never overrides a confident match.
"""

from __future__ import annotations

import re

from bot.faq.normalize import fold

# A child, then its birth: "我家孩子是去年十一月生的", "2022年生的娃", "宝宝刚出生". Not a parent's birth year
# ("俺是1960年生的": no child word), which is the elderly's.
_CHILD = r"孩子|娃|女儿|儿子|闺女|宝宝|宝贝|小孩|婴儿|小娃|丫头|小子"
# Whole words only: 学生的, 医生的, 发生了 are no birth.
_BORN = r"出生|刚生|(?<![学医先发卫新产])(?:生的|生了|生下)"
_CHILD_BORN = re.compile(rf"(?:{_CHILD})\S{{0,14}}(?:{_BORN})|(?:{_BORN})\S{{0,3}}(?:{_CHILD})")
# Employee insurance that ended: "有职工医保，今年8月份厂子倒了，医保就断了", "单位不给交了", "离职后断了".
_EMPLOYEE = r"职工医保|单位|厂|公司|上班"
_ENDED = r"断了|断保|断交|停了|停保|不交了|不给交|倒了|倒闭|离职|辞职|辞了|下岗|失业|被裁"
_EMPLOYEE_ENDED = re.compile(rf"(?:{_EMPLOYEE})\S{{0,20}}(?:{_ENDED})")
# A question about paying or joining: what the story leads up to.
_ASKS_TO_JOIN = re.compile(r"交|缴|参保|办|弄|上医保|入保")

NEWBORN = "newborn"
LAPSED_EMPLOYEE_INSURANCE = "lapsed_employee_insurance"


def story_topic(question: str) -> str | None:
    """The entry a question's story names (a child's birth, employee insurance that ended) when it asks about
    paying or joining; None otherwise, or when it tells both (the matcher's suggestions then stand)."""
    folded = fold(question)
    if _ASKS_TO_JOIN.search(folded) is None:
        return None
    found = [topic for topic, pattern in ((NEWBORN, _CHILD_BORN), (LAPSED_EMPLOYEE_INSURANCE, _EMPLOYEE_ENDED))
             if pattern.search(folded)]
    return found[0] if len(found) == 1 else None
