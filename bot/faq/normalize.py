"""Text normalisation for FAQ matching: the same functions run over FAQ phrasings and residents' queries.

``normalize(text)``, in order:
1. per character: NFKC (full-width letters, digits and punctuation to half-width), traditional to
   simplified (OpenCC t2s), lower case; only letters and digits are kept, which removes punctuation,
   whitespace, symbols and emoji;
2. filler words and sentence particles are dropped (请问, 一下, 吗, 呢 ...);
3. synonyms, dialect words and common homophone typos are rewritten to one canonical form (娃 -> 孩子,
   咋 -> 怎么, 低报 -> 低保, 新农合 -> 医保, 缴费 -> 交 ...), longest variant first, in a single pass.
Steps 2 and 3 come from policies/faq/synonyms.yaml.

Why per character with a cache: OpenCC's converter costs about 75 µs for a 20-character query (it looks up
phrases); a cached per-character fold costs a few µs. Folding characters one by one gives up OpenCC's
phrase-level choices, which does not matter here: queries and phrasings go through the same function.

``to_pinyin(text)`` is the joined toneless pinyin (低保 -> dibao). ``sound_key(text)`` has one code point
per pinyin syllable, so 低报 and 低保, or 医报 and 医保, get the same key, and typed pinyin (``dibao``) is
split into syllables and gets the key of the characters it spells. ``Normalizer.match_key`` is what the
matcher compares: the sound key, with the synonym rules also applied to typed pinyin and the stop words
left out. Comparing syllables rather than pinyin letters keeps the homophone match without rewarding
unrelated words for sharing letters (measured: letter pinyin lowered top-1 accuracy). Pinyin is cached
per character (pypinyin costs ~8 µs a character); without context a polyphonic character always gets its
most common reading, consistently on both sides.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from pathlib import Path

from opencc import OpenCC

from bot.faq.model import SynonymTable, load_synonyms

DEFAULT_SYNONYMS_PATH = Path(__file__).resolve().parents[2] / "policies" / "faq" / "synonyms.yaml"

_T2S = OpenCC("t2s")

# Every toneless syllable pypinyin produces for U+3400..U+9FFF (ü written v), used to split typed pinyin.
# tests/faq/test_normalize.py checks it against pypinyin. Written out because deriving it costs 0.3 s.
_SYLLABLE_TABLE = """
    a ai an ang ao ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu ca cai can cang cao ce
    cen ceng cha chai chan chang chao che chen cheng chi chong chou chu chua chuai chuan chuang chui chun chuo
    ci cong cou cu cuan cui cun cuo da dai dan dang dao de den deng di dian diao die ding diu dong dou du duan
    dui dun duo e ei en eng er fa fan fang fei fen feng fiao fo fou fu ga gai gan gang gao ge gei gen geng gong
    gou gu gua guai guan guang gui gun guo ha hai han hang hao he hei hen heng hm hong hou hu hua huai huan
    huang hui hun huo ji jia jian jiang jiao jie jin jing jiong jiu ju juan jue jun ka kai kan kang kao ke ken
    keng kong kou ku kua kuai kuan kuang kui kun kuo la lai lan lang lao le lei leng li lia lian liang liao lie
    lin ling liu lo long lou lu luan lun luo lv lve m ma mai man mang mao me mei men meng mi mian miao mie min
    ming miu mo mou mu n na nai nan nang nao ne nei nen neng ni nian niang niao nie nin ning niu nong nou nu
    nuan nun nuo nv nve o ou pa pai pan pang pao pei pen peng pi pian piao pie pin ping po pou pu qi qia qian
    qiang qiao qie qin qing qiong qiu qu quan que qun ran rang rao re ren reng ri rong rou ru rua ruan rui run
    ruo sa sai san sang sao se sen seng sha shai shan shang shao she shen sheng shi shou shu shua shuai shuan
    shuang shui shun shuo si song sou su suan sui sun suo ta tai tan tang tao te teng ti tian tiao tie ting
    tong tou tu tuan tui tun tuo wa wai wan wang wei wen weng wo wu xi xia xian xiang xiao xie xin xing xiong
    xiu xu xuan xue xun ya yan yang yao ye yi yin ying yo yong you yu yuan yue yun za zai zan zang zao ze zei
    zen zeng zha zhai zhan zhang zhao zhe zhen zheng zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun
    zhuo zi zong zou zu zuan zui zun zuo
