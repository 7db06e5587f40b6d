"""End-to-end tests of the console in headless Chromium (Debian's package, driven by Playwright).

Select them with `pytest -k browser`. Without /usr/bin/chromium they skip, saying so. Screenshots of the main
views go to .artifacts/screenshots/ (look at them after a change to the page).

Expected figures are derived from the documents (as in tests/quote/cases), not read from the API.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.web.app import create_app, server_config
from bot.web.service import ConsoleService

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parents[2] / ".artifacts" / "screenshots"
TODAY = date(2023, 10, 10)  # the page's default payment date: inside the 2024 campaigns

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="browser tests need Debian's chromium at /usr/bin/chromium (apt-get install chromium; .ci/run does)",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def base_url(console_service: ConsoleService) -> Iterator[str]:
    """The console served by uvicorn, as `python -m bot web` serves it, in a thread of the test process."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(server_config(create_app(console_service, token="", today=lambda: TODAY),
                                          "127.0.0.1", port))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the console server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, base_url: str) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # A 4xx of the API is an answer the page shows (checked by the tests); any other failed load is an error.
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load resource") else None)
    page.on("response", lambda response: errors.append(f"{response.status} {response.url}")
            if response.status >= 400 and "/api/" not in response.url else None)
    page.goto(base_url)
    page.wait_for_selector("body[data-ready=true]")
    yield page
    context.close()
    assert not errors, f"the page reported errors: {errors}"


def _shot(page: Any, name: str, full_page: bool = True) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def _search(page: Any, text: str, region: str = "") -> None:
    page.select_option("#search-region", region)
    page.fill("#q", "")
    page.locator("#q").press_sequentially(text)
    page.wait_for_function("(text) => document.querySelector('#search-results').dataset.query === text", arg=text)


def test_browser_a_typed_question_shows_each_countys_figure_and_the_passage(page: Any) -> None:
    _search(page, "低保交多少")
    table = page.locator("#search-figures")
    # 朔州 380 − 80% = 76; 冷市镇 380 − 50% = 190; 沁源 350 − 280 = 70; 乌拉特前旗 单纯低保户 400 − 200 = 200.
    for region, amount in (("朔州市", "76元"), ("冷市镇", "190元"), ("沁源县", "70元"), ("乌拉特前旗", "200元")):
        assert amount in table.locator("tr", has=page.locator(f"th:text-is('{region}')")).first.inner_text()
    shuozhou = page.locator("article.answer[data-region='朔州市']")
    assert "76" in shuozhou.inner_text()
    assert "低保对象按个人缴费标准80%的比例给予定额资助" in shuozhou.locator(".sources").inner_text()
    _shot(page, "search-all-jurisdictions")

    link = shuozhou.locator(".answer-text a.passage-link").filter(has_text="［2］")
    with page.context.expect_page() as opened:
        link.click()
    document = opened.value
    document.wait_for_load_state()
    current = document.locator("mark.cite.current")
    assert current.count() >= 1
    assert "低保对象按个人缴费标准80%的比例给予定额资助" in current.first.inner_text()
    assert current.first.is_visible()
    assert "categories[dibao].subsidy.cite" in document.locator(".current-passage").inner_text()
    _shot(document, "document-view", full_page=False)


def test_browser_words_the_faq_does_not_know_show_the_documents_paragraphs(page: Any) -> None:
    _search(page, "一卡通")
    passages = page.locator("#search-passages")
    if passages.get_attribute("open") is None:  # folded under an FAQ answer: one click opens it
        passages.locator("summary").click()
    assert "山丹县" in passages.inner_text() and "一卡通" in passages.inner_text()
    with page.context.expect_page() as opened:
        passages.locator("a.passage-link").first.click()
    document = opened.value
    document.wait_for_load_state()
    assert "一卡通" in document.locator("p:target").inner_text()


COMMON_TOPICS = {  # a few keystrokes each → the FAQ topic it must find
    "今年交多少钱": "fee_this_year",
    "什么时候交": "collection_window",
    "怎么交": "payment_channels",
    "微信怎么交": "pay_wechat",
    "支付宝怎么交": "pay_alipay",
    "一家人一起交": "pay_for_family",
    "新生儿": "newborn",
    "大学生在哪参保": "students",
    "外地户口在哪交": "migrants_residence_permit",
    "低保交多少": "subsidy_dibao",
    "特困": "subsidy_tekun",
    "监测户交多少": "subsidy_tuopin_jiance",
    "残疾人交多少": "subsidy_disabled",
    "过了截止日期还能交吗": "missed_deadline",
    "能退费吗": "refund",
    "什么时候能报销": "benefits_start",
    "缴费凭证": "payment_proof",
}


def test_browser_each_common_topic_is_answered_for_every_jurisdiction(page: Any, console_service: ConsoleService) -> None:
    for text, faq_id in COMMON_TOPICS.items():
        _search(page, text)
        question = console_service.faq.entries[faq_id].question
        assert page.locator("#search-results .matched b").inner_text() == question, text
        for region in console_service.jurisdictions:
            answer = page.locator(f"article.answer[data-region='{region}']")
            assert answer.locator(".answer-text").inner_text().strip(), (text, region)
            # every footnote mark in the answer is a link to a passage of that jurisdiction's document
            for link in answer.locator(".answer-text a.passage-link").all():
                assert "doc/" in (link.get_attribute("href") or "")


