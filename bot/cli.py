"""Command line: `python -m bot <command>`. User errors are caught here, in one place, as one clear line."""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from collections.abc import Callable, Sequence
from datetime import date
from typing import NoReturn

from bot.errors import NotCoveredError, UserInputError

EXIT_USAGE = 2  # a bad argument: fix the input
EXIT_NOT_COVERED = 3  # a place or date no document covers


class _Parser(argparse.ArgumentParser):
    """argparse that answers a mistyped command with "did you mean" and exits 2 with one line."""

    def error(self, message: str) -> NoReturn:
        message = _QUOTED.sub(lambda m: f"'{clip(m.group(1))}'", message)  # a pasted essay is not echoed whole
        if "invalid choice" in message and self._subparsers is not None:
            typed = message.split("'")[1] if "'" in message else ""
            names = [name for action in self._subparsers._group_actions
                     for name in getattr(action, "choices", {}) or {}]
            close = difflib.get_close_matches(typed, names, n=1)
            if close:
                message += f" (did you mean '{close[0]}'?)"
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


ECHO_LIMIT = 40  # characters of a bad argument repeated in its error message


def clip(text: str, limit: int = ECHO_LIMIT) -> str:
    """`text` as echoed in an error: at most `limit` characters, then how long it was."""
    return text if len(text) <= limit else f"{text[:limit]}…（共{len(text)}字）"


_QUOTED = re.compile(r"'([^']*)'")


def _iso_or_words(field: str) -> Callable[[str], date]:
    def convert(text: str) -> date:
        from bot.parsing.dates import check_birth_date, parse_birth_date, parse_payment_date

        try:
            day = date.fromisoformat(text)
        except ValueError:
            day = None
        try:
            if day is not None:
                # The ISO form gets the same bounds as any other: no birth before 1900 or after today.
                return check_birth_date(day, today=date.today()) if field == "birth" else day
            # Hotline staff may paste what the resident said (2023年9月1日, 九月一号): accept those too.
            parse = parse_birth_date if field == "birth" else parse_payment_date
            return parse(text, today=date.today())
        except UserInputError as error:
            raise argparse.ArgumentTypeError(f"{error.message}（应为 YYYY-MM-DD，例如 {_EXAMPLES[field]}）") from None

    convert.__name__ = field
    return convert


_EXAMPLES = {"birth": "1958-03-02", "date": "2023-09-01"}


