"""All wording lives in dialogs/templates as jinja2; this module only finds and fills the templates.

Two environments: HTML (Telegram) escapes every value, so a resident's text can never inject markup;
plain text (console, CLI) does not.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

TEMPLATE_DIR = Path(__file__).resolve().parents[1] / "dialogs" / "templates"

Format = Literal["text", "html"]


def _yuan(value: int | None) -> str:
    return "未知" if value is None else f"{value}元"


def _day(value: Any) -> str:
    if value is None:
        return "文件未写明"
    return f"{value.year}年{value.month}月{value.day}日"


def _strong(value: Any, html: bool) -> Any:
    """Telegram HTML emphasis, the value escaped; plain text unchanged."""
    return Markup(f"<b>{escape(value)}</b>") if html else value


@cache
def environment(output: Format) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=output == "html",
        undefined=StrictUndefined,  # a misspelt variable fails the test instead of printing nothing
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["yuan"] = _yuan
    env.filters["day"] = _day
    env.globals["html"] = output == "html"
    env.filters["strong"] = lambda value: _strong(value, output == "html")
    return env


def render(template_id: str, output: Format = "text", **context: Any) -> str:
    """Render dialogs/templates/<template_id>.j2."""
    return environment(output).get_template(f"{template_id}.j2").render(**context).strip()
