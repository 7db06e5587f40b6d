"""A fuzzer for the dialog as channels drive it: random residents typing and tapping, for many turns.

Each turn one of several residents does something a real one might (a place, a date in any form, statuses,
yes/no, a correction, a question, a command) or something no real one would (forged or stale button data,
circled digits, control characters, a 600-character paste, another bot's command), through
``DialogService.handle`` with an update id; now and then an update arrives twice, or an older one again.

It counts, and prints:

* ``crashes``: a turn that raised;
* ``replies lost``: a new update that got no reply;
* ``replies duplicated``: the same reply twice in a row within one turn;
* ``handled twice``: a repeated update that changed the stored state;
* ``bad state``: a stored status id that is not in the vocabulary.

Run: ``python tests/reliability/fuzzer.py --turns 100000`` (``--seed``); the test suite runs a bounded count.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import itertools

from bot.dialog.engine import DialogEngine
from bot.dialog.factory import build_engine
from bot.dialog.replies import Incoming, Reply
from bot.dialog.service import DialogService
from bot.dialog.store import MemoryStore

PLACES = ["朔州", "朔州市", "山丹", "山丹县位奇镇", "沁源", "乌拉特前旗", "乌前旗", "冷市镇", "冷市镇南华村", "安化县",
          "北京", "朔洲", "乌拉特钱旗", "内蒙古", "山西省朔州市朔城区"]
DATES = ["今天", "明天", "2023年10月8日", "2023-11-26", "下个月5号", "九月一号", "12月31号", "2024年1月1日",
         "1980年5月1日", "1980-05-01", "1958.3.2", "80年5月1日", "2023年2月30日", "0001-01-01", "99999-1-1",
         "去年", "上周五", "2025年", "二〇二三年十月八日", "１９８０年５月１日", "3月"]
STATUSES = ["低保", "特困", "没有", "都不是", "低保和残疾", "监测户", "脱贫户", "重度残疾", "农村一类低保",
            "城市低保", "不是低保", "我是低保户", "孤儿", "退役军人", "大学新生"]
ANSWERS = ["是", "不是", "对", "不", "嗯", "yes", "no", "有", "没有"]
CORRECTIONS = ["出生日期改成1960年3月2日", "参保地改成山丹县", "缴费日期改成明天", "我不是低保", "我也是特困",
               "改成朔州", "出生日期改成明天"]
QUESTIONS = ["新生儿怎么参保？", "交多少钱", "什么时候截止？", "怎么交", "低保要交吗", "可以退费吗？",
             "微信怎么交", "12月31号以后还能交吗", "你好", "谢谢"]
COMMANDS = ["/start", "/back", "/back", "/restart", "/forget", "/help", "/faq", "/sources", "/start@otherbot",
            "/back@insurance_test_bot", "/unknown", "/"]
WEIRD = ["①", "②", "⑳", "１", "0", "-1", "99", "", " ", "\u0000", "\u200b", "😀", "<b>朔州</b>", "&amp;",
         "朔" * 600, "1" * 100, "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"), "　",
         "b:categories:toggle=dibao:on", "null", "None", "{}", "🇨🇳" * 30, "\n\n", "%s%s", "${x}"]
FORGED = ["b:refine:nothing", "b:refine:", "b:categories:martian", "b:categories:toggle=martian:on",
          "b:categories:toggle=dibao", "b:categories:toggle=dibao:maybe", "b:categories:toggle=:on", "b:region:",
          "b:region:北京", "b:payment_date:yesterday", "b:payment_date:reference", "b:hukou:maybe", "b:fact:",
          "b:confirm_region:yes", "b:channel:nothing", "b:faq:nothing", "b:", "b::", "b:::", "x:y:z", "", ":",
          "b:categories:done", "b:categories:none", "b:done:done", "b:" + "x" * 200]


@dataclass
class Counts:
    turns: int = 0
    crashes: int = 0
    replies_lost: int = 0
    replies_duplicated: int = 0
    handled_twice: int = 0
    bad_state: int = 0
    repeats: int = 0
    examples: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (f"fuzzed turns {self.turns}: crashes {self.crashes}, replies lost {self.replies_lost}, "
                f"replies duplicated {self.replies_duplicated}, updates handled twice {self.handled_twice} "
                f"(of {self.repeats} repeated), bad state {self.bad_state}")

    def ok(self) -> bool:
        return not (self.crashes or self.replies_lost or self.replies_duplicated or self.handled_twice
                    or self.bad_state)


class Fuzzer:
    def __init__(self, engine: DialogEngine, seed: int = 11, residents: int = 5) -> None:
        self.rng = random.Random(seed)
        self.store = MemoryStore()
        self.service = DialogService(engine, self.store)
        self.vocabulary = set(engine.quotes.vocabulary.terms)
        self.keys = [f"telegram:{n}" for n in range(1, residents + 1)]
        self.update_id = 1000
        self.last: dict[str, tuple[Incoming, date]] = {}
        self.offered: dict[str, list[str]] = {key: [] for key in self.keys}
        self.stale: dict[str, list[str]] = {key: [] for key in self.keys}
        self.counts = Counts()

    def _text(self) -> str:
        rng = self.rng
        pools: list[Callable[[], str]] = [
            lambda: rng.choice(PLACES), lambda: rng.choice(DATES), lambda: rng.choice(STATUSES),
            lambda: rng.choice(ANSWERS), lambda: rng.choice(CORRECTIONS), lambda: rng.choice(QUESTIONS),
            lambda: rng.choice(COMMANDS), lambda: rng.choice(WEIRD),
            lambda: "".join(rng.choice("朔州低保特困年月日号0123456789-/.改成不是吗？① ") for _ in range(rng.randint(1, 20))),
            lambda: rng.choice(PLACES) + rng.choice(DATES) + rng.choice(STATUSES),
        ]
        return rng.choice(pools)()

    def _incoming(self, key: str) -> Incoming:
        rng = self.rng
        roll = rng.random()
        if roll < 0.35 and self.offered[key]:
            return Incoming(payload=rng.choice(self.offered[key]))
        if roll < 0.42 and self.stale[key]:
            return Incoming(payload=rng.choice(self.stale[key]))
        if roll < 0.48:
            return Incoming(payload=rng.choice(FORGED))
        return Incoming(text=self._text())

    def turn(self) -> None:
        rng = self.rng
        key = rng.choice(self.keys)
        repeat = key in self.last and rng.random() < 0.05
        if repeat:
            incoming, today = self.last[key]
            if rng.random() < 0.3:  # an older update than the last one: an earlier id
                incoming = Incoming(incoming.text, incoming.payload, (incoming.update_id or 0) - rng.randint(1, 5))
        else:
            self.update_id += rng.randint(1, 3)
            today = date(2022, 6, 1) + timedelta(days=rng.randint(0, 1800))
            incoming = Incoming(**{**self._incoming(key).__dict__, "update_id": self.update_id})
        before = self.store.load(key)
        self.counts.turns += 1
        try:
            replies = self.service.handle(key, incoming, today, rng.choice(["text", "html"]))
        except Exception:
            self.counts.crashes += 1
            if len(self.counts.examples) < 5:
                stored = before.to_json() if before else None
                self.counts.examples.append(f"{key} {incoming!r} {today}\nstate before: {stored}\n"
                                            f"{traceback.format_exc()}")
            return
        after = self.store.load(key)
        if repeat:
            self.counts.repeats += 1
            if (before.to_json() if before else None) != (after.to_json() if after else None):
                self.counts.handled_twice += 1
            return
        self.last[key] = (incoming, today)
        self._check(key, replies, after)

    def _check(self, key: str, replies: list[Reply], after: object) -> None:
        if not replies:
            self.counts.replies_lost += 1
        if any(a.template == b.template and a.text == b.text for a, b in itertools.pairwise(replies)):
            self.counts.replies_duplicated += 1
        payloads = [b.payload for reply in replies for row in reply.buttons for b in row]
        if payloads:
            self.stale[key] = (self.stale[key] + self.offered[key])[-30:]
            self.offered[key] = payloads
        state = self.store.load(key)
        if state is not None:
            ids = set(state.categories or []) | set(state.selecting)
            if not ids <= self.vocabulary:
                self.counts.bad_state += 1


def fuzz(turns: int, seed: int = 11, engine: DialogEngine | None = None) -> Counts:
    fuzzer = Fuzzer(engine or build_engine(), seed)
    for _ in range(turns):
        fuzzer.turn()
    return fuzzer.counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    started = time.monotonic()
    counts = fuzz(args.turns, args.seed)
    print(f"{counts.line()} in {time.monotonic() - started:.0f} s")
    for example in counts.examples:
        print(example, file=sys.stderr)
    return 0 if counts.ok() else 1


if __name__ == "__main__":
    sys.exit(main())
