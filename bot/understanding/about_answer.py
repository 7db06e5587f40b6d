"""Questions about the answer on show, said in residents' words: its basis, how to pay it, or a reference answer.

After the answer a resident asks "依据是啥", "这个钱是咋算的", "为啥要交这么多" (the cited passages and which status
gave the amount, as the 依据 button shows), "怎么交", "在哪交" (the payment channels). Offered a reference answer
for a date past every document, they type "按去年的标准算一下", "就按老标准算", "先按2024年的算" (the reference
button's meaning). These are read only when the message is about nothing else: "新生儿怎么交" is a question for
the FAQ, not about this answer.
"""

from __future__ import annotations

import re
from typing import Literal

AboutAnswer = Literal["basis", "pay_how", "reference"]

_BASIS = re.compile(
    r"依据|根据(?:是|啥|什么|哪)|凭(?:什么|啥)|出处|原文|(?:哪个|哪一?份|什么|啥)(?:文件|政策|规定)"
    r"|(?:咋|怎么|如何|怎样)(?:个)?(?:算|计算|得出|来)的?|算法|哪来的|怎么来的"
    r"|为(?:啥|什么|何|嘛)[^,，。？?]{0,6}(?:这么|那么|这样)(?:多|贵|少)|(?:咋|怎么)(?:这么|那么)(?:多|贵)"
    r"|为(?:啥|什么|何)(?:是|要交|要缴|交|缴)\d+"
)
_PAY_HOW = re.compile(
    r"(?:怎么|咋|如何|怎样|在哪|去哪|到哪|上哪|哪里|哪儿|从哪|用啥|用什么)(?:里|儿|个|样|能|可以|去|来)?"
    r"(?:交|缴|付|支付)|(?:交|缴)(?:到|在|给)?(?:哪|哪里|哪儿|谁)|缴费(?:方式|渠道|途径|方法|地点)|交钱的地方"
    r"|(?:手机|微信|支付宝|网上)(?:上)?(?:能|可以|咋|怎么)?(?:交|缴)"
)
_REFERENCE = re.compile(
    r"按(?:照)?(?:去年|上一?年|前年|老|旧|以前|之前|原来|往年|最新|现有|现在|目前|\d{2,4}年度?)"
    r"[^,，。？?]{0,6}?(?:算|计算|来|标准|文件|政策)|参考(?:一下|着|计算|算)|大概(?:算|估)"
)
# Words that carry nothing once the question's own words are gone ("那我这个钱在哪交啊").
_FILLER = re.compile(
    r"[\s,，。.!！?？~、]|我们?|俺们?|咱们?|你们?|那么?|这个?|那个?|钱|的|呢|啊|呀|吧|嘛|哦|哈|要|该|应该|可以|能|"
    r"到底|具体|请问|你好|您好|就|是|了|费用?|医保|保险|说|一下|给我|告诉我|麻烦|帮我|帮忙|看看|再|先|还|呗|咧|"
    r"还有|所以|那|这|个|有|啥|什么|多少|说说|讲讲|问|想|知道|交|缴|\d+|元|块"
)
MAX_LEFTOVER = 2  # more left than this: the message asks about something else


def read_about_answer(text: str) -> AboutAnswer | None:
    """Which question about the answer a (simplified) message asks; None when it asks something else."""
    for kind, pattern in (("reference", _REFERENCE), ("basis", _BASIS), ("pay_how", _PAY_HOW)):
        match = pattern.search(text)
        if match is None:
            continue
        rest = _FILLER.sub("", text[:match.start()] + text[match.end():])
        if kind == "reference" or len(rest) <= MAX_LEFTOVER:
            return kind  # type: ignore[return-value]
    return None
