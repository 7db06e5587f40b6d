"""The command line as hotline staff use it: `python -m bot quote … --json`, run as a real subprocess."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

QUOTE_KEYS = {
    "region", "benefit_year", "standard_fee", "subsidy", "subsidy_payers", "personal_payment", "optional_addons",
    "deadline", "payable_on_date", "next_payable_date", "benefit_start", "benefit_end", "steps", "sources",
    "notes", "trace",
}
FEES = ("380", "350", "400")  # the standard fees of the five documents


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )


def _one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {lines}"
    return lines[0]


def test_a_json_quote_for_a_shuozhou_dibao_resident_carries_every_contract_key_and_76_yuan() -> None:
    # 朔州: 低保对象按个人缴费标准80%的比例给予定额资助 → 380 − 304 = 76.
    result = run("quote", "--region", "朔州", "--birth", "1980-05-01", "--category", "低保",
                 "--date", "2023-10-10", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) >= QUOTE_KEYS, f"missing keys: {QUOTE_KEYS - set(data)}"
    assert (data["region"], data["benefit_year"], data["standard_fee"]) == ("朔州市", 2024, 380)
    assert (data["subsidy"], data["personal_payment"]) == (304, 76)
    assert data["deadline"] == "2023-12-25"
    assert (data["benefit_start"], data["benefit_end"]) == ("2024-01-01", "2024-12-31")
    assert data["sources"] and data["trace"] and data["steps"]


def test_an_unparseable_birth_date_exits_2_with_one_line_naming_birth() -> None:
    result = run("quote", "--region", "朔州", "--birth", "abc", "--date", "2023-10-10", "--json")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "--birth" in _one_line(result.stderr)


def test_a_birth_after_the_payment_date_exits_2_with_one_line_naming_birth() -> None:
    result = run("quote", "--region", "朔州", "--birth", "2023-12-01", "--date", "2023-10-10", "--json")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "birth" in _one_line(result.stderr)


def test_an_unknown_category_exits_2_with_one_line_naming_category() -> None:
    result = run("quote", "--region", "朔州", "--birth", "1980-05-01", "--date", "2023-10-10",
                 "--category", "外星人", "--json")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "category" in _one_line(result.stderr)


def _assert_no_amount(text: str) -> None:
    assert not re.search(r"\d\s*元", text), text
    assert not any(fee in text for fee in FEES), text


def test_an_uncovered_place_exits_3_with_a_clear_message_and_no_amount() -> None:
    result = run("quote", "--region", "火星市", "--birth", "1980-05-01", "--date", "2023-10-10", "--json")
    assert result.returncode == 3
    assert result.stdout == ""
    line = _one_line(result.stderr)
    assert "region" in line and "火星市" in line and "不在" in line
    _assert_no_amount(result.stderr)


def test_an_uncovered_payment_date_exits_3_with_a_clear_message_and_no_amount() -> None:
    result = run("quote", "--region", "朔州", "--birth", "1980-05-01", "--date", "2025-10-10", "--json")
    assert result.returncode == 3
    assert result.stdout == ""
    line = _one_line(result.stderr)
    assert "date" in line and "2025-10-10" in line
    _assert_no_amount(result.stderr)


def test_check_validates_the_real_policies_and_exits_0() -> None:
    result = run("check")
    assert result.returncode == 0, result.stderr
    assert " 0 problems" in result.stdout
    assert result.stderr == ""


def test_a_mistyped_command_suggests_quote() -> None:
    result = run("quot")
    assert result.returncode == 2
    assert "quote" in _one_line(result.stderr).split("(did you mean", 1)[-1]
    assert "did you mean 'quote'" in result.stderr


def test_a_place_only_partly_ours_gets_no_fee_from_the_command_line() -> None:
    # 鄂托克前旗 contains 前旗 (our alias of 乌拉特前旗); 四川省清泉镇 names one of 山丹's towns under another province.
    for region in ("鄂托克前旗", "科尔沁右翼前旗", "湖北省黄冈市高桥村", "四川省清泉镇"):
        result = run("quote", "--region", region, "--birth", "1980-05-01", "--date", "2023-10-10")
        assert result.returncode == 3, (region, result.stdout, result.stderr)
        assert not any(fee + "元" in result.stdout + result.stderr for fee in FEES), region


def test_format_resident_prints_the_residents_messages_and_the_chosen_channel() -> None:
    # 朔州 低保: 380 − 304 = 76 (朔政办发〔2023〕29号 二（二）); 二（四）: 低保等特殊人群选择“特殊人群”.
    result = run("quote", "--region", "朔州", "--birth", "1980-05-01", "--category", "低保",
                 "--date", "2023-10-10", "--format", "resident", "--channel", "wechat_city")
    assert result.returncode == 0, result.stderr
    messages = result.stdout.strip().split("\n---\n")
    assert len(messages) >= 2
    assert len(messages[0]) <= 400 and "您需缴纳：76元" in messages[0] and "<b>" not in messages[0]
    assert "朔政办发〔2023〕29号 二（二）" in messages[0]
    assert "特殊人群" in messages[-1] and "城市服务" in messages[-1]


def test_an_unknown_channel_exits_2_naming_the_channels_on_offer() -> None:
    result = run("quote", "--region", "朔州", "--birth", "1980-05-01", "--date", "2023-10-10",
                 "--format", "resident", "--channel", "alipay")
    assert result.returncode == 2
    line = _one_line(result.stderr)
    assert "channel" in line and "wechat_city" in line


def test_a_date_after_every_document_exits_3_unless_a_reference_answer_is_asked_for() -> None:
    args = ("quote", "--region", "朔州", "--birth", "1980-05-01", "--category", "低保", "--date", "2026-11-22")
    refused = run(*args, "--json")
    assert refused.returncode == 3 and refused.stdout == ""
    result = run(*args, "--json", "--reference")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) >= QUOTE_KEYS
    assert (data["reference"], data["benefit_year"], data["personal_payment"]) == (True, 2024, 76)
    assert data["reference_date"] == "2023-11-22" and data["payment_date"] == "2026-11-22"
    covered = json.loads(run("quote", "--region", "朔州", "--birth", "1980-05-01", "--date", "2023-10-10",
                             "--json", "--reference").stdout)
    assert covered["reference"] is False and covered["reference_date"] is None
    resident = run(*args, "--format", "resident", "--reference")
    assert resident.stdout.startswith("参考：按2024年度文件计算，仅供参考；新年度标准以新通知为准")


# ------------------------------------------------------------------------------------------ bad input (issue 11)


def _main(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    from bot.cli import main

    try:
        code = main(list(args))
    except SystemExit as stop:
        code = int(stop.code or 0)
    return code, capsys.readouterr().err


@pytest.mark.parametrize("birth", ["0001-01-01", "1899-12-31", "9999-01-01"])
def test_an_iso_birth_date_gets_the_same_bounds_as_any_other(birth: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _main("quote", "--region", "朔州", "--birth", birth, "--date", "2023-10-10", capsys=capsys)
    assert code == 2 and "--birth" in _one_line(err)


@pytest.mark.parametrize("option", ["--fact", "--format", "--category", "--region", "--birth"])
def test_a_huge_argument_is_not_echoed_whole(option: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = {"--region": "朔州", "--birth": "1980-05-01", option: "事" * 5000}
    code, err = _main("quote", *[x for pair in args.items() for x in pair], "--date", "2023-10-10", capsys=capsys)
    assert code in (2, 3)
    assert len(_one_line(err)) < 400


@pytest.mark.parametrize("question", ["", "   "])
def test_an_empty_question_is_a_usage_error(question: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _main("ask", question, capsys=capsys)
    assert code == 2 and _one_line(err).startswith("error: question:")


def test_ask_reads_a_date_in_the_question_against_today(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    assert main(["ask", "--region", "朔州", "--today", "2023-11-10", "这个月26号能交吗"]) == 0
    out = capsys.readouterr().out
    assert "这个月26号（2023年11月26日）不能缴费" in out
    assert "最近能缴费的是2023年12月1日" in out
    code, err = _main("ask", "--today", "哪天", "这个月26号能交吗", capsys=capsys)
    assert code == 2 and "--today" in _one_line(err)
