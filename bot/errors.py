"""The user-facing error types: every bad input becomes one of these, caught in one place per channel."""

from __future__ import annotations


class ExplainedError(Exception):
    """An error a person can act on: which field, what is wrong, what would do (example, near names)."""

    suggestion_words = "您是说"

    def __init__(
        self, field: str, message: str, example: str | None = None, suggestions: tuple[str, ...] = ()
    ) -> None:
        self.field = field
        self.message = message
        self.example = example
        self.suggestions = suggestions
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """One line for the CLI, e.g. ``birth: 出生日期晚于缴费日期，例如 1958-03-02``."""
        text = f"{self.field}: {self.message}"
        if self.suggestions:
            text += f"（{self.suggestion_words}：" + "、".join(self.suggestions) + "？）"
        if self.example:
            text += f"，例如 {self.example}"
        return text


class UserInputError(ExplainedError):
    """Input the resident (or hotline user) can fix; `message` is the Chinese sentence shown to a resident."""


class NotCoveredError(ExplainedError):
    """A place or date no policy document covers: the answer is "we have no document", never a number."""

    suggestion_words = "相近的地区"

    def __init__(self, field: str, message: str, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(field, message, suggestions=suggestions)


class PartlyCoveredError(NotCoveredError):
    """A larger unit only part of which a document covers (安化县: only 冷市镇): offer the part, do not guess."""
