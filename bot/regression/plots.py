"""Figure specs -> matplotlib figures, PNG bytes and alt text.

Only the matplotlib object API is used (``Figure`` + ``FigureCanvasAgg``), never pyplot: no figure is
registered anywhere global, so a rendered figure is freed like any other object, and rendering is safe in
the worker processes of a server. User text (column names, levels, equations) is always drawn with
``parse_math=False`` so a ``$`` is shown as it is and never starts mathtext.

Artists that tests (and curious readers) can look up by ``gid``: ``"points"`` (scatter collections: one per
level, labelled with the level, for categorical colour), ``"fitted-line"`` (one ``Line2D`` per fitted
line, labelled with its equation), ``"zero-line"``, ``"box"``/``"mean"`` (box plot), ``"bars"``
(histogram), ``"estimates"``/``"intervals"`` (coefficient plot) and ``"no-data"`` (the empty-data message).
"""

from __future__ import annotations

import io
import math
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from matplotlib import colormaps, patheffects
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import Colormap, ListedColormap, Normalize, to_rgba
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.lines import Line2D

from bot.regression.figures import (
    BoxSpec,
    CoefficientSpec,
    FigureSpec,
    FittedLine,
    HistogramSpec,
    RenderedFigure,
    ResidualSpec,
    ScatterSpec,
)

Theme = Literal["light", "dark"]

#: Okabe-Ito colours without black, in the order levels get them on a light background.
CATEGORICAL_COLORS = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442")
#: The same colours in the order used on a dark background (the darkest blue last).
CATEGORICAL_COLORS_DARK = ("#56B4E9", "#E69F00", "#009E73", "#F0E442", "#CC79A7", "#D55E00", "#0072B2")
#: Markers for levels; the next marker is used each time the colours run out.
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
#: Perceptually uniform colormap for numeric colouring (its low-contrast end is cut per theme).
SEQUENTIAL_COLORMAP = "viridis"

DPI = 110
FIGSIZE = (8.0, 5.0)
ALT_TEXT_LIMIT = 1000
MIN_BINS, MAX_BINS = 10, 40
JITTER_SEED = 20240601
NO_DATA_MESSAGE = "No data to plot: no rows without missing values."
_NO_DATA_ALT = ": no data to plot (no rows without missing values)"

_TITLE_CHARS = 90
_AXIS_LABEL_CHARS = 70
_LEGEND_LABEL_CHARS = 70
_TICK_LABEL_CHARS = 30
_LEVEL_TICK_CHARS = 20
_NOTE_CHARS = 240
_SHORT_LEGEND_LABEL = 28
_RIGHT_LEGEND_ROWS = 14
_BOTTOM_LEGEND_ROWS = 8
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
        colormap=_cut_colormap(SEQUENTIAL_COLORMAP, 0.18, 1.0),
    ),
}


# --------------------------------------------------------------------------------------------- text


def _clip(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: max(limit - 1, 0)].rstrip() + "…"


def _legend_label(text: str) -> str:
    """A legend entry: clipped, and protected from matplotlib's rule that hides labels starting with ``_``."""
    label = _clip(text, _LEGEND_LABEL_CHARS)
    return "\u200b" + label if label.startswith("_") else label


def _num(value: float) -> str:
    """A number for reading aloud: four significant digits and a real minus sign."""
    if not math.isfinite(value):
        return "not available"
    text = f"{value:.4g}" if value == 0 or 1e-3 <= abs(value) < 1e5 else f"{value:.3g}"
    return text.replace("-", "−")


