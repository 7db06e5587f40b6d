"""Parsers for what residents type: turn free text into values or a UserInputError that says how to fix it."""

from bot.parsing.dates import MAX_INPUT_CHARS, Prefer, parse_birth_date, parse_date, parse_payment_date

__all__ = ["MAX_INPUT_CHARS", "Prefer", "parse_birth_date", "parse_date", "parse_payment_date"]
