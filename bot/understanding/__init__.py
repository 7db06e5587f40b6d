"""Reading everything a resident's message says: place, dates and their roles, ages, statuses (added or
removed), yes/no facts, household registration, commands. No channel imports, no I/O, no clock (today is given).

`Reader.understand(text, step, today)` returns an `Understanding`; the dialog applies what it found."""

from bot.understanding.reader import Reader
from bot.understanding.result import Found, Understanding

__all__ = ["Found", "Reader", "Understanding"]