def _fit_list(items: Sequence[str], budget: int, separator: str = "; ") -> str:
    """Items joined within ``budget`` characters: all of them, else each trimmed, then "and N more"."""
    joined = separator.join(items)
    if len(joined) <= budget:
        return joined
    each = max(24, budget // len(items) - len(separator))
    trimmed = [_clip(item, each) for item in items]
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
    """``1 point``, ``2 points``."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


# --------------------------------------------------------------------------------------------- data


@dataclass(frozen=True)
class _Points:
    """The rows a figure plots, after dropping missing values.

    ``groups`` holds each row's level (categorical colour or box group) and ``values`` its colour value
    (numeric colour); ``levels`` is the order levels are drawn and coloured in.
    """

    x: np.ndarray
    y: np.ndarray
    levels: tuple[str, ...] = ()
    groups: np.ndarray | None = None
    values: np.ndarray | None = None

    def level(self, level: str) -> np.ndarray:
        """The mask of rows in ``level`` (no rows when the points are not grouped)."""
        return self.groups == level if self.groups is not None else np.zeros(len(self.y), dtype=bool)


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
    """The levels in drawing order: ``given``, else the categorical order, else sorted values."""
    if given:
        return tuple(given)
    seen = set(present)
    if isinstance(original.dtype, pd.CategoricalDtype):
        names = (_level_name(category) for category in original.cat.categories)
        return tuple(name for name in names if name in seen)
    raw = original.loc[present.index].dropna().unique()
    try:
        ordered = sorted(raw)
    except TypeError:
        ordered = sorted(raw, key=str)
    return tuple(dict.fromkeys(_level_name(value) for value in ordered))


def _grouped(
    frame: pd.DataFrame, x: str | None, y: str, group: str | None, kind: str, given: tuple[str, ...]
) -> _Points:
    """Rows of numeric ``x``/``y`` (``x`` may be absent) with an optional ``group`` column of ``kind``."""
    columns = {"y": pd.to_numeric(frame[y], errors="coerce")}
    if x is not None:
        columns["x"] = pd.to_numeric(frame[x], errors="coerce")
    if group is not None:
        raw = frame[group]
        columns["g"] = pd.to_numeric(raw, errors="coerce") if kind == "numeric" else _as_text(raw)
    rows = pd.DataFrame(columns).dropna()
    levels: tuple[str, ...] = ()
    if group is not None and kind != "numeric":
        levels = _levels(frame[group], rows["g"], given)
        rows = rows[rows["g"].isin(levels)]
    ys = rows["y"].to_numpy(dtype=float)
    xs = rows["x"].to_numpy(dtype=float) if x is not None else np.zeros(len(ys))
    if group is None:
        return _Points(xs, ys)
    if kind == "numeric":
        return _Points(xs, ys, values=rows["g"].to_numpy(dtype=float))
    return _Points(xs, ys, levels=levels, groups=rows["g"].to_numpy(dtype=object))


def _scatter_points(spec: ScatterSpec, frame: pd.DataFrame | None) -> _Points:
    """The scatter's rows."""
    color = spec.color
    return _grouped(
        _require_frame(frame, spec),
        spec.x.column,
        spec.y.column,
        color.column if color else None,
        color.kind if color else "numeric",
        color.levels if color else (),
    )


def _box_points(spec: BoxSpec, frame: pd.DataFrame | None) -> _Points:
    """The box plot's rows (``x`` unused)."""
    frame = _require_frame(frame, spec)
    return _grouped(frame, None, spec.y.column, spec.group.column, "categorical", spec.levels)


def _histogram_points(spec: HistogramSpec, frame: pd.DataFrame | None) -> _Points:
    """The histogram's values (in ``y``), split by level when coloured by a categorical column.

    A numeric colour cannot split a histogram, so it is ignored.
    """
    frame = _require_frame(frame, spec)
    color = spec.color if spec.color is not None and spec.color.kind == "categorical" else None
    group = color.column if color else None
    return _grouped(frame, None, spec.x.column, group, "categorical", color.levels if color else ())


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


def _level_style(index: int, palette: _Palette) -> tuple[str, str]:
    """The colour and marker of the ``index``-th level."""
    cycle, position = divmod(index, len(palette.categorical))
    return palette.categorical[position], MARKERS[cycle % len(MARKERS)]


# --------------------------------------------------------------------------------------------- style


def _style_axes(ax: Axes, palette: _Palette) -> None:
    """Theme colours for one axes: background, spines, ticks, labels and grid."""
    ax.set_facecolor(palette.axes)
    for spine in ax.spines.values():
        spine.set_color(palette.muted)
    ax.tick_params(colors=palette.text, which="both", labelsize=10)
    ax.xaxis.label.set_color(palette.text)
    ax.yaxis.label.set_color(palette.text)
    ax.grid(True, color=palette.grid, linewidth=0.7)
    ax.set_axisbelow(True)


def _set_texts(
    fig: Figure, ax: Axes, palette: _Palette, title: str, x: str, y: str, note: str | None = None
) -> None:
    """Title, axis labels and the optional note (a small caption under the title), all as plain text."""
    fig.suptitle(_clip(title, _TITLE_CHARS), fontsize=13, color=palette.text, **_USER_TEXT)
    ax.set_xlabel(_clip(x, _AXIS_LABEL_CHARS), fontsize=11, color=palette.text, **_USER_TEXT)
    ax.set_ylabel(_clip(y, _AXIS_LABEL_CHARS), fontsize=11, color=palette.text, **_USER_TEXT)
    if note:
        caption = textwrap.fill(_clip(note, _NOTE_CHARS), width=110)
        ax.set_title(caption, loc="left", fontsize=9, style="italic", color=palette.muted, **_USER_TEXT)


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


def _legend(fig: Figure, palette: _Palette, handles: Sequence[Artist], labels: Sequence[str]) -> None:
    """A figure legend outside the axes: on the right when short, below when entries are long or many.

    Entries beyond what fits (``_RIGHT_LEGEND_ROWS`` rows, or ``_BOTTOM_LEGEND_ROWS`` rows of columns) end
    in "… and N more"; the alt text still lists them.
    """
    if not handles:
        return
    handles, labels = list(handles), [_legend_label(label) for label in labels]
    longest = max(len(label) for label in labels)
    if longest <= _SHORT_LEGEND_LABEL and len(labels) <= _RIGHT_LEGEND_ROWS:
        loc, columns, capacity = "outside right upper", 1, _RIGHT_LEGEND_ROWS
    else:
        loc, columns = "outside lower center", max(1, min(4, 100 // (longest + 6)))
        capacity = columns * _BOTTOM_LEGEND_ROWS
    if len(handles) > capacity:
        hidden = len(handles) - capacity + 1
        handles = [*handles[: capacity - 1], Line2D([], [], linestyle="none")]
        labels = [*labels[: capacity - 1], f"… and {hidden} more"]
    columns = min(columns, len(handles))
    legend = fig.legend(
        handles,
        labels,
        loc=loc,
        ncols=columns,
        fontsize=9.5,
        frameon=True,
        facecolor=palette.axes,
        edgecolor=palette.grid,
        labelcolor=palette.text,
    )
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
    """A fitted line's colour: its level's, the colormap's at its value, or the neutral colour."""
    group = line.group
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


def _draw_scatter(
    fig: Figure, ax: Axes, spec: ScatterSpec, frame: pd.DataFrame | None, palette: _Palette
) -> None:
    """Points coloured by level or value, and the fitted lines over them."""
    points = _scatter_points(spec, frame)
    _set_texts(fig, ax, palette, spec.title, spec.x.label, spec.y.label, spec.note)
    marks: dict[str, Any] = {
        "s": 30,
        "alpha": 0.8,
        "linewidths": 0.5,
        "edgecolors": palette.axes,
        "zorder": 2,
    }
    handles: list[Artist] = []
    labels: list[str] = []
    level_colors: dict[str, str] = {}
    colormap: Colormap | None = None
    norm: Normalize | None = None
    if points.groups is not None:
        for index, level in enumerate(points.levels):
            color, marker = _level_style(index, palette)
            level_colors[level] = color
            mask = points.level(level)
            collection = ax.scatter(
                points.x[mask], points.y[mask], color=color, marker=marker, label=level, gid="points", **marks
            )
            handles.append(collection)
            labels.append(level)
    elif points.values is not None:
        colormap, norm = palette.colormap, _numeric_norm(points.values, spec.lines)
        collection = ax.scatter(
            points.x, points.y, c=points.values, cmap=colormap, norm=norm, gid="points", **marks
        )
        _colorbar(fig, ax, collection, spec.color.label if spec.color else "", palette)
    else:
        ax.scatter(points.x, points.y, color=palette.points, gid="points", **marks)
    if len(points.x) == 0:
        _no_data(ax, palette, keep_ticks=bool(spec.lines))
    outline = [patheffects.withStroke(linewidth=4.2, foreground=palette.axes)]
    for line in spec.lines:
        (artist,) = ax.plot(
            line.xs,
            line.ys,
            color=_line_color(line, level_colors, colormap, norm, palette),
            linewidth=2.2,
            linestyle="--" if line.dashed else "-",
            label=line.label,
            gid="fitted-line",
            zorder=3,
            path_effects=outline,
        )
        handles.append(artist)
        labels.append(line.label)
    _legend(fig, palette, handles, labels)


def _colorbar(fig: Figure, ax: Axes, mappable: Any, label: str, palette: _Palette) -> None:
    """A colour bar beside ``ax``, labelled and themed."""
    bar = fig.colorbar(mappable, ax=ax, pad=0.02)
    bar.set_label(_clip(label, _AXIS_LABEL_CHARS), color=palette.text, fontsize=11, **_USER_TEXT)
    bar.ax.tick_params(colors=palette.text, labelsize=10)
    bar.outline.set_edgecolor(palette.muted)


def _draw_box(fig: Figure, ax: Axes, spec: BoxSpec, frame: pd.DataFrame | None, palette: _Palette) -> None:
    """One box per level with the points jittered over it and the mean marked."""
    points = _box_points(spec, frame)
    _set_texts(fig, ax, palette, spec.title, spec.group.label, spec.y.label)
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
        color, marker = _level_style(index, palette)
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
    tick_labels = [_clip(level, _LEVEL_TICK_CHARS) for level in points.levels]
    rotation = 30 if sum(len(label) for label in tick_labels) > 70 else 0
    ax.set_xticks(
        positions, tick_labels, rotation=rotation, ha="right" if rotation else "center", **_USER_TEXT
    )
    ax.set_xlim(0.4, len(positions) + 0.6)
    _legend(fig, palette, parts["means"][:1], ["mean"])


def _draw_histogram(
    fig: Figure, ax: Axes, spec: HistogramSpec, frame: pd.DataFrame | None, palette: _Palette
) -> None:
    """Counts per bin; by level overlaid (up to three levels) or stacked (more)."""
    points = _histogram_points(spec, frame)
    _set_texts(fig, ax, palette, spec.title, spec.x.label, "count")
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
    colors = [_level_style(index, palette)[0] for index in range(len(points.levels))]
    groups = [points.y[points.level(level)] for level in points.levels]
    handles: list[Artist] = []
    if len(groups) > 3:
        _, _, stacks = ax.hist(
            groups, bins=edges, stacked=True, color=colors, edgecolor=palette.axes, linewidth=0.5
        )
        for stack in stacks:
            for bar in stack:
                bar.set_gid("bars")
            handles.append(stack[0])
    else:
        for values, color in zip(groups, colors, strict=True):
            _, _, (fill, *_) = ax.hist(values, bins=edges, histtype="stepfilled", color=to_rgba(color, 0.35))
            fill.set_gid("bars")
        for values, color in zip(groups, colors, strict=True):
            _, _, (outline, *_) = ax.hist(values, bins=edges, histtype="step", color=color, linewidth=1.8)
            handles.append(outline)
    _legend(fig, palette, handles, points.levels)


def _draw_residuals(fig: Figure, ax: Axes, spec: ResidualSpec, palette: _Palette) -> None:
    """Residuals against fitted values with a zero line."""
    fitted, residuals = _pairs(spec.fitted, spec.residuals)
    _set_texts(
        fig, ax, palette, spec.title, f"fitted: {spec.response_label}", f"residual: {spec.response_label}"
    )
    ax.scatter(fitted, residuals, color=palette.points, s=26, alpha=0.8, linewidths=0, gid="points", zorder=2)
    ax.axhline(0.0, color=palette.neutral, linewidth=1.3, linestyle="--", gid="zero-line", zorder=3)
    if len(fitted) == 0:
        _no_data(ax, palette)


def _confidence(level: float) -> str:
    """``0.95`` -> ``95%``."""
    return f"{level * 100:g}%"


def _draw_coefficients(fig: Figure, ax: Axes, spec: CoefficientSpec, palette: _Palette) -> None:
    """One row per coefficient, top to bottom in order: the estimate and its confidence interval."""
    title = f"{_clip(spec.title, _TITLE_CHARS - 30)} ({_confidence(spec.level)} confidence intervals)"
    _set_texts(fig, ax, palette, title, "estimate", "")
    ax.axvline(0.0, color=palette.muted, linewidth=1.2, linestyle="--", gid="zero-line", zorder=1)
    ax.grid(False, axis="y")
    if not spec.names:
        _no_data(ax, palette)
        return
    rows = np.arange(len(spec.names))
    estimates = np.asarray(spec.estimates, dtype=float)
    below = np.clip(estimates - np.asarray(spec.lows, dtype=float), 0.0, None)
    above = np.clip(np.asarray(spec.highs, dtype=float) - estimates, 0.0, None)
    bars = ax.errorbar(
        estimates,
        rows,
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
    ax.set_yticks(rows, [_clip(name, _TICK_LABEL_CHARS) for name in spec.names], **_USER_TEXT)
    ax.set_ylim(len(rows) - 0.5, -0.5)


def _figsize(spec: FigureSpec) -> tuple[float, float]:
    """8x5 inches, taller for a coefficient plot with many rows."""
    if isinstance(spec, CoefficientSpec):
        return FIGSIZE[0], min(14.0, max(FIGSIZE[1], 1.8 + 0.36 * len(spec.names)))
    return FIGSIZE


def draw(spec: FigureSpec, frame: pd.DataFrame | None, theme: Theme = "light") -> Figure:
    """Draw ``spec`` on a new figure (with an Agg canvas attached).

    ``frame`` holds the dataset's rows for specs that name columns (scatter, box, histogram); rows missing
    a plotted value are dropped, and no rows at all gives a figure with a "no data" message.
    """
    if theme not in _THEMES:
        raise ValueError(f"unknown theme {theme!r}; use 'light' or 'dark'")
    palette = _THEMES[theme]
    layout = ConstrainedLayoutEngine(w_pad=0.1, h_pad=0.1)
    fig = Figure(figsize=_figsize(spec), dpi=DPI, facecolor=palette.figure, layout=layout)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    _style_axes(ax, palette)
    match spec:
        case ScatterSpec():
            _draw_scatter(fig, ax, spec, frame, palette)
        case BoxSpec():
            _draw_box(fig, ax, spec, frame, palette)
        case HistogramSpec():
            _draw_histogram(fig, ax, spec, frame, palette)
        case ResidualSpec():
            _draw_residuals(fig, ax, spec, palette)
        case CoefficientSpec():
            _draw_coefficients(fig, ax, spec, palette)
        case _:
            raise TypeError(f"not a figure spec: {type(spec).__name__}")
    return fig


# --------------------------------------------------------------------------------------------- alt text


def _finish(head: str, items: Sequence[str], tail: str = "") -> str:
    """``head`` + as many of ``items`` as fit + ``tail``, within the alt-text limit."""
    budget = ALT_TEXT_LIMIT - len(head) - len(tail) - 1
    listed = _fit_list(items, max(budget, 0)) if items else ""
    return _clip(f"{head}{listed}.{tail}" if listed else f"{head.rstrip(': ,')}.{tail}", ALT_TEXT_LIMIT)


def _note(note: str | None) -> str:
    """The caption as a trailing sentence."""
    if not note:
        return ""
    text = _clip(note, _NOTE_CHARS)
    return f" {text}" if text.endswith((".", "!", "?")) else f" {text}."


def _levels_text(levels: Sequence[str]) -> str:
    """Level names for a sentence, trimmed to a share of the limit."""
    return _fit_list([_clip(level, 40) for level in levels], 250, separator=", ")


def _scatter_alt(spec: ScatterSpec, frame: pd.DataFrame | None) -> str:
    """Alt text of a scatter plot."""
    points = _scatter_points(spec, frame)
    head = f"Scatter plot of {_clip(spec.y.label, 80)} against {_clip(spec.x.label, 80)}"
    count = len(points.x)
    if not count:
        return _finish(head + _NO_DATA_ALT, [])
    head += f", {_plural(count, 'point')}"
    color = spec.color
    if color is not None and color.kind == "categorical" and points.levels:
        head += f", coloured by {_clip(color.label, 60)} ({_levels_text(points.levels)})"
    elif color is not None and points.values is not None:
        low, high = _num(float(points.values.min())), _num(float(points.values.max()))
        head += f", coloured by {_clip(color.label, 60)} from {low} to {high} on a colour scale"
    if not spec.lines:
        return _finish(head, [], _note(spec.note))
    slopes = [line.slope for line in spec.lines]
    parallel = len(slopes) > 1 and all(
        s is not None and slopes[0] is not None and math.isclose(s, slopes[0], rel_tol=1e-9, abs_tol=1e-12)
        for s in slopes
    )
    kind = "parallel fitted line" if parallel else "fitted line"
    head += f", with {_plural(len(spec.lines), kind)}: "
    return _finish(head, [" ".join(line.label.split()) for line in spec.lines], _note(spec.note))


def _box_alt(spec: BoxSpec, frame: pd.DataFrame | None) -> str:
    """Alt text of a box plot, with each group's size and median."""
    points = _box_points(spec, frame)
    head = f"Box plot of {_clip(spec.y.label, 80)} by {_clip(spec.group.label, 80)}"
    if len(points.y) == 0:
        return _finish(head + _NO_DATA_ALT, [])
    head += (
        f", {_plural(len(points.y), 'point')} in {_plural(len(points.levels), 'group')}, "
        "points jittered over each box, means marked with diamonds: "
    )
    items = []
    for level in points.levels:
        values = points.y[points.level(level)]
        median = f", median {_num(float(np.median(values)))}" if len(values) else ""
        items.append(f"{_clip(level, 40)} n = {len(values)}{median}")
    return _finish(head, items)


def _histogram_alt(spec: HistogramSpec, frame: pd.DataFrame | None) -> str:
    """Alt text of a histogram."""
    points = _histogram_points(spec, frame)
    head = f"Histogram of {_clip(spec.x.label, 80)}"
    if len(points.y) == 0:
        return _finish(head + _NO_DATA_ALT, [])
    edges = _bin_edges(points.y)
    head += (
        f", {_plural(len(points.y), 'value')} in {len(edges) - 1} bins "
        f"from {_num(float(edges[0]))} to {_num(float(edges[-1]))}"
    )
    if points.groups is not None and spec.color is not None:
        how = "stacked" if len(points.levels) > 3 else "overlaid"
        head += f", {how} by {_clip(spec.color.label, 60)}: "
        items = [f"{_clip(level, 40)} n = {int(points.level(level).sum())}" for level in points.levels]
        return _finish(head, items)
    return _finish(head, [])


def _residual_alt(spec: ResidualSpec) -> str:
    """Alt text of a residual plot."""
    fitted, residuals = _pairs(spec.fitted, spec.residuals)
    label = _clip(spec.response_label, 80)
    head = f"Residual plot for {label}: residuals against fitted values"
    if len(fitted) == 0:
        return _finish(head + _NO_DATA_ALT, [])
    head += (
        f", {_plural(len(fitted), 'point')}, with a dashed line at zero; residuals range from "
        f"{_num(float(residuals.min()))} to {_num(float(residuals.max()))}, "
        f"fitted values from {_num(float(fitted.min()))} to {_num(float(fitted.max()))}"
    )
    return _finish(head, [])


def _coefficient_alt(spec: CoefficientSpec) -> str:
    """Alt text of a coefficient plot: each estimate with its interval, in order."""
    count, confidence = _plural(len(spec.names), "estimate"), _confidence(spec.level)
    head = f"Coefficient plot of {count} with {confidence} confidence intervals"
    if not spec.names:
        return _finish(head + _NO_DATA_ALT, [])
    items = [
        f"{_clip(name, 40)} {_num(est)} ({_num(low)} to {_num(high)})"
        for name, est, low, high in zip(spec.names, spec.estimates, spec.lows, spec.highs, strict=True)
    ]
    return _finish(f"{head} and a dashed line at zero: ", items)


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


def render(
    spec: FigureSpec, frame: pd.DataFrame | None, theme: Theme = "light", filename: str | None = None
) -> RenderedFigure:
    """Render ``spec`` to PNG bytes with a safe file name and alt text; the figure is freed afterwards."""
    fig = draw(spec, frame, theme)
    buffer = io.BytesIO()
    try:
        fig.savefig(
            buffer,
            format="png",
            dpi=DPI,
            facecolor=fig.get_facecolor(),
            edgecolor="none",
        )
    finally:
        fig.clear()
    return RenderedFigure(buffer.getvalue(), _filename(spec, filename), alt_text(spec, frame))
