"""Questions that join a status to a topic ("低保户啥时候交钱", "老人错过了登记时间咋办").

The status and the topic are found separately: the status from the vocabulary's words for statuses (plus the
words for the elderly, whom documents define by birth date), the topic by matching the question with the
status words taken out. The answer then gives that status's own rule for the topic (a registration window,
"另行通知", its payment instructions, its late-enrolment path) before the general rule, or says the document
has no separate rule for that status.
"""

from __future__ import annotations

import re
from functools import cached_property

from bot.faq.normalize import fold
from bot.policy.vocabulary import VocabularyIndex

ELDERLY = "elderly"
# Residents name the elderly by age, not by a vocabulary status.
_ELDERLY_WORDS = ("60岁以上", "六十岁以上", "60多岁", "六十多岁", "六十多", "60多", "老年人", "老人", "老年", "60岁", "六十岁")

# Topics whose rule can differ by status: timing, registration, how to pay, what to choose. A status with a
# fee or subsidy question is answered by that status's subsidy entry instead.
STATUS_TOPICS = frozenset({
    "collection_window", "missed_deadline", "late_enrolment_waiting_period", "benefits_start", "first_enrolment",
    "payment_channels", "pay_wechat", "pay_alipay", "pay_bank_app", "pay_village_collector",
    "what_to_choose_when_paying",
})  # fmt: skip
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

    def find(self, text: str) -> tuple[list[str], str]:
        """(status ids in order of mention, the folded text with the status words taken out)."""
        folded = fold(text)
        found: list[str] = []
        for hit in self._pattern.finditer(folded):
            status = self._words[hit.group()]
            if status not in found:
                found.append(status)
        return found, self._pattern.sub("", folded)
