"""What engine jobs send back to the bot: light values (no statsmodels or matplotlib needed to read them).

The bot process unpickles these, so this module imports only other light modules.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

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
    """A Step with its figure rendered (or None when the step has no picture).

    A draft page (the words first) has ``to_draw`` set to the figure's file name while ``figure`` is a
    same-sized placeholder; ``step.figure`` is what to draw.
    """

    step: Step
    figure: RenderedFigure | None
    to_draw: str | None = None

    def drawn(self, figure: RenderedFigure) -> Page:
        """This page with its figure in place of the placeholder."""
        return replace(self, figure=figure, to_draw=None)

    def without_figure(self) -> Page:
        """This page with no picture (when drawing it failed)."""
        return replace(self, figure=None, to_draw=None)


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

    def with_page(self, page: Page) -> PageView:
        """The same view showing ``page`` (the drawn or figure-less version of its draft)."""
        return replace(self, page=page)
