"""One reader for every message at every step: what the message says, whatever question it answers."""

from __future__ import annotations

import re
from datetime import date

from bot.errors import NotCoveredError, UserInputError
from bot.parsing.dates import days_in_month
from bot.policy.places import PlaceIndex
from bot.policy.vocabulary import VocabularyIndex
from bot.textnorm import simplify
from bot.understanding.commands import read_command
from bot.understanding.dates import DateReading, read_dates
from bot.understanding.result import Found, Understanding
from bot.understanding.sounds import SoundIndex
from bot.understanding.statuses import UNKNOWN, StatusReader
from bot.understanding.whereabouts import read_whereabouts
from bot.understanding.yesno import read_confirmation, read_local_hukou, read_yes_no

MAX_CHARS = 500
_QUESTION = re.compile(r"[?？]|怎么|怎样|如何|多少|什么|啥时|咋|吗|哪|能不能|可不可以|是否|为什么|为啥|几号|何时|要不要|需不需要")
_CORRECTION = re.compile(r"^(?:不对|不是不是|错了|搞错了|说错了|弄错了|更正|纠正)|其实|应该是|改成|改为|刚才|重新说")
_NEGATED_PLACE = re.compile(r"(?:不是|不在|并非|而不是)[^,.;!?，。；！？\s是]{1,12}")
# Several people in one message ("我和我妈", "老两口", "一家三口"): the bot answers for one resident at a time.
_KIN = (r"(?:妈|爸|娘|爹|老伴|媳妇|老婆|丈夫|老公|爱人|对象|儿子|女儿|孩子|娃|闺女|孙子|孙女|外孙|父母|爸妈|爹娘"
        r"|婆婆|公公|哥|姐|弟|妹|奶奶|爷爷|姥姥|姥爷)")
# Who looks after a child ("还有奶奶照顾", "我和老伴带着孙子"): a description, not another insured person.
_LOOKS_AFTER = r"(?:一起|在一起|住|过|生活|长大|相依|带|照顾|照看|看着|管|养|陪)"
_SEVERAL = re.compile(
    # "我跟奶奶过", "我和老伴带着孙子": whom a child lives with or who looks after them, not a second insured person.
    rf"(?:我|俺|咱)(?:和|跟|与|同|还有)(?:我|俺|咱)?(?:家|们家)?(?:的|那个)?(?>{_KIN}+)(?!{_LOOKS_AFTER})"
    rf"|(?:我们|俺们|咱们|我|俺|咱)(?:俩|两个|仨|三个|两口子|一家)(?!{_LOOKS_AFTER})"
    r"|两口子(?!离|分开|吵|都不|不管|出去|在外)|老两口|夫妻俩|夫妻两个|娘俩|爷俩|母子俩|父子俩|母女俩"
    # Another person after the first: "还有我妈", "再帮我老伴算算", "我老伴也要交".
    rf"|(?:还有|再帮|也帮|再给|也给|再算)(?:我|俺)?(?:家)?(?:的)?(?>{_KIN}+)(?!{_LOOKS_AFTER})|(?:我|俺)(?:家)?{_KIN}(?:也|还)(?:要|得|想|需要)?(?:交|缴|参保|算)"
    r"|全家|一家[二两三四五六七八九几]口|[两三四五六七八九几]口人|[两三四五六七八九几]个人"
    # Parents named as the insured: 我爸妈俩, 父母都要交. "娃爸妈都不在身边", "父母都去世了", "爸妈都在外地打工" only
    # describe a child's situation (事实无人抚养儿童, 孤儿): one child is asked about, nothing is dropped.
    r"|(?:我|俺)?(?:爸妈|父母|爹娘|公婆)(?:俩|两个|二老|两口子)"
    r"|(?:爸妈|父母|爹娘|公婆)都(?:要|得|想|需要|准备|打算)?(?:交|缴|参保|算|办)"
    r"|(?:爸妈|父母|爹娘|公婆)都(?:是|算|属于)(?!外出|在外)"  # 爸妈都是低保: whose status is it? Asked, not guessed
    # Two relatives named together as the insured: 孙子和孙女都要交, 儿子女儿都要交, 老伴和我都是低保, 老大老二都要交.
    rf"|{_KIN}(?:和|跟|与|还有|、)?{_KIN}(?:俩|两个)?都(?:(?:要|得|想|需要)?(?:交|缴|参保|算|办)|是(?!外出|在外|出去|打工|务工))"
    rf"|{_KIN}(?:和|跟|与)(?:我|俺)(?:俩|两个)?都|老大(?:和|跟|、)?老二"
    # Several children or old people: 俩孩子, 两个娃都要交, 给仨孩子交.
    r"|(?:俩|两个|仨|三个|几个|[2-9]个)(?:孩子|娃|小孩|闺女|儿子|女儿|孙子|孙女|老人)"
)
# The characters dates are written with: inside a date's clause only runs of these (holding a unit or two
# digits) are the date, so a status said in the same run-on clause ("低保户今年六十五岁明天交") is still read.
_DATE_RUN = re.compile(r"[0-9〇零一二两三四五六七八九十廿卅百千年月日号岁周星期礼拜天今明后昨前底初旬上下这本个过大./-]+")
_DATE_UNIT = re.compile(r"[年月日号岁周期拜天底旬]|\d{2}")
# "不知道是几类", "几类不清楚", "忘了是几档": the class of a status said (低保) is not known, which is not "none".
_NOT_KNOWN = r"(?:不知道|不清楚|不晓得|搞不清|说不清|说不上|说不准|不记得|记不得|记不清|忘了|不确定|没搞清|没问过)"
_WHICH_CLASS = (r"(?:几|哪一?|啥|什么|第几)(?:类|档|级)|类别|档次|级别|等级|城市还是农村|农村还是城市"
                r"|[一二三四1-4](?:类|档|级)还是[一二三四1-4](?:类|档|级)")
