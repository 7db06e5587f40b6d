"""The console's JSON API through the ASGI test client: answers, errors, links to passages, OpenAPI."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from bot.web.service import ConsoleService

SHUOZHOU_DIBAO = {"region": "朔州", "birth": "1980-05-01", "category": "低保", "date": "2023-10-10"}


def test_a_quote_gives_the_figures_of_the_document(client: TestClient) -> None:
    response = client.get("/api/quote", params=SHUOZHOU_DIBAO)
    assert response.status_code == 200
    body = response.json()
    assert (body["standard_fee"], body["subsidy"], body["personal_payment"]) == (380, 304, 76)
    assert body["deadline"] == "2023-12-25"
    assert response.headers["cache-control"] == "no-store"


def test_several_statuses_are_repeated_parameters(client: TestClient) -> None:
    params: list[tuple[str, str]] = [("region", "朔州"), ("birth", "1980-05-01"), ("date", "2023-10-10"),
                                     ("category", "低保"), ("category", "特困")]
    body = client.get("/api/quote", params=params).json()
    assert body["winning_category"] == "特困人员"
    assert body["personal_payment"] == 0


def test_the_payment_date_defaults_to_today(client: TestClient) -> None:
    body = client.get("/api/quote", params={"region": "朔州", "birth": "1980-05-01"}).json()
    assert body["payment_date"] == "2023-10-10"


def test_dates_may_be_written_as_residents_say_them(client: TestClient) -> None:
    body = client.get("/api/quote", params={"region": "朔州", "birth": "1980年5月1日", "date": "2023年10月10日"}).json()
    assert body["personal_payment"] == 380


def _error(response: Any, status: int, field: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["field"] == field
    assert "\n" not in body["message"] and body["message"].startswith(f"{field}: ")
    return body


def test_an_unreadable_date_is_a_400_naming_the_field_with_an_example(client: TestClient) -> None:
    body = _error(client.get("/api/quote", params={"region": "朔州", "birth": "明天吧"}), 400, "birth")
    assert body["example"] == "1958-03-02"


def test_a_missing_region_is_a_400(client: TestClient) -> None:
    _error(client.get("/api/quote", params={"birth": "1980-05-01"}), 400, "region")


def test_a_malformed_fact_is_a_400(client: TestClient) -> None:
    _error(client.get("/api/quote", params={**SHUOZHOU_DIBAO, "fact": "registered"}), 400, "fact")


def test_a_birth_after_the_payment_date_is_a_422(client: TestClient) -> None:
    params = {**SHUOZHOU_DIBAO, "birth": "2024-05-01"}
    _error(client.get("/api/quote", params=params), 422, "birth")


def test_an_unknown_status_is_a_422_with_near_names(client: TestClient) -> None:
    body = _error(client.get("/api/quote", params={**SHUOZHOU_DIBAO, "category": "宇航员"}), 422, "category")
    assert body["message"]


def test_an_uncovered_place_gets_the_reason_and_no_figure(client: TestClient) -> None:
    body = _error(client.get("/api/quote", params={**SHUOZHOU_DIBAO, "region": "北京"}), 404, "region")
    assert "不在本助手覆盖的地区内" in body["message"]
    assert "personal_payment" not in body


def test_a_place_only_partly_covered_offers_the_part(client: TestClient) -> None:
    body = _error(client.get("/api/quote", params={**SHUOZHOU_DIBAO, "region": "安化县"}), 404, "region")
    assert body["suggestions"] == ["冷市镇"]


def test_an_uncovered_date_gets_the_reason(client: TestClient) -> None:
    body = _error(client.get("/api/quote", params={**SHUOZHOU_DIBAO, "date": "2026-10-10"}), 404, "date")
    assert "没有朔州市适用于2026-10-10缴费的政策文件" in body["message"]


def test_ask_answers_from_the_faq_with_its_passages(client: TestClient) -> None:
    body = client.get("/api/ask", params={"q": "低保交多少", "region": "朔州"}).json()
    assert body["kind"] == "answer"
    assert "76" in body["answer"]
    assert any("80%" in source["quote"] for source in body["sources"])


def test_ask_needs_a_question(client: TestClient) -> None:
    _error(client.get("/api/ask", params={"region": "朔州"}), 400, "q")


def test_search_over_all_jurisdictions_puts_each_countys_figure_in_one_table(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "低保交多少"}).json()
    assert body["kind"] == "answer"
    regions = {answer["region"] for answer in body["answers"]}
    assert regions == {"朔州市", "冷市镇", "沁源县", "乌拉特前旗", "山丹县"}
    personal = {(row["region"], row["personal"]) for row in body["figures"]}
    # 朔州 380 − 80% = 76; 冷市镇 380 − 50% = 190; 沁源 350 − 280 = 70; 乌拉特前旗 单纯低保户 400 − 200 = 200;
    # 山丹 一、二类 380 − 310 = 70, 三、四类 380 − 250 = 130.
    assert {("朔州市", 76), ("冷市镇", 190), ("沁源县", 70), ("乌拉特前旗", 200), ("山丹县", 70),
            ("山丹县", 130)} <= personal
    for row in body["figures"]:
        assert row["source"]["href"].startswith(f"doc/{row['source']['document_id']}?p=p-")


def test_search_in_one_jurisdiction_answers_for_it_alone(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "微信怎么交", "region": "乌前旗"}).json()
    assert [answer["region"] for answer in body["answers"]] == ["乌拉特前旗"]
    assert body["answers"][0]["sources"]
    assert "依据：" not in body["answers"][0]["text"]  # the page lists the passages itself, as links


def test_every_answer_passage_links_to_a_place_found_in_its_document(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "新生儿怎么参保"}).json()
    for answer in body["answers"]:
        for source in answer["sources"]:
            page = client.get(source["href"])
            assert page.status_code == 200
            pid = source["href"].rsplit("#", 1)[1]
            assert f'id="{pid}"' in page.text, source
            assert 'class="cite current"' in page.text


def test_an_empty_search_is_not_an_error(client: TestClient) -> None:
    response = client.get("/api/search", params={"q": ""})
    assert response.status_code == 200
    assert response.json()["kind"] != "answer"


def test_search_in_an_unknown_region_gets_the_reason(client: TestClient) -> None:
    _error(client.get("/api/search", params={"q": "低保", "region": "北京"}), 404, "region")


def test_calculate_links_every_figure_to_a_passage(client: TestClient) -> None:
    body = client.get("/api/calculate", params=SHUOZHOU_DIBAO).json()
    assert body["covered"] is True
    figures = {figure["key"]: figure for figure in body["figures"]}
    assert figures["personal_payment"]["value"] == "76元"
    for figure in body["figures"]:
        assert figure["sources"], figure
        for source in figure["sources"]:
            assert source["href"]
    assert "80%" in " ".join(s["quote"] for s in figures["subsidy"]["sources"])
    assert "76元" in body["resident_text"]
    assert body["resident_channels"], "a resident who pays chooses a payment channel"
    first = body["resident_channels"][0]["id"]
    assert body["resident_texts"][first].startswith(body["resident_text"])
    assert len(body["resident_texts"][first]) > len(body["resident_text"])


def test_calculate_past_the_documents_gives_the_reason_and_a_labelled_reference(client: TestClient) -> None:
    body = client.get("/api/calculate", params={**SHUOZHOU_DIBAO, "date": "2026-03-01"}).json()
    assert body["covered"] is False
    assert "没有朔州市适用于2026-03-01缴费的政策文件" in body["reason"]
    assert body["reference"] is True
    assert "仅供参考" in body["reference_label"] and "2024年度" in body["reference_label"]
    assert body["quote"]["personal_payment"] == 76
    assert "仅供参考" in body["resident_text"]
    assert body["resident_channels"] == []  # no payment steps for figures that are only a reference


def test_calculate_for_an_uncovered_place_gives_no_reference(client: TestClient) -> None:
    _error(client.get("/api/calculate", params={**SHUOZHOU_DIBAO, "region": "北京"}), 404, "region")


def test_options_offer_each_documents_own_categories_findable_by_residents_words(client: TestClient) -> None:
    body = client.get("/api/options").json()
    assert body["today"] == "2023-10-10"
    by_name = {j["name"]: j for j in body["jurisdictions"]}
    assert set(by_name) == {"朔州市", "冷市镇", "沁源县", "乌拉特前旗", "山丹县"}
    shandan = {option["label"]: option for option in by_name["山丹县"]["statuses"]}
    assert "农村一、二类低保、城市低保全额保障对象" in shandan
    tekun = next(o for o in by_name["朔州市"]["statuses"] if o["label"] == "特困人员")
    assert "五保户" in tekun["words"]  # a resident's word for 特困
    assert any(o["kind"] == "situation" for o in by_name["冷市镇"]["statuses"])
    assert by_name["沁源县"]["facts"]


def test_each_offered_status_makes_its_category_apply(client: TestClient, console_service: ConsoleService) -> None:
    """Choosing an option must give the category it is labelled with, in every jurisdiction."""
    for jurisdiction in client.get("/api/options").json()["jurisdictions"]:
        document = console_service.newest(jurisdiction["name"])
        day = document.collection.start or document.collection.end
        assert day is not None
        facts = [("fact", f"{fact['id']}=yes") for fact in jurisdiction["facts"]]
        for option in jurisdiction["statuses"]:
            if option["kind"] != "status":
                continue
            params = [("region", jurisdiction["name"]), ("birth", "1980-05-01"), ("date", day.isoformat()), *facts,
                      *(("category", value) for value in option["values"])]
            body = client.get("/api/quote", params=params).json()
            assert option["label"] in body.get("categories", []), (jurisdiction["name"], option, body)


def test_the_openapi_description_names_every_api_path(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert {"/api/quote", "/api/ask", "/api/search", "/api/calculate", "/api/options"} <= set(document["paths"])
    names = {p["name"] for p in document["paths"]["/api/quote"]["get"]["parameters"]}
    assert {"region", "birth", "category", "date"} <= names


def test_the_page_uses_nothing_from_outside(client: TestClient) -> None:
    page = client.get("/").text
    assert "http://" not in page and "https://" not in page
    assert "default-src 'self'" in client.get("/").headers["content-security-policy"]
    for asset in ("static/console.js", "static/console.css"):
        response = client.get(f"/{asset}")
        assert response.status_code == 200
        assert "http://" not in response.text and "https://" not in response.text


def test_an_unknown_document_lists_those_there_are(client: TestClient) -> None:
    response = client.get("/doc/beijing-2024")
    assert response.status_code == 404
    assert "shuozhou-2024" in response.text


def test_statuses_are_read_from_what_the_resident_said(client: TestClient) -> None:
    body = client.get("/api/statuses", params={"region": "朔州", "q": "低报，还是五保户"}).json()
    assert set(body["keys"]) == {"dibao", "tekun"}  # a homophone and a resident's word, both in one answer
    # 山丹 pays 低保 by kind: the kinds are offered, none is chosen for the resident
    split = client.get("/api/statuses", params={"region": "山丹", "q": "低保"}).json()
    assert split == {"keys": [], "related": ["dibao_rural_1", "dibao_rural_3"]}


def test_an_unknown_status_word_is_explained(client: TestClient) -> None:
    body = _error(client.get("/api/statuses", params={"region": "朔州", "q": "宇航员"}), 422, "category")
    assert "宇航员" in body["message"]


def test_words_no_faq_entry_knows_find_the_passages_of_the_documents(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "斷保了怎麼辦"}).json()  # traditional characters too
    hits = [hit for hit in body["passages"] if hit["region"] == "冷市镇"]
    assert hits and "断保90天内" in hits[0]["excerpt"]
    page = client.get(hits[0]["href"].split("#")[0])
    assert f'id="{hits[0]["href"].split("#")[1]}"' in page.text
    assert client.get("/api/search", params={"q": "怎么吗"}).json()["passages"] == []  # question words alone


def test_a_question_not_understood_gets_one_reply_with_suggestions_not_one_per_county(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "我想问一下那个事"}).json()  # too vague for any entry
    assert body["kind"] != "answer"
    assert len(body["answers"]) == 1 and body["answers"][0]["region"] is None
    assert body["figures"] == []
