"""The OpenAPI description of the console's JSON API (served at /openapi.json)."""

from __future__ import annotations

from typing import Any

_ERROR = {"type": "object", "properties": {
    "error": {"type": "string", "enum": ["bad_parameter", "bad_input", "not_covered", "unauthorized"]},
    "field": {"type": "string", "description": "the parameter at fault: region, birth, date, category, fact …"},
    "message": {"type": "string", "description": "the one-line error, as the CLI prints it"},
    "suggestions": {"type": "array", "items": {"type": "string"}},
    "example": {"type": ["string", "null"]},
}}

_QUOTE_PARAMETERS: list[dict[str, Any]] = [
    {"name": "region", "in": "query", "required": True, "schema": {"type": "string"},
     "description": "参保地，如 朔州、乌前旗、冷市镇南华村", "example": "朔州"},
    {"name": "birth", "in": "query", "schema": {"type": "string"},
     "description": "出生日期 YYYY-MM-DD（也接受 1958年3月2日 等说法）", "example": "1980-05-01"},
    {"name": "category", "in": "query", "schema": {"type": "array", "items": {"type": "string"}},
     "style": "form", "explode": True, "description": "身份类别，可重复：低保、特困、监测户… 或词表 id"},
    {"name": "date", "in": "query", "schema": {"type": "string"},
     "description": "计划缴费日期 YYYY-MM-DD，默认今天", "example": "2023-10-10"},
    {"name": "fact", "in": "query", "schema": {"type": "array", "items": {"type": "string"}},
     "style": "form", "explode": True, "description": "补充条件 id=yes|no，如 county_finance_registered=yes"},
    {"name": "non_local", "in": "query", "schema": {"type": "boolean"}, "description": "非本地户籍"},
    {"name": "reference", "in": "query", "schema": {"type": "boolean"},
     "description": "日期晚于所有文件时，按最新文件给出标明“参考”的答案（同 quote --reference）"},
]

_QUOTE = {"type": "object", "description": "the same object as `python -m bot quote --json`", "properties": {
    name: {} for name in (
        "region", "document_id", "document_title", "benefit_year", "standard_fee", "subsidy", "subsidy_payers",
        "personal_payment", "optional_addons", "deadline", "payable_on_date", "next_payable_date", "payment_date",
        "benefit_start", "benefit_end", "benefit_text", "path", "path_label", "categories", "winning_category",
        "steps", "sources", "notes", "trace", "missing_facts", "enquiries", "document_short", "channels",
        "registration_steps", "registration_required", "status_steps", "window_opens_text", "reference",
        "reference_date")
}}


def _errors(*codes: int) -> dict[str, Any]:
    words = {400: "参数无法读取", 401: "需要访问口令", 404: "没有覆盖该地区或日期的政策文件（附原因）",
             422: "参数可读但不成立（如出生日期晚于缴费日期）"}
    return {str(code): {"description": words[code],
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            for code in codes}


def _get(summary: str, parameters: list[dict[str, Any]], schema: dict[str, Any], *codes: int) -> dict[str, Any]:
    return {"get": {"summary": summary, "parameters": parameters, "responses": {
        "200": {"description": "OK", "content": {"application/json": {"schema": schema}}}, **_errors(401, *codes)}}}


def openapi_document() -> dict[str, Any]:
    region = {"name": "region", "in": "query", "schema": {"type": "string"},
              "description": "参保地；不填为全部地区"}
    return {
        "openapi": "3.1.0",
        "info": {"title": "城乡居民医保缴费助手：热线查询台 API", "version": "1",
                 "description": "Answers from the cited policy documents. With BOT_WEB_TOKEN set, send "
                                "`Authorization: Bearer <token>`."},
        "paths": {
            "/api/quote": _get("缴费计算（与 quote --json 相同）", _QUOTE_PARAMETERS,
                               {"$ref": "#/components/schemas/Quote"}, 400, 404, 422),
            "/api/calculate": _get(
                "缴费计算，附每个数字的原文依据与给居民的短信文本；超出文件日期时给出标明的参考答案",
                _QUOTE_PARAMETERS, {"type": "object", "properties": {
                    "covered": {"type": "boolean"}, "reason": {"type": ["string", "null"]},
                    "reference": {"type": "boolean"}, "reference_label": {"type": ["string", "null"]},
                    "quote": {"$ref": "#/components/schemas/Quote"},
                    "figures": {"type": "array", "items": {"type": "object"}},
                    "sources": {"type": "array", "items": {"$ref": "#/components/schemas/Source"}},
                    "resident_text": {"type": "string"},
                    "resident_channels": {"type": "array", "items": {"type": "object"}},
                    "resident_texts": {"type": "object", "additionalProperties": {"type": "string"}}}},
                400, 404, 422),
            "/api/ask": _get("问答（与 ask --json 相同）",
                             [{"name": "q", "in": "query", "required": True, "schema": {"type": "string"}}, region],
                             {"type": "object"}, 400, 404, 422),
            "/api/search": _get("边输入边搜索：一个或全部地区的问答，并列显示，附原文链接",
                                [{"name": "q", "in": "query", "schema": {"type": "string"}}, region],
                                {"type": "object"}, 404, 422),
            "/api/statuses": _get(
                "把居民说的身份（如“低报和残疾”“五保户”）对应到该地区文件自己的类别",
                [{"name": "region", "in": "query", "required": True, "schema": {"type": "string"}},
                 {"name": "q", "in": "query", "required": True, "schema": {"type": "string"}}],
                {"type": "object", "properties": {"keys": {"type": "array", "items": {"type": "string"}},
                                                  "related": {"type": "array", "items": {"type": "string"}}}},
                400, 404, 422),
            "/api/options": _get("计算器的选项：各地区文件自己的身份类别（附居民常用说法）、补充条件", [],
                                 {"type": "object"}),
        },
        "components": {"schemas": {
            "Error": _ERROR,
            "Quote": _QUOTE,
            "Source": {"type": "object", "properties": {
                "document": {"type": "string"}, "section": {"type": "string"}, "quote": {"type": "string"},
                "document_id": {"type": ["string", "null"]},
                "href": {"type": ["string", "null"], "description": "the passage in the document view"}}},
        }},
    }
