"""A message rewritten so the date reader can read it, with a map back to the resident's own positions.

Residents type dates in pinyin ("mingtian", "xiage yue 5 hao", "WU YUE SAN HAO") and voice input spaces digits
from their units ("2024 年 1 月 5 日"). The date reader reads characters; this rewrites those pieces into them
(明天, 下个月5号, 5月3号, 2024年1月5日) and keeps, for every character of the rewritten text, where it came from,
so a date found there still reports the span the resident typed.

Only a run of pinyin that spells date words whole is rewritten, and only when it holds a date unit (月, 号, 年,
天, 周, 岁 …): "qinyuan dibao" and "wo shi 58 nian" keep their letters (the place and status readers read those),
and a number syllable counts only next to another number or a unit ("shi" alone is 是, not 十)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

# Pinyin spellings of date words, longest first where one is the start of another.
_WORDS: dict[str, str] = {
    "dahoutian": "大后天", "houtian": "后天", "mingtian": "明天", "jintian": "今天", "zuotian": "昨天",
    "qiantian": "前天", "mingr": "明儿", "jinr": "今儿", "mingnian": "明年", "jinnian": "今年", "qunian": "去年",
    "xiaxia": "下下", "xia": "下", "shang": "上", "zhe": "这", "zhei": "这", "ben": "本", "ge": "个",
    "yuechu": "月初", "yuedi": "月底", "yuezhong": "月中", "yue": "月", "hao": "号", "ri": "日", "nian": "年",
    "di": "底", "zhou": "周", "xingqi": "星期", "libai": "礼拜", "tian": "天", "hou": "后", "yihou": "以后",
    "zhihou": "之后", "guo": "过", "sheng": "生", "chusheng": "出生", "shengri": "生日", "de": "的", "sui": "岁",
    "zhousui": "周岁", "xusui": "虚岁", "jiao": "交", "jiaofei": "交费", "dasuan": "打算", "zhunbei": "准备",
    "ling": "零", "yi": "一", "er": "二", "liang": "两", "san": "三", "si": "四", "wu": "五", "liu": "六",
    "qi": "七", "ba": "八", "jiu": "九", "shi": "十",
}
_NUMBERS = frozenset({"ling", "yi", "er", "liang", "san", "si", "wu", "liu", "qi", "ba", "jiu", "shi"})
# Words that make a run a date; a run of filler and numbers alone ("yi ge") stays as typed.
_UNITS = frozenset({"dahoutian", "houtian", "mingtian", "jintian", "zuotian", "qiantian", "mingr", "jinr",
                    "yuechu", "yuedi", "yuezhong", "yue", "hao", "ri", "nian", "zhou", "xingqi", "libai", "tian",
                    "sui", "zhousui", "xusui", "mingnian", "jinnian", "qunian"})
# What a number syllable may stand next to: another number, a unit, or a week word (xingqi yi).
_NUMBER_NEIGHBOURS = _NUMBERS | _UNITS  # not digits: "shi 58 nian" is 是58年
_LATIN_RUN = re.compile(r"[a-z0-9]+(?:\s+[a-z0-9]+)*")
_PIECE = re.compile(r"[a-z]+|\d+")
# Voice input spaces digits from their units: "2024 年 1 月 5 日", "65 岁".
# A two-digit year with dots or slashes ("58.3.2"): written with 年 and 月 in place, so lengths do not change.
_SHORT_DOTTED = re.compile(r"(?<![\d./])(\d{2})[./](\d{1,2})[./](\d{1,2})(?![\d./])")
# A month and day with a dot ("10.15交", "10.15号"): written with 月 in place when a day word, a payment verb or
# the message's end follows (so "380.5元" stays a sum of money).
_DOTTED_MONTH_DAY = re.compile(r"(?<![\d./])(1[0-2]|0?[1-9])\.([12]\d|3[01]|0?[1-9])(?![\d./])(?=\s*(?:[号日交缴]|去|那天|$))")
# Dialect particles for 的 after a year or a birth word ("58年滴", "生嘞"): read as 的.
_DIALECT_DE = re.compile(r"(?<=[年生岁])[滴嘞哩咧]")
# "1958 3 2": a four-digit year, month and day separated by single spaces, read as 1958-3-2.
_SPACED_YMD = re.compile(r"(?<![\d.])((?:19|20)\d{2}) (\d{1,2}) (\d{1,2})(?![\d.])")
# Voice input or a slow typist spacing every character ("明 天 交"): the spaces inside such a run go.
_SPACED_CHARS = re.compile(r"(?:(?<=\s)|^)[\u4e00-\u9fff](?:\s[\u4e00-\u9fff])+(?=\s|$)")
# "现在就交": today.
_NOW = re.compile(r"现在(?=就?(?:去|来|能)?(?:交|缴)|就?$)")
_UNIT_SPACE = re.compile(r"(?<=\d)\s+(?=[年月日号岁周])|(?<=[年月])\s+(?=\d)")


@dataclass(frozen=True)
class DateText:
    text: str  # what the date reader reads
    origin: tuple[int, ...]  # origin[i]: the position in the resident's text of text[i]
    length: int  # the resident's text's length

    def span(self, start: int, end: int) -> tuple[int, int]:
        """A span of the rewritten text as a span of the resident's text."""
        if start >= len(self.origin):
            return self.length, self.length
        return self.origin[start], (self.origin[end - 1] + 1) if end > start else self.origin[start]