"""
SYLLABLES: tuple[str, ...] = tuple(_SYLLABLE_TABLE.split())
_SYLLABLE_CODE = {syllable: chr(0xE000 + index) for index, syllable in enumerate(SYLLABLES)}  # private use area
_LONGEST_SYLLABLE = max(map(len, SYLLABLES))
_LATIN_RUN = re.compile(r"[a-z]+")


@cache
def fold_char(char: str) -> str:
    """One character to its matching form: half-width, simplified, lower case; "" for anything that is not
    a letter or digit (punctuation, spaces, symbols, emoji and their modifiers)."""
    folded = _T2S.convert(unicodedata.normalize("NFKC", char)).lower()
    return "".join(c for c in folded if unicodedata.category(c)[0] in "LN")


def fold(text: str) -> str:
    """Step 1 of normalisation only (no synonym table)."""
    return "".join([fold_char(char) for char in text])


class Normalizer:
    """Normalisation with one synonym table; ``normalize`` below uses the project's table."""

    def __init__(self, replacements: Mapping[str, str], drop: Iterable[str] = (), stop: Iterable[str] = ()) -> None:
        folded: dict[str, str] = {}
        for variant, canonical in replacements.items():
            key, value = fold(variant), fold(canonical)
            if key and folded.get(key, value) != value:
                raise ValueError(f"synonym {variant!r} folds to {key!r}, which already maps to {folded[key]!r}")
            if key:
                folded[key] = value
        # A canonical form also maps to itself: matched as a whole, it cannot be cut up by a shorter variant
        # that it contains (低保边缘 must not become 低保 + 边缘).
        for canonical in set(folded.values()):
            if canonical:
                folded.setdefault(canonical, canonical)
        self._replacements = folded
        self._replace_re = _alternation(folded)
        dropped = [fold(word) for word in drop]
        self._drop_re = _alternation(dropped)
        # Typed pinyin never meets the character rules above, so the same rules are applied again to the
        # syllables of letter runs: "ruhe jiaofei" is rewritten like 如何缴费 (-> 怎么交).
        self._syllable_rules = _syllable_rules({**folded, **dict.fromkeys(dropped, "")})
        self._longest_rule = max(map(len, self._syllable_rules), default=0)
        # Stop words are removed from the sound key, so they go whether typed in characters or pinyin.
        self._stop_re = _alternation(sound_key(fold(word)) for word in stop)

    @property
    def canonical_forms(self) -> frozenset[str]:
        """The forms every variant is rewritten to (folded): the words the table treats as terms."""
        return frozenset(self._replacements.values())

    def __call__(self, text: str) -> str:
        text = fold(text)
        if self._drop_re is not None:
            text = self._drop_re.sub("", text)
        if self._replace_re is not None:
            text = self._replace_re.sub(lambda m: self._replacements[m.group()], text)
        return text

    def match_key(self, normalized: str) -> str:
        """What the matcher compares: the sound key of a normalised text, typed pinyin rewritten with the
        synonym table, stop words left out (unless nothing else would be left: "医保?" alone still counts)."""
        if _LATIN_RUN.search(normalized) is None:
            key = sound_key(normalized)
        else:
            parts: list[str] = []
            position = 0
            for run in _LATIN_RUN.finditer(normalized):
                parts.append(sound_key(normalized[position : run.start()]))
                parts.append(self._rewrite_pinyin(run.group()))
                position = run.end()
            parts.append(sound_key(normalized[position:]))
            key = "".join(parts)
        if self._stop_re is None:
            return key
        return self._stop_re.sub("", key) or key

    def _rewrite_pinyin(self, letters: str) -> str:
        syllables = split_pinyin(letters)
        out: list[str] = []
        start = 0
        while start < len(syllables):
            for end in range(min(len(syllables), start + self._longest_rule), start, -1):
                replacement = self._syllable_rules.get(syllables[start:end])
                if replacement is not None:
                    out.append(replacement)
                    start = end
                    break
            else:
                out.append(_SYLLABLE_CODE.get(syllables[start], syllables[start]))
                start += 1
        return "".join(out)

    @classmethod
    def from_table(cls, table: SynonymTable) -> Normalizer:
        return cls(table.replacements, table.drop, table.stop)


