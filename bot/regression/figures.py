"""Figure specifications: plain data saying what a picture shows. ``plots.py`` turns them into PNGs.

A spec names dataset columns (the rows come from the dataset's frame at render time) and carries
everything computed by the engine (fitted lines, residuals, coefficients) as numbers, so that rendering
needs no model and the same spec renders the same picture in the CLI and in Discord.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.regression.formula import Expr

ColorKind = Literal["categorical", "numeric"]


@dataclass(frozen=True)
class Axis:
    """A dataset column on an axis, with the label to print (name and unit, e.g. ``completed (items)``).

    ``expr`` (a validated formula expression of ``column``, such as ``log(invest)``) plots its values
    instead of the raw column: a transformed response is drawn on the scale it was fitted on.
    """

    column: str
    label: str
    expr: Expr | None = None


@dataclass(frozen=True)
class ColorBy:
    """Colour points (and lines) by a column: a discrete palette for levels, a colormap for numbers."""

    column: str
    label: str
    kind: ColorKind
    levels: tuple[str, ...] = ()


@dataclass(frozen=True)
class FittedLine:
    """One fitted line or curve sampled at ``xs``.

    ``group`` is the level (categorical colour) or the value (numeric moderator) the line belongs to, so it
    gets the same colour as its points; ``None`` draws it in the neutral colour. Straight lines also carry
    ``intercept`` and ``slope``. ``label`` is the legend entry (the line's equation, or a short name when
    there are many lines). ``xs`` spans the data the line describes (its own group's range); ``extended``
    is the same line over the rest of the axis, drawn thin and dashed. ``pooled`` marks the line of the
    simple regression fitted to every row at once (drawn dashed in the neutral colour).
    """

    label: str
    xs: tuple[float, ...]
    ys: tuple[float, ...]
    group: str | float | None = None
    intercept: float | None = None
    slope: float | None = None
    dashed: bool = False
    extended: tuple[tuple[float, ...], tuple[float, ...]] | None = None
    pooled: bool = False


@dataclass(frozen=True)
class ScatterSpec:
    """Points of ``y`` against ``x``, optionally coloured, optionally with fitted lines drawn over them.

    ``note`` is a caption under the title (e.g. the values other predictors are held at). ``focus`` names
    levels of other columns the lines are drawn for: rows with those levels are drawn as usual, the rest
    faintly. ``jitter`` spreads points that sit on a grid of whole numbers so overlapping ones show.
    """

    title: str
    x: Axis
    y: Axis
    color: ColorBy | None = None
    lines: tuple[FittedLine, ...] = ()
    note: str | None = None
    focus: tuple[tuple[str, str], ...] = ()
    jitter: bool = False


@dataclass(frozen=True)
class BoxSpec:
    """Box plot of ``y`` for each level of ``group`` (with the points jittered over it)."""

    title: str
    group: Axis
    y: Axis
    levels: tuple[str, ...] = ()


@dataclass(frozen=True)
class HistogramSpec:
    """Histogram of one numeric column, optionally split by a categorical colour."""

    title: str
    x: Axis
    color: ColorBy | None = None


@dataclass(frozen=True)
class ResidualSpec:
    """Residuals against fitted values, with a zero line; ``response_label`` is the fitted scale's label."""

    title: str
    fitted: tuple[float, ...]
    residuals: tuple[float, ...]
    response_label: str


@dataclass(frozen=True)
class CoefficientSpec:
    """Estimates with their confidence intervals, one row per coefficient.

    ``units`` gives each coefficient's unit (``points``, ``points per item``); coefficients in different
    units are drawn in separate panels, one per unit in order of first appearance, so no axis mixes units.
    """

    title: str
    names: tuple[str, ...]
    estimates: tuple[float, ...]
    lows: tuple[float, ...]
    highs: tuple[float, ...]
    level: float = 0.95
    units: tuple[str, ...] = ()


FigureSpec = ScatterSpec | BoxSpec | HistogramSpec | ResidualSpec | CoefficientSpec


@dataclass(frozen=True)
class RenderedFigure:
    """A rendered picture: PNG bytes, a file name for the attachment, and alt text in words."""

    png: bytes
    filename: str
    alt_text: str
