"""The API answers exactly as the CLI does: every quote test case through both, and a sample of FAQ questions.

The CLI runs in-process (`bot.cli.main`), so both sides use the same knowledge base and the same code paths
that staff and scripts use.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from starlette.testclient import TestClient

from bot.cli import EXIT_NOT_COVERED, EXIT_USAGE, main

CASES_DIR = Path(__file__).parents[1] / "quote" / "cases"
CASES = [case for path in sorted(CASES_DIR.glob("*.yaml")) for case in yaml.safe_load(path.read_text("utf-8"))]
EVAL_SET = Path(__file__).parents[1] / "faq" / "eval_set.yaml"


def _yes(value: Any) -> str:
    return "yes" if value else "no"


def _cli_args(case: dict[str, Any]) -> list[str]:
    args = ["quote", "--region", str(case["region"]), "--birth", str(case["birth"]), "--date", str(case["date"])]
    for word in case.get("categories", []):
        args += ["--category", str(word)]
    for key, value in (case.get("facts") or {}).items():
        args += ["--fact", f"{key}={_yes(value)}"]
    if not case.get("local_hukou", True):
        args.append("--non-local")
    return [*args, "--json"]


def _api_params(case: dict[str, Any]) -> list[tuple[str, str]]:
    params = [("region", str(case["region"])), ("birth", str(case["birth"])), ("date", str(case["date"]))]
    params += [("category", str(word)) for word in case.get("categories", [])]
    params += [("fact", f"{key}={_yes(value)}") for key, value in (case.get("facts") or {}).items()]
    if not case.get("local_hukou", True):
        params.append(("non_local", "true"))
    return params


def test_there_are_cases_from_every_document() -> None:
    assert len(CASES) > 100
    assert {case["region"] for case in CASES} >= {"朔州", "冷市镇", "沁源", "山丹"}


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_the_api_answers_each_quote_case_as_the_cli_does(
    case: dict[str, Any], client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(_cli_args(case))
    out, err = capsys.readouterr()
    response = client.get("/api/quote", params=_api_params(case))
    if code == 0:
        assert response.status_code == 200, response.text
        assert response.json() == json.loads(out)
    elif code == EXIT_USAGE:
        assert response.status_code in (400, 422), response.text
        assert err.strip() == f"error: {response.json()['message']}"
    else:
        assert code == EXIT_NOT_COVERED
        assert response.status_code == 404, response.text
        assert err.strip() == f"not covered: {response.json()['message']}"


NOT_COVERED_DATES = [case for case in CASES if case.get("error") == "date"]


@pytest.mark.parametrize("case", NOT_COVERED_DATES, ids=[case["name"] for case in NOT_COVERED_DATES])
def test_a_reference_answer_is_the_clis_reference_answer(
    case: dict[str, Any], client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main([*_cli_args(case), "--reference"])
    out, err = capsys.readouterr()
    response = client.get("/api/quote", params=[*_api_params(case), ("reference", "true")])
    if code == 0:
        assert response.status_code == 200, response.text
        assert response.json() == json.loads(out)
        assert response.json()["reference"] is True
    else:
        assert code == EXIT_NOT_COVERED  # a date before every document: no reference answer
        assert response.status_code == 404
        assert err.strip() == f"not covered: {response.json()['message']}"


@pytest.mark.parametrize("case", CASES[::10], ids=[case["name"] for case in CASES[::10]])
def test_the_copy_for_the_resident_is_what_the_resident_receives(
    case: dict[str, Any], client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    """The calculator's text is `quote --format copy`: the resident's messages (blank lines between them), worded
    for an SMS or WeChat message, with no button to point at."""
    code = main([*_cli_args(case)[:-1], "--format", "copy"])
    out, _ = capsys.readouterr()
    response = client.get("/api/calculate", params=_api_params(case))
    if code != 0:
        assert response.status_code in (400, 404, 422)
        return
    body = response.json()
    assert body["resident_text"] == out.strip().replace("\n---\n", "\n\n")
    for channel in body["resident_channels"]:
        main([*_cli_args(case)[:-1], "--format", "copy", "--channel", channel["id"]])
        out, _ = capsys.readouterr()
        assert body["resident_texts"][channel["id"]] == out.strip().replace("\n---\n", "\n\n")


def _questions() -> list[str]:
    queries = yaml.safe_load(EVAL_SET.read_text("utf-8"))["queries"]
    return [entry["query"] for entry in queries[::6]]  # one in six: every topic, kept quick


@pytest.mark.parametrize("region", [None, "朔州", "冷市镇", "沁源", "乌拉特前旗", "山丹"])
def test_ask_answers_as_the_cli_does(region: str | None, client: TestClient,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    for question in _questions():
        code = main(["ask", question, "--json", *(["--region", region] if region else [])])
        out, _ = capsys.readouterr()
        assert code == 0
        params = {"q": question, **({"region": region} if region else {})}
        assert client.get("/api/ask", params=params).json() == json.loads(out), question
