"""Normalisation: what residents type becomes one comparable form (bot/faq/normalize.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pypinyin import lazy_pinyin

from bot.faq.model import FaqDataError, load_entries, load_synonyms
from bot.faq.normalize import (
    SYLLABLES,
    Normalizer,
    default_normalizer,
    fold,
    normalize,
    sound_key,
    split_pinyin,
    to_pinyin,
)

ROOT = Path(__file__).resolve().parents[2]


def match_key(text: str) -> str:
    normalizer = default_normalizer()
    return normalizer.match_key(normalizer(text))


def test_full_width_letters_and_digits_become_half_width_and_lower_case() -> None:
    assert normalize("ＡＰＰ１２３") == "app123"


def test_traditional_characters_become_simplified() -> None:
    assert normalize("醫保") == "医保"
    assert normalize("繳費時查詢不到") == normalize("缴费时查询不到")


def test_punctuation_whitespace_and_emoji_are_removed() -> None:
    assert normalize(" 今年 交多少钱？！😀👍🏻\n") == normalize("今年交多少钱")
    assert fold("，。、；：？！…—（）【】《》 \t") == ""


def test_filler_words_and_sentence_particles_are_dropped() -> None:
    assert normalize("请问一下今年交多少钱啊") == normalize("今年交多少钱")


@pytest.mark.parametrize(
    ("dialect", "plain"),
    [
        ("我家娃咋交", "我家孩子怎么交"),
        ("要带啥子", "要带什么"),
        ("交么子钱", "交什么钱"),
        ("细伢子几多钱", "孩子多少钱"),
        ("多会儿开始", "什么时候开始"),
        ("俺娘", "我娘"),
    ],
)
def test_dialect_words_become_standard_words(dialect: str, plain: str) -> None:
    assert normalize(dialect) == normalize(plain)


@pytest.mark.parametrize(
    ("variant", "canonical"),
    [("低报", "低保"), ("医报", "医保"), ("新农合", "医保"), ("城乡居民基本医疗保险", "医保"), ("五保户", "特困人员")],
)
def test_homophone_typos_and_old_names_become_the_canonical_word(variant: str, canonical: str) -> None:
    assert normalize(variant) == canonical


def test_every_verb_of_paying_becomes_jiao() -> None:
    assert {normalize(word) for word in ("缴费", "交费", "交钱", "缴纳", "缴")} == {"交"}


def test_the_longest_variant_wins_so_a_longer_term_is_not_cut_up() -> None:
    assert normalize("低保边缘户") == "低保边缘"
    assert normalize("城镇职工基本医疗保险") == "职工医保"


def test_a_rewritten_word_is_not_rewritten_again() -> None:
    normalizer = Normalizer({"乙": "甲", "丙": "乙"})
    assert normalizer("丙") == "乙"


def test_a_canonical_form_is_kept_whole_even_if_it_contains_a_variant() -> None:
    normalizer = Normalizer({"甲乙": "甲乙丙", "乙丙": "丁"})
    assert normalizer("甲乙丙") == "甲乙丙"


def test_synonyms_that_fold_to_the_same_text_with_different_meanings_are_rejected() -> None:
    with pytest.raises(ValueError, match="already maps to"):
        Normalizer({"醫保": "医保", "医保": "社保"})


def test_normalising_twice_changes_nothing() -> None:
    eval_queries = yaml.safe_load((ROOT / "tests/faq/eval_set.yaml").read_text(encoding="utf-8"))["queries"]
    texts = [str(item["query"]) for item in eval_queries]
    for entry in load_entries(ROOT / "policies/faq/entries.yaml"):
        texts += [entry.question, *entry.phrasings]
    changed = [text for text in texts if normalize(normalize(text)) != normalize(text)]
    assert changed == []


def test_pinyin_is_toneless_and_joined() -> None:
    assert to_pinyin("低保怎么交") == "dibaozenmejiao"
    assert to_pinyin("app380元") == "app380yuan"


def test_typed_pinyin_is_split_into_syllables() -> None:
    assert split_pinyin("dibao") == ("di", "bao")
    assert split_pinyin("xinshenger") == ("xin", "sheng", "er")
    assert split_pinyin("zhifubao") == ("zhi", "fu", "bao")


def test_letters_that_are_not_pinyin_stay_single_letters() -> None:
    assert split_pinyin("vvk") == ("v", "v", "k")


def test_homophones_share_a_sound_key() -> None:
    assert sound_key("低报") == sound_key("低保")
    assert sound_key("医报") == sound_key("医保")


def test_typed_pinyin_gets_the_key_of_the_characters_it_spells() -> None:
    assert match_key("dibao jiao duoshao") == match_key("低保交多少")
    assert match_key("xinshenger canbao") == match_key("新生儿参保")


def test_typed_pinyin_goes_through_the_synonym_table_like_characters() -> None:
    assert match_key("ruhe jiaofei") == match_key("如何缴费")
    assert match_key("yiwaixian yao jiao ma") == match_key("意外险要交吗")


def test_stop_words_are_left_out_of_the_match_key_unless_nothing_else_is_left() -> None:
    assert match_key("医保怎么交") == match_key("交")
    assert match_key("医保") == sound_key("医保")


def test_the_syllable_inventory_is_what_pypinyin_produces() -> None:
    produced = {
        syllable
        for code in range(0x3400, 0xA000)
        for syllable in lazy_pinyin(chr(code))
        if syllable.isascii() and syllable.isalpha()
    }
    assert set(SYLLABLES) == produced


def test_the_project_synonym_table_loads_and_lists_stop_words() -> None:
    table = load_synonyms(ROOT / "policies/faq/synonyms.yaml")
    assert table.replacements["娃"] == "孩子"
    assert "医保" in table.stop


def test_a_variant_under_two_canonical_forms_is_reported_with_file_and_key_path(tmp_path: Path) -> None:
    path = tmp_path / "synonyms.yaml"
    path.write_text("replace:\n  孩子: [娃]\n  娃娃: [小孩, 娃]\n", encoding="utf-8")
    with pytest.raises(FaqDataError) as error:
        load_synonyms(path)
    assert f"{path}: replace.娃娃[1]: '娃' is already a variant of '孩子'" in str(error.value)


def test_an_unknown_section_in_the_synonym_table_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "synonyms.yaml"
    path.write_text("replace: {}\nreplacements: {}\n", encoding="utf-8")
    with pytest.raises(FaqDataError, match=r"replacements: Extra inputs are not permitted"):
        load_synonyms(path)
