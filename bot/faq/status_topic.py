"""Questions that join a status to a topic ("低保户啥时候交钱", "老人错过了登记时间咋办").

The status and the topic are found separately: the status from the vocabulary's words for statuses (plus the
words for the elderly, whom documents define by birth date), the topic by matching the question with the
status words taken out. The answer then gives that status's own rule for the topic (a registration window,
"另行通知", its payment instructions, its late-enrolment path) before the general rule, or says the document
has no separate rule for that status.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cached_property

from bot.faq.normalize import fold
from bot.policy.vocabulary import VocabularyIndex

ELDERLY = "elderly"
# Residents name the elderly by age, not by a vocabulary status.
_ELDERLY_WORDS = ("60岁以上", "六十岁以上", "60多岁", "六十多岁", "六十多", "60多", "老年人", "老人", "老年", "60岁", "六十岁")
# ... or give the age itself: "我妈今年65了", "七十多岁", "八十三岁". A figure of 60 to 99 followed by 岁/了/多;
# not after another digit (a year, an amount).
_ELDERLY_AGE = re.compile(r"(?<![0-9])[6-9][0-9](?:周岁|岁|了|多)|[六七八九]十[一二三四五六七八九]?(?:周岁|岁|了|多)")
# ... or the year of birth: "俺是1960年生的", "58年出生". 60 or more in today's year is the elderly: the answer
# then states the document's own line (沁源: 1962年12月31日以前出生), so the year only routes the question.
_BIRTH_YEAR = re.compile(r"(?<![0-9])(19[0-9]{2}|[2-9][0-9])年(?:[0-9]{1,2}月(?:份)?)?(?:[0-9]{1,2}[日号])?(?:出)?生")
ELDERLY_FROM_AGE = 60

# A status with a question about what that person pays (多少, 要交吗, 自己出, 减免, 资助 ...) asks for that
# status's subsidy rule, whatever else the sentence says; several statuses with "两份/叠加/按哪个" ask how
# they combine. Folded text (before synonyms), so the words are as residents type them.
_PAYING_WORDS = re.compile(
    r"多少|几块|几百|几个钱|[0-9]+[元块]|要交|要缴|还交|还缴|交不交|缴不缴|用交|用缴|自己交|自己缴|自己出|自己掏|出钱|掏钱|免费|"
    r"减免|免交|免缴|优惠|照顾|补助|补贴|补多少|资助|代缴|代交|全额|要钱|花钱|收钱|收费|便宜"
)
# ... but not when the money is asked back: "交了以后评上低保，钱能退吗" is about refunds and later subsidy.
_REFUND_WORDS = re.compile(r"退")
_COMBINING_WORDS = re.compile(r"两份|两次|两个都|叠加|按哪个|算哪个|补哪个|都能享受|重复享受|同时享受")
# A status denied just before it is not held: "俺不是低保也不是贫困户", "没有残疾证", "非低保". Folded text, so
# the words are as typed; checked on the few characters before the status word. A question's 是不是/有没有/有无
# ("有没有低保补助") denies nothing.
_NEGATED_BEFORE = re.compile(r"(?:(?<!是)不是|不算|不属于|(?<!有)没有|(?<!有)没|(?<!有)无|非)$")
# What a fee question asks of a group (students, preschool children): how much, not where or how.
_FEE_WORDS = re.compile(r"多少|几块|几百|几个钱|啥价|什么价|价格|缴费标准|交费标准|[0-9]+[元块]")
# Paying again for a new year after paying before: "去年交过了今年还要交吗", "每年都要交吗". Not registering
# again (登记/跑/去医保站: the renewal entry), nor paying twice by mistake (交重了: refunds).
_PAID_BEFORE = re.compile(r"去年|上一年|往年|以前|之前|交过|缴过|交了|缴了|每年|年年")
_PAY_AGAIN = re.compile(r"还[要得用]?[交缴]|再[交缴]|都[要得][交缴]|重新[交缴]|每年都?[要得]?[交缴]|年年都?[要得]?[交缴]")
# Doing the paperwork, not paying: "特困的还用自己去办手续吗" asks the status's enrolment rule (山丹: 医保部门为其代办
#参保手续), not its subsidy.
_PROCEDURE_WORDS = re.compile(r"手续|去办|办理|登记|跑一趟|跑腿|亲自|本人去|自己去|带什么|带啥|材料|证件")
_VISIT_WORDS = re.compile(r"登记|跑|去医保|医保站|现场|办理|证件")
_NOT_PAYING_AGAIN = re.compile(r"交重|重复交|多交|退|职工医保|单位")
# An add-on insurance named in the question (沁源's 意外伤害保险): its own rule, also for subsidised residents.
_SCHOOL_YEAR_WORDS = re.compile(r"学年")
# A subsidy kind named instead of a status ("全额资助的人要自己交吗"): the statuses the document subsidises in full.
_FULL_SUBSIDY_WORDS = re.compile(r"全额(?:资助|补助|补贴|代缴|代交)")
# ... asked who pays it ("全额资助的钱谁出"): the payers' answer, not the residents'.
_WHO_WORDS = re.compile(r"谁|哪个部门|哪个单位|什么部门|哪里出")
_ADDON_WORDS = re.compile(r"意外险|意外伤害|意外保险")
# Who a status is said of: "我屋里老娘是低保，我是监测户" names two people, each with their own status (not one
# resident holding two). Longest first, so 我妈 is the mother and not 我.
_PERSON_WORDS = sorted((
    "我", "俺", "他", "她", "妈", "我妈", "老妈", "老娘", "娘", "母亲", "爸", "我爸", "老爸", "老爹", "爹", "父亲", "老汉",
    "爷爷", "奶奶", "外婆", "外公", "姥姥", "姥爷", "婆婆", "公公", "岳父", "岳母", "丈母娘", "老丈人", "老婆", "媳妇",
    "妻子", "爱人", "老公", "丈夫", "男人", "儿子", "女儿", "闺女", "孩子", "娃", "小孩", "哥", "姐", "弟", "妹", "兄弟",
    "孙子", "孙女", "婆娘", "屋里人",
), key=lambda w: (-len(w), w))
_PERSON = re.compile("|".join(_PERSON_WORDS))
_NO_STATUS = r"(?:啥都不是|什么都不是|都不是|啥也不是|普通|一般人|没[有啥]?身份)"
_NO_STATUS_PERSON = re.compile(rf"(?:{'|'.join(_PERSON_WORDS)})(?:是|就是|属于|算)?{_NO_STATUS}")

# Topics whose rule can differ by status: timing, registration, how to pay, what to choose. A status with a
# fee or subsidy question is answered by that status's subsidy entry instead.
STATUS_TOPICS = frozenset({
    "collection_window", "missed_deadline", "late_enrolment_waiting_period", "benefits_start", "first_enrolment",
    "payment_channels", "pay_wechat", "pay_alipay", "pay_bank_app", "pay_village_collector",
    "what_to_choose_when_paying",
})  # fmt: skip
# ... of them, how to pay: a subsidised status's answer says how the document has subsidised residents pay.
PAYING_TOPICS = frozenset({"payment_channels", "pay_wechat", "pay_alipay", "pay_bank_app", "pay_village_collector"})
TIMING_TOPICS = frozenset({"collection_window", "missed_deadline", "late_enrolment_waiting_period", "benefits_start"})


class StatusFinder:
    """Finds status words in a question: vocabulary statuses (not situations) and the elderly."""

    def __init__(self, vocabulary: VocabularyIndex) -> None:
        self.vocabulary = vocabulary

    @cached_property
    def _words(self) -> dict[str, str]:
        words: dict[str, str] = {}
        for term in self.vocabulary.terms.values():
            if term.kind != "status":
                continue
            for word in (term.name, *term.synonyms):
                folded = fold(word)
                if len(folded) >= 2:
                    words.setdefault(folded, term.id)
        for word in _ELDERLY_WORDS:
            words.setdefault(fold(word), ELDERLY)
        return words

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        ordered = sorted(self._words, key=lambda w: (-len(w), w))
        return re.compile("|".join(map(re.escape, ordered)))

    def people(self, text: str) -> list[tuple[str, str | None]]:
        """Each status held, with the person word said just before it (since the status before): who it is of."""
        folded = fold(text)
        found: list[tuple[str, str | None]] = []
        start = 0
        for hit in self._pattern.finditer(folded):
            before = folded[start:hit.start()]
            start = hit.end()
            if _NEGATED_BEFORE.search(folded[max(0, hit.start() - 4):hit.start()]):
                continue
            people = _PERSON.findall(before)
            found.append((self._words[hit.group()], people[-1] if people else None))
        return found

    def find(self, text: str) -> tuple[list[str], str]:
        """(status ids held, in order of mention, the folded text with the status words taken out). A status
        denied ("不是低保", "没有残疾证") is not held."""
        return self.find_with_denied(text)[:2]

    def find_with_denied(self, text: str, today: date | None = None) -> tuple[list[str], str, list[str]]:
        """``find`` and the statuses the question denies ("俺不是低保也不是贫困户": both denied, none held). With
        ``today``, a year of birth 60 or more years back names the elderly too."""
        folded = fold(text)
        found: list[str] = []
        denied: list[str] = []
        for hit in self._pattern.finditer(folded):
            status = self._words[hit.group()]
            if _NEGATED_BEFORE.search(folded[max(0, hit.start() - 4):hit.start()]):
                if status not in denied:
                    denied.append(status)
            elif status not in found:
                found.append(status)
        rest = self._pattern.sub("", folded)
        if _ELDERLY_AGE.search(rest):
            if ELDERLY not in found:
                found.append(ELDERLY)
            rest = _ELDERLY_AGE.sub("", rest)
        born = _BIRTH_YEAR.search(rest) if today is not None else None
        if born is not None and today is not None:
            year = int(born.group(1))
            year += 1900 if year < 100 else 0
            if today.year - year >= ELDERLY_FROM_AGE:
                if ELDERLY not in found:
                    found.append(ELDERLY)
                rest = _BIRTH_YEAR.sub("", rest)
        return found, rest, [status for status in denied if status not in found]


def someone_without_status(text: str) -> bool:
    """Whether ``text`` says of someone that they hold no status ("我啥都不是", "我媳妇普通的"): a family member who
    pays the standard fee, to be answered beside the one who holds a status."""
    return _NO_STATUS_PERSON.search(fold(text)) is not None


def said_of_different_people(text: str, finder: StatusFinder) -> bool:
    """Whether the statuses in ``text`` are said of different people ("我屋里老娘是低保，我是监测户"): the last
    person word between one status word and the one before it differs, for different statuses ("我是低保也是监测户"
    is one person: the second status names nobody new)."""
    said: dict[str, str] = {}
    for status, person in finder.people(text):
        if person is not None:
            said.setdefault(status, person)
    return len(said) >= 2 and len(set(said.values())) >= 2


def asks_about_paying(text: str) -> bool:
    """Whether a question asks what someone pays or gets towards it (多少, 要交吗, 减免, 资助 ...)."""
    folded = fold(text)
    return _PAYING_WORDS.search(folded) is not None and _REFUND_WORDS.search(folded) is None


def asks_how_statuses_combine(text: str) -> bool:
    return _COMBINING_WORDS.search(fold(text)) is not None


def asks_fee_amount(text: str) -> bool:
    """Whether a question asks an amount (多少, 几块, 缴费标准 ...), not where or how to pay."""
    return _FEE_WORDS.search(fold(text)) is not None


def names_addon(text: str) -> bool:
    """Whether a question names an add-on insurance (意外险, 意外伤害保险)."""
    return _ADDON_WORDS.search(fold(text)) is not None


def asks_paying_in_full_subsidy(text: str) -> bool:
    """Whether a question names full subsidy (全额资助) instead of a status and asks what such a resident pays
    ("全额资助的人需要自己交吗"), not who pays the subsidy."""
    folded = fold(text)
    rest = _FULL_SUBSIDY_WORDS.sub("", folded)
    return rest != folded and _WHO_WORDS.search(rest) is None and asks_about_paying(rest)


def names_school_year(text: str) -> bool:
    """Whether a question is about cover paid by school year (按学年交的, 学年度): students' own benefit period."""
    return _SCHOOL_YEAR_WORDS.search(fold(text)) is not None


def asks_to_pay_again(text: str) -> bool:
    """Whether a question asks if a year already paid spares the next ("去年交过了今年还要交吗")."""
    folded = fold(text)
    return (_PAID_BEFORE.search(folded) is not None and _PAY_AGAIN.search(folded) is not None
            and _NOT_PAYING_AGAIN.search(folded) is None and _VISIT_WORDS.search(folded) is None)


def asks_about_procedure(text: str) -> bool:
    """Whether a question asks about doing the enrolment paperwork (手续, 去办, 登记, 材料), not what is paid
    ("办过免缴登记的下岗工人要交吗" asks about paying)."""
    return _PROCEDURE_WORDS.search(fold(text)) is not None and not asks_about_paying(text)


def asks_about_visit(text: str) -> bool:
    """Whether a question is about going somewhere or registering (登记, 跑一趟, 医保站, 现场办理)."""
    return _VISIT_WORDS.search(fold(text)) is not None