_CLASS_UNKNOWN = re.compile(rf"{_NOT_KNOWN}[^,.;!?，。；！？]{{0,6}}?(?:{_WHICH_CLASS})"
                            rf"|(?:{_WHICH_CLASS})[^,.;!?，。；！？]{{0,4}}?{_NOT_KNOWN}")
# A parent or grandparent speaking for a child ("我是孩子他爸", "娃他妈", "给孙子交", "俺家娃咋交", "孩子是今年3月出生的"):
# the child is the insured, so the birth date asked for is the child's; the speaker's role words are no status,
# no place and no second person.
_CHILD = r"(?:孩子|小孩|娃娃?|宝宝|宝贝|孙子|孙女|外孙女?|闺女|儿子|女儿|新生儿|婴儿)"
_FOR_CHILD = re.compile(
    rf"{_CHILD}(?:他|她|的)?(?:爸爸?|妈妈?|爹|娘|奶奶|爷爷|姥姥|姥爷|外婆|外公)"
    rf"|(?:给|帮|替)(?:我|俺)?(?:家)?(?:的)?(?:小)?{_CHILD}"
    rf"|(?:^|[我俺,.;!?，。；！？\s])(?:家)?(?:的)?(?:小)?{_CHILD}(?:的)?(?:医保|参保|要|得|该|咋|怎么|交|缴|刚|才|是|今年|去年"
    r"|上个?月|前天|昨天|\d|[一二三四五六七八九十]+月|出生|生"
    # a baby's birth said back from today: "孩子半个月前出生的", "娃前几天刚生", "宝宝十几天前生的"
    r"|半个?月|前[几两]天|上上?个?(?:周|星期|礼拜)|这个?月|[一二三四五六七八九十几两]+[多来几]?(?:天|个多?月|周))"
    # the child's birth said by a holiday or another time: "宝宝国庆节生的", "娃是端午那天出生的"
    rf"|{_CHILD}[^,.;!?，。；！？\s]{{1,8}}?(?:出生|生的|生下|刚生|才生)"
)
# Where a resident works or lives for now is not where they are insured: "在朔州打工，户口在沁源".
_INSURED_CUE = re.compile(r"(?:户口|户籍|参保|医保|社保)(?:地|关系)?(?:是|在|落在|还在)?")
# The place said as where the household is registered: 户口在沁源, 户口一直在沁源, 户籍就是沁源的 (the cue before it, with
# adverbs, and our own city or province between: 户口在长治沁源), or 是沁源户口, 沁源县的户籍 (the cue after it).
_HUKOU_BEFORE = re.compile(r"(?:户口|户籍|参保|医保|社保)(?:本|地|关系)?(?:一直|本来|其实|现在|仍然|始终|也|还|就|都|是|在"
                           r"|落在|属于|为){0,4}[^,.;!?，。；！？\s不没非]{0,6}$")