@cache
def _segment(word: str) -> tuple[str, ...] | None:
    """`word` as date-word spellings (fewest pieces), or None when it is not spelt by them alone."""
    best: list[tuple[str, ...] | None] = [None] * (len(word) + 1)
    best[0] = ()
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - 9), end):
            head = best[start]
            piece = word[start:end]
            if head is not None and piece in _WORDS:
                candidate = (*head, piece)
                current = best[end]
                if current is None or len(candidate) < len(current):
                    best[end] = candidate
    return best[len(word)]


def _rewrite_run(run: str, offset: int, pieces: list[tuple[str, list[int]]]) -> None:
    """Append the rewriting of one Latin run (at `offset` in the message) to `pieces`."""
    tokens: list[tuple[str, int, int]] = []  # (syllable or "digits" or "" for a breaker, start, end)
    for match in _PIECE.finditer(run):
        start, end = match.start() + offset, match.end() + offset
        if match.group().isdigit():
            tokens.append(("digits", start, end))
            continue
        segmented = _segment(match.group())
        if segmented is None:
            tokens.append(("", start, end))
            continue
        position = start
        for syllable in segmented:
            tokens.append((syllable, position, position + len(syllable)))
            position += len(syllable)
    usable = [bool(kind) for kind, _, _ in tokens]
    for index, (kind, _, _) in enumerate(tokens):
        if kind in _NUMBERS:
            before = tokens[index - 1][0] if index > 0 and usable[index - 1] else ""
            after = tokens[index + 1][0] if index + 1 < len(tokens) and usable[index + 1] else ""
            if before not in _NUMBER_NEIGHBOURS and after not in _NUMBER_NEIGHBOURS and before not in (
                    "xingqi", "libai", "zhou"):
                usable[index] = False
    converted: set[int] = set()
    index = 0
    while index < len(tokens):
        if not usable[index]:
            index += 1
            continue
        group_end = index
        while group_end < len(tokens) and usable[group_end]:
            group_end += 1
        if any(tokens[i][0] in _UNITS for i in range(index, group_end)):
            converted.update(range(index, group_end))
        index = group_end
    position = offset
    for index, (kind, start, end) in enumerate(tokens):
        if index not in converted:
            continue
        _keep(pieces, position, start, run, offset)
        if kind == "digits":
            pieces.append((run[start - offset:end - offset], list(range(start, end))))
        else:
            hanzi = _WORDS[kind]
            # The last character stands for the rest of the syllables, so a span ends where the word did.
            pieces.append((hanzi, [min(start + i, end - 1) for i in range(len(hanzi) - 1)] + [end - 1]))
        position = end
        # Spaces inside a converted group go; those around it stay (they end a clause).
        if index + 1 in converted:
            position = tokens[index + 1][1]
    _keep(pieces, position, offset + len(run), run, offset)


def _keep(pieces: list[tuple[str, list[int]]], start: int, end: int, run: str, offset: int) -> None:
    if end > start:
        pieces.append((run[start - offset:end - offset], list(range(start, end))))


def date_text(text: str) -> DateText:
    """`text` (simplified) with pinyin dates in characters and spaces inside a date dropped."""
    text = _SHORT_DOTTED.sub(r"\1年\2月\3", text)
    text = _NOW.sub("今天", _DOTTED_MONTH_DAY.sub(r"\1月\2", text))
    text = _SPACED_YMD.sub(r"\1-\2-\3", _DIALECT_DE.sub("的", text))
    if not any("a" <= char <= "z" for char in text) and not _UNIT_SPACE.search(text) \
            and not _SPACED_CHARS.search(text):
        return DateText(text, tuple(range(len(text))), len(text))
    pieces: list[tuple[str, list[int]]] = []
    position = 0
    for match in _LATIN_RUN.finditer(text):
        if not any(char.isalpha() for char in match.group()):
            continue
        if match.start() > position:
            pieces.append((text[position:match.start()], list(range(position, match.start()))))
        _rewrite_run(match.group(), match.start(), pieces)
        position = match.end()
    if position < len(text):
        pieces.append((text[position:], list(range(position, len(text)))))
    rewritten = "".join(piece for piece, _ in pieces)
    origin = [index for _, indexes in pieces for index in indexes]
    # Then spaces between digits and their units, and inside a run of spaced single characters.
    dropped = {i for match in _UNIT_SPACE.finditer(rewritten) for i in range(match.start(), match.end())}
    dropped |= {match.start() + i for match in _SPACED_CHARS.finditer(rewritten)
                for i, char in enumerate(match.group()) if char.isspace()}
    kept = [i for i in range(len(rewritten)) if i not in dropped]
    return DateText("".join(rewritten[i] for i in kept), tuple(origin[i] for i in kept), len(text))