def _fact(text: str) -> tuple[str, bool]:
    key, sep, value = text.partition("=")
    answers = {"yes": True, "y": True, "是": True, "true": True, "no": False, "n": False, "否": False, "false": False}
    if not sep or value.strip().lower() not in answers:
        raise argparse.ArgumentTypeError(
            f"应为 条件=yes 或 条件=no，例如 county_finance_registered=yes，而不是「{clip(text)}」")
    return key.strip(), answers[value.strip().lower()]


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m bot", description="城乡居民医保缴费助手")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    quote = commands.add_parser("quote", help="compute what a resident pays, when, and how (cited)")
    quote.add_argument("--region", required=True, help="参保地，如 朔州、乌前旗、冷市镇南华村")
    quote.add_argument("--birth", required=True, type=_iso_or_words("birth"), help="出生日期 YYYY-MM-DD")
    quote.add_argument("--category", action="append", default=[], help="身份类别，可重复：低保、特困、监测户…")
    quote.add_argument("--date", type=_iso_or_words("date"), default=None,
                       help="计划缴费日期 YYYY-MM-DD（默认今天）")
    quote.add_argument("--fact", action="append", default=[], type=_fact, help="补充条件 id=yes|no")
    quote.add_argument("--non-local", action="store_true", help="非本地户籍（在居住地参保）")
    quote.add_argument("--json", action="store_true", help="print one JSON object (same as --format json)")
    quote.add_argument("--format", choices=("text", "json", "resident", "copy"), default=None,
                       help="resident: the messages a resident receives, separated by lines '---'")
    quote.add_argument("--channel", default=None,
                       help="with --format resident: also the steps of this payment channel (id, or 'register')")
    quote.add_argument("--reference", action="store_true",
                       help="for a date after every document: answer from the newest one, marked reference")

    check = commands.add_parser("check", help="validate every policy file and citation")
    check.add_argument("--mutations", action="store_true",
                       help="also change every cited figure once and require check to reject each change")

    chat = commands.add_parser("chat", help="chat in the terminal (the console channel)")
    chat.add_argument("--region", default=None, help="start with this region already answered")
    chat.add_argument("--state", default=None, help="SQLite state file (default: BOT_STATE_PATH or ./state)")
    chat.add_argument("--user", default="console", help="conversation key in the store")

    replay = commands.add_parser("replay", help="replay scripted dialogs and report pass/fail")
    replay.add_argument("paths", nargs="+", help="script files or folders")

    ask = commands.add_parser("ask", help="answer a free-text question from the FAQ")
    ask.add_argument("question")
    ask.add_argument("--region", default=None)
    ask.add_argument("--json", action="store_true")
    ask.add_argument("--today", type=_iso_or_words("date"), default=None,
                     help="读问题里的日期（这个月26号、下个月）所依据的今天，默认今天")

    commands.add_parser("telegram", help="run the Telegram bot (needs BOT_TOKEN)")

    serve = commands.add_parser("serve", help="run the Telegram webhook as an ASGI app with several workers")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (more than 1 needs BOT_STORE)")
    serve.add_argument("--port", type=int, default=None, help="listen on this port (default: BOT_WEBHOOK_PORT)")
    serve.add_argument("--no-set-webhook", action="store_true",
                       help="do not call setWebhook at start (it is already set, e.g. by another host)")

    migrate = commands.add_parser("migrate", help="create or upgrade the state store's schema (BOT_STORE)")
    migrate.add_argument("--store", default=None, help="postgresql:// URL (default: BOT_STORE)")

    web = commands.add_parser("web", help="run the hotline console, a web page (BOT_WEB_TOKEN: optional token)")
    web.add_argument("--port", type=int, default=8080)
    web.add_argument("--host", default="127.0.0.1", help="listen address (0.0.0.0 to serve the office network)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handlers: dict[str, Callable[[argparse.Namespace], int]] = {
        "quote": _run_quote,
        "check": _run_check,
        "chat": _lazy("bot.channels.console", "run"),
        "replay": _lazy("bot.dialog.replay", "run"),
        "ask": _lazy("bot.faq.cli", "run"),
        "telegram": _lazy("bot.channels.telegram", "run"),
        "serve": _lazy("bot.channels.webhook", "run"),
        "migrate": _lazy("bot.dialog.migrate", "run"),
        "web": _lazy("bot.web.app", "run"),
    }
    try:
        return handlers[args.command](args)
    except UserInputError as error:
        print(f"error: {error.one_line()}", file=sys.stderr)
        return EXIT_USAGE
    except NotCoveredError as error:
        print(f"not covered: {error.one_line()}", file=sys.stderr)
        return EXIT_NOT_COVERED


def _lazy(module: str, name: str) -> Callable[[argparse.Namespace], int]:
    """Import a command's module only when it runs: `quote` must not pay for Telegram's import time."""

    def run(args: argparse.Namespace) -> int:
        import importlib

        handler: Callable[[argparse.Namespace], int] = getattr(importlib.import_module(module), name)
        return handler(args)

    return run


def _run_quote(args: argparse.Namespace) -> int:
    from bot.policy.loader import default_knowledge_base
    from bot.quote.engine import QuoteEngine
    from bot.quote.render import render_quote_text
    from bot.quote.result import QuoteRequest

    engine = QuoteEngine(default_knowledge_base())
    request = QuoteRequest(
        region=args.region,
        birth=args.birth,
        payment_date=args.date or date.today(),
        categories=tuple(args.category),
        facts=tuple(args.fact),
        local_hukou=not args.non_local,
        reference=args.reference,
    )
    output = args.format or ("json" if args.json else "text")
    if args.channel is not None and output not in ("resident", "copy"):
        raise UserInputError("channel", "--channel 只能与 --format resident 一起使用", example="--format resident")
    result = engine.quote(request)
    if output == "json":
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    elif output in ("resident", "copy"):
        from bot.resident import resident_messages

        # copy: the same messages for staff to paste into an SMS or WeChat, with no mention of buttons.
        print("\n---\n".join(resident_messages(result, "text", channel=args.channel, buttons=output == "resident")))
    else:
        print(render_quote_text(result))
    return 0


def _run_check(args: argparse.Namespace) -> int:
    from bot.policy.check import run_check

    return run_check(mutations=args.mutations)


if __name__ == "__main__":
    sys.exit(main())
