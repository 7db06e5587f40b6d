"""Where the insurance is versus where the resident lives or works ("户口在朔州怀仁，人在北京打工").

Residents insure where their hukou is; a migrant worker names both places. The clause that says where the
hukou or insurance is (户口/户籍/老家/参保/…人) decides; clauses that say where they live or work (在…打工/上班/住/
工作/带孩子, 人在…) are set aside when the place is read, so the city they work in is neither taken as the place
of insurance nor as a contradiction of it. Within the hukou clause the contradiction rule still applies
(户口在湖北黄冈高桥村 is not our 高桥村)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.understanding.clauses import clause_spans

# Where clauses end: punctuation, and the turn words that start the other half ("但是户口在…", "人在北京").
_CLAUSE_END = re.compile(r"[,，。.;；!！?？、\s]+|(?=但是|但|不过|可是|而是|人在|人现在|现在在|目前在|平时在|常年在)")
_HUKOU = re.compile(
    r"户口|户籍|老家|籍贯|参保|医保在|社保在|交医保|缴医保|家是|家在|是[^,，。；;]{1,15}?(?:的人|人)$|^[^在]{2,15}人$"
)
_ELSEWHERE = re.compile(
    r"(?:^|人|我|俺|咱|他|她|们|现|目前|平时|常年|一直|长期|都|还)?(?:在|到|去)[^,，。；;]{0,12}?"
    r"(?:打工|务工|上班|工作|干活|打零工|做生意|做买卖|住|居住|生活|带孩子|带娃|看孩子|陪读|上学|读书|定居|谋生)"
    r"|^(?:人在|现在在|目前在|现住|现居|常住|住在|暂住|人现在在)"
)
# The place a hukou clause names: 户口在X, 老家是X的, 参保在X, 我是X人.
_HUKOU_PLACE = (
    re.compile(r"(?:户口|户籍|老家|籍贯|参保地?|家)(?:还|都|也)?(?:是|在|落在|属于|为)+(?P<name>[\u4e00-\u9fff]{2,12}?)"
               r"(?:的人|那边|那里|这边|的|人)?(?:呢|啊|吧|嘛|哈)?$"),
    re.compile(r"^(?:我|俺|咱|我们|俺们|咱们)?(?:是|就是)?(?P<name>[\u4e00-\u9fff]{2,8}?)(?:的人|人)$"),
)
_NOT_A_NAME = re.compile(r"怎么|多少|什么|啥|吗|哪|咋|谁|本地|这里|那里|这边|那边|农村|城里|老家|一样|不知道")


@dataclass(frozen=True)
class Whereabouts:
    """`for_place`: the message with the live/work clauses blanked (same length, so spans still hold);
    `hukou_place`: what a hukou clause names when the message also says where they live or work, else None."""

    for_place: str
    hukou_place: str | None
    elsewhere: bool



def read_whereabouts(text: str) -> Whereabouts:
    """Set aside what the (simplified) message says about where the resident lives or works."""
    clauses = clause_spans(text, _CLAUSE_END)
    hukou = [(s, e) for s, e in clauses if _HUKOU.search(text[s:e])]
    elsewhere = [(s, e) for s, e in clauses if (s, e) not in hukou and _ELSEWHERE.search(text[s:e])]
    if not elsewhere:
        return Whereabouts(text, None, False)
    masked = list(text)
    for start, end in elsewhere:
        masked[start:end] = [" "] * (end - start)
    hukou_place = None
    for start, end in hukou:
        for pattern in _HUKOU_PLACE:
            match = pattern.search(text[start:end])
            if match and not _NOT_A_NAME.search(match.group("name")):
                hukou_place = hukou_place or match.group("name")
    return Whereabouts("".join(masked), hukou_place, True)
