"""The unit every explanation is made of: a titled piece of Discord markdown with an optional figure."""

from __future__ import annotations

from dataclasses import dataclass

from bot.regression.figures import FigureSpec

# Discord's embed limits; every Step must fit one embed.
TITLE_LIMIT = 256
BODY_LIMIT = 4096
# The walkthrough page that reads every coefficient (it carries the "Check my reading" button).
MEANING_TITLE = "What the numbers mean"


@dataclass(frozen=True)
class Step:
    """One page of an explanation: ``title`` (<= 256 chars), ``body`` (markdown, <= 4096), ``figure``."""

    title: str
    body: str
    figure: FigureSpec | None = None

    def __post_init__(self) -> None:
        if len(self.title) > TITLE_LIMIT or len(self.body) > BODY_LIMIT:
            raise ValueError(f"step {self.title[:40]!r} exceeds Discord's embed limits")


def join_within(lines: list[str], limit: int, noun: str) -> str:
    """Lines joined by newlines, cut visibly (``… and 3 more columns``) so the text fits ``limit``."""
    kept: list[str] = []
    for i, line in enumerate(lines):
        tail = f"… and {len(lines) - i - 1} more {noun}" if i < len(lines) - 1 else ""
        if len("\n".join([*kept, line, tail])) > limit:
            kept.append(f"… and {len(lines) - i} more {noun}")
            break
        kept.append(line)
    return "\n".join(kept)
