"""Figure specs -> matplotlib figures, PNG bytes and alt text.

Only the matplotlib object API is used (``Figure`` + ``FigureCanvasAgg``), never pyplot: no figure is
registered anywhere global, so a rendered figure is freed like any other object, and rendering is safe in
the worker processes of a server. User text (column names, levels, equations) is always drawn with
``parse_math=False`` so a ``$`` is shown as it is and never starts mathtext. Every number drawn (tick
labels included) or written in alt text goes through ``text.number`` (``text.value_text`` for data values
as typed), so the figure, its alt text and the walkthrough write a number the same way.

Artists that tests (and curious readers) can look up by ``gid``: ``"points"`` (scatter collections: one per
level, labelled with the level, for categorical colour), ``"points-faded"`` (rows outside a scatter's
focus, drawn faintly), ``"fitted-line"`` (one ``Line2D`` per fitted line, labelled with its equation),
``"fitted-line-extension"`` (the same line beyond its group's range), ``"pooled-line"`` (the line of the
simple regression over all rows), ``"zero-line"``, ``"box"``/``"mean"`` (box plot), ``"bars"``
(histogram: a ``Rectangle`` per bin, or when stacked one collection of bins per level),
``"estimates"``/``"intervals"`` (coefficient plot, on each panel) and ``"no-data"`` (the empty-data
message).

Rendering is fast enough to draw while a user waits: the layout is fixed (``_arrange`` measures the texts
around the axes instead of running matplotlib's constrained layout), each figure starts as a copy of a
pickled template of styled axes (``_template``), text metrics are measured once per process, ticks
outside the view are never built, and the PNG is written without filters at a low zlib level (``_png``).
"""

from __future__ import annotations

import io
import itertools
import math
import pickle
import re
import struct
import textwrap
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, Literal

import numpy as np
import pandas as pd
from matplotlib import colormaps, patheffects, rc_context, rcParams
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.axis import Axis as MplAxis
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.collections import PolyCollection
from matplotlib.colors import Colormap, ListedColormap, Normalize, to_hex, to_rgba
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.legend import Legend
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.ticker import Formatter, MaxNLocator
from matplotlib.transforms import Bbox
from PIL import Image

from bot.regression import design
from bot.regression.figures import (
    Axis,
    BoxSpec,
    CoefficientSpec,
    FigureSpec,
    FittedLine,
    HistogramSpec,
    RenderedFigure,
    ResidualSpec,
    ScatterSpec,
)
from bot.regression.text import decimals_for, listing, number, one_line, value_text

Theme = Literal["light", "dark"]

#: Okabe-Ito colours without black, in the order levels get them on a light background (up to 7 levels).
CATEGORICAL_COLORS = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442")
#: The same colours in the order used on a dark background (the darkest blue last).
CATEGORICAL_COLORS_DARK = ("#56B4E9", "#E69F00", "#009E73", "#F0E442", "#CC79A7", "#D55E00", "#0072B2")
_TAB20 = tuple(to_hex(colormaps["tab20"](i)) for i in range(20))
#: 8 to 20 levels: matplotlib's tab20, its ten strong colours first (they read on white), then the light ones.
MANY_COLORS = _TAB20[0::2] + _TAB20[1::2]
#: The same colours for a dark background: the light ones first.
MANY_COLORS_DARK = _TAB20[1::2] + _TAB20[0::2]
#: Markers: one marker while the levels fit the Okabe-Ito colours; beyond that level ``i`` gets colour
#: ``i % 20`` and marker ``i % 7``, so no two of up to 140 levels share both.
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
#: Perceptually uniform colormap for numeric colouring (its low-contrast end is cut per theme).
SEQUENTIAL_COLORMAP = "viridis"

DPI = 110
FIGSIZE = (8.0, 5.0)
ALT_TEXT_LIMIT = 1000
MIN_BINS, MAX_BINS = 10, 40
JITTER_SEED = 20240601
#: Jitter of a scatter on a grid of whole numbers, as a share of the smallest gap between distinct values.
JITTER_SHARE = 0.3
#: Opacity of the rows outside a scatter's focus.
FADED_ALPHA = 0.2
NO_DATA_MESSAGE = "No data to plot: no rows without missing values."
_NO_DATA_ALT = ": no data to plot (no rows without missing values)"

_TITLE_CHARS = 90
_TITLE_WRAP = 78
_AXIS_LABEL_CHARS = 70
_LEGEND_LABEL_CHARS = 70
_TICK_LABEL_CHARS = 30
_LEVEL_TICK_CHARS = 20
_NOTE_CHARS = 240
_SHORT_LEGEND_LABEL = 28
_RIGHT_LEGEND_ROWS = 14
_BOTTOM_LEGEND_ROWS = 8
_LEGEND_FONT = FontProperties(size=9.5)
#: The fixed layout (``_arrange``), in inches: from the figure's edge to anything drawn, between the title,
#: the axes and a legend below, between stacked panels, and the colour bar's gap and width.
_EDGE_INCHES = 0.1
_GAP_INCHES = 0.12
_PANEL_GAP_INCHES = 0.2
_BAR_GAP_INCHES = 0.15
_BAR_INCHES = 0.18
#: matplotlib's gaps (points) between tick labels and an axis label, and between the axes and a title.
_LABEL_PAD_POINTS = 4.0
_TITLE_PAD_POINTS = 6.0
#: How many ticks each axis of a figure template has made ahead (see ``_template``).
_TEMPLATE_TICKS = 8
#: zlib level of the PNGs (see ``_png``).
_PNG_COMPRESS_LEVEL = 3
#: How the bot's figures set text: unhinted glyphs (FreeType's autohinter costs a sixth of a figure's
#: drawing, and at this DPI unhinted text reads as well). Scoped to the bot's figures (``draw`` and their
#: canvas), so that other matplotlib users in the same process keep their settings.
_TEXT_STYLE = {"text.hinting": "no_hinting"}
_COEFFICIENT_ROW_INCHES = 0.36
_COEFFICIENT_PANEL_INCHES = 0.7
_USER_TEXT: dict[str, Any] = {"parse_math": False, "usetex": False}
_FILENAME_STEMS = {
    ScatterSpec: "scatter",
    BoxSpec: "box",
    HistogramSpec: "histogram",
    ResidualSpec: "residuals",
    CoefficientSpec: "coefficients",
}


@dataclass(frozen=True)
class _Palette:
    """The colours of one theme."""

    figure: str
    axes: str
    text: str
    muted: str
    grid: str
    neutral: str
    points: str
    categorical: tuple[str, ...]
    many: tuple[str, ...]
    colormap: Colormap


def _cut_colormap(name: str, low: float, high: float) -> Colormap:
    """The part of a colormap between ``low`` and ``high`` (still perceptually uniform)."""
    return ListedColormap(colormaps[name](np.linspace(low, high, 256)), name=f"{name}-{low}-{high}")


_THEMES: dict[str, _Palette] = {
    "light": _Palette(
        figure="#ffffff",
        axes="#ffffff",
        text="#1f1f1f",
        muted="#6b6b6b",
        grid="#e3e3e3",
        neutral="#000000",
        points="#0072B2",
        categorical=CATEGORICAL_COLORS,
        many=MANY_COLORS,
        colormap=_cut_colormap(SEQUENTIAL_COLORMAP, 0.0, 0.9),
    ),
    "dark": _Palette(
        figure="#2b2d31",
        axes="#313338",
        text="#e8e8ea",
        muted="#9a9ca3",
        grid="#45484f",
        neutral="#f2f3f5",
        points="#56B4E9",
        categorical=CATEGORICAL_COLORS_DARK,
        many=MANY_COLORS_DARK,
        colormap=_cut_colormap(SEQUENTIAL_COLORMAP, 0.18, 1.0),
    ),
}


# --------------------------------------------------------------------------------------------- text


def _legend_label(label: str) -> str:
    """A legend entry: clipped, and protected from matplotlib's rule that hides labels starting with ``_``."""
    clipped = one_line(label, _LEGEND_LABEL_CHARS)
    return "\u200b" + clipped if clipped.startswith("_") else clipped


def _count(value: int) -> str:
    """A count as ``text.number`` writes it (``382``, ``12,345``)."""
    return number(float(value), 0)