# A hukou said to be in a place by name (户口在河北, 是河北户口, 户籍是包头的), read where the bot asks or has answered:
# a place that is not ours (nor only the province or city around ours) is a registration elsewhere.
_HUKOU_NAMED = re.compile(
    r"(?:户口|户籍)(?:本|关系)?(?:一直|本来|其实|现在|仍然|始终|早就|早|也|还|就|都|已经)*(?:在|是|落在|属于|为|迁到|迁去|迁往|落到)+"
    r"(?P<after>[\u4e00-\u9fff]{2,10}?)(?:的|那边|那里)?(?:户口|户籍|人)?(?:吧|啊|呀|呢|嘛|哈)?(?=$|[,.;!?，。；！？\s])"
    r"|(?:^|(?<=[,.;!?，。；！？\s]))(?:我们?|俺们?|咱们?)?(?:家)?(?:一直|就|都|也|还)*(?:是|属于)?"
    r"(?P<before>[\u4e00-\u9fff]{2,8}?)(?:的)?(?:户口|户籍)(?:吧|啊|呀|呢|嘛|哈)?(?=$|[,.;!?，。；！？\s])"
)
_NOT_A_PLACE = re.compile(r"本|这|那|村|城里|农村|老家|乡下|家里|外|当地|哪|啥|什么|多少|一样|不|没|非|原籍|一直|还")
# Matched at the name's end: 沁源户口, 沁源的户籍, 是沁源人 (a person "of" a place is registered there).
_HUKOU_AFTER = re.compile(r"(?:的)?(?:户口|户籍|本地人|人(?=$|[,.;!?，。；！？\s]))")
_ELSEWHERE = re.compile(r"(?:在|去|到)([^,.;!?，。；！？\s]{2,10}?)(?:打工|上班|干活|工作|务工|做工|上学|读书|带孙子|看孩子)")
# What a "don't know" is about when it is the birth date ("生日记不清了", "几号生的忘了", "岁数不知道").
_BIRTH_WORD = re.compile(r"生日|出生|生的|几号生|哪天生|哪年生|年龄|岁数|多大")
_STATUS_TOPIC = re.compile(r"身份|类别|什么户|哪类|几类|是不是|算不算|有没有")
# Steps whose question is answered by yes or no.
YES_NO_STEPS = frozenset({"hukou", "fact", "confirm_region"})


