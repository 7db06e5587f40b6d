"""The one user-facing error type: every bad input becomes one of these, caught in one place per channel."""

from __future__ import annotations


class UserInputError(Exception):
    """Input that the resident (or hotline user) can fix: names the field, what was expected, an example.

    `message` is the Chinese sentence shown to a resident; `field` and `example` let the CLI print one line
    such as ``--birth: 无法识别的日期「abc」，请按 YYYY-MM-DD 填写，例如 1958-03-02``.
    """

    def __init__(
        self,
        field: str,
        message: str,
        example: str | None = None,
        suggestions: tuple[str, ...] = (),
    ) -> None:
        self.field = field
        self.message = message
        self.example = example
        self.suggestions = suggestions
        super().__init__(self.one_line())

    def one_line(self) -> str:
        text = f"{self.field}: {self.message}"
        if self.suggestions:
            text += "（您是说：" + "、".join(self.suggestions) + "？）"
        if self.example:
            text += f"，例如 {self.example}"
        return text


class NotCoveredError(Exception):
    """A place or date no policy document covers: the answer is "we have no document", never a number."""

    def __init__(self, field: str, message: str, suggestions: tuple[str, ...] = ()) -> None:
        self.field = field
        self.message = message
        self.suggestions = suggestions
        super().__init__(self.one_line())

    def one_line(self) -> str:
        text = f"{self.field}: {self.message}"
        if self.suggestions:
            text += "（相近的地区：" + "、".join(self.suggestions) + "）"
        return text
