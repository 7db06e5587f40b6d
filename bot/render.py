"""All wording lives in dialogs/templates as jinja2; this module only finds and fills the templates.

Two environments: HTML (Telegram) escapes every value, so a resident's text can never inject markup;
plain text (console, CLI) does not.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from functools import cache
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template
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


class _Environment(Environment):
    """A template's globals as one plain dict instead of jinja2's ChainMap over the environment's: every render
    copies them into its context, and iterating a ChainMap made that a sixth of the cost of a short reply. The
    globals are all set before the first template is loaded (`environment`), so a copy sees the same values."""

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}


@cache
def environment(output: Format) -> Environment:
    env = _Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        auto_reload=False,  # templates ship with the code: no stat() of the file on every render
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


@cache
def _template(template_id: str, output: Format) -> Template:
    return environment(output).get_template(f"{template_id}.j2")


def render(template_id: str, output: Format = "text", **context: Any) -> str:
    """Render dialogs/templates/<template_id>.j2."""
    return _template(template_id, output).render(**context).strip()