def _fit_list(items: Sequence[str], budget: int, separator: str = "; ") -> str:
    """Items joined within ``budget`` characters: all of them, else each trimmed, then "and N more"."""
    joined = separator.join(items)
    if len(joined) <= budget:
        return joined
    each = max(24, budget // len(items) - len(separator))
    trimmed = [one_line(item, each) for item in items]
    shown: list[str] = []
    for index, item in enumerate(trimmed):
        rest = len(trimmed) - index - 1
        tail = f"{separator}and {rest} more" if rest else ""
        if len(separator.join([*shown, item]) + tail) > budget:
            break
        shown.append(item)
    hidden = len(items) - len(shown)
    return separator.join([*shown, f"and {hidden} more"] if hidden else shown)


def _plural(count: int, word: str) -> str:
    """``1 point``, ``2 points``, ``12,345 points``."""
    return f"{_count(count)} {word}" if count == 1 else f"{_count(count)} {word}s"


def _tick_decimals(locs: Sequence[float]) -> int:
    """The fewest decimals (up to 9) that write every tick exactly."""
    values = sorted({float(v) for v in locs if math.isfinite(v)})
    if not values:
        return 0
    gaps = [b - a for a, b in itertools.pairwise(values) if b > a]
    tolerance = 1e-6 * (min(gaps) if gaps else max(abs(values[0]), 1.0))
    for decimals in range(10):
        if all(abs(v - round(v, decimals)) <= tolerance for v in values):
            return decimals
    return 9


class _NumberFormatter(Formatter):
    """Tick labels written by ``text``: one number of decimals per axis, as ``number`` writes them.

    Whole ticks below 10,000 are written as values are typed (``1935``, not ``1,935``); larger ones with
    separators on every tick of the axis.
    """

    def __init__(self) -> None:
        """Start with whole numbers; ``set_locs`` adapts to the ticks drawn."""
        super().__init__()
        self._decimals = 0
        self._typed = True

    def set_locs(self, locs: Sequence[float]) -> None:
        """Choose the decimals for this set of ticks."""
        super().set_locs(locs)
        decimals = _tick_decimals(locs)
        finite = [round(float(v), decimals) for v in locs if math.isfinite(v)]
        if decimals:
            decimals = max([decimals, *(decimals_for(v, decimals) for v in finite if v)])
        self._decimals = decimals
        self._typed = decimals == 0 and all(abs(v) < 10_000 for v in finite)

    def __call__(self, x: float, pos: int | None = None) -> str:
        """One tick label."""
        value = round(float(x), self._decimals) + 0.0
        return value_text(value) if self._typed else number(value, self._decimals)


class _ShownTicks(MaxNLocator):
    """matplotlib's ``AutoLocator`` (or a ``MaxNLocator`` like it) without the ticks it puts outside the
    view: matplotlib builds a tick (two lines, a grid line and two labels) for each and never draws it.

    The ticks are remembered for the view and the room the axis has, which is all they depend on:
    matplotlib asks for them several times per drawing, and ``_arrange`` a few times more.
    """

    _key: tuple[float, float, int] | None = None
    _locs: list[float]

    def __call__(self) -> Sequence[float]:
        """The ticks inside the axis' view."""
        low, high = sorted(self.axis.get_view_interval())
        key = (low, high, self.axis.get_tick_space())
        if key != self._key:
            slack = 1e-10 * (high - low)
            self._locs = [loc for loc in super().__call__() if low - slack <= loc <= high + slack]
            self._key = key
        return list(self._locs)


def _usual_ticks() -> _ShownTicks:
    """matplotlib's usual tick steps."""
    return _ShownTicks(nbins="auto", steps=[1, 2, 2.5, 5, 10])


# --------------------------------------------------------------------------------------------- data


@dataclass(frozen=True)
class _Points:
    """The rows a figure plots, after dropping missing values.

    ``groups`` holds each row's level (categorical colour or box group) and ``values`` its colour value
    (numeric colour); ``levels`` is the order levels are drawn and coloured in. ``focus`` marks the rows
    drawn as usual (``None``: all of them); the others are drawn faintly.
    """

    x: np.ndarray
    y: np.ndarray
    levels: tuple[str, ...] = ()
    groups: np.ndarray | None = None
    values: np.ndarray | None = None
    focus: np.ndarray | None = None

    def level(self, level: str) -> np.ndarray:
        """The mask of rows in ``level`` (no rows when the points are not grouped)."""
        return self.groups == level if self.groups is not None else np.zeros(len(self.y), dtype=bool)

    def shown(self) -> np.ndarray:
        """The mask of rows drawn as usual (every row when there is no focus)."""
        return self.focus if self.focus is not None else np.ones(len(self.y), dtype=bool)


def _require_frame(frame: pd.DataFrame | None, spec: FigureSpec) -> pd.DataFrame:
    """The frame, or a clear error when a spec that names columns got none."""
    if frame is None:
        raise ValueError(f"{type(spec).__name__} names dataset columns, so it needs the dataset's frame")
    return frame


def _level_name(value: object) -> str:
    """A value as a level name; whole floats lose their ``.0`` (a column read as float keeps ``"4"``)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _as_text(series: pd.Series) -> pd.Series:
    """A column as level names to compare with ``levels`` (missing values stay missing)."""
    return series.astype(object).map(lambda value: None if pd.isna(value) else _level_name(value))


def _levels(original: pd.Series, present: pd.Series, given: tuple[str, ...]) -> tuple[str, ...]:
    """The levels in drawing order: ``given``, else the categorical order, else sorted values.

    ``present`` holds the level names of the rows kept, indexed by their position in ``original``.
    """
    if given:
        return tuple(given)
    seen = set(present)
    if isinstance(original.dtype, pd.CategoricalDtype):
        names = (_level_name(category) for category in original.cat.categories)
        return tuple(name for name in names if name in seen)
    raw = original.iloc[present.index.to_numpy()].dropna().unique()
    try:
        ordered = sorted(raw)
    except TypeError:
        ordered = sorted(raw, key=str)
    return tuple(dict.fromkeys(_level_name(value) for value in ordered))


def _axis_values(axis: Axis, frame: pd.DataFrame) -> np.ndarray:
    """The numbers on an axis: its expression evaluated, else the column; non-finite values become NaN."""
    if axis.expr is not None:
        values = design.evaluate(axis.expr, frame)
    else:
        values = pd.to_numeric(frame[axis.column], errors="coerce").to_numpy(dtype=float)
    return np.where(np.isfinite(values), values, np.nan)


def _focus_levels(focus: Sequence[tuple[str, str]], frame: pd.DataFrame) -> tuple[tuple[str, str], ...]:
    """The focus pairs whose column is in the frame (others are ignored)."""
    return tuple((column, level) for column, level in focus if column in frame.columns)


def _focus_mask(focus: Sequence[tuple[str, str]], frame: pd.DataFrame) -> np.ndarray:
    """Rows whose focus columns all equal the given levels."""
    mask = np.ones(len(frame), dtype=bool)
    for column, level in focus:
        mask &= (_as_text(frame[column]) == level).to_numpy(dtype=bool)
    return mask


def _grouped(
    frame: pd.DataFrame,
    x: Axis | None,
    y: Axis,
    group: str | None,
    kind: str,
    given: tuple[str, ...],
    focus: Sequence[tuple[str, str]] = (),
) -> _Points:
    """Rows of numeric ``x``/``y`` (``x`` may be absent) with an optional ``group`` column of ``kind``."""
    ys = _axis_values(y, frame)
    xs = _axis_values(x, frame) if x is not None else np.zeros(len(ys))
    keep = ~np.isnan(ys) & ~np.isnan(xs)
    groups = None
    if group is not None:
        raw = frame[group]
        if kind == "numeric":
            groups = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
        else:
            groups = _as_text(raw).to_numpy(dtype=object)
        keep &= pd.notna(groups)
    held = _focus_levels(focus, frame)
    mask = _focus_mask(held, frame) if held else None
    levels: tuple[str, ...] = ()
    if group is not None and groups is not None and kind != "numeric":
        kept = np.flatnonzero(keep)
        levels = _levels(frame[group], pd.Series(groups[kept], index=kept), given)
        keep[kept] = np.isin(groups[kept], np.asarray(levels, dtype=object))
    shown = mask[keep] if mask is not None else None
    if groups is None:
        return _Points(xs[keep], ys[keep], focus=shown)
    if kind == "numeric":
        return _Points(xs[keep], ys[keep], values=groups[keep], focus=shown)
    return _Points(xs[keep], ys[keep], levels=levels, groups=groups[keep], focus=shown)


def _scatter_points(spec: ScatterSpec, frame: pd.DataFrame | None) -> _Points:
    """The scatter's rows, with the focus rows marked."""
    color = spec.color
    return _grouped(
        _require_frame(frame, spec),
        spec.x,
        spec.y,
        color.column if color else None,
        color.kind if color else "numeric",
        color.levels if color else (),
        spec.focus,
    )


def _box_points(spec: BoxSpec, frame: pd.DataFrame | None) -> _Points:
    """The box plot's rows (``x`` unused)."""
    frame = _require_frame(frame, spec)
    return _grouped(frame, None, spec.y, spec.group.column, "categorical", spec.levels)


def _histogram_points(spec: HistogramSpec, frame: pd.DataFrame | None) -> _Points:
    """The histogram's values (in ``y``), split by level when coloured by a categorical column.

    A numeric colour cannot split a histogram, so it is ignored.
    """
    frame = _require_frame(frame, spec)
    color = spec.color if spec.color is not None and spec.color.kind == "categorical" else None
    group = color.column if color else None
    return _grouped(frame, None, spec.x, group, "categorical", color.levels if color else ())


def _pairs(first: Sequence[float], second: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """Two equally long number sequences without the positions where either is missing."""
    a, b = np.asarray(first, dtype=float), np.asarray(second, dtype=float)
    keep = np.isfinite(a) & np.isfinite(b)
    return a[keep], b[keep]


def _bin_edges(values: np.ndarray) -> np.ndarray:
    """Histogram bin edges: the Freedman-Diaconis count, kept between ``MIN_BINS`` and ``MAX_BINS``."""
    count = MIN_BINS
    q25, q75 = np.percentile(values, [25, 75])
    span = float(values.max() - values.min())
    if len(values) > 1 and q75 > q25 and span > 0:
        width = 2 * (q75 - q25) / len(values) ** (1 / 3)
        count = int(np.clip(math.ceil(span / width), MIN_BINS, MAX_BINS))
    return np.histogram_bin_edges(values, bins=count)


def _level_style(index: int, count: int, palette: _Palette) -> tuple[str, str]:
    """The colour and marker of the ``index``-th of ``count`` levels.

    Up to 7 levels get the Okabe-Ito colours and one marker; more get the 20 colours of ``palette.many``
    with a marker each, so no two levels share a colour (up to 20) or a colour and a marker (up to 140).
    """
    if count <= len(palette.categorical):
        return palette.categorical[index], MARKERS[0]
    return palette.many[index % len(palette.many)], MARKERS[index % len(MARKERS)]


def _whole(values: np.ndarray) -> bool:
    """Whether there are values and every one is a whole number."""
    return len(values) > 0 and bool(np.all(values == np.round(values)))


def _jitter(values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Offsets for one axis: up to ``JITTER_SHARE`` of the smallest gap when every value is whole, else 0."""
    if not _whole(values):
        return np.zeros(len(values))
    distinct = np.unique(values)
    gap = float(np.min(np.diff(distinct))) if len(distinct) > 1 else 1.0
    return rng.uniform(-JITTER_SHARE * gap, JITTER_SHARE * gap, len(values))


def _jittered(spec: ScatterSpec, points: _Points) -> tuple[np.ndarray, np.ndarray]:
    """The positions the points are drawn at: jittered on whole-number axes when the spec asks for it."""
    if not spec.jitter:
        return points.x, points.y
    rng = np.random.default_rng(JITTER_SEED)
    return points.x + _jitter(points.x, rng), points.y + _jitter(points.y, rng)


# --------------------------------------------------------------------------------------------- style


def _style_axes(ax: Axes, palette: _Palette) -> None:
    """Theme colours for one axes (background, spines, ticks, labels, grid) and numbers written by ``text``."""
    ax.set_facecolor(palette.axes)
    for spine in ax.spines.values():
        spine.set_color(palette.muted)
    ax.tick_params(colors=palette.text, which="both", labelsize=10)
    ax.xaxis.label.set_color(palette.text)
    ax.yaxis.label.set_color(palette.text)
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(_usual_ticks())
        axis.set_major_formatter(_NumberFormatter())
    ax.grid(True, color=palette.grid, linewidth=0.7)
    ax.set_axisbelow(True)


def _title(spec: FigureSpec) -> str:
    """The figure's title; a coefficient plot's names its confidence level."""
    if isinstance(spec, CoefficientSpec):
        return f"{one_line(spec.title, _TITLE_CHARS - 30)} ({_confidence(spec.level)} confidence intervals)"
    return spec.title


def _set_title(fig: Figure, palette: _Palette, title: str) -> Text:
    """The figure's title as plain text, clipped and wrapped to the figure's width."""
    wrapped = textwrap.fill(one_line(title, _TITLE_CHARS), width=_TITLE_WRAP)
    return fig.suptitle(wrapped, fontsize=13, color=palette.text, va="top", **_USER_TEXT)


def _set_note(ax: Axes, palette: _Palette, note: str | None) -> Text | None:
    """The optional note: a small caption above the axes, as plain text (``_arrange`` wraps it)."""
    if not note:
        return None
    caption = one_line(note, _NOTE_CHARS)
    return ax.set_title(caption, loc="left", fontsize=9, style="italic", color=palette.muted, **_USER_TEXT)


def _set_labels(ax: Axes, palette: _Palette, x: str, y: str) -> None:
    """Axis labels as plain text."""
    ax.set_xlabel(one_line(x, _AXIS_LABEL_CHARS), fontsize=11, color=palette.text, **_USER_TEXT)
    ax.set_ylabel(one_line(y, _AXIS_LABEL_CHARS), fontsize=11, color=palette.text, **_USER_TEXT)


def _no_data(ax: Axes, palette: _Palette, keep_ticks: bool = False) -> None:
    """The empty-data message in the middle of the axes (whose meaningless ticks go, unless kept)."""
    ax.text(
        0.5,
        0.5,
        NO_DATA_MESSAGE,
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=12,
        color=palette.muted,
        gid="no-data",
    )
    if not keep_ticks:
        ax.set_xticks([])
        ax.set_yticks([])


def _legend_columns(labels: Sequence[str], width: float) -> int:
    """How many columns (up to 4) of ``labels`` fit across ``width`` inches, measured in the legend's font.

    Entries fill the columns in order, top to bottom, split as matplotlib splits them (``array_split``:
    four entries in three columns are 2, 1 and 1); a column is as wide as its longest label plus its
    handle and spacing (matplotlib's defaults, in font sizes: handle 2, handle to text 0.8, between
    columns 2, border 0.4 on each side).
    """
    em = _LEGEND_FONT.get_size_in_points() / 72
    room = width - 2 * _EDGE_INCHES - 2 * 0.4 * em
    widths = [_text_width(label, _LEGEND_FONT) for label in labels]
    for columns in range(min(4, len(labels)), 1, -1):
        chunks = [list(chunk) for chunk in np.array_split(widths, columns) if len(chunk)]
        needed = sum(max(chunk) + 2.8 * em for chunk in chunks) + 2.0 * em * (len(chunks) - 1)
        if needed <= room:
            return columns
    return 1


def _legend(
    fig: Figure,
    ax: Axes,
    palette: _Palette,
    handles: Sequence[Any],
    labels: Sequence[str],
    beside: bool = True,
) -> None:
    """A legend outside the axes: beside them when short, else below (``_arrange`` makes room for it).

    Beside, the legend hangs from the top of the axes, under the title; ``beside=False`` (a colour bar
    takes that place) always puts it below. Entries beyond what fits (``_RIGHT_LEGEND_ROWS`` rows, or
    ``_BOTTOM_LEGEND_ROWS`` rows of columns) end in "… and N more"; the alt text still lists them.
    A tuple handle draws its artists on top of each other (a level's marker with its line).
    """
    if not handles:
        return
    handles, labels = list(handles), [_legend_label(label) for label in labels]
    longest = max(len(label) for label in labels)
    style: dict[str, Any] = {
        "prop": _LEGEND_FONT,
        "frameon": True,
        "facecolor": palette.axes,
        "edgecolor": palette.grid,
        "labelcolor": palette.text,
        "handler_map": {tuple: HandlerTuple(ndivide=1)},
    }
    if beside and longest <= _SHORT_LEGEND_LABEL and len(labels) <= _RIGHT_LEGEND_ROWS:
        legend = ax.legend(
            handles, labels, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, **style
        )
    else:
        columns = _legend_columns(labels, fig.get_size_inches()[0])
        capacity = columns * _BOTTOM_LEGEND_ROWS
        if len(handles) > capacity:
            hidden = len(handles) - capacity + 1
            handles = [*handles[: capacity - 1], Line2D([], [], linestyle="none")]
            labels = [*labels[: capacity - 1], f"… and {hidden} more"]
        columns = min(columns, len(handles))
        legend = fig.legend(handles, labels, loc="lower center", ncols=columns, borderaxespad=0.0, **style)
    for text in legend.get_texts():
        text.set_parse_math(False)
        text.set_usetex(False)


# --------------------------------------------------------------------------------------------- drawing


def _line_color(
    line: FittedLine,
    level_colors: dict[str, str],
    colormap: Colormap | None,
    norm: Normalize | None,
    palette: _Palette,
) -> Any:
    """A fitted line's colour: neutral when pooled, else its level's, the colormap's, or neutral."""
    group = line.group
    if line.pooled:
        return palette.neutral
    if isinstance(group, str) and group in level_colors:
        return level_colors[group]
    if isinstance(group, int | float) and colormap is not None and norm is not None:
        return colormap(norm(float(group)))
    return palette.neutral


def _numeric_norm(values: np.ndarray, lines: Sequence[FittedLine]) -> Normalize:
    """The colour scale for numeric colouring: the data's range (the lines' values when there is no data)."""
    if len(values) == 0:
        values = np.array([float(line.group) for line in lines if isinstance(line.group, int | float)])
    if len(values) == 0:
        return Normalize(0.0, 1.0)
    return Normalize(float(values.min()), float(values.max()))


def _integer_ticks() -> _ShownTicks:
    """matplotlib's usual tick steps, kept to whole numbers (for grades, counts, levels)."""
    return _ShownTicks(nbins="auto", steps=[1, 2, 2.5, 5, 10], integer=True)


def _whole_number_ticks(ax: Axes, points: _Points) -> None:
    """Integer tick steps on an axis whose values are all whole numbers."""
    for values, axis in ((points.x, ax.xaxis), (points.y, ax.yaxis)):
        if _whole(values):
            axis.set_major_locator(_integer_ticks())


def _draw_points(
    fig: Figure, ax: Axes, spec: ScatterSpec, points: _Points, palette: _Palette
) -> tuple[dict[str, Any], dict[str, str], Colormap | None, Normalize | None]:
    """The scatter's points, faded outside the focus: the level collections, colours and colour scale."""
    x, y = _jittered(spec, points)
    shown = points.shown()
    marks: dict[str, Any] = {
        "s": 30,
        "alpha": 0.8,
        "linewidths": 0.5,
        "edgecolors": palette.axes,
        "zorder": 2,
    }
    faint = {**marks, "alpha": FADED_ALPHA, "zorder": 1.5}
    collections: dict[str, Any] = {}
    level_colors: dict[str, str] = {}
    if points.groups is not None:
        for index, level in enumerate(points.levels):
            color, marker = _level_style(index, len(points.levels), palette)
            level_colors[level] = color
            mask = points.level(level)
            collections[level] = ax.scatter(
                x[mask & shown],
                y[mask & shown],
                color=color,
                marker=marker,
                label=level,
                gid="points",
                **marks,
            )
            if np.any(mask & ~shown):
                ax.scatter(
                    x[mask & ~shown],
                    y[mask & ~shown],
                    color=color,
                    marker=marker,
                    gid="points-faded",
                    **faint,
                )
        return collections, level_colors, None, None
    if points.values is not None:
        colormap, norm = palette.colormap, _numeric_norm(points.values, spec.lines)
        shade = {"cmap": colormap, "norm": norm}
        collection = ax.scatter(x[shown], y[shown], c=points.values[shown], gid="points", **shade, **marks)
        if np.any(~shown):
            ax.scatter(x[~shown], y[~shown], c=points.values[~shown], gid="points-faded", **shade, **faint)
        _colorbar(fig, collection, spec.color.label if spec.color else "", palette)
        if _whole(points.values):
            collection.colorbar.locator = _integer_ticks()
        return collections, level_colors, colormap, norm
    ax.scatter(x[shown], y[shown], color=palette.points, gid="points", **marks)
    if np.any(~shown):
        ax.scatter(x[~shown], y[~shown], color=palette.points, gid="points-faded", **faint)
    return collections, level_colors, None, None


def _draw_line(ax: Axes, line: FittedLine, color: Any, palette: _Palette) -> Line2D:
    """One fitted line: solid over its own range, its extension thin and dashed beneath it.

    A pooled line is dashed and drawn above the group lines.
    """
    if line.extended is not None:
        xs, ys = _pairs(*line.extended)
        ax.plot(
            xs,
            ys,
            color=color,
            linewidth=1.1,
            linestyle=(0, (4, 3)),
            alpha=0.45,
            gid="fitted-line-extension",
            zorder=2.5,
        )
    (artist,) = ax.plot(
        line.xs,
        line.ys,
        color=color,
        linewidth=2.2,
        linestyle="--" if line.dashed or line.pooled else "-",
        label=line.label,
        gid="pooled-line" if line.pooled else "fitted-line",
        zorder=3.5 if line.pooled else 3,
        path_effects=[patheffects.withStroke(linewidth=4.2, foreground=palette.axes)],
    )
    return artist


def _draw_scatter(
    fig: Figure, ax: Axes, spec: ScatterSpec, frame: pd.DataFrame | None, palette: _Palette
) -> None:
    """Points coloured by level or value (faint outside the focus), and every fitted line over them.

    A level with a line gets one legend entry, its marker and its line, labelled with the line's label.
    """
    points = _scatter_points(spec, frame)
    _set_labels(ax, palette, spec.x.label, spec.y.label)
    _whole_number_ticks(ax, points)
    collections, level_colors, colormap, norm = _draw_points(fig, ax, spec, points, palette)
    if len(points.x) == 0:
        _no_data(ax, palette, keep_ticks=bool(spec.lines))
    drawn = [
        _draw_line(ax, line, _line_color(line, level_colors, colormap, norm, palette), palette)
        for line in spec.lines
    ]
    merged: set[int] = set()
    handles: list[Any] = []
    labels: list[str] = []
    for level, collection in collections.items():
        index = next(
            (i for i, line in enumerate(spec.lines) if not line.pooled and line.group == level), None
        )
        if index is None:
            handles.append(collection)
            labels.append(level)
        else:
            merged.add(index)
            handles.append((drawn[index], collection))
            labels.append(spec.lines[index].label)
    for index, (line, artist) in enumerate(zip(spec.lines, drawn, strict=True)):
        if index not in merged:
            handles.append(artist)
            labels.append(line.label)
    _legend(fig, ax, palette, handles, labels, beside=colormap is None)


def _colorbar(fig: Figure, mappable: Any, label: str, palette: _Palette) -> None:
    """A colour bar on axes of its own (``_arrange`` puts it beside the plot), labelled, themed and
    numbered like the axes."""
    bar = fig.colorbar(mappable, cax=fig.add_axes((0.9, 0.1, 0.02, 0.8)))
    bar.set_label(one_line(label, _AXIS_LABEL_CHARS), color=palette.text, fontsize=11, **_USER_TEXT)
    bar.locator = _usual_ticks()
    bar.formatter = _NumberFormatter()
    bar.ax.tick_params(colors=palette.text, labelsize=10)
    bar.outline.set_edgecolor(palette.muted)


def _draw_box(fig: Figure, ax: Axes, spec: BoxSpec, frame: pd.DataFrame | None, palette: _Palette) -> None:
    """One box per level with the points jittered over it and the mean marked."""
    points = _box_points(spec, frame)
    _set_labels(ax, palette, spec.group.label, spec.y.label)
    ax.grid(False, axis="x")
    positions = np.arange(1, len(points.levels) + 1)
    if len(points.y) == 0:
        _no_data(ax, palette)
    if not len(points.levels):
        return
    groups = [points.y[points.level(level)] for level in points.levels]
    lines = {"color": palette.muted, "linewidth": 1.2}
    parts = ax.boxplot(
        [values if len(values) else np.array([np.nan]) for values in groups],
        positions=positions,
        widths=0.55,
        patch_artist=True,
        showmeans=True,
        showfliers=False,
        whiskerprops=lines,
        capprops=lines,
        medianprops={"color": palette.text, "linewidth": 1.8},
        meanprops={
            "marker": "D",
            "markersize": 7,
            "markerfacecolor": palette.axes,
            "markeredgecolor": palette.text,
        },
    )
    rng = np.random.default_rng(JITTER_SEED)
    for index, (box, values) in enumerate(zip(parts["boxes"], groups, strict=True)):
        color, marker = _level_style(index, len(points.levels), palette)
        box.set(facecolor=to_rgba(color, 0.22), edgecolor=color, linewidth=1.4, gid="box")
        jitter = rng.uniform(-0.17, 0.17, len(values))
        ax.scatter(
            positions[index] + jitter,
            values,
            color=color,
            marker=marker,
            s=16,
            alpha=0.7,
            linewidths=0,
            zorder=3,
            label=points.levels[index],
            gid="points",
        )
    for mean in parts["means"]:
        mean.set(gid="mean", zorder=4)
    tick_labels = [one_line(level, _LEVEL_TICK_CHARS) for level in points.levels]
    rotation = 30 if sum(len(label) for label in tick_labels) > 70 else 0
    ax.set_xticks(
        positions, tick_labels, rotation=rotation, ha="right" if rotation else "center", **_USER_TEXT
    )
    ax.set_xlim(0.4, len(positions) + 0.6)
    _legend(fig, ax, palette, parts["means"][:1], ["mean"])


def _stacked_bars(
    ax: Axes, groups: Sequence[np.ndarray], edges: np.ndarray, colors: Sequence[str], palette: _Palette
) -> list[PolyCollection]:
    """Each group's counts per bin stacked on the groups before it, one collection of bars per group.

    ``ax.hist(stacked=True)`` would add one ``Rectangle`` per bin and group, and each costs more to add and
    draw than a whole collection (a second with 11 groups in 40 bins).
    """
    base = np.zeros(len(edges) - 1)
    left, right = edges[:-1], edges[1:]
    stacks = []
    for values, color in zip(groups, colors, strict=True):
        top = base + np.histogram(values, bins=edges)[0]
        corners = np.stack([left, base, left, top, right, top, right, base], axis=1).reshape(-1, 4, 2)
        bars = PolyCollection(
            corners, facecolors=color, edgecolors=palette.axes, linewidths=0.5, gid="bars", zorder=1
        )
        bars.sticky_edges.y.append(0.0)
        ax.add_collection(bars)
        stacks.append(bars)
        base = top
    ax.autoscale_view()
    return stacks


def _draw_histogram(
    fig: Figure, ax: Axes, spec: HistogramSpec, frame: pd.DataFrame | None, palette: _Palette
) -> None:
    """Counts per bin; by level overlaid (up to three levels) or stacked (more)."""
    points = _histogram_points(spec, frame)
    _set_labels(ax, palette, spec.x.label, "count")
    ax.yaxis.set_major_locator(_integer_ticks())
    if len(points.y) == 0:
        _no_data(ax, palette)
        return
    edges = _bin_edges(points.y)
    if points.groups is None:
        _, _, bars = ax.hist(
            points.y, bins=edges, color=palette.points, edgecolor=palette.axes, linewidth=0.6
        )
        for bar in bars:
            bar.set_gid("bars")
        return
    count = len(points.levels)
    colors = [_level_style(index, count, palette)[0] for index in range(count)]
    groups = [points.y[points.level(level)] for level in points.levels]
    handles: list[Artist] = []
    if len(groups) > 3:
        handles += _stacked_bars(ax, groups, edges, colors, palette)
    else:
        for values, color in zip(groups, colors, strict=True):
            _, _, (fill, *_) = ax.hist(values, bins=edges, histtype="stepfilled", color=to_rgba(color, 0.35))
            fill.set_gid("bars")
        for values, color in zip(groups, colors, strict=True):
            _, _, (outline, *_) = ax.hist(values, bins=edges, histtype="step", color=color, linewidth=1.8)
            handles.append(outline)
    _legend(fig, ax, palette, handles, points.levels)


def _draw_residuals(ax: Axes, spec: ResidualSpec, palette: _Palette) -> None:
    """Residuals against fitted values with a zero line."""
    fitted, residuals = _pairs(spec.fitted, spec.residuals)
    _set_labels(ax, palette, f"fitted: {spec.response_label}", f"residual: {spec.response_label}")
    ax.scatter(fitted, residuals, color=palette.points, s=26, alpha=0.8, linewidths=0, gid="points", zorder=2)
    ax.axhline(0.0, color=palette.neutral, linewidth=1.3, linestyle="--", gid="zero-line", zorder=3)
    if len(fitted) == 0:
        _no_data(ax, palette)


def _confidence(level: float) -> str:
    """``0.95`` -> ``95%``."""
    return f"{value_text(level * 100)}%"


def _coefficient_panels(spec: CoefficientSpec) -> list[tuple[str, list[int]]]:
    """The coefficients' rows grouped by unit, in order of first appearance (one group without units)."""
    panels: dict[str, list[int]] = {}
    for row in range(len(spec.names)):
        panels.setdefault(spec.units[row] if row < len(spec.units) else "", []).append(row)
    return list(panels.items()) or [("", [])]


def _estimate_label(unit: str) -> str:
    """``estimate (points per item)``, or ``estimate`` without a unit."""
    return f"estimate ({unit})" if unit else "estimate"


def _draw_coefficient_panel(ax: Axes, spec: CoefficientSpec, rows: list[int], palette: _Palette) -> None:
    """One panel: the estimates of ``rows`` with their intervals, top to bottom in order."""
    ax.axvline(0.0, color=palette.muted, linewidth=1.2, linestyle="--", gid="zero-line", zorder=1)
    ax.grid(False, axis="y")
    estimates = np.asarray([spec.estimates[row] for row in rows], dtype=float)
    below = np.clip(estimates - np.asarray([spec.lows[row] for row in rows], dtype=float), 0.0, None)
    above = np.clip(np.asarray([spec.highs[row] for row in rows], dtype=float) - estimates, 0.0, None)
    positions = np.arange(len(rows))
    bars = ax.errorbar(
        estimates,
        positions,
        xerr=np.vstack([below, above]),
        fmt="o",
        color=palette.points,
        ecolor=palette.points,
        elinewidth=2,
        capsize=4,
        markersize=7,
        zorder=3,
    )
    data_line, _, (intervals,) = bars.lines
    data_line.set_gid("estimates")
    intervals.set_gid("intervals")
    names = [one_line(spec.names[row], _TICK_LABEL_CHARS) for row in rows]
    ax.set_yticks(positions, names, **_USER_TEXT)
    ax.set_ylim(len(rows) - 0.5, -0.5)


def _draw_coefficients(fig: Figure, spec: CoefficientSpec, palette: _Palette) -> None:
    """One panel per unit (the figure's axes), top to bottom: estimates, intervals and a zero line
    (``_arrange`` makes each as tall as its rows)."""
    for ax, (unit, rows) in zip(fig.axes, _coefficient_panels(spec), strict=True):
        _set_labels(ax, palette, _estimate_label(unit), "")
        if not rows:
            ax.axvline(0.0, color=palette.muted, linewidth=1.2, linestyle="--", gid="zero-line", zorder=1)
            _no_data(ax, palette)
            continue
        _draw_coefficient_panel(ax, spec, rows, palette)


def _figsize(spec: FigureSpec) -> tuple[float, float]:
    """8x5 inches; a coefficient plot as tall as its rows and panels need."""
    if isinstance(spec, CoefficientSpec):
        panels = len(_coefficient_panels(spec))
        height = 1.8 + _COEFFICIENT_ROW_INCHES * len(spec.names) + _COEFFICIENT_PANEL_INCHES * (panels - 1)
        return FIGSIZE[0], min(14.0, max(FIGSIZE[1], height))
    return FIGSIZE


@lru_cache(maxsize=16)
def _template(theme: Theme, panels: int) -> bytes:
    """A figure with ``panels`` styled, empty axes and their first ticks, pickled: unpickling a copy for
    each figure costs a fraction of building the axes (matplotlib's ``Axes`` and ``Tick`` objects are slow
    to make). ``_TEMPLATE_TICKS`` covers the ticks most axes show; more are made when needed."""
    palette = _THEMES[theme]
    fig = Figure(figsize=FIGSIZE, dpi=DPI, facecolor=palette.figure)
    for _ in range(panels):
        ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
        _style_axes(ax, palette)
        ax.xaxis.get_major_ticks(_TEMPLATE_TICKS)
        ax.yaxis.get_major_ticks(_TEMPLATE_TICKS)
    return pickle.dumps(fig)


def draw(spec: FigureSpec, frame: pd.DataFrame | None, theme: Theme = "light") -> Figure:
    """Draw ``spec`` on a new figure (with an Agg canvas attached).

    ``frame`` holds the dataset's rows for specs that name columns (scatter, box, histogram); rows missing
    a plotted value are dropped, and no rows at all gives a figure with a "no data" message.
    """
    if theme not in _THEMES:
        raise ValueError(f"unknown theme {theme!r}; use 'light' or 'dark'")
    if not isinstance(spec, ScatterSpec | BoxSpec | HistogramSpec | ResidualSpec | CoefficientSpec):
        raise TypeError(f"not a figure spec: {type(spec).__name__}")
    with rc_context(_TEXT_STYLE):  # measured in the style the canvas draws in
        return _draw(spec, frame, theme)


def _draw(spec: FigureSpec, frame: pd.DataFrame | None, theme: Theme) -> Figure:
    """``draw`` for a checked spec and theme."""
    palette = _THEMES[theme]
    weights = (
        [max(len(rows), 1) for _, rows in _coefficient_panels(spec)]
        if isinstance(spec, CoefficientSpec)
        else [1]
    )
    fig = pickle.loads(_template(theme, len(weights)))
    fig.set_size_inches(_figsize(spec))
    _Canvas(fig)
    title = _set_title(fig, palette, _title(spec))
    if isinstance(spec, CoefficientSpec):
        _draw_coefficients(fig, spec, palette)
        _arrange(fig, fig.axes, weights, title, None)
        return fig
    (ax,) = fig.axes
    note = None
    match spec:
        case ScatterSpec():
            note = _set_note(ax, palette, spec.note)
            _draw_scatter(fig, ax, spec, frame, palette)
        case BoxSpec():
            _draw_box(fig, ax, spec, frame, palette)
        case HistogramSpec():
            _draw_histogram(fig, ax, spec, frame, palette)
        case ResidualSpec():
            _draw_residuals(ax, spec, palette)
    _arrange(fig, [ax], [1], title, note)
    return fig


# --------------------------------------------------------------------------------------------- layout
#
# A fixed layout instead of matplotlib's constrained layout (which costs more than drawing the figure
# and makes ``savefig`` draw it twice): the title, note, axis labels, legends and colour bar are measured
# once and the axes get the rest of the figure. Only tick labels depend on the axes' size, so the axes
# are placed, their tick labels measured, and placed again until the tick labels stop moving.


def _text_metrics(text: str, font: FontProperties, dpi: float) -> tuple[float, float, float]:
    """Width, height and descent (pixels) of plain text, measured once per process (and hinting style)."""
    return _hinted_metrics(text, font, dpi, rcParams["text.hinting"])


@lru_cache(maxsize=8192)
def _hinted_metrics(text: str, font: FontProperties, dpi: float, hinting: str) -> tuple[float, float, float]:
    """``_text_metrics`` under the current ``text.hinting`` (which matplotlib reads while it measures)."""
    return RendererAgg.get_text_width_height_descent(_plain_renderer(dpi), text, font, ismath=False)


@cache
def _plain_renderer(dpi: float) -> RendererAgg:
    """A one-pixel Agg renderer to measure text with."""
    return RendererAgg(1, 1, dpi)


class _Renderer(RendererAgg):
    """An Agg renderer that measures plain text through ``_text_metrics``.

    matplotlib caches text metrics per renderer, and every figure gets a new one, so each render would
    measure (shape with FreeType and raqm) the same tick labels, titles and legend entries again.
    """

    def get_text_width_height_descent(
        self, s: str, prop: FontProperties, ismath: bool | Literal["TeX"]
    ) -> tuple[float, float, float]:
        """Width, height and descent of ``s`` in pixels."""
        if ismath:
            return super().get_text_width_height_descent(s, prop, ismath)
        return _text_metrics(s, prop.copy(), self.dpi)


class _Canvas(FigureCanvasAgg):
    """An Agg canvas that draws with ``_Renderer``."""

    def get_renderer(self) -> RendererAgg:
        """The renderer for the figure's current size and DPI, made anew only when they change."""
        width, height = self.get_width_height(physical=True)
        current = getattr(self, "renderer", None)
        if not (
            isinstance(current, _Renderer)
            and (current.width, current.height, current.dpi) == (width, height, self.figure.dpi)
        ):
            self.renderer = _Renderer(width, height, self.figure.dpi)
        return self.renderer

    def draw(self) -> None:
        """Draw the figure in the bot's text style (``_TEXT_STYLE``), whatever the process's settings."""
        with rc_context(_TEXT_STYLE):
            super().draw()


@cache
def _measurer() -> RendererAgg:
    """A one-pixel renderer that measures the texts ``_arrange`` places (``_Renderer``, so what it
    measures the drawing reuses)."""
    return _Renderer(1, 1, DPI)


def _text_width(text: str, font: FontProperties) -> float:
    """How wide ``text`` is drawn in ``font``, in inches."""
    width, _, _ = _measurer().get_text_width_height_descent(text, font, ismath=False)
    return width / DPI


def _extent(artist: Text | Legend | None) -> Bbox:
    """An artist's window extent in pixels (an empty box when there is no artist or no text)."""
    if artist is None or (isinstance(artist, Text) and not artist.get_text()):
        return Bbox.from_bounds(0.0, 0.0, 0.0, 0.0)
    return artist.get_window_extent(_measurer())


def _label_band(label: Text, across: bool) -> float:
    """The room an axis label takes beside its tick labels (its width if ``across``, else its height)."""
    if not label.get_text():
        return 0.0
    box = _extent(label)
    return (box.width if across else box.height) + _LABEL_PAD_POINTS * DPI / 72


def _tick_boxes(axis: MplAxis) -> list[Bbox]:
    """The extents of the tick labels ``axis`` draws with its axes where they are now."""
    axis.get_majorticklabels()  # brings every tick's position and label up to date with the axes' size
    low, high = sorted(axis.get_view_interval())
    slack = 1e-9 * (high - low)
    return [
        label.get_window_extent(_measurer())
        for tick in axis.get_major_ticks()
        if low - slack <= tick.get_loc() <= high + slack
        for label in (tick.label1, tick.label2)
        if label.get_visible() and label.get_text()
    ]


@dataclass
class _Reach:
    """How far tick labels reach beyond the axes' edges (pixels): the most over all panels on the left
    (y and x tick labels apart), right and top, and for each panel below it; and beyond the colour bar."""

    y_left: float
    x_left: float
    right: float
    top: float
    below: list[float]
    bar: float

    def settled(self, other: _Reach) -> bool:
        """Whether every reach is within half a pixel of ``other``'s."""
        ours = [self.y_left, self.x_left, self.right, self.top, self.bar, *self.below]
        theirs = [other.y_left, other.x_left, other.right, other.top, other.bar, *other.below]
        return all(abs(a - b) < 0.5 for a, b in zip(ours, theirs, strict=True))


def _reach(panels: Sequence[Axes], bar: Axes | None) -> _Reach:
    """Measure where the tick labels of ``panels`` (and of the colour bar) reach."""
    y_left = x_left = right = top = bar_reach = 0.0
    below = []
    for ax in panels:
        edges = ax.get_window_extent(_measurer())
        x_boxes, y_boxes = _tick_boxes(ax.xaxis), _tick_boxes(ax.yaxis)
        y_left = max([y_left, *(edges.x0 - box.x0 for box in y_boxes)])
        x_left = max([x_left, *(edges.x0 - box.x0 for box in x_boxes)])
        right = max([right, *(box.x1 - edges.x1 for box in x_boxes)])
        top = max([top, *(box.y1 - edges.y1 for box in y_boxes)])
        below.append(max([0.0, *(edges.y0 - box.y0 for box in [*x_boxes, *y_boxes])]))
    if bar is not None:
        edges = bar.get_window_extent(_measurer())
        boxes = _tick_boxes(bar.yaxis)
        bar_reach = max([0.0, *(box.x1 - edges.x1 for box in boxes)])
        top = max([top, *(box.y1 - edges.y1 for box in boxes)])
    return _Reach(y_left, x_left, right, top, below, bar_reach)


def _wrap(text: Text, words: str, room: float) -> bool:
    """Show ``words`` in ``text`` broken at spaces into lines at most ``room`` pixels long (a longer word
    keeps a line to itself); whether that changed the text."""
    font = text.get_fontproperties().copy()
    space = _text_metrics(" ", font, DPI)[0]
    lines: list[list[str]] = []
    used = 0.0
    for word in words.split():
        width = _text_metrics(word, font, DPI)[0]
        if lines and used + space + width <= room:
            lines[-1].append(word)
            used += space + width
        else:
            lines.append([word])
            used = width
    wrapped = "\n".join(" ".join(line) for line in lines)
    changed = wrapped != text.get_text()
    text.set_text(wrapped)
    return changed


def _arrange(
    fig: Figure, panels: Sequence[Axes], weights: Sequence[int], title: Text, note: Text | None
) -> None:
    """Place the title, the panels (stacked, each as tall as its weight), the note above the first, a
    legend beside (the first panel's) or below (the figure's, which grows to hold it) and a colour bar
    (any other axes) beside the panels, so that no text leaves the figure or overlaps another.

    The note is wrapped to the width of the axes under it, and a label running along an axis (the y label,
    the colour bar's) that is longer than the axis is wrapped to its length.
    """
    dpi = fig.dpi
    edge, gap, panel_gap = (inches * dpi for inches in (_EDGE_INCHES, _GAP_INCHES, _PANEL_GAP_INCHES))
    floor = edge
    if fig.legends:
        (below,) = fig.legends
        room = _extent(below).height + gap
        width, height = fig.get_size_inches()
        fig.set_size_inches(width, height + room / dpi)
        below.set_bbox_to_anchor((0.5, edge / fig.bbox.height), transform=fig.transFigure)
        floor += room
    wide, high = fig.bbox.width, fig.bbox.height
    title.set_y(1.0 - edge / high)
    ceiling = high - edge - _extent(title).height - gap
    beside = panels[0].get_legend()
    beside_width = _extent(beside).width
    bar = next((other for other in fig.axes if other not in panels), None)
    along = [(ax.yaxis.label, ax) for ax in panels if ax.yaxis.label.get_text()]
    if bar is not None:
        along.append((bar.yaxis.label, bar))
    words = {id(label): label.get_text() for label, _ in along}
    if note is not None:
        words[id(note)] = note.get_text()
    reach = _Reach(0.45 * dpi, 0.0, 0.0, 0.0, [0.25 * dpi] * len(panels), 0.3 * dpi if bar else 0.0)
    for _ in range(6):
        top = ceiling - reach.top
        if note is not None:
            top -= _extent(note).height + _TITLE_PAD_POINTS * dpi / 72
        y_label = max(_label_band(ax.yaxis.label, across=True) for ax in panels)
        x_labels = [_label_band(ax.xaxis.label, across=False) for ax in panels]
        x0 = edge + max(y_label + reach.y_left, reach.x_left)
        right = reach.right
        if beside is not None:
            right = max(right, beside_width + 0.02 * (wide - edge - beside_width - x0) / 1.02)
        if bar is not None:
            bar_label = _label_band(bar.yaxis.label, across=True)
            right = max(right, (_BAR_GAP_INCHES + _BAR_INCHES) * dpi + reach.bar + bar_label)
        x1 = wide - edge - right
        between = [x_labels[i] + reach.below[i] + panel_gap for i in range(len(panels) - 1)]
        bottom = floor + x_labels[-1] + reach.below[-1]
        room = max(top - bottom - sum(between), 1.0)
        for ax, weight, space in zip(panels, weights, [*between, 0.0], strict=True):
            height = room * weight / sum(weights)
            ax.set_position((x0 / wide, (top - height) / high, (x1 - x0) / wide, height / high))
            top -= height + space
        if bar is not None:
            first = panels[0].get_position()
            bar.set_position(
                (first.x1 + _BAR_GAP_INCHES * dpi / wide, first.y0, _BAR_INCHES * dpi / wide, first.height)
            )
        rewrapped = [_wrap(label, words[id(label)], ax.get_position().height * high) for label, ax in along]
        if note is not None:
            rewrapped.append(_wrap(note, words[id(note)], x1 - x0))
        measured = _reach(panels, bar)
        if measured.settled(reach) and not any(rewrapped):
            break
        reach = measured
    _place_labels(panels, bar, measured)


def _place_labels(panels: Sequence[Axes], bar: Axes | None, reach: _Reach) -> None:
    """Put the axis labels beside the tick labels where ``_arrange`` measured them, as matplotlib would
    (saving it from measuring every tick label again when it draws)."""
    pad = _LABEL_PAD_POINTS * DPI / 72
    for ax, below in zip(panels, reach.below, strict=True):
        box = ax.get_window_extent(_measurer())
        ax.xaxis.set_label_coords(0.5, -(below + pad) / box.height)
        ax.yaxis.set_label_coords(-(reach.y_left + pad) / box.width, 0.5)
    if bar is not None:
        box = bar.get_window_extent(_measurer())
        bar.yaxis.set_label_coords(1.0 + (reach.bar + pad) / box.width, 0.5)


# --------------------------------------------------------------------------------------------- alt text


def _finish(head: str, items: Sequence[str], tail: str = "") -> str:
    """``head`` + as many of ``items`` as fit + ``tail``, within the alt-text limit."""
    budget = ALT_TEXT_LIMIT - len(head) - len(tail) - 1
    listed = _fit_list(items, max(budget, 0)) if items else ""
    return one_line(f"{head}{listed}.{tail}" if listed else f"{head.rstrip(': ,')}.{tail}", ALT_TEXT_LIMIT)


def _note(note: str | None) -> str:
    """The caption as a trailing sentence."""
    if not note:
        return ""
    caption = one_line(note, _NOTE_CHARS)
    return f" {caption}" if caption.endswith((".", "!", "?")) else f" {caption}."


def _levels_text(levels: Sequence[str]) -> str:
    """Level names for a sentence, trimmed to a share of the limit."""
    return _fit_list([one_line(level, 40) for level in levels], 250, separator=", ")


def _parallel(lines: Sequence[FittedLine]) -> bool:
    """Whether there are several lines and they share one slope."""
    slopes = [line.slope for line in lines]
    return len(slopes) > 1 and all(
        s is not None and slopes[0] is not None and math.isclose(s, slopes[0], rel_tol=1e-9, abs_tol=1e-12)
        for s in slopes
    )


def _line_word(lines: Sequence[FittedLine]) -> str:
    """``curve`` when every one of ``lines`` bends (a straight line carries its slope), else ``line``."""
    return "curve" if lines and all(line.slope is None for line in lines) else "line"


def _lines_alt(lines: Sequence[FittedLine]) -> tuple[str, list[str]]:
    """What the lines are (``, with 2 parallel fitted lines … and a dashed pooled line: ``, or fitted
    curves) and their labels."""
    own = [line for line in lines if not line.pooled]
    pooled = [line for line in lines if line.pooled]
    parts = []
    if own:
        described = _plural(
            len(own), "parallel fitted line" if _parallel(own) else f"fitted {_line_word(own)}"
        )
        if any(line.extended is not None for line in own):
            each = (
                "each drawn solid over its own group's range"
                if len(own) > 1
                else "drawn solid over its range"
            )
            described += f" ({each}, thin and dashed beyond it)"
        parts.append(described)
    if pooled:
        parts.append(
            "a dashed pooled line over all rows"
            if len(pooled) == 1
            else f"{_count(len(pooled))} dashed pooled lines over all rows"
        )
    items = [one_line(line.label, ALT_TEXT_LIMIT) for line in own]
    items += [f"pooled line, {one_line(line.label, ALT_TEXT_LIMIT)}" for line in pooled]
    return f", with {listing(parts)}: ", items


def _focus_alt(spec: ScatterSpec, frame: pd.DataFrame | None, points: _Points) -> str:
    """Which points are drawn faintly and why, as a sentence (empty when none are)."""
    if points.focus is None or frame is None or bool(np.all(points.focus)):
        return ""
    held = listing([f"{column} = {level}" for column, level in _focus_levels(spec.focus, frame)])
    faded, count = int(np.sum(~points.focus)), len(points.focus)
    held = one_line(held, 200)
    return (
        f" {_count(faded)} of the {_count(count)} points (those not at {held}) are drawn faintly, "
        f"because the lines are for {held}."
    )


def _jitter_alt(spec: ScatterSpec, points: _Points) -> str:
    """The sentence saying the points are jittered (empty when no axis is)."""
    if not spec.jitter:
        return ""
    axes = [name for name, values in (("x", points.x), ("y", points.y)) if _whole(values)]
    if not axes:
        return ""
    where = "along both axes" if len(axes) == 2 else f"along the {axes[0]} axis"
    if not spec.lines:
        return f" The points are jittered slightly {where} so overlapping ones show."
    word = _line_word(spec.lines)
    they = f"the {word} is not" if len(spec.lines) == 1 else f"the {word}s are not"
    return f" The points are jittered slightly {where} so overlapping ones show; {they}."


def _scatter_alt(spec: ScatterSpec, frame: pd.DataFrame | None) -> str:
    """Alt text of a scatter plot."""
    points = _scatter_points(spec, frame)
    head = f"Scatter plot of {one_line(spec.y.label, 80)} against {one_line(spec.x.label, 80)}"
    count = len(points.x)
    if not count:
        return _finish(head + _NO_DATA_ALT, [])
    head += f", {_plural(count, 'point')}"
    color = spec.color
    if color is not None and color.kind == "categorical" and points.levels:
        head += f", coloured by {one_line(color.label, 60)} ({_levels_text(points.levels)})"
    elif color is not None and points.values is not None:
        low, high = value_text(float(points.values.min())), value_text(float(points.values.max()))
        head += f", coloured by {one_line(color.label, 60)} from {low} to {high} on a colour scale"
    tail = _focus_alt(spec, frame, points) + _jitter_alt(spec, points) + _note(spec.note)
    if not spec.lines:
        return _finish(head, [], tail)
    described, items = _lines_alt(spec.lines)
    return _finish(head + described, items, tail)


def _box_alt(spec: BoxSpec, frame: pd.DataFrame | None) -> str:
    """Alt text of a box plot, with each group's size and median."""
    points = _box_points(spec, frame)
    head = f"Box plot of {one_line(spec.y.label, 80)} by {one_line(spec.group.label, 80)}"
    if len(points.y) == 0:
        return _finish(head + _NO_DATA_ALT, [])
    head += (
        f", {_plural(len(points.y), 'point')} in {_plural(len(points.levels), 'group')}, "
        "points jittered over each box, means marked with diamonds: "
    )
    items = []
    for level in points.levels:
        values = points.y[points.level(level)]
        median = f", median {number(float(np.median(values)))}" if len(values) else ""
        items.append(f"{one_line(level, 40)} n = {_count(len(values))}{median}")
    return _finish(head, items)


def _histogram_alt(spec: HistogramSpec, frame: pd.DataFrame | None) -> str:
    """Alt text of a histogram."""
    points = _histogram_points(spec, frame)
    head = f"Histogram of {one_line(spec.x.label, 80)}"
    if len(points.y) == 0:
        return _finish(head + _NO_DATA_ALT, [])
    edges = _bin_edges(points.y)
    head += (
        f", {_plural(len(points.y), 'value')} in {_count(len(edges) - 1)} bins "
        f"from {number(float(edges[0]))} to {number(float(edges[-1]))}"
    )
    if points.groups is not None and spec.color is not None:
        how = "stacked" if len(points.levels) > 3 else "overlaid"
        head += f", {how} by {one_line(spec.color.label, 60)}: "
        items = [
            f"{one_line(level, 40)} n = {_count(int(points.level(level).sum()))}" for level in points.levels
        ]
        return _finish(head, items)
    return _finish(head, [])


def _residual_alt(spec: ResidualSpec) -> str:
    """Alt text of a residual plot."""
    fitted, residuals = _pairs(spec.fitted, spec.residuals)
    label = one_line(spec.response_label, 80)
    head = f"Residual plot for {label}: residuals against fitted values"
    if len(fitted) == 0:
        return _finish(head + _NO_DATA_ALT, [])
    head += (
        f", {_plural(len(fitted), 'point')}, with a dashed line at zero; residuals range from "
        f"{number(float(residuals.min()))} to {number(float(residuals.max()))}, "
        f"fitted values from {number(float(fitted.min()))} to {number(float(fitted.max()))}"
    )
    return _finish(head, [])


def _coefficient_alt(spec: CoefficientSpec) -> str:
    """Alt text of a coefficient plot: each estimate with its interval, in order, grouped by unit."""
    count, confidence = _plural(len(spec.names), "estimate"), _confidence(spec.level)
    head = f"Coefficient plot of {count} with {confidence} confidence intervals"
    if not spec.names:
        return _finish(head + _NO_DATA_ALT, [])
    panels = _coefficient_panels(spec)
    if len(panels) > 1:
        head += f", in {_count(len(panels))} panels, one per unit, each with a dashed line at zero: "
    else:
        head += " and a dashed line at zero: "
    items = []
    for unit, rows in panels:
        for position, row in enumerate(rows):
            item = (
                f"{one_line(spec.names[row], 40)} {number(spec.estimates[row])} "
                f"({number(spec.lows[row])} to {number(spec.highs[row])})"
            )
            if position == 0 and (unit or len(panels) > 1):
                item = f"in {one_line(unit, 60)}: {item}" if unit else f"without a unit: {item}"
            items.append(item)
    return _finish(head, items)


def alt_text(spec: FigureSpec, frame: pd.DataFrame | None) -> str:
    """What the figure shows, in words for screen readers (at most ``ALT_TEXT_LIMIT`` characters)."""
    match spec:
        case ScatterSpec():
            return _scatter_alt(spec, frame)
        case BoxSpec():
            return _box_alt(spec, frame)
        case HistogramSpec():
            return _histogram_alt(spec, frame)
        case ResidualSpec():
            return _residual_alt(spec)
        case CoefficientSpec():
            return _coefficient_alt(spec)
        case _:
            raise TypeError(f"not a figure spec: {type(spec).__name__}")


# --------------------------------------------------------------------------------------------- render


def _filename(spec: FigureSpec, requested: str | None) -> str:
    """A safe attachment name (``[a-z0-9_-]+.png``): ``requested`` cleaned, else the spec's kind."""
    stem = re.sub(r"[^a-z0-9_-]+", "-", (requested or "").lower().removesuffix(".png")).strip("-_")[:60]
    return f"{stem or _FILENAME_STEMS[type(spec)]}.png"


def _chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data and CRC."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png(fig: Figure) -> bytes:
    """The figure drawn and encoded as an 8-bit RGB PNG, unfiltered, at a low zlib level.

    Figures are opaque, so the alpha channel would only add bytes (Pillow drops it several times faster
    than a strided numpy copy). A chart is mostly flat colour, which zlib compresses well as it is: PNG's
    per-row filters (which Pillow and matplotlib choose for every row, at some cost) make such images
    larger, not smaller, and the default zlib level costs about three times as long as level 3 for a file
    about a seventh smaller.
    """
    fig.canvas.draw()
    rgba = np.asarray(fig.canvas.buffer_rgba())
    height, width = rgba.shape[:2]
    rgb = np.asarray(Image.frombuffer("RGBA", (width, height), rgba, "raw", "RGBA", 0, 1).convert("RGB"))
    rows = np.zeros((height, 1 + 3 * width), dtype=np.uint8)  # each row starts with filter type 0
    rows[:, 1:] = rgb.reshape(height, 3 * width)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", header),
            _chunk(b"IDAT", zlib.compress(rows, _PNG_COMPRESS_LEVEL)),
            _chunk(b"IEND", b""),
        ]
    )


def render(
    spec: FigureSpec, frame: pd.DataFrame | None, theme: Theme = "light", filename: str | None = None
) -> RenderedFigure:
    """Render ``spec`` to PNG bytes with a safe file name and alt text (nothing keeps the figure)."""
    png = _png(draw(spec, frame, theme))
    return RenderedFigure(png, _filename(spec, filename), alt_text(spec, frame))


#: The file name of the stand-in shown while a figure is drawn.
PLACEHOLDER_FILENAME = "drawing.png"
PLACEHOLDER_ALT = "The figure is being drawn; it appears here in a moment."
#: The stand-in's words: a grey that reads on Discord's light and dark backgrounds alike.
_PLACEHOLDER_GREY = "#8a8d93"


def placeholder(spec: FigureSpec) -> RenderedFigure:
    """A see-through picture of ``spec``'s figure size that says it is being drawn, so that the message
    keeps its layout when the figure replaces it (a figure whose legend goes below grows by the legend's
    height). It shows Discord's own background, so one stands in for the figure in every theme, and the
    words of a page (its draft) are the same whatever theme its figure is drawn in."""
    return _placeholder(_figsize(spec))


@lru_cache(maxsize=16)
def _placeholder(size: tuple[float, float]) -> RenderedFigure:
    """The stand-in of one size, drawn once: few sizes occur, and every draft page needs one."""
    fig = Figure(figsize=size, dpi=DPI, facecolor="none")
    canvas = FigureCanvasAgg(fig)
    fig.text(0.5, 0.5, "Drawing the figure…", ha="center", va="center", color=_PLACEHOLDER_GREY, fontsize=14)
    with rc_context(_TEXT_STYLE):
        canvas.draw()
    width, height = canvas.get_width_height(physical=True)
    buffer = io.BytesIO()
    Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).save(buffer, "PNG")
    return RenderedFigure(buffer.getvalue(), PLACEHOLDER_FILENAME, PLACEHOLDER_ALT)
