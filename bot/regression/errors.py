"""Errors the engine raises for user mistakes: each carries a friendly message that says what to change."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class UserInputError(Exception):
    """A mistake in what the user typed or uploaded; ``message`` is safe to show to them as it is."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __reduce__(self) -> tuple[type, tuple[str, str | None]]:
        """Pickle with every field (errors cross from worker processes to the bot)."""
        return (type(self), (self.message, self.hint))

    def render(self) -> str:
        """The whole explanation as plain text (message, then the hint on its own line)."""
        return self.message if not self.hint else f"{self.message}\n{self.hint}"


class UnknownDatasetError(UserInputError):
    """The user named a dataset that does not exist (here)."""


class FormulaError(UserInputError):
    """A formula that cannot be parsed or does not fit the dataset.

    ``position`` (0-based, in ``formula``) and ``length`` locate the offending text for a caret line.
    """

    def __init__(
        self,
        message: str,
        formula: str,
        position: int | None = None,
        length: int = 1,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint)
        self.formula = formula
        self.position = position
        self.length = max(1, length)

    def __reduce__(self) -> tuple[type, tuple[str, str, int | None, int, str | None]]:  # type: ignore[override]
        """Pickle with every field, including the position of the caret."""
        return (type(self), (self.message, self.formula, self.position, self.length, self.hint))

    def caret_lines(self, max_width: int = 80) -> str:
        """The formula with a caret line under the offending part, windowed to ``max_width`` characters."""
        if self.position is None:
            return self.formula[:max_width]
        start = max(0, min(self.position - max_width // 2, len(self.formula) - max_width))
        shown = self.formula[start : start + max_width]
        pad = self.position - start
        width = max(1, min(self.length, len(shown) - pad))
        return f"{shown}\n{' ' * pad}{'^' * width}"

    def render(self) -> str:
        parts = [self.message, self.caret_lines()]
        if self.hint:
            parts.append(self.hint)
        return "\n".join(parts)


class ModelError(UserInputError):
    """A formula that parses but cannot be fitted on this data (too few rows, constant column, ...)."""


class ValueParseError(UserInputError):
    """Values for a prediction that do not parse or do not fit the model's predictors."""


def close_matches(name: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """Candidates that look like ``name`` (case-insensitive), best first."""
    options = list(candidates)
    lowered = {c.lower(): c for c in options}
    hits = difflib.get_close_matches(name.lower(), list(lowered), n=n, cutoff=0.6)
    return [lowered[h] for h in hits]


def suggestion(name: str, candidates: Iterable[str], what: str = "column") -> str:
    """A hint naming close matches, or listing every candidate when nothing is close."""
    options = list(candidates)
    close = close_matches(name, options)
    if close:
        return "Did you mean " + " or ".join(f"`{c}`" for c in close) + "?"
    listed = ", ".join(f"`{c}`" for c in options[:40])
    more = f" and {len(options) - 40} more" if len(options) > 40 else ""
    return f"The {what}s are: {listed}{more}."