class Reader:
    def __init__(self, places: PlaceIndex, vocabulary: VocabularyIndex) -> None:
        self.places = places
        self.statuses = StatusReader(vocabulary)
        self._place_sounds = SoundIndex(
            {name: jurisdiction for name, (jurisdiction, subunit) in places.names.items()
             if subunit is None and len(name) >= 2 and name != "前旗"}
        )

    def understand(self, text: str, step: str, today: date) -> Understanding:
        """Everything `text` says. `step` is the question it answers ("region", "birth", "categories", "done" …);
        it only decides what a date with no cue word is, and whether a bare 没有 / 是 answers the question."""
        simple = simplify(text.strip()[:MAX_CHARS])
        result = Understanding(simple)
        result.command = read_command(simple)
        if result.command is not None:
            return result
        result.question = _QUESTION.search(simple) is not None
        result.correction = _CORRECTION.search(simple) is not None
        result.does_not_know = UNKNOWN.search(simple) is not None
        result.birth_unknown = result.does_not_know and _BIRTH_WORD.search(simple) is not None
        taken = [False] * len(simple)
        self._place(simple, result, taken)
        several = _SEVERAL.search(simple)
        births: list[DateReading] = []  # several people named: whose birth each is, decided below
        for reading in read_dates(simple, step, today):
            if reading.day is None and any(
                    any(taken[start:end]) for start, end in _date_words(simple, reading.start, reading.end)):
                continue  # a number inside a place's name
            if several is not None and reading.role == "birth" and step != "done":
                births.append(reading)
                continue
            self._date(reading, result)
        if births:
            self._births_of_several(simple, births, result)
        if result.birth_month_day is not None and result.birth_range is not None and result.birth is None:
            # "3月2号生的，58年": the day and the year in two pieces.
            month, day = result.birth_month_day.value
            earliest, latest = result.birth_range.value
            if earliest.year == latest.year:
                try:
                    born = date(earliest.year, month, day)
                except ValueError:
                    born = None
                if born is not None:
                    start = min(result.birth_month_day.start, result.birth_range.start)
                    end = max(result.birth_month_day.end, result.birth_range.end)
                    result.birth = Found(born, start, end)
                    result.birth_month_day = result.birth_range = None
        if result.birth_month is not None and result.birth_range is not None and result.birth is None:
            # "8月出生的，80年": the month and the year in two pieces, a month's births.
            month = result.birth_month.value
            earliest, latest = result.birth_range.value
            if earliest.year == latest.year and date(earliest.year, month, 1) <= latest:
                start = min(result.birth_month.start, result.birth_range.start)
                end = max(result.birth_month.end, result.birth_range.end)
                last = date(earliest.year, month, days_in_month(earliest.year, month))
                result.birth_range = Found((date(earliest.year, month, 1), min(last, latest)), start, end)
                result.birth_month = None
        hukou = read_local_hukou(simple)
        if hukou is not None:
            value, start, end = hukou
            result.local_hukou = Found(value, start, end)
            taken[start:end] = [True] * (end - start)
        hukou_named = None
        if hukou is None and step in ("hukou", "done") and not (result.region or result.region_guess):
            hukou_named = _HUKOU_NAMED.search(simple)
            name = hukou_named and (hukou_named.group("after") or hukou_named.group("before"))
            if hukou_named is None or not name or _NOT_A_PLACE.search(name):
                hukou_named = None
            elif result.region_problem is not None or not self.places.within_ours(name):
                # "户口在河北" (or 户口在鄂托克前旗) to "is the registration in 沁源县?": no, its 在 is no yes, and the place
                # asked about stays. 户口在长治: neither, asked again.
                result.local_hukou = Found(False, hukou_named.start(), hukou_named.end())
                result.region_problem = None
        date_taken = list(taken)
        for found in (result.payment_date, result.birth, result.birth_range, result.birth_month_day,
                      result.birth_month):
            if found is not None:
                for start, end in _date_words(simple, found.start, found.end):
                    date_taken[start:end] = [True] * (end - start)
        place = result.region or result.region_guess
        statuses = self.statuses.read(simple, date_taken, as_answer=step in ("categories", "refine"),
                                      place_end=place.end if place is not None and not result.question else None,
                                      status_question=step == "categories" and not result.question)
        result.statuses = statuses.statuses
        result.removed = statuses.removed
        result.status_mode = statuses.mode
        result.no_status = statuses.none
        # "哪天生的记不清了" at the status question: the birth date is what is not known, not the status.
        result.status_unknown = statuses.unknown and not (result.birth_unknown and not _STATUS_TOPIC.search(simple))
        result.ambiguous_status = statuses.ambiguous
        result.unknown_words = statuses.leftovers
        # After the answer "不知道几类" alone is about the class of a status already held.
        result.class_unknown = (bool(result.statuses) or step == "done") and _CLASS_UNKNOWN.search(simple) is not None
        result.insured_child = _FOR_CHILD.search(simple) is not None
        if several is not None:
            _one_person_only(result, several, keep_shared=step != "done")
        if step in YES_NO_STEPS and not result.says_status and result.region is None and result.local_hukou is None \
                and hukou_named is None and result.region_problem is None:
            answer = read_confirmation(simple) if step == "confirm_region" else read_yes_no(simple)
            if answer is not None:
                result.yes_no = Found(answer, 0, len(simple))
        return result

    def _place(self, text: str, result: Understanding, taken: list[bool]) -> None:
        # "户口在朔州怀仁，人在北京打工": where they work is neither the place of insurance nor a contradiction.
        where = read_whereabouts(text)
        if where.elsewhere:
            if self._place_in(where.for_place, result, taken):
                return
            if where.hukou_place is not None:
                # "户口在四川，在沁源打工": most documents let long-term residents without local hukou insure where they
                # live (沁源, 朔州, 乌拉特前旗, 山丹 say so). The place they live in is read as a non-local resident's, and
                # the quote engine decides what that document allows; only with none of our places named is it refused.
                start = text.find(where.hukou_place)
                hukou_blanked = text.replace(where.hukou_place, " " * len(where.hukou_place))
                if start >= 0 and self._place_in(hukou_blanked, result, taken):
                    if result.region_problem is None and (result.region is not None or result.region_guess is not None):
                        result.local_hukou = Found(False, start, start + len(where.hukou_place))
                        return
                    result.region = result.region_guess = None
                result.region_problem = NotCoveredError(
                    "region",
                    f"您的户口（参保地）在「{where.hukou_place[:12]}」，不在本助手覆盖的地区内；"
                    f"本助手只有{'、'.join(self.places.jurisdictions)}的政策文件。如您长期在其中一地居住，请告诉我居住地",
                )
                return
        self._place_in(text, result, taken)

    def _place_in(self, text: str, result: Understanding, taken: list[bool]) -> bool:
        """Read the place in `text` into `result`; False when nothing about a place was found."""
        try:
            located = self.places.locate(text)
        except UserInputError as error:
            # "不是沁源，是朔州": the place said with 不是 is the one being corrected away; "在朔州打工，户口在沁源":
            # the place of work is not the place of insurance.
            masked = _NEGATED_PLACE.sub(lambda m: " " * len(m.group()), text)
            if masked == text:
                masked = _ELSEWHERE.sub(lambda m: " " * len(m.group()), text)
            if masked == text:
                masked = _insured_place_only(text)
            try:
                located = self.places.locate(masked) if masked != text else None
            except (NotCoveredError, UserInputError):
                located = None
            if located is None:
                result.region_problem = error
                return True
        except NotCoveredError as error:
            result.region_problem = error
            return True
        if located is not None:
            found = Found(located.match.jurisdiction, located.start, located.end)
            result.hukou_place = bool(_HUKOU_BEFORE.search(text[:located.start])
                                      or _HUKOU_AFTER.match(text, located.end))
            if located.anchored:
                result.region = found
            else:
                # 高桥村 alone: a name shared with villages all over China, said back before it is used.
                result.region_guess = found
                result.region_label = located.label
            result.subunit = located.match.subunit
            taken[located.start:located.end] = [True] * (located.end - located.start)
            return True
        partly = self.places.partly_covered(text)
        if partly is not None:
            result.region_problem = partly
            return True
        for hit in self._place_sounds.find(text):
            if hit.typed_pinyin:
                result.region = Found(hit.value, hit.start, hit.end)
            else:
                result.region_guess = Found(hit.value, hit.start, hit.end)
            taken[hit.start:hit.end] = [True] * (hit.end - hit.start)
            return True
        return False

    def _births_of_several(self, text: str, births: list[DateReading], result: Understanding) -> None:
        """Several people named, births said: where each birth is said with whose it is ("一个2019年生一个2021年生",
        "老大2019年的", "我妈是1960年的"), the first one said is taken first, with that birth, and the others are said
        to come next. A birth said of nobody in particular could be anyone's: it is not taken (see _one_person_only)."""
        tied = [reading for reading in births if _PERSON_FIRST.match(text, reading.start)]
        if not tied:
            for reading in births:
                self._date(reading, result)
            return
        first = tied[0]
        self._date(first, result)
        result.first_person = Found(_person_words(text, first), first.start, first.end)
        result.next_people = [_person_words(text, reading) for reading in tied[1:]]

    @staticmethod
    def _date(reading: DateReading, result: Understanding) -> None:
        span = (reading.start, reading.end)
        if reading.problem is not None:
            if result.date_problem is None:
                result.date_problem = reading.problem
                result.date_problem_role = reading.role
            return
        if reading.role == "payment" and reading.day is not None:
            result.payment_date = Found(reading.day, *span)
            result.payment_said = reading.said
        elif reading.day is not None:
            result.birth = Found(reading.day, *span)
        elif reading.birth_range is not None:
            held = result.birth_range
            if held is not None and held.value[0] <= reading.birth_range[1] and reading.birth_range[0] <= held.value[1]:
                # "1962年12月出生，60多了": both said of one birth; the narrower intersection is what they say together.
                earliest = max(held.value[0], reading.birth_range[0])
                latest = min(held.value[1], reading.birth_range[1])
                result.birth_range = Found((earliest, latest), min(held.start, reading.start), max(held.end, reading.end))
                result.birth_lunar = result.birth_lunar or reading.lunar
            else:
                result.birth_range = Found(reading.birth_range, *span)
                result.birth_lunar = reading.lunar
        elif reading.month_day is not None:
            result.birth_month_day = Found(reading.month_day, *span)
        elif reading.month is not None:
            result.birth_month = Found(reading.month, *span)


