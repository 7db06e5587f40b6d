"""Statuses in residents' own words, inside any message: 俺家是低保户, 残疾证二级, 肢体二级, 防返贫监测户, and
"none" said as 普通农民 / 啥也不是 / 都不是吧. Negated statuses ("我现在不是低保了", "低保取消了") are removals;
"不知道" is neither a status nor "none"; 困难户 could be several statuses, so the resident is asked which."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.policy.vocabulary import VocabularyIndex
from bot.understanding.result import Found, StatusMode
from bot.understanding.sounds import SoundIndex

# Disability grades in the forms residents use: 残疾证二级, 肢体二级, 二级肢体残疾, 视力一级, 残疾二级.
_KINDS = r"(?:肢体|视力|听力|言语|语言|智力|精神|多重|视|听|肢)"
_GRADE = r"([一二三四1234])"
_DISABILITY = re.compile(
    rf"(?:残疾证?|残疾人证?|残联|{_KINDS}(?:残疾)?)(?:是|为|有|上写的?|等级)?{_GRADE}级(?:残疾人?)?"
    rf"|{_GRADE}级(?:的)?(?:重度|中度|轻度)?{_KINDS}?(?:残疾人?|残)"
)
# The class of rural 低保 said around the word: 农村低保一类, 低保二类户, 三类的低保.
_DIBAO_CLASS = re.compile(
    r"(?:农村)?低保(?:户)?(?:是|为|属于)?(?:第)?([一二三四1234])类|(?:第)?([一二三四1234])类(?:的)?(?:农村)?低保"
)
_CLASS_TERMS = {"一": "dibao_rural_1", "1": "dibao_rural_1", "二": "dibao_rural_2", "2": "dibao_rural_2",
                "三": "dibao_rural_3", "3": "dibao_rural_3", "四": "dibao_rural_4", "4": "dibao_rural_4"}
_GRADE_TERMS = {"一": "severe_disability", "1": "severe_disability", "二": "severe_disability",
                "2": "severe_disability", "三": "mild_disability", "3": "mild_disability",
                "四": "mild_disability", "4": "mild_disability"}

# Words that name more than one status: the resident is asked which they mean.
AMBIGUOUS: dict[str, tuple[str, ...]] = {
    "困难户": ("tekun", "dibao", "dibao_edge", "monitored"),
    "困难家庭": ("tekun", "dibao", "dibao_edge", "monitored"),
    "贫困家庭": ("poverty_alleviated", "dibao", "monitored"),
    "特殊困难": ("tekun", "dibao", "monitored"),
}

# "None", said in any message (普通农民 is never a status); bare 没有/不是 only as the answer to the question.
_NONE_ANYWHERE = re.compile(
    # 平常 only with 百姓 / 人家: "我平常人在外地" is "usually".
    r"(?:普通|一般|寻常)(?:的)?(?:农牧民|农民工|农民|农户|牧民|牧户|渔民|工人|老百姓|百姓|群众|村民|居民|人家|人|家庭|户)"
    r"|平常(?:的)?(?:老百姓|百姓|人家)"
    # 普通 is no adverb: 普通打工的, 普通种地的 are "ordinary workers"; 一般上班的时候 is not said here.
    r"|普通(?:的)?(?:打工|务工|上班|种地|种田|放牧|放羊)(?:的|人|族)"
    r"|啥(?:也|都)不是|什么(?:也|都)不是|啥(?:也|都)没有|什么(?:身份|类别)?(?:也|都)没有|都不是|都没有|一样都不是"
    # 身份 but not 身份证 ("没有身份证怎么交" asks about an identity card and says nothing of a status)
    r"|没有?(?:任何|什么|啥)?(?:特殊)?(?:身份(?!证)|类别|情况)|没(?:啥|什么)(?:特殊)?(?:身份(?!证)|类别|情况)?"
    r"|无(?:任何|特殊)?身份(?!证)|不属于(?:任何|这些|以上)"
    r"|普普通通|平头老百姓|没有?(?:任何|什么|啥)?特殊的?(?:身份|类别|情况|待遇)?"
    r"|没有享受|没享受|啥都没|无特殊"
    # dialect forms: 啥身份也没有, 啥子身份都没得, 没得啥子身份, 莫得身份, 木有啥身份
    r"|(?:啥子?|什么)(?:特殊)?(?:身份|类别)(?:也|都)(?:没有|没得|莫得|冇|木有|不是)"
    r"|(?:没得|莫得|冇得?|木有)(?:任何|什么|啥子?)?(?:特殊)?(?:身份|类别)"
)
# "普通" / "一般" / "就是普通的" said as a word of its own inside a run-on message ("沁源 普通 1960年1月1日 今天"):
# none. Only as a whole word between separators (or blanked place and date spans): 普通门诊, 普通高校, 一般什么时候交
# and 我们一般在村里交 say nothing about a status. (No status in any document's vocabulary is named with 普通 or 一般.)
# 一般 / 平常 alone are also adverbs ("一般月底交" = usually at the month's end), so alone they need a real separator
# or the message's end on both sides; with a noun (一般人, 一般的, 一般缴费人员) they are "ordinary".
_SEP = r"\s,.;!?:，。；！？：、~～"
_SEPARATORS = frozenset(" \t\n,.;!?:，。；！？：、~～")
_PLAIN_PREFIX = r"(?:我们?家?|俺们?家?|咱们?家?)?(?:其实|实际上|应该|本来)?(?:就|只|也|都)?(?:是|算|属于)?(?:个|一个|一)?"
_PLAIN_NOUN = r"(?:的人|的|人|人家|户|家庭|老百姓|身份|(?:缴费|参保)?(?:人员|人群))"
_PLAIN_TAIL = r"(?:的)?(?:吧|啊|呀|哦|嘛|呗|呢|啦)?"
_PLAIN_WORD = re.compile(
    rf"(?:^|(?<=[{_SEP}])){_PLAIN_PREFIX}(?:(?:普普通通|普通){_PLAIN_NOUN}?|(?:一般|平常|寻常){_PLAIN_NOUN})"
    rf"{_PLAIN_TAIL}(?=$|[{_SEP}])"
)
_PLAIN_ALONE = re.compile(rf"(?:^|(?<=[{_SEP}])){_PLAIN_PREFIX}(?:一般|平常|寻常){_PLAIN_TAIL}(?=$|[{_SEP}])")
# Voice input and hurried typing run "place + 一般 + payment date" together with no separator at all ("冷市镇一般明天交",
# "朔州一般"): 一般 / 平常 alone right after the place, and followed by the date said or the message's end, is "none".
# Not before a habitual time ("朔州一般月底交": usually at the month's end) nor in a question ("沁源一般几号交").
_PLAIN_AFTER_PLACE = re.compile(rf"(?:的)?{_PLAIN_PREFIX}(?:一般|平常|寻常){_PLAIN_TAIL}(?!月|每|[上中下]旬|年底)")
_NONE_AS_ANSWER = re.compile(r"^(?:(?:没有|没|无|不是|否|没得|冇|都无|木有|都没|普通|一般)(?:的|吧|啊|呀|哦)?)+$")
# An occupation alone as the answer to the status question ("牧民", "就是放牧的", "俺是种地的", "在外打工的"): how
# they earn a living, no special status. Only the whole answer: any status found with it wins (低保户牧民 is 低保),
# and never at the class question (农村的 / 农民 there may name rural 低保).
_OCCUPATION = (r"(?:农牧民|农民工|老农民|农民|牧民|渔民|农户|牧户|庄稼人|牧区|养殖户|养殖|工人|打工人|上班族|务农"
               r"|种地|种田|种庄稼|放牧|放羊|养羊|养牛"
               r"|打工|务工|打零工|上班|干活|做生意|做小生意|开店|个体户)")
_OCCUPATION_ANSWER = re.compile(
    rf"^(?:我们?家?|俺们?家?|咱们?家?|家里)?(?:一直|都|就|只|也|平时)*(?:是|算|属于|搞|干|在)?(?:个|一个)?"
    rf"(?:在外地?|外出|出去|出门)?(?:{_OCCUPATION}(?:的|人|啊|呀|吧|嘛|呗|呢|啦|哦|和|、)*)+$"
)
# What is left of a payment date said with it ("牧民，明天去交": 明天 is read as the date, 去交 stays).
_PAY_VERB = re.compile(r"(?:打算|准备|要|去|来|想|再)*(?:交|缴)(?:费|钱|了)?")
UNKNOWN = _UNKNOWN = re.compile(
    r"不知道|不清楚|不晓得|不懂|说不清|搞不清|不确定|不记得|忘了|不太清楚|不了解|不知|记不清|记不住|记不得|记不太清|想不起|记不起|忘记|搞忘|没记住"
    r"|不大记得")

# "不清楚是几类低保": the class is what is not known; the status itself is said (not "不知道是不是低保").
_WHICH_CLASS_BEFORE = re.compile(r"^(?:是|属于|算)?(?:几|哪一?|啥|什么|第几)(?:类|档|级)(?:的)?$")
_NEGATION_BEFORE = re.compile(
    r"(?:不是|不再是|不属于|不算|没有|没|不|非|未|取消了|退出了|去掉|删掉|删除)"
    r"(?:办|办理|评上|评|享受|吃|拿|领|申请|评定)?(?:过|到|上|了)?(?:我们?家?|家里)?(?:的|是)?$"
)
_NEGATION_AFTER = re.compile(
    r"^(?:户|对象|人员)?[，, ]?(?:但是?|可是?)?(?:现在|如今|目前|今年|去年|前年|后来)?(?:就|都)?(?:已经|早就|早)?(?:被)?"
    # 摘帽/出列/解除/销号/清退: how 监测户, 贫困户 and 低保 leave the list
    r"(?:取消|没了|停了|退了|不是了|被取消|撤销|撤了|取消了|没有了|到期|摘了|摘掉|摘帽|出列|销号|解除|消除|退出|清退"
    r"|没(?:评上|批|办|申请上|享受|通过))"
)
# A status applied for but not granted is not held: "低保还在申请中", "申请了低保还没批下来", "正在申请低保".
# Counting it would quote a subsidy the resident does not get yet (a fee too low is the worst mistake).
_PENDING_BEFORE = re.compile(r"(?:正在|还在|在|刚)(?:申请|申报|办理|办|评)(?:着)?$")
_PENDING_AFTER = re.compile(
    r"^(?:户|对象|人员)?(?:还|正|也|刚)?(?:在)?(?:申请|申报|审核|审批|办理|公示|评审|评议)(?:中|着|呢)"
    r"|^(?:户|对象|人员)?(?:(?:申请|申报|报|办)(?:了|过)?)?[，, ]?(?:但是?|可是?)?(?:还|也|一直)?(?:没|未|没有)"
    r"(?:批|评|下来|通过|办下来|审批|审核|公示)"
)
# "以前是低保" (and nothing saying it still is): a status held once is not held now.
_FORMERLY_BEFORE = re.compile(
    r"(?:以前|之前|原来|过去|曾经|前几年|前些年|去年)(?:还|也)?(?:是|吃|当过|吃过|是过)?(?:我们?家?|家里)?$")
_STILL_AFTER = re.compile(r"^(?:户|对象|人员)?[，, ]?(?:现在|目前|如今)(?:也|还|仍然|依然|仍)")
_ADD = re.compile(r"也是|还是|另外|对了|还有|同时|也有|也算|还算|而且|并且|外加|也属于|还属于")
_REPLACE = re.compile(r"不对|搞错|弄错|说错|错了|其实是|应该是|改成|改为|更正|重新说")
_FILLER = re.compile(
    r"俺家|我家|我们家|家里|俺们|我们|我是|俺是|属于|就是|也是|还是|是的|户口|身份|类别|情况|的话|我|俺|咱|家|是|的|吧|啊|呢"
    r"|了|和|跟|与|及|还有|也|都|嗯|哦|这|那|个|有|对|现在|以前|原来|已经|不过|但是|其实"
)


@dataclass
class StatusReading:
    statuses: list[Found[str]] = field(default_factory=list)
    removed: list[Found[str]] = field(default_factory=list)
    mode: StatusMode | None = None
    none: bool = False
    unknown: bool = False
    ambiguous: Found[tuple[str, ...]] | None = None
    leftovers: list[str] = field(default_factory=list)


class StatusReader:
    def __init__(self, vocabulary: VocabularyIndex) -> None:
        self.vocabulary = vocabulary
        words: dict[str, str] = {}
        for term in vocabulary.terms.values():
            for word in [term.name, *term.synonyms]:
                words[word] = term.id
        self._words = words
        # One alternation, longest words first: at each position the longest known word wins (二级及以上残疾
        # is not read as 二级残疾 + 及 + 以上).
        self._pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))
        self._sounds = SoundIndex(words)

    def read(self, text: str, taken: list[bool], as_answer: bool, place_end: int | None = None,
             status_question: bool = False) -> StatusReading:
        """Statuses in `text` (simplified), outside the `taken` spans (place, dates); marks what it uses.

        `as_answer`: the message answers the status question, so bare 没有 / 不是 mean "none". `place_end`: where
        the place said ends, when the message is no question (一般 right after it is "none"). `status_question`:
        the message answers "which statuses" itself (not the class question), so an occupation alone is "none"."""
        reading = StatusReading()
        claims: list[tuple[int, int, str]] = []

        def claim(start: int, end: int, term: str) -> None:
            claims.append((start, end, term))
            taken[start:end] = [True] * (end - start)

        for match in _DISABILITY.finditer(text):
            if not any(taken[match.start():match.end()]):
                grade = match.group(1) or match.group(2)
                claim(match.start(), match.end(), _GRADE_TERMS[grade])
        for match in _DIBAO_CLASS.finditer(text):
            if not any(taken[match.start():match.end()]):
                claim(match.start(), match.end(), _CLASS_TERMS[match.group(1) or match.group(2)])
        for match in self._pattern.finditer(text):
            start, end = match.span()
            if not any(taken[start:end]):
                claim(start, end, self._words[match.group()])
        for word, options in AMBIGUOUS.items():  # after the known words: 突发严重困难户 is not 困难户
            start = text.find(word)
            if start >= 0 and not any(taken[start:start + len(word)]):
                reading.ambiguous = Found(options, start, start + len(word))
                taken[start:start + len(word)] = [True] * len(word)
        if not claims:
            for hit in self._sounds.find(text, taken):
                claim(hit.start, hit.end, hit.value)
        unknown = _UNKNOWN.search(text)
        doubted = False
        for start, end, term in sorted(claims):
            before = text[max(0, start - 8):start]
            after = text[end:end + 8]
            if before.endswith(("是不是", "算不算", "有没有")):
                doubted = True  # "不知道是不是低保", "有没有低保": a doubt, not a claim either way
            elif (_NEGATION_BEFORE.search(before) or _NEGATION_AFTER.search(after)
                  or _PENDING_BEFORE.search(before) or _PENDING_AFTER.search(after)
                  or (_FORMERLY_BEFORE.search(before) and not _STILL_AFTER.search(after))):
                reading.removed.append(Found(term, start, end))
            elif unknown is not None and ("是不是" in text or "算不算" in text or unknown.start() < start) and not (
                    unknown.end() <= start and _WHICH_CLASS_BEFORE.search(text[unknown.end():start])):
                doubted = True
                continue  # "不知道是不是低保": not a claim
            else:
                reading.statuses.append(Found(term, start, end))
        # A status both claimed and denied in one message ("低保户，但低保还在申请中"): the later mention wins.
        last_said = {found.value: found for found in sorted([*reading.statuses, *reading.removed], key=lambda f: f.start)}
        reading.statuses = [f for f in reading.statuses if last_said[f.value] is f]
        reading.removed = [f for f in reading.removed if last_said[f.value] is f]
        if unknown is not None and not reading.statuses and (as_answer or doubted):
            reading.unknown = True
        if not reading.statuses and not reading.removed and not reading.unknown and reading.ambiguous is None:
            rest = "".join(c if not t else " " for c, t in zip(text, taken, strict=True))
            bare = re.sub(r"[\s,.!?;:，。！？；：、~～]+", "", rest)
            plain = ("普通" in rest or "一般" in rest or "平常" in rest or "寻常" in rest) and (
                _PLAIN_WORD.search(rest) or _alone_outside(text, taken) or _plain_after_place(text, taken, place_end))
            if _NONE_ANYWHERE.search(rest) or plain or (as_answer and _NONE_AS_ANSWER.match(bare)) or (
                    status_question and _OCCUPATION_ANSWER.match(_PAY_VERB.sub("", bare))):
                reading.none = True
        if reading.statuses or reading.removed:
            if _REPLACE.search(text):
                reading.mode = "replace"
            elif _ADD.search(text):
                reading.mode = "add"
        if as_answer and not (reading.statuses or reading.removed or reading.none or reading.unknown
                              or reading.ambiguous):
            rest = "".join(c if not t else " " for c, t in zip(text, taken, strict=True))
            rest = _FILLER.sub(" ", rest)
            reading.leftovers = [w for w in re.split(r"[\s,.!?;:，。！？；：、~～0-9a-z]+", rest) if len(w) >= 2]
        return reading


def _alone_outside(text: str, taken: list[bool]) -> bool:
    """一般 / 平常 alone between real separators of the resident's text (not blanked spans), outside a place or date."""
    return any(not any(taken[m.start():m.end()]) for m in _PLAIN_ALONE.finditer(text))


def _plain_after_place(text: str, taken: list[bool], place_end: int | None) -> bool:
    """一般 / 平常 alone run on right after the place, up to a date said (blanked in `taken`) or the message's end."""
    if place_end is None:
        return False
    found = _PLAIN_AFTER_PLACE.match(text, place_end)
    return found is not None and (found.end() == len(text) or taken[found.end()] or text[found.end()] in _SEPARATORS)
