"""Exploring a dataset before fitting: the figure for ``/plot`` from column names, checked and explained."""

from __future__ import annotations

from typing import Literal

from bot.regression.datasets import ColumnInfo, Dataset
from bot.regression.errors import UserInputError, suggestion
from bot.regression.figures import Axis, BoxSpec, ColorBy, FigureSpec, HistogramSpec, ScatterSpec

PlotKind = Literal["auto", "scatter", "box", "histogram"]
KINDS: tuple[PlotKind, ...] = ("auto", "scatter", "box", "histogram")


def _column(dataset: Dataset, name: str, role: str) -> ColumnInfo:
    """The column called ``name`` (case-insensitive when unambiguous), or a friendly error."""
    try:
        return dataset.column(name)
    except KeyError:
        matches = [c for c in dataset.columns if c.name.lower() == name.strip().lower()]
        if len(matches) == 1:
            return matches[0]
    raise UserInputError(
        f"There is no column `{name[:60]}` in `{dataset.name}` (for {role}).",
        suggestion(name, [c.name for c in dataset.columns]),
    )


def _color(dataset: Dataset, name: str | None) -> ColorBy | None:
    """Colour by a column: discrete for categorical, a colormap for numbers."""
    if not name:
        return None
    info = _column(dataset, name, "color")
    return ColorBy(info.name, info.label, info.kind, info.levels)


def plot_spec(dataset: Dataset, x: str, y: str, color: str | None = None, kind: str = "auto") -> FigureSpec:
    """The figure for ``/plot``: scatter (numeric x), box (categorical x), or histogram of y by x's groups."""
    if kind not in KINDS:
        raise UserInputError(f"`{kind[:30]}` is not a plot kind.", "Choose one of: " + ", ".join(KINDS) + ".")
    xi, yi = _column(dataset, x, "x"), _column(dataset, y, "y")
    if kind == "auto":
        kind = "box" if xi.kind == "categorical" else "scatter"
    if kind == "histogram":
        if yi.kind != "numeric":
            raise UserInputError(f"A histogram needs a numeric column; `{yi.name}` is categorical.")
        split = xi if xi.kind == "categorical" else None
        colour = (
            ColorBy(split.name, split.label, "categorical", split.levels) if split else _color(dataset, color)
        )
        return HistogramSpec(title=f"Distribution of {yi.name}", x=Axis(yi.name, yi.label), color=colour)
    if yi.kind != "numeric":
        raise UserInputError(
            f"`{yi.name}` is categorical; put a numeric column on the y axis.",
            "Try swapping x and y, or `kind:box` with the categorical column as x.",
        )
    if kind == "box":
        if xi.kind != "categorical":
            raise UserInputError(
                f"A box plot needs a categorical x; `{xi.name}` is numeric.",
                "Use `kind:scatter` for two numeric columns.",
            )
        return BoxSpec(
            title=f"{yi.name} by {xi.name}",
            group=Axis(xi.name, xi.label),
            y=Axis(yi.name, yi.label),
            levels=xi.levels,
        )
    if xi.kind != "numeric":
        raise UserInputError(
            f"A scatter plot needs a numeric x; `{xi.name}` is categorical.",
            "Use `kind:box` to compare groups, or colour a scatter by it with `color:`.",
        )
    return ScatterSpec(
        title=f"{yi.name} against {xi.name}",
        x=Axis(xi.name, xi.label),
        y=Axis(yi.name, yi.label),
        color=_color(dataset, color),
    )
