"""`python -m bot ask [--region R] "QUESTION" [--json]`: the FAQ answer, for hotline staff and scripts."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from bot.errors import UserInputError
from bot.faq.service import build_faq_service
from bot.policy.loader import default_knowledge_base
from bot.quote.engine import QuoteEngine


def run(args: argparse.Namespace) -> int:
    if not args.question.strip():
        raise UserInputError("question", "问题不能为空", example='python -m bot ask "新生儿怎么参保"')
    service = build_faq_service(QuoteEngine(default_knowledge_base()))
    result = service.ask(args.question, args.region, today=args.today)  # NotCoveredError/UserInputError: bot.cli reports them
    if args.json:
        data = asdict(result)
        data["score"] = round(result.score, 1)
        data.pop("template")
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(result.answer)
    return 0
