"""What a question tells versus what it asks (issue 9, classes 3 and 4).

"麻烦问一下，我前几天在微信上交了，可是想打个缴费证明，从哪里弄": 微信 is where the resident already paid, told in a
clause that asks nothing; the question is the receipt. The keyword 微信 gave the WeChat entry its bonus all the same,
and it stayed first. A clause that reports a payment already made (交了, 交过, 交的, 已交) and holds no question word is
told context: keywords found only there do not count. The whole text is still scored: context is part of what the
resident means (a naive weighting of the asking clause over the rest lost more than it gained on the tune half).
"""

from __future__ import annotations

import re

# Clauses are cut at punctuation and spaces: residents who write several clauses mostly punctuate them.
_CLAUSE_BREAK = re.compile(r"[，,。.？?！!；;、\s~～…]+")
# A payment already made: 交了 / 缴过 / 交的 / 已交 / 已经缴.
_DONE_PAYMENT = re.compile(r"[交缴][了过的]|已经?[交缴]")
# Question words and clause-final question particles. 几 only with what it asks about (几号, 几月): 前几天 is a time.
_ASKS = re.compile(r"什么|啥|多少|哪|怎么|咋|几[号月时岁年种个]|能不能|要不要|谁|是不是|行不行|来得及|可以|[吗么呢不没否]$")


def told_clauses(query: str) -> list[str]:
    """The clauses of ``query`` that report a payment already made and ask nothing; none for a one-clause query."""
    clauses = [clause for clause in _CLAUSE_BREAK.split(query) if clause]
    if len(clauses) < 2:
        return []
    told = [clause for clause in clauses if _DONE_PAYMENT.search(clause) and not _ASKS.search(clause)]
    return told if len(told) < len(clauses) else []


def asking_part(query: str) -> str | None:
    """``query`` without its told clauses, or None when it has none."""
    told = set(told_clauses(query))
    if not told:
        return None
    return "，".join(clause for clause in _CLAUSE_BREAK.split(query) if clause and clause not in told)


# Greetings and preambles said as a clause of their own ("你好，打扰了，我想问一下，…"): no part of the question.
_GREETING = re.compile(r"(?:你好|您好|你们好|大家好|领导好|同志你好|在吗|在不在|谢谢你?|多谢|麻烦了|打扰了|打扰一下|"
                       r"请问(?:一?下)?|(?:我?想)?问(?:一?下|问)|麻烦问(?:一?下|问)|想咨询(?:一?下)?|咨询一?下)[啊呀哈啦呢]?")
# An asking clause shorter than this ("从哪里弄", "还能给她交吗") says what is asked only with the clause before it.
SHORT_ASKING_CLAUSE = 8


def asking_clause(query: str) -> str | None:
    """For a question of several clauses that asks one thing: the clause that asks it (with the clause before it
    when it is short), greetings and preambles left out. None for a one-clause question, or one asking two things
    ("学生的医保跟大人一样交400吗，在哪交"): reducing it to one would drop the other."""
    clauses = [clause for clause in _CLAUSE_BREAK.split(query) if clause and not _GREETING.fullmatch(clause)]
    if len(clauses) < 2:
        return None
    asking = [index for index, clause in enumerate(clauses) if _ASKS.search(clause)]
    if len(asking) != 1:
        return None
    index = asking[0]
    if len(clauses[index]) < SHORT_ASKING_CLAUSE and index > 0:
        return f"{clauses[index - 1]}，{clauses[index]}"
    return clauses[index]
