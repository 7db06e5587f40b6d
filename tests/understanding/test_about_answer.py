"""Questions about the answer on show, in residents' words: the basis, how to pay, a reference answer."""

from __future__ import annotations

import pytest

from bot.textnorm import simplify
from bot.understanding.about_answer import read_about_answer


@pytest.mark.parametrize("text", [
    "依据是啥", "有啥依据", "有什么依据吗", "根据啥", "这个钱是咋算的", "怎么算的", "为啥要交这么多", "為啥要交這麼多",
    "这个76是怎么来的", "为什么是76块", "凭啥我要交380", "哪个文件规定的", "咋这么贵",
])
def test_the_basis_in_residents_words(text: str) -> None:
    assert read_about_answer(simplify(text)) == "basis"


@pytest.mark.parametrize("text", [
    "怎么交", "在哪交", "那我在哪交钱呢", "去哪里交", "在哪儿缴费", "微信能交吗", "可以在手机上交吗", "交到哪", "怎么交费",
    "咋交啊",
])
def test_how_to_pay_in_residents_words(text: str) -> None:
    assert read_about_answer(simplify(text)) == "pay_how"


@pytest.mark.parametrize("text", ["按去年的标准算一下", "就按老标准算", "先按2024年的算", "按以前的算吧", "参考一下也行"])
def test_a_reference_answer_asked_for(text: str) -> None:
    assert read_about_answer(simplify(text)) == "reference"


@pytest.mark.parametrize("text", [
    # Questions about something else than this answer: the FAQ's.
    "新生儿怎么交", "意外伤害保险怎么交", "我家老人怎么交", "为什么要交医保", "低保户怎么报销", "什么时候交", "多少钱",
    "残疾人怎么交", "今天交", "我是低保户",
])
def test_other_questions_are_not_about_the_answer(text: str) -> None:
    assert read_about_answer(simplify(text)) is None