# "我和我妈都是低保户", "老两口都是特困": a status said of every one of them is the status of the one asked about.
_ALL_OF_THEM = re.compile(r"都(?:是|算|属于|有|评上了?|吃|享受)")


# Whose a birth is, said at the start of its clause: one of several children ("一个", "老大", "小的") or a person.
_PERSON_FIRST = re.compile(
    rf"(?:另外?一?个|一个|老[大二三四小]|大的|小的|大娃|二娃|小娃|大宝|二宝|[大小二](?:儿子|女儿|闺女|孙子|孙女)"
    rf"|男的|女的|老头子?|老太太?|老太婆"
    rf"|(?:我|俺)(?:家)?(?:的)?{_KIN}|{_KIN}|我|俺|他|她)(?:是|呢|的话|今年)?[,，\s]?[\d〇零一二两三四五六七八九十]"
)
_TRAILING_WORDS = re.compile(r"[,.;!?，。；！？\s]+$|(?<=[生年])的$")


def _person_words(text: str, reading: DateReading) -> str:
    """The words of one person and their birth, as said ("一个2019年生", "老大2019年"), to say back."""
    return _TRAILING_WORDS.sub("", text[reading.start:reading.end].strip())[:20]


def _one_person_only(result: Understanding, several: re.Match[str], keep_shared: bool) -> None:
    """Several people named at once: a birth date or status said could be anyone's, so none is taken (a fee for
    the wrong person is a wrong fee); the place and the payment date, shared by them, are kept, and so is a status
    said of all of them after they are named ("我和我妈都是低保户"), which is then the status of whichever one is
    asked about. Not "爸妈都是低保，我要交多少": there the 都是 is what names the others, who may not be the insured;
    not after the answer (`keep_shared` False), where the answer on show is the first person's."""
    result.several_people = Found(several.group(), several.start(), several.end())
    if result.first_person is None:
        result.birth = result.birth_range = result.birth_month_day = result.birth_month = None
        if result.date_problem_role == "birth":
            result.date_problem = result.date_problem_role = None
    every = _ALL_OF_THEM.search(result.text, several.end())
    shared = [f for f in result.statuses if keep_shared and every is not None and f.start >= every.start()]
    first = result.first_person
    # "我1958年的是低保户，老伴1960年的": a status said inside the first person's own words is that person's.
    own = [f for f in result.statuses if first is not None and first.start <= f.start and f.end <= first.end]
    if shared and not result.removed and result.ambiguous_status is None and not result.class_unknown:
        result.statuses = shared
    elif own and not result.removed and result.ambiguous_status is None:
        result.statuses, result.unknown_words = own, []
        result.no_status = result.status_unknown = result.class_unknown = False
    else:
        result.statuses, result.removed, result.unknown_words = [], [], []
        result.status_mode, result.no_status, result.status_unknown, result.ambiguous_status = None, False, False, None
        result.class_unknown = result.insured_child = False
    result.local_hukou = None
    if result.first_person is not None and _CHILDREN.search(several.group()):
        result.insured_child = True  # "两个娃都要交，老大2019年的": the one taken first is a child too


# Several children named ("两个娃", "俩孩子", "老大老二"): whoever is taken first is a child.
_CHILDREN = re.compile(r"孩子|娃|小孩|闺女|儿子|女儿|孙子|孙女|外孙|老大|老二")


def _insured_place_only(text: str) -> str:
    """`text` with everything but the clause after 户口在 / 参保在 blanked (spans unchanged); `text` when no cue."""
    cue = _INSURED_CUE.search(text)
    if cue is None:
        return text
    end = cue.end()
    while end < len(text) and text[end] not in ",.;!?，。；！？ ":
        end += 1
    return " " * cue.start() + text[cue.start():end] + " " * (len(text) - end)


def _date_words(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The runs of date characters inside a date's span that hold a date unit or a number of two digits."""
    return [(start + run.start(), start + run.end()) for run in _DATE_RUN.finditer(text[start:end])
            if _DATE_UNIT.search(run.group())]
