"""Figure specifications: plain data saying what a picture shows. ``plots.py`` turns them into PNGs.

A spec names dataset columns (the rows come from the dataset's frame at render time) and carries
everything computed by the engine (fitted lines, residuals, coefficients) as numbers, so that rendering
needs no model and the same spec renders the same picture in the CLI and in Discord.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ColorKind = Literal["categorical", "numeric"]


@dataclass(frozen=True)
class Axis:
    """A dataset column on an axis, with the label to print (name and unit, e.g. ``completed (items)``)."""

    column: str
    label: str


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
    ``intercept`` and ``slope``. ``label`` is the legend entry (usually the line's equation).
    """

    label: str
    xs: tuple[float, ...]
    ys: tuple[float, ...]
    group: str | float | None = None
    intercept: float | None = None
    slope: float | None = None
    dashed: bool = False


@dataclass(frozen=True)
class ScatterSpec:
    """Points of ``y`` against ``x``, optionally coloured, optionally with fitted lines drawn over them."""

    title: str
    x: Axis
    y: Axis
    color: ColorBy | None = None
    lines: tuple[FittedLine, ...] = ()
    note: str | None = None


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
    """Residuals against fitted values, with a zero line."""

    title: str
    fitted: tuple[float, ...]
    residuals: tuple[float, ...]
    response_label: str


@dataclass(frozen=True)
class CoefficientSpec:
    """Estimates with their confidence intervals, one row per coefficient."""

    title: str
    names: tuple[str, ...]
    estimates: tuple[float, ...]
    lows: tuple[float, ...]
    highs: tuple[float, ...]
    level: float = 0.95


FigureSpec = ScatterSpec | BoxSpec | HistogramSpec | ResidualSpec | CoefficientSpec


@dataclass(frozen=True)
class RenderedFigure:
    """A rendered picture: PNG bytes, a file name for the attachment, and alt text in words."""

    png: bytes
    filename: str
    alt_text: str
