"""What engine jobs send back to the bot: light values (no statsmodels or matplotlib needed to read them).

The bot process unpickles these, so this module imports only other light modules.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.regression.figures import RenderedFigure
from bot.regression.steps import Step


@dataclass(frozen=True)
class Summary:
    """The headline of a fit, for the first message: equation, coefficients, R², n."""

    formula: str
    equation: str
    coefficients: tuple[tuple[str, str, str], ...]
    r_squared: float
    adj_r_squared: float
    n: int


@dataclass(frozen=True)
class Page:
    """A Step with its figure rendered (or None when the step has no picture)."""

    step: Step
    figure: RenderedFigure | None


@dataclass(frozen=True)
class PageView:
    """Everything one page of a paged message needs, from one job: the page, where it is, every step's
    title (for the jump menu), and for a walkthrough's first page the fit's summary."""

    page: Page
    index: int
    titles: tuple[str, ...]
    summary: Summary | None = None

    @property
    def total(self) -> int:
        """How many pages there are."""
        return len(self.titles)