def test_browser_the_keyboard_reaches_an_answer_without_the_mouse(page: Any) -> None:
    page.keyboard.press("Alt+2")
    assert page.locator("#panel-calc").is_visible()
    page.keyboard.press("Alt+1")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("微信怎么交")
    page.wait_for_selector("#search-results article.answer")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.closest('#search-results') !== null")


RESIDENTS = [
    # (region, birth, status words typed, payment date, personal payment, the document's reasoning)
    ("朔州市", "1980-05-01", ["低保"], "2023-10-10", "76元"),  # 380 − 380×80%
    ("冷市镇", "1975-03-02", ["低保"], "2023-10-10", "190元"),  # 380 − 380×50%
    ("沁源县", "1970-06-15", ["低保"], "2022-10-10", "70元"),  # 低保对象 资助280元，个人缴纳70元
    ("乌拉特前旗", "1985-01-20", ["监测户"], "2023-10-10", "0元"),  # 监测户 分别代缴200元，个人无需缴费
    ("山丹县", "1990-08-08", ["农村一类低保"], "2023-10-10", "70元"),  # 380 − 310
]


@pytest.mark.parametrize(("region", "birth", "statuses", "day", "personal"), RESIDENTS,
                         ids=[resident[0] for resident in RESIDENTS])
def test_browser_the_calculator_gives_each_jurisdictions_figures_and_the_copy_text(
    page: Any, region: str, birth: str, statuses: list[str], day: str, personal: str
) -> None:
    page.keyboard.press("Alt+2")
    page.select_option("#calc-region", region)
    page.fill("#calc-birth", birth)
    assert page.input_value("#calc-date") == TODAY.isoformat()  # today by default
    page.fill("#calc-date", day)
    for word in statuses:
        page.fill("#status-filter", word)
        page.locator("#status-filter").press("Enter")
    assert page.locator("#status-chosen .chip").count() == len(statuses)
    page.locator("#calc-birth").press("Enter")
    page.wait_for_selector("#calc-figures")
    row = page.locator("#calc-figures tr[data-key='personal_payment']")
    assert row.locator("td").first.inner_text() == personal
    assert row.locator("td.links a").count() >= 1
    assert page.locator("#calc-trace li").count() >= 3
    text = page.input_value("#resident-text")
    assert personal in text or (personal == "0元" and "无需缴费" in text)
    channels = page.locator("#resident-channel option")
    if channels.count() > 1:  # the resident says how they will pay: that channel's steps join the text
        page.select_option("#resident-channel", index=1)
        assert page.input_value("#resident-text").startswith(text)
        assert len(page.input_value("#resident-text")) > len(text)
    page.keyboard.press("Alt+c")
    page.wait_for_function("() => document.querySelector('.copy-feedback').textContent !== ''")
    _shot(page, f"calculator-{region}")


def test_browser_statuses_said_in_the_residents_words_are_chosen(page: Any) -> None:
    page.keyboard.press("Alt+2")
    page.select_option("#calc-region", "山丹县")
    page.fill("#status-filter", "低报和五保户")  # a homophone and a resident's word, in one go
    page.locator("#status-filter").press("Enter")
    page.wait_for_selector("#status-chosen .chip")
    assert "特困人员" in page.locator("#status-chosen").inner_text()
    # 山丹 pays 低保 by kind: both kinds are listed to pick from, and the first has the focus
    page.wait_for_function("() => document.activeElement.closest('#status-list') !== null")
    assert page.locator("#status-list li").count() == 2
    page.keyboard.press("Space")
    assert page.locator("#status-chosen .chip").count() == 2


def test_browser_a_date_past_the_documents_gets_a_labelled_reference(page: Any) -> None:
    page.keyboard.press("Alt+2")
    page.select_option("#calc-region", "朔州市")
    page.fill("#calc-birth", "1980-05-01")
    page.fill("#calc-date", "2026-03-01")
    page.click("#calc-submit")
    page.wait_for_selector("#calc-figures")
    assert "仅供参考" in page.locator(".reason").inner_text()
    assert "参考答案" in page.locator("#calc-figures caption").inner_text()
    assert "仅供参考" in page.input_value("#resident-text")
    _shot(page, "calculator-reference")


def test_browser_bad_input_is_explained_and_nothing_entered_is_lost(page: Any) -> None:
    page.keyboard.press("Alt+2")
    page.select_option("#calc-region", "冷市镇")
    page.fill("#calc-birth", "去年春天")
    page.fill("#status-filter", "五保")
    page.locator("#status-filter").press("Enter")
    page.click("#calc-submit")
    error = page.locator("#calc-result .error")
    error.wait_for()
    assert "birth" in error.inner_text()
    assert page.input_value("#calc-birth") == "去年春天"
    assert page.locator("#status-chosen .chip").count() == 1


def test_browser_the_page_fits_a_phone(browser: Any, base_url: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone = context.new_page()
    phone.goto(base_url)
    phone.wait_for_selector("body[data-ready=true]")
    _search(phone, "低保交多少")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    _shot(phone, "phone-search")
    phone.click("#tab-calc")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    _shot(phone, "phone-calculator")
    context.close()