def _syllable_rules(rewrites: Mapping[str, str]) -> dict[tuple[str, ...], str]:
    """``rewrites`` (variant -> canonical, in characters) as syllables -> sound key of the canonical form.
    Only all-Chinese variants; a syllable sequence claimed by two different outcomes is left out, since
    typed pinyin cannot tell which word was meant."""
    rules: dict[tuple[str, ...], str] = {}
    ambiguous: set[tuple[str, ...]] = set()
    for variant, canonical in rewrites.items():
        if not all(map(_is_han, variant)):
            continue
        syllables = tuple(char_pinyin(char) for char in variant)
        outcome = sound_key(canonical)
        if rules.setdefault(syllables, outcome) != outcome:
            ambiguous.add(syllables)
    return {syllables: outcome for syllables, outcome in rules.items() if syllables not in ambiguous}


def _alternation(words: Iterable[str]) -> re.Pattern[str] | None:
    """A regex for any of ``words``, the longest first at each position (re tries alternatives in order)."""
    ordered = sorted({w for w in words if w}, key=lambda w: (-len(w), w))
    return re.compile("|".join(map(re.escape, ordered))) if ordered else None


@cache
def default_normalizer() -> Normalizer:
    return Normalizer.from_table(load_synonyms(DEFAULT_SYNONYMS_PATH))


def normalize(text: str) -> str:
    """Normalise with the project's synonym table (policies/faq/synonyms.yaml)."""
    return default_normalizer()(text)


def _is_han(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff"


@cache
def char_pinyin(char: str) -> str:
    """Toneless pinyin of one Chinese character; any other character is returned as it is."""
    if not _is_han(char):
        return char
    # Imported here: pypinyin loads its dictionaries on import (~0.2 s), which commands that never match
    # free text should not pay.
    from pypinyin import lazy_pinyin

    return str(lazy_pinyin(char)[0])


def to_pinyin(text: str) -> str:
    """Joined toneless pinyin: 低保怎么交 -> dibaozenmejiao; letters and digits pass through unchanged."""
    return "".join([char_pinyin(char) for char in text])


@lru_cache(maxsize=4096)
def split_pinyin(letters: str) -> tuple[str, ...]:
    """Split typed pinyin into syllables, longest syllable first (dibao -> di, bao; xinshenger -> xin, sheng,
    er). A letter that starts no syllable stands alone. Greedy, so xian is one syllable, never xi + an."""
    parts: list[str] = []
    start = 0
    while start < len(letters):
        for end in range(min(len(letters), start + _LONGEST_SYLLABLE), start, -1):
            if letters[start:end] in _SYLLABLE_CODE or end == start + 1:
                parts.append(letters[start:end])
                start = end
                break
    return tuple(parts)


@cache
def _char_sound(char: str) -> str:
    return _SYLLABLE_CODE.get(char_pinyin(char), char)


def _latin_sound(letters: str) -> str:
    return "".join(_SYLLABLE_CODE.get(part, part) for part in split_pinyin(letters))


def sound_key(normalized: str) -> str:
    """One code point per pinyin syllable of a normalised text; other characters (digits, letters that are
    not pinyin) stay as they are. 低报交多少 and dibao jiao duoshao get the same key as 低保交多少."""
    if not normalized.isascii() and _LATIN_RUN.search(normalized) is None:
        return "".join([_char_sound(char) for char in normalized])
    out: list[str] = []
    position = 0
    for run in _LATIN_RUN.finditer(normalized):
        out.extend(_char_sound(char) for char in normalized[position : run.start()])
        out.append(_latin_sound(run.group()))
        position = run.end()
    out.extend(_char_sound(char) for char in normalized[position:])
    return "".join(out)
