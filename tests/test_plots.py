"""Figure specs -> figures, PNGs and alt text, checked through matplotlib's artists (no pixel snapshots)."""

from __future__ import annotations

import ast
import dataclasses
import gc
import io
import itertools
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.axis import XAxis, YAxis
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import same_color, to_rgb
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from bot.regression import formula as fm
from bot.regression import plots
from bot.regression.datasets import DatasetRegistry
from bot.regression.figures import (
    Axis,
    BoxSpec,
    CoefficientSpec,
    ColorBy,
    FigureSpec,
    FittedLine,
    HistogramSpec,
    ResidualSpec,
    ScatterSpec,
)
from bot.regression.text import number, value_text

PLOTS_SOURCE = Path(plots.__file__)
LEVELS = ("Lesson A", "Lesson B")
INTERCEPTS = {"Lesson A": 18.34, "Lesson B": 5.16}
SLOPE = 1.35
COMPLETED = Axis("completed", "completed (items)")
SCORE = Axis("score", "score (points)")
LESSON = ColorBy("lesson", "lesson", "categorical", LEVELS)
SAFE_FILENAME = re.compile(r"[a-z0-9_-]+\.png")


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    """100 students like the lecture's, plus a numeric moderator and three rows with missing values."""
    rng = np.random.default_rng(7)
    n = 100
    lesson = np.where(np.arange(n) % 2 == 0, "Lesson A", "Lesson B")
    completed = rng.integers(9, 41, n).astype(float)
    intercepts = np.where(lesson == "Lesson A", INTERCEPTS["Lesson A"], INTERCEPTS["Lesson B"])
    rows = pd.DataFrame(
        {
            "score": intercepts + SLOPE * completed + rng.normal(0, 8, n),
            "completed": completed,
            "lesson": pd.Categorical(lesson, categories=LEVELS),
            "port1": rng.integers(0, 21, n).astype(float),
        }
    )
    missing = pd.DataFrame(
        {
            "score": [np.nan, 50.0, 40.0],
            "completed": [20.0, np.nan, 30.0],
            "lesson": pd.Categorical(["Lesson A", "Lesson B", None], categories=LEVELS),
            "port1": [np.nan, np.nan, np.nan],
        }
    )
    return pd.concat([rows, missing], ignore_index=True)


def line(
    level: str | float | None, intercept: float, slope: float = SLOPE, dashed: bool = False
) -> FittedLine:
    """A straight fitted line over the lecture's range of completed items."""
    xs = (9.0, 20.0, 40.0)
    prefix = f"{level}: " if level is not None else ""
    return FittedLine(
        f"{prefix}ŷ = {intercept:.2f} + {slope:.2f}·completed",
        xs,
        tuple(intercept + slope * x for x in xs),
        level,
        intercept,
        slope,
        dashed,
    )


@pytest.fixture(scope="module")
def lecture() -> ScatterSpec:
    """The lecture's picture: score against completed, coloured by lesson, with two parallel lines."""
    return ScatterSpec(
        "Score against completed, by lesson",
        COMPLETED,
        SCORE,
        LESSON,
        tuple(line(level, INTERCEPTS[level]) for level in LEVELS),
        note="Lines from score ~ lesson + completed",
    )


def by_gid(fig: Figure, gid: str) -> list:
    """Every artist in the figure with ``gid``, in drawing order."""
    return [artist for artist in fig.findobj() if artist.get_gid() == gid]


def legends(fig: Figure) -> list[Legend]:
    """The figure's legends: its own and its axes'."""
    return [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend() is not None)]


def legend_texts(fig: Figure) -> list[str]:
    """The texts of all the figure's legends."""
    return [text.get_text() for legend in legends(fig) for text in legend.get_texts()]


def all_texts(fig: Figure) -> list[Text]:
    """Every text artist with something written in it."""
    return [text for text in fig.findobj(Text) if text.get_text()]


def test_fitted_lines_give_back_slopes_and_intercepts(lecture: ScatterSpec, frame: pd.DataFrame) -> None:
    fig = plots.draw(lecture, frame)
    lines = by_gid(fig, "fitted-line")
    assert len(lines) == 2
    assert all(isinstance(artist, Line2D) for artist in lines)
    for artist, spec_line in zip(lines, lecture.lines, strict=True):
        assert artist.get_label() == spec_line.label
        slope, intercept = np.polyfit(artist.get_xdata(), artist.get_ydata(), 1)
        assert slope == pytest.approx(SLOPE)
        assert intercept == pytest.approx(INTERCEPTS[str(spec_line.group)])
        assert tuple(artist.get_xdata()) == spec_line.xs


def test_points_one_collection_per_level_without_missing_rows(
    lecture: ScatterSpec, frame: pd.DataFrame
) -> None:
    fig = plots.draw(lecture, frame)
    points = by_gid(fig, "points")
    assert [collection.get_label() for collection in points] == list(LEVELS)
    assert all(isinstance(collection, PathCollection) for collection in points)
    assert [len(collection.get_offsets()) for collection in points] == [50, 50]


def test_line_colours_match_their_level_points(lecture: ScatterSpec, frame: pd.DataFrame) -> None:
    fig = plots.draw(lecture, frame)
    colors = {c.get_label(): to_rgb(c.get_facecolor()[0]) for c in by_gid(fig, "points")}
    assert colors["Lesson A"] != colors["Lesson B"]
    for artist, spec_line in zip(by_gid(fig, "fitted-line"), lecture.lines, strict=True):
        assert to_rgb(artist.get_color()) == colors[str(spec_line.group)]


def test_a_level_with_a_line_has_one_legend_entry_with_marker_and_line(
    lecture: ScatterSpec, frame: pd.DataFrame
) -> None:
    fig = plots.draw(lecture, frame)
    assert legend_texts(fig) == [spec_line.label for spec_line in lecture.lines]
    (legend,) = legends(fig)
    assert len(legend.legend_handles) == 2
    one_line = dataclasses.replace(lecture, lines=lecture.lines[1:])
    assert legend_texts(plots.draw(one_line, frame)) == ["Lesson A", lecture.lines[1].label]


def test_note_is_shown(lecture: ScatterSpec, frame: pd.DataFrame) -> None:
    texts = [text.get_text() for text in all_texts(plots.draw(lecture, frame))]
    assert lecture.note in texts
    assert lecture.title in texts


def test_numeric_colouring_has_a_labelled_colour_bar_and_matching_lines(frame: pd.DataFrame) -> None:
    moderator = ColorBy("port1", "port1 (grade)", "numeric")
    lines = (line(5.0, 5.0), line(15.0, 15.0, dashed=True))
    spec = ScatterSpec("Score by port1", COMPLETED, SCORE, moderator, lines)
    fig = plots.draw(spec, frame)
    (points,) = by_gid(fig, "points")
    assert len(points.get_offsets()) == 100
    assert points.colorbar is not None
    assert points.colorbar.ax.get_ylabel() == "port1 (grade)"
    drawn = by_gid(fig, "fitted-line")
    for artist, spec_line in zip(drawn, lines, strict=True):
        assert same_color(artist.get_color(), points.cmap(points.norm(spec_line.group)))
    assert [artist.get_linestyle() for artist in drawn] == ["-", "--"]
    assert not same_color(drawn[0].get_color(), drawn[1].get_color())


@pytest.mark.parametrize(("theme", "neutral"), [("light", "#000000"), ("dark", "#f2f3f5")])
def test_lines_without_a_group_are_neutral(frame: pd.DataFrame, theme: str, neutral: str) -> None:
    spec = ScatterSpec("Score", COMPLETED, SCORE, lines=(line(None, 10.0), line("no such level", 12.0)))
    colors = [artist.get_color() for artist in by_gid(plots.draw(spec, frame, theme), "fitted-line")]
    assert all(same_color(color, neutral) for color in colors)


def test_dark_theme_changes_face_colours(lecture: ScatterSpec, frame: pd.DataFrame) -> None:
    light, dark = plots.draw(lecture, frame, "light"), plots.draw(lecture, frame, "dark")
    assert not same_color(light.get_facecolor(), dark.get_facecolor())
    assert not same_color(light.axes[0].get_facecolor(), dark.axes[0].get_facecolor())
    assert np.mean(to_rgb(dark.get_facecolor())) < 0.3
    assert np.mean(to_rgb(dark.axes[0].xaxis.label.get_color())) > 0.7


def test_unknown_theme_is_refused(lecture: ScatterSpec, frame: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="theme"):
        plots.draw(lecture, frame, "blue")  # type: ignore[arg-type]


def test_specs_that_name_columns_need_a_frame(lecture: ScatterSpec) -> None:
    with pytest.raises(ValueError, match="frame"):
        plots.draw(lecture, None)


def level_styles(fig: Figure) -> list[tuple[tuple[float, float, float], bytes]]:
    """Each level's colour and marker shape, in drawing order."""
    return [
        (to_rgb(c.get_facecolor()[0]), c.get_paths()[0].vertices.tobytes()) for c in by_gid(fig, "points")
    ]


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("count", [3, 7, 8, 11, 20, 60])
def test_levels_never_share_a_colour_up_to_twenty_nor_a_colour_and_marker_beyond(
    count: int, theme: str
) -> None:
    levels = tuple(f"group {i}" for i in range(count))
    rows = pd.DataFrame({"x": np.arange(count * 2.0), "y": np.arange(count * 2.0), "g": levels * 2})
    spec = ScatterSpec("Many", Axis("x", "x"), Axis("y", "y"), ColorBy("g", "g", "categorical", levels))
    styles = level_styles(plots.draw(spec, rows, theme))  # type: ignore[arg-type]
    assert len(styles) == count == len(set(styles))
    colors = [color for color, _ in styles]
    okabe_ito = plots.CATEGORICAL_COLORS if theme == "light" else plots.CATEGORICAL_COLORS_DARK
    many = plots.MANY_COLORS if theme == "light" else plots.MANY_COLORS_DARK
    if count <= 7:
        assert colors == [to_rgb(color) for color in okabe_ito[:count]]
        assert len({marker for _, marker in styles}) == 1
    else:
        assert len(set(colors)) == min(count, 20)
        assert set(colors) <= {to_rgb(color) for color in many}
    assert len(many) == len(set(many)) == 20


def test_levels_default_to_categorical_order_then_sorted_values(frame: pd.DataFrame) -> None:
    unordered = ColorBy("lesson", "lesson", "categorical")
    spec = ScatterSpec("Score", COMPLETED, SCORE, unordered)
    assert [c.get_label() for c in by_gid(plots.draw(spec, frame), "points")] == list(LEVELS)
    rows = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [1.0, 2.0, 3.0], "g": ["b", "c", "a"]})
    spec = ScatterSpec("Sorted", Axis("x", "x"), Axis("y", "y"), ColorBy("g", "g", "categorical"))
    assert [c.get_label() for c in by_gid(plots.draw(spec, rows), "points")] == ["a", "b", "c"]


def test_whole_float_codes_match_their_level_names() -> None:
    rows = pd.DataFrame(
        {"x": [1.0, 2.0, 3.0, 4.0], "y": [1.0, 2.0, 3.0, 4.0], "cyl": [4.0, 6.0, np.nan, 4.0]}
    )
    spec = ScatterSpec(
        "By cyl", Axis("x", "x"), Axis("y", "y"), ColorBy("cyl", "cyl", "categorical", ("4", "6"))
    )
    points = by_gid(plots.draw(spec, rows), "points")
    assert [(c.get_label(), len(c.get_offsets())) for c in points] == [("4", 2), ("6", 1)]
    box = BoxSpec("y by cyl", Axis("cyl", "cyl"), Axis("y", "y"))
    assert "4 n = 2, median 2.50; 6 n = 1, median 2.00" in plots.alt_text(box, rows)


def test_box_plot_has_one_box_per_level_in_the_given_order(frame: pd.DataFrame) -> None:
    order = ("Lesson B", "Lesson A")
    fig = plots.draw(BoxSpec("Score by lesson", Axis("lesson", "lesson"), SCORE, order), frame)
    ax = fig.axes[0]
    boxes = by_gid(fig, "box")
    assert len(boxes) == 2 and all(isinstance(box, PathPatch) for box in boxes)
    assert [label.get_text() for label in ax.get_xticklabels()] == list(order)
    assert [c.get_label() for c in by_gid(fig, "points")] == list(order)
    clean = frame.dropna(subset=["score", "lesson"])
    for position, (level, mean) in enumerate(zip(order, by_gid(fig, "mean"), strict=True), start=1):
        scores = clean.loc[clean["lesson"] == level, "score"]
        assert mean.get_xdata()[0] == position
        assert mean.get_ydata()[0] == pytest.approx(scores.mean())
        assert boxes[position - 1].get_path().vertices[:, 0].mean() == pytest.approx(position, abs=0.3)


def test_box_plot_levels_default_to_sorted_values_and_jitter_is_deterministic() -> None:
    rows = pd.DataFrame({"g": ["b", "a", "c", "a", "b", "c"], "y": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
    spec = BoxSpec("By g", Axis("g", "g"), Axis("y", "y"))
    first, second = plots.draw(spec, rows), plots.draw(spec, rows)
    assert [label.get_text() for label in first.axes[0].get_xticklabels()] == ["a", "b", "c"]
    for one, two in zip(by_gid(first, "points"), by_gid(second, "points"), strict=True):
        np.testing.assert_array_equal(one.get_offsets(), two.get_offsets())


def test_histogram_bins_stay_between_ten_and_forty() -> None:
    rng = np.random.default_rng(3)
    many = pd.DataFrame({"v": rng.normal(size=20_000)})
    few = pd.DataFrame({"v": [1.0, 2.0, 2.0, 3.0]})
    spec = HistogramSpec("Values", Axis("v", "v (units)"))
    assert len(by_gid(plots.draw(spec, many), "bars")) == plots.MAX_BINS
    assert len(by_gid(plots.draw(spec, few), "bars")) == plots.MIN_BINS
    assert all(isinstance(bar, Rectangle) for bar in by_gid(plots.draw(spec, few), "bars"))
    assert "40 bins" in plots.alt_text(spec, many)


def test_histogram_by_level_names_levels(frame: pd.DataFrame) -> None:
    spec = HistogramSpec("Completed", COMPLETED, LESSON)
    fig = plots.draw(spec, frame)
    assert len(by_gid(fig, "bars")) == 2
    assert legend_texts(fig) == list(LEVELS)


def test_residual_plot_has_points_and_a_zero_line() -> None:
    spec = ResidualSpec("Residuals", (1.0, 2.0, 3.0, np.nan), (0.5, -0.25, 0.0, 1.0), "score (points)")
    fig = plots.draw(spec, None)
    (zero,) = by_gid(fig, "zero-line")
    assert set(zero.get_ydata()) == {0}
    (points,) = by_gid(fig, "points")
    assert len(points.get_offsets()) == 3


def test_coefficient_plot_rows_in_order_with_interval_ends() -> None:
    long_name = "lesson[T.a rather long lesson name that keeps going]"
    names = ("Intercept", long_name, "completed")
    spec = CoefficientSpec(
        "Coefficients", names, (18.34, -13.19, 1.35), (12.0, -17.5, 1.1), (24.6, -9.3, 1.6), level=0.9
    )
    fig = plots.draw(spec, None)
    ax = fig.axes[0]
    (intervals,) = by_gid(fig, "intervals")
    assert isinstance(intervals, LineCollection)
    segments = intervals.get_segments()
    assert len(segments) == 3
    for row, segment in enumerate(segments):
        assert segment[:, 1].tolist() == [row, row]
        assert sorted(segment[:, 0].tolist()) == pytest.approx([spec.lows[row], spec.highs[row]])
    (estimates,) = by_gid(fig, "estimates")
    assert list(estimates.get_xdata()) == list(spec.estimates)
    labels = [label.get_text() for label in ax.get_yticklabels()]
    assert labels[0] == "Intercept" and labels[2] == "completed"
    assert labels[1].endswith("…") and len(labels[1]) <= 30 and long_name.startswith(labels[1][:-1])
    bottom, top = ax.get_ylim()
    assert bottom > top  # the first name is at the top
    assert "90% confidence" in fig.get_suptitle()
    (zero,) = by_gid(fig, "zero-line")
    assert set(zero.get_xdata()) == {0}


def test_dollar_signs_in_user_text_stay_literal() -> None:
    rows = pd.DataFrame(
        {"cost $": [1.0, 2.0, 3.0], "y": [2.0, 4.0, 5.0], "plan": ["$5 plan", "$x^{", "$5 plan"]}
    )
    x, y = Axis("cost $", "cost ($) $\\frac{"), Axis("y", "spend $$ per $month$")
    spec = ScatterSpec(
        "What $ buys $\\alpha$",
        x,
        y,
        ColorBy("plan", "plan $", "categorical"),
        (FittedLine("ŷ = $1 + 2·cost $", (1.0, 3.0), (3.0, 7.0), "$5 plan"),),
    )
    fig = plots.draw(spec, rows)
    rendered = plots.render(spec, rows)
    assert rendered.png.startswith(b"\x89PNG")
    assert fig.axes[0].get_xlabel() == "cost ($) $\\frac{"
    assert fig.get_suptitle() == "What $ buys $\\alpha$"
    assert legend_texts(fig) == ["ŷ = $1 + 2·cost $", "$x^{"]  # $5 plan's entry is its line's
    for text in all_texts(fig):
        if "$" in text.get_text():
            assert not text.get_parse_math()
    box = BoxSpec("$ by plan", Axis("plan", "plan $"), y)
    assert plots.render(box, rows).png.startswith(b"\x89PNG")


def test_underscore_levels_still_appear_in_the_legend() -> None:
    rows = pd.DataFrame({"x": [1.0, 2.0], "y": [1.0, 2.0], "g": ["_hidden", "shown"]})
    spec = ScatterSpec("Levels", Axis("x", "x"), Axis("y", "y"), ColorBy("g", "g", "categorical"))
    assert [text.strip("\u200b") for text in legend_texts(plots.draw(spec, rows))] == ["_hidden", "shown"]


def test_long_titles_and_labels_are_trimmed(frame: pd.DataFrame) -> None:
    spec = ScatterSpec("T" * 500, Axis("completed", "x" * 300), SCORE, note="n " * 400)
    fig = plots.draw(spec, frame)
    assert len(fig.get_suptitle()) < 100 and fig.get_suptitle().endswith("…")
    assert len(fig.axes[0].get_xlabel()) < 100


@pytest.mark.parametrize(
    "spec",
    [
        ScatterSpec("Empty", COMPLETED, SCORE, LESSON),
        ScatterSpec("Empty", COMPLETED, SCORE, ColorBy("port1", "port1", "numeric"), (line(5.0, 5.0),)),
        BoxSpec("Empty", Axis("lesson", "lesson"), SCORE),
        HistogramSpec("Empty", COMPLETED, LESSON),
        ResidualSpec("Empty", (), (), "score (points)"),
        CoefficientSpec("Empty", (), (), (), ()),
    ],
    ids=["scatter", "numeric", "box", "histogram", "residuals", "coefficients"],
)
def test_empty_data_renders_a_no_data_message(spec: FigureSpec) -> None:
    empty = pd.DataFrame(
        {
            "score": [np.nan, 1.0],
            "completed": [np.nan, np.nan],
            "lesson": ["Lesson A", None],
            "port1": [np.nan, np.nan],
        }
    )
    fig = plots.draw(spec, empty)
    (message,) = by_gid(fig, "no-data")
    assert message.get_text() == plots.NO_DATA_MESSAGE
    rendered = plots.render(spec, empty)
    assert rendered.png.startswith(b"\x89PNG")
    assert "no data" in rendered.alt_text.lower()


def test_render_returns_png_a_safe_name_and_alt_text(lecture: ScatterSpec, frame: pd.DataFrame) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # missing glyphs or a collapsed layout would warn
        light = plots.render(lecture, frame)
        dark = plots.render(lecture, frame, "dark", filename="Lesson Lines.PNG")
    assert light.png.startswith(b"\x89PNG\r\n\x1a\n") and dark.png.startswith(b"\x89PNG")
    assert light.png != dark.png
    assert light.filename == "scatter.png" and dark.filename == "lesson-lines.png"
    width, height = int.from_bytes(light.png[16:20], "big"), int.from_bytes(light.png[20:24], "big")
    assert 700 <= width <= 1000 and 450 <= height <= 650
    assert light.alt_text == plots.alt_text(lecture, frame)


def test_the_png_holds_the_drawn_figure_pixel_for_pixel(lecture: ScatterSpec, frame: pd.DataFrame) -> None:
    from PIL import Image

    fig = plots.draw(lecture, frame, "dark")
    fig.canvas.draw()
    drawn = np.asarray(fig.canvas.buffer_rgba())
    png = plots.render(lecture, frame, "dark").png
    with Image.open(io.BytesIO(png)) as image:
        assert image.mode == "RGB" and image.size == (drawn.shape[1], drawn.shape[0])
        np.testing.assert_array_equal(np.asarray(image), drawn[:, :, :3])
    assert np.all(drawn[:, :, 3] == 255)  # opaque, so dropping alpha loses nothing
    assert len(png) < 150_000


def test_the_placeholder_is_see_through_and_as_large_as_the_figure_in_either_theme(
    lecture: ScatterSpec, frame: pd.DataFrame
) -> None:
    from PIL import Image

    stand_in = plots.placeholder(lecture)
    assert stand_in.filename == plots.PLACEHOLDER_FILENAME and stand_in.alt_text
    with Image.open(io.BytesIO(stand_in.png)) as image:
        pixels = np.asarray(image)
        assert image.mode == "RGBA"
        for theme in ("light", "dark"):
            with Image.open(io.BytesIO(plots.render(lecture, frame, theme).png)) as drawn:
                # as wide, and as tall but for a legend below, which the figure grows to hold
                assert image.width == drawn.width and image.height <= drawn.height
    assert pixels[0, 0, 3] == 0 and pixels[-1, -1, 3] == 0  # Discord's background shows through
    assert pixels[:, :, 3].max() == 255  # the words are drawn


@pytest.mark.parametrize(
    ("requested", "expected"),
    [
        (None, "residuals.png"),
        ("", "residuals.png"),
        ("../../etc/passwd", "etc-passwd.png"),
        ("Résidus été.png", "r-sidus-t.png"),
        ("!!!", "residuals.png"),
        ("a" * 200, "a" * 60 + ".png"),
    ],
)
def test_filenames_are_safe(requested: str | None, expected: str) -> None:
    spec = ResidualSpec("Residuals", (1.0,), (0.0,), "y")
    name = plots.render(spec, None, filename=requested).filename
    assert name == expected and SAFE_FILENAME.fullmatch(name)


def test_alt_text_describes_the_lecture_picture(lecture: ScatterSpec, frame: pd.DataFrame) -> None:
    text = plots.alt_text(lecture, frame)
    assert text == (
        "Scatter plot of score (points) against completed (items), 100 points, coloured by lesson "
        "(Lesson A, Lesson B), with 2 parallel fitted lines: Lesson A: ŷ = 18.34 + 1.35·completed; "
        "Lesson B: ŷ = 5.16 + 1.35·completed. Lines from score ~ lesson + completed."
    )


def test_alt_text_says_parallel_only_for_equal_slopes(frame: pd.DataFrame) -> None:
    spec = ScatterSpec(
        "Interaction", COMPLETED, SCORE, LESSON, (line("Lesson A", 20, 1.27), line("Lesson B", 3, 1.43))
    )
    text = plots.alt_text(spec, frame)
    assert "with 2 fitted lines: Lesson A: ŷ = 20.00 + 1.27·completed" in text
    assert "parallel" not in text


def test_alt_text_for_numeric_colour_gives_the_range(frame: pd.DataFrame) -> None:
    spec = ScatterSpec("Score", COMPLETED, SCORE, ColorBy("port1", "port1 (grade)", "numeric"))
    values = frame.dropna()["port1"]
    low, high = f"{values.min():g}", f"{values.max():g}"
    assert f"coloured by port1 (grade) from {low} to {high}" in plots.alt_text(spec, frame)


def test_alt_text_of_other_kinds(frame: pd.DataFrame) -> None:
    box = plots.alt_text(BoxSpec("Score", Axis("lesson", "lesson"), SCORE), frame)
    # the box needs only score and lesson, so the row missing completed counts here
    assert box.startswith("Box plot of score (points) by lesson, 101 points in 2 groups")
    assert "Lesson A n = 50, median " in box and "Lesson B n = 51, median " in box
    histogram = plots.alt_text(HistogramSpec("Completed", COMPLETED, LESSON), frame)
    # and the histogram only completed and lesson
    assert histogram.startswith("Histogram of completed (items), 101 values in ")
    assert "overlaid by lesson: Lesson A n = 51; Lesson B n = 50." in histogram
    residuals = plots.alt_text(ResidualSpec("R", (1.0, 2.0), (-0.5, 0.5), "score (points)"), None)
    assert "2 points" in residuals and "zero" in residuals and "−0.50 to 0.50" in residuals
    coefficients = plots.alt_text(
        CoefficientSpec("C", ("Intercept", "completed"), (18.34, 1.35), (12.0, 1.1), (24.6, 1.6)), None
    )
    assert "95% confidence" in coefficients
    assert "Intercept 18.34 (12.00 to 24.60); completed 1.35 (1.10 to 1.60)." in coefficients


def test_alt_text_fits_discord_with_many_long_lines_and_levels() -> None:
    levels = tuple(f"a level with a long name number {i}" for i in range(60))
    rows = pd.DataFrame({"x": np.arange(60.0), "y": np.arange(60.0), "g": levels})
    lines = tuple(
        FittedLine(f"{level}: ŷ = {i}.00 + 1.35·x + 0.5·another predictor", (0.0, 1.0), (i, i + 1.35), level)
        for i, level in enumerate(levels)
    )
    spec = ScatterSpec(
        "Lots",
        Axis("x", "x " * 100),
        Axis("y", "y"),
        ColorBy("g", "g", "categorical"),
        lines,
        note="n " * 300,
    )
    text = plots.alt_text(spec, rows)
    assert len(text) <= plots.ALT_TEXT_LIMIT
    assert "60 points" in text and "parallel" not in text
    assert re.search(r"and \d+ more", text)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = plots.draw(spec, rows)
        fig.canvas.draw()
    assert any(label.startswith("… and") for label in legend_texts(fig))


def test_renders_leave_no_figures_behind() -> None:
    spec = ResidualSpec("Residuals", tuple(np.linspace(0, 1, 20)), tuple(np.linspace(-1, 1, 20)), "y")

    def live_objects() -> tuple[int, int]:
        gc.collect()
        objects = gc.get_objects()
        return sum(isinstance(obj, Figure) for obj in objects), len(objects)

    # The first renders of a process keep some objects for good (caches; more when other test modules
    # loaded libraries that hold weak sets, as Celery's does), then it settles: a leak grows in every window.
    windows = []
    for _ in range(5):
        for _ in range(10):
            plots.render(spec, None)
        windows.append(live_objects())
    assert [figures for figures, _ in windows] == [0] * len(windows)
    growth = [after - before for (_, before), (_, after) in itertools.pairwise(windows)]
    assert min(growth) < 100, growth


def test_plots_never_imports_pyplot() -> None:
    tree = ast.parse(PLOTS_SOURCE.read_text(encoding="utf-8"))
    imported: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            imported += [f"{node.module}.{alias.name}" for alias in node.names]
    assert imported and not [name for name in imported if "pyplot" in name or "pylab" in name]
    code = (
        "import sys\nfrom bot.regression import plots\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=PLOTS_SOURCE.parents[2])


# --------------------------------------------------------------------------------------------- bundled data

VALUE = Axis("value", "value (million 1947 US$)")
INVEST = Axis("invest", "invest (million 1947 US$)")
FIRM = ColorBy("firm", "firm", "categorical")
MATH1 = Axis("math1", "math1 (grade points)")
PORT3 = Axis("port3", "port3 (grade points)")
PORT1 = ColorBy("port1", "port1 (grade points)", "numeric")
FLIPPER = Axis("flipper_length_mm", "flipper_length_mm (mm)")
MASS = Axis("body_mass_g", "body_mass_g (g)")
SEX = ColorBy("sex", "sex", "categorical", ("female", "male"))
NEUTRAL = {"light": "#000000", "dark": "#f2f3f5"}


def bundled(name: str) -> pd.DataFrame:
    """A bundled dataset's rows."""
    return DatasetRegistry.bundled().get(name).frame


def straight(
    label: str, xs: tuple[float, float], intercept: float, slope: float, **fields: object
) -> FittedLine:
    """A straight line from its intercept and slope at ``xs``."""
    return FittedLine(
        label, xs, tuple(intercept + slope * x for x in xs), intercept=intercept, slope=slope, **fields
    )


def firm_lines(frame: pd.DataFrame) -> tuple[FittedLine, ...]:
    """One parallel line per firm over its own values, extended across the axis, then the pooled line."""
    low, high = float(frame["value"].min()), float(frame["value"].max())
    lines = []
    for index, firm in enumerate(frame["firm"].cat.categories):
        own = frame.loc[frame["firm"] == firm, "value"]
        intercept = 10.0 * index - 50.0
        lines.append(
            straight(
                f"{firm}: ŷ = {number(intercept)} + 0.11·value",
                (float(own.min()), float(own.max())),
                intercept,
                0.11,
                group=firm,
                extended=((low, high), (intercept + 0.11 * low, intercept + 0.11 * high)),
            )
        )
    slope, intercept = np.polyfit(frame["value"], frame["invest"], 1)
    label = f"all firms: ŷ = {number(intercept)} + {number(slope)}·value"
    return (*lines, straight(label, (low, high), float(intercept), float(slope), pooled=True))


@pytest.fixture(scope="module")
def grunfeld() -> pd.DataFrame:
    """Investment of 11 firms over 20 years."""
    return bundled("grunfeld")


@pytest.fixture(scope="module")
def firms(grunfeld: pd.DataFrame) -> ScatterSpec:
    """invest against value coloured by firm, a line per firm over its own range, and the pooled line."""
    return ScatterSpec("invest ~ value + firm", VALUE, INVEST, FIRM, firm_lines(grunfeld))


@pytest.fixture(scope="module")
def grades() -> ScatterSpec:
    """port3 against math1 coloured by port1, three parallel lines, jittered."""
    lines = tuple(
        straight(
            f"port1 = {p}: ŷ = {number(p * 0.86)} + 0.11·math1", (3.0, 19.0), p * 0.86, 0.11, group=float(p)
        )
        for p in (5, 10, 15)
    )
    return ScatterSpec("port3 ~ math1 + port1", MATH1, PORT3, PORT1, lines, jitter=True)


def artists_of(ax: Axes, gid: str) -> list[Artist]:
    """Every artist in one axes with ``gid``."""
    return [artist for artist in ax.findobj() if artist.get_gid() == gid]


def test_each_line_is_solid_over_its_group_and_extended_thin_dashed_and_faint_beneath(
    firms: ScatterSpec, grunfeld: pd.DataFrame
) -> None:
    fig = plots.draw(firms, grunfeld)
    solid, extensions = by_gid(fig, "fitted-line"), by_gid(fig, "fitted-line-extension")
    own = [spec_line for spec_line in firms.lines if not spec_line.pooled]
    assert len(solid) == len(extensions) == len(own) == 11  # every line is drawn
    for artist, extension, spec_line in zip(solid, extensions, own, strict=True):
        values = grunfeld.loc[grunfeld["firm"] == spec_line.group, "value"]
        assert (min(artist.get_xdata()), max(artist.get_xdata())) == pytest.approx(
            (values.min(), values.max())
        )
        span = (min(extension.get_xdata()), max(extension.get_xdata()))
        assert span == pytest.approx((grunfeld["value"].min(), grunfeld["value"].max()))
        assert same_color(extension.get_color(), artist.get_color())
        assert (artist.get_linestyle(), extension.get_linestyle()) == ("-", "--")
        assert extension.get_linewidth() < artist.get_linewidth()
        assert extension.get_alpha() < 1 and artist.get_alpha() in (None, 1)
        assert extension.get_zorder() < artist.get_zorder()
    assert len({to_rgb(artist.get_color()) for artist in solid}) == 11


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_pooled_line_is_dashed_neutral_and_above_the_group_lines(
    firms: ScatterSpec, grunfeld: pd.DataFrame, theme: str
) -> None:
    fig = plots.draw(firms, grunfeld, theme)  # type: ignore[arg-type]
    (pooled,) = by_gid(fig, "pooled-line")
    assert pooled.get_label() == firms.lines[-1].label
    assert same_color(pooled.get_color(), NEUTRAL[theme]) and pooled.get_linestyle() == "--"
    assert all(pooled.get_zorder() > artist.get_zorder() for artist in by_gid(fig, "fitted-line"))
    assert tuple(pooled.get_xdata()) == firms.lines[-1].xs
    named = dataclasses.replace(firms, lines=(dataclasses.replace(firms.lines[-1], group="IBM"),))
    (pooled,) = by_gid(plots.draw(named, grunfeld, theme), "pooled-line")  # type: ignore[arg-type]
    assert same_color(pooled.get_color(), NEUTRAL[theme])  # neutral even when it names a level
    # one entry per firm (its marker and its line, labelled with the line), then the pooled line
    assert legend_texts(fig) == [spec_line.label for spec_line in firms.lines]


def test_alt_text_says_lines_cover_their_own_group_and_names_the_pooled_line(
    firms: ScatterSpec, grunfeld: pd.DataFrame
) -> None:
    text = plots.alt_text(firms, grunfeld)
    assert len(text) <= plots.ALT_TEXT_LIMIT
    assert "220 points, coloured by firm (American Steel, Atlantic Refining, " in text
    assert "with 11 parallel fitted lines (each drawn solid over its own group's range" in text
    assert "and a dashed pooled line over all rows" in text
    assert f"pooled line, {firms.lines[-1].label}." in text
    assert all(spec_line.label in text for spec_line in firms.lines)
    without = dataclasses.replace(
        firms, lines=tuple(dataclasses.replace(x, extended=None) for x in firms.lines)
    )
    assert "own group's range" not in plots.alt_text(without, grunfeld)


def legend_clear_of(fig: Figure) -> None:
    """After drawing: each legend is inside the figure and overlaps no axes (colour bars too) nor the title."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    (title,) = [text for text in fig.texts if text.get_text() == fig.get_suptitle()]
    for legend in legends(fig):
        box = legend.get_window_extent(renderer)
        assert (
            fig.bbox.x0 <= box.x0
            and box.x1 <= fig.bbox.x1
            and fig.bbox.y0 <= box.y0
            and box.y1 <= fig.bbox.y1
        )
        assert not box.overlaps(title.get_window_extent(renderer))
        for ax in fig.axes:
            assert not box.overlaps(ax.get_window_extent(renderer))


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_legends_stay_outside_the_data_and_the_title(
    firms: ScatterSpec,
    grunfeld: pd.DataFrame,
    grades: ScatterSpec,
    lecture: ScatterSpec,
    frame: pd.DataFrame,
    theme: str,
) -> None:
    long_title = dataclasses.replace(lecture, title="A long title that runs across the whole figure " * 2)
    short = tuple(dataclasses.replace(x, label=f"{x.group}: b₀ = {x.intercept}") for x in lecture.lines)
    beside = dataclasses.replace(long_title, lines=short)  # short labels: the legend is beside the axes
    levels_only = dataclasses.replace(firms, lines=())
    cases = [(firms, grunfeld), (levels_only, grunfeld), (grades, bundled("students"))]
    for spec, rows in [*cases, (long_title, frame), (beside, frame)]:
        fig = plots.draw(spec, rows, theme)  # type: ignore[arg-type]
        legend_clear_of(fig)
        assert not any(text.startswith("… and") for text in legend_texts(fig))
        ax = fig.axes[0]
        assert ax.get_position().height * fig.get_size_inches()[1] > 3.0  # the data keep room to read
    fig = plots.draw(beside, frame)
    assert legends(fig)[0] in fig.axes[0].get_children()  # short entries: a legend beside the axes
    boxes = BoxSpec("invest by firm", Axis("firm", "firm"), INVEST)
    legend_clear_of(plots.draw(boxes, grunfeld, theme))  # type: ignore[arg-type]


LONG_LABEL = "a long axis label that names its column and unit in words (points per item)"
LONG_NOTE = "Other predictors held at " + ", ".join(f"predictor number {i} = {i}.5" for i in range(12))


def hard_specs() -> list[tuple[str, FigureSpec, pd.DataFrame | None]]:
    """Figures that crowd the layout: long (wrapped) titles and labels, notes, many levels in legends
    beside and below, a colour bar, rotated level names, many coefficients in several panels, no data."""
    rng = np.random.default_rng(11)
    n = 240
    many = tuple(f"a level called number {i:02d}" for i in range(24))
    beside = tuple(f"level {i}" for i in range(12))
    rows = pd.DataFrame(
        {
            "x": rng.uniform(-12_000.0, 250_000.0, n),
            "y": rng.normal(0.0, 0.004, n),
            "many": [many[i % len(many)] for i in range(n)],
            "beside": [beside[i % len(beside)] for i in range(n)],
            "shade": rng.integers(0, 21, n).astype(float),
        }
    )
    x, y = Axis("x", LONG_LABEL), Axis("y", LONG_LABEL.replace("item", "row"))
    title = "A title long enough to wrap onto a second line under the first one, with more words " * 2
    lines = tuple(
        straight(
            f"{level}: ŷ = {i}.00 + 0.0000001·x, with a label as long as an equation gets",
            (0.0, 1e5),
            float(i),
            1e-7,
            group=level,
        )
        for i, level in enumerate(many)
    )
    shade_lines = tuple(
        straight(f"shade = {v}: ŷ = {number(v / 1e4)} + 0.0000001·x", (0.0, 1e5), v / 1e4, 1e-7, group=v)
        for v in (5.0, 10.0, 15.0)
    )
    names = tuple(f"b{i} a coefficient name long enough to be cut off" for i in range(27))
    units = tuple(("points", "points per item", "items per point")[i % 3] for i in range(27))
    estimates = tuple(float(i) - 13.0 for i in range(27))
    coefficients = CoefficientSpec(
        title,
        names,
        estimates,
        tuple(e - 2.5 for e in estimates),
        tuple(e + 2.5 for e in estimates),
        units=units,
    )
    return [
        (
            "many levels below",
            ScatterSpec(title, x, y, ColorBy("many", "many", "categorical"), lines, note=LONG_NOTE),
            rows,
        ),
        ("levels beside", ScatterSpec(title, x, y, ColorBy("beside", "beside", "categorical")), rows),
        (
            "colour bar",
            ScatterSpec(title, x, y, ColorBy("shade", LONG_LABEL, "numeric"), shade_lines, note=LONG_NOTE),
            rows,
        ),
        ("box", BoxSpec(title, Axis("many", LONG_LABEL), y), rows),
        ("stacked histogram", HistogramSpec(title, x, ColorBy("beside", "beside", "categorical")), rows),
        (
            "overlaid histogram",
            HistogramSpec(title, y, ColorBy("beside", "beside", "categorical", beside[:3])),
            rows,
        ),
        ("residuals", ResidualSpec(title, tuple(rows["x"]), tuple(rows["y"]), LONG_LABEL), None),
        ("coefficients", coefficients, None),
        ("no data", ScatterSpec(title, x, y, note=LONG_NOTE), rows.iloc[:0]),
        ("no coefficients", CoefficientSpec(title, (), (), (), ()), None),
    ]


def drawn_boxes(fig: Figure) -> tuple[list[tuple[str, Bbox, object]], list[Bbox]]:
    """After drawing: the window extent of every text with the axis it labels the ticks of (``None`` for
    other texts; a legend counts as one box), and of every axes."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    owners, hidden = {}, set()  # tick labels: the axis they belong to; those of ticks matplotlib skips
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks():
                for label in (tick.label1, tick.label2):
                    owners[id(label)] = axis
                    if not low - 1e-9 * (high - low) <= tick.get_loc() <= high + 1e-9 * (high - low):
                        hidden.add(id(label))
    skipped = hidden | {id(text) for legend in legends(fig) for text in legend.get_texts()}
    texts = [
        (text.get_text(), text.get_window_extent(renderer), owners.get(id(text)))
        for text in fig.findobj(Text)
        if text.get_visible()
        and text.get_text()
        and id(text) not in skipped
        and text.get_gid() != "no-data"  # drawn inside the axes on purpose
    ]
    texts += [("legend", legend.get_window_extent(renderer), None) for legend in legends(fig)]
    return texts, [ax.get_window_extent(renderer) for ax in fig.axes]


def apart(one: Bbox, other: Bbox) -> bool:
    """Whether two boxes do not overlap (sharing less than half a pixel counts as apart)."""
    return not one.padded(-0.5).overlaps(other.padded(-0.5))


def layout_problems(fig: Figure) -> list[str]:
    """Texts outside the figure, texts overlapping an axes or each other, and axes overlapping.

    Tick labels of one axis are not compared with each other: rotated labels' boxes overlap where their
    letters do not, and matplotlib's tick locators space them.
    """
    texts, axes = drawn_boxes(fig)
    edge = fig.bbox.padded(0.5)
    problems = [
        f"{name!r} leaves the figure"
        for name, box, _ in texts
        if not (edge.x0 <= box.x0 and edge.y0 <= box.y0 and box.x1 <= edge.x1 and box.y1 <= edge.y1)
    ]
    problems += [f"{name!r} overlaps an axes" for name, box, _ in texts for ax in axes if not apart(box, ax)]
    problems += [
        f"{first!r} overlaps {second!r}"
        for (first, one, axis), (second, other, other_axis) in itertools.combinations(texts, 2)
        if not apart(one, other) and (axis is None or axis is not other_axis)
    ]
    problems += [
        "two axes overlap" for one, other in itertools.combinations(axes, 2) if not apart(one, other)
    ]
    return problems


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize(("name", "spec", "rows"), hard_specs(), ids=[name for name, _, _ in hard_specs()])
def test_crowded_figures_keep_every_text_inside_the_figure_and_clear_of_the_rest(
    name: str, spec: FigureSpec, rows: pd.DataFrame | None, theme: str
) -> None:
    fig = plots.draw(spec, rows, theme)  # type: ignore[arg-type]
    assert layout_problems(fig) == []
    for ax in fig.axes[: 1 if isinstance(spec, ScatterSpec) else None]:
        assert ax.get_position().height * fig.get_size_inches()[1] > 0.5  # every panel keeps some room


def test_a_legend_that_cannot_fit_says_how_many_more_and_the_alt_text_lists_all() -> None:
    levels = tuple(f"L{i:02d}" for i in range(17))
    rows = pd.DataFrame({"x": np.arange(34.0), "y": np.arange(34.0), "g": levels * 2})
    lines = tuple(
        straight(f"{level}: ŷ = {i}.00 + 2.00·x, for level", (0.0, 33.0), float(i), 2.0, group=level)
        for i, level in enumerate(levels)
    )
    spec = ScatterSpec("Many", Axis("x", "x"), Axis("y", "y"), ColorBy("g", "g", "categorical"), lines)
    fig = plots.draw(spec, rows)
    legend_clear_of(fig)
    texts = legend_texts(fig)
    hidden = len(lines) - (len(texts) - 1)
    assert texts[-1] == f"… and {hidden} more" and hidden > 0
    assert texts[:-1] == [spec_line.label for spec_line in lines[: len(texts) - 1]]
    assert len(by_gid(fig, "fitted-line")) == len(lines)  # every line is drawn, listed or not
    text = plots.alt_text(spec, rows)
    assert all(spec_line.label in text for spec_line in lines) and all(level in text for level in levels)


@pytest.fixture(scope="module")
def adelie() -> ScatterSpec:
    """Body mass against flipper length by sex, with lines for Adelie penguins only."""
    lines = tuple(
        straight(f"{sex}: ŷ = {number(b)} + 30.00·flipper", (172.0, 210.0), b, 30.0, group=sex)
        for sex, b in (("female", -2200.0), ("male", -1800.0))
    )
    return ScatterSpec("mass", FLIPPER, MASS, SEX, lines, focus=(("species", "Adelie"),))


def test_rows_outside_the_focus_are_drawn_faintly_in_their_colour(adelie: ScatterSpec) -> None:
    penguins = bundled("penguins")
    rows = penguins.dropna(subset=["flipper_length_mm", "body_mass_g", "sex"])
    fig = plots.draw(adelie, penguins)
    shown, faded = by_gid(fig, "points"), by_gid(fig, "points-faded")
    assert [c.get_label() for c in shown] == ["female", "male"] and len(faded) == 2
    for sex, usual, faint in zip(("female", "male"), shown, faded, strict=True):
        of_sex = rows["sex"] == sex
        assert len(usual.get_offsets()) == (of_sex & (rows["species"] == "Adelie")).sum()
        assert len(faint.get_offsets()) == (of_sex & (rows["species"] != "Adelie")).sum()
        assert 0.15 <= faint.get_alpha() <= 0.2 < usual.get_alpha()
        assert to_rgb(faint.get_facecolor()[0]) == to_rgb(usual.get_facecolor()[0])
        assert faint.get_zorder() < usual.get_zorder()
    text = plots.alt_text(adelie, penguins)
    faint_count = int((rows["species"] != "Adelie").sum())
    assert (
        f"{faint_count} of the {len(rows)} points (those not at species = Adelie) are drawn faintly, "
        "because the lines are for species = Adelie." in text
    )


def test_focus_on_a_column_the_frame_lacks_is_ignored(adelie: ScatterSpec) -> None:
    penguins = bundled("penguins")
    spec = dataclasses.replace(adelie, focus=(("no such column", "x"),))
    fig = plots.draw(spec, penguins)
    assert not by_gid(fig, "points-faded")
    assert sum(len(c.get_offsets()) for c in by_gid(fig, "points")) == 333
    assert "faintly" not in plots.alt_text(spec, penguins)
    both = dataclasses.replace(adelie, color=None, focus=(("species", "Adelie"), ("absent", "y")))
    (usual,), (faint,) = (
        by_gid(plots.draw(both, penguins), "points"),
        by_gid(plots.draw(both, penguins), "points-faded"),
    )
    assert len(usual.get_offsets()) == 151 and len(faint.get_offsets()) == 191


def test_jitter_moves_only_whole_number_axes_by_less_than_a_third_of_a_step(grades: ScatterSpec) -> None:
    students = bundled("students")
    data = students[["math1", "port3"]].to_numpy()
    fig = plots.draw(grades, students)
    (points,) = by_gid(fig, "points")
    moved = points.get_offsets() - data
    assert np.all(np.abs(moved) <= plots.JITTER_SHARE) and np.all(np.abs(moved).max(axis=0) > 0.2)
    again = by_gid(plots.draw(grades, students), "points")[0].get_offsets()
    np.testing.assert_array_equal(points.get_offsets(), again)  # deterministic
    for artist, spec_line in zip(by_gid(fig, "fitted-line"), grades.lines, strict=True):
        assert tuple(artist.get_xdata()) == spec_line.xs and tuple(artist.get_ydata()) == spec_line.ys
    assert "jittered slightly along both axes so overlapping ones show" in plots.alt_text(grades, students)
    still = dataclasses.replace(grades, jitter=False)
    np.testing.assert_array_equal(by_gid(plots.draw(still, students), "points")[0].get_offsets(), data)
    assert "jittered" not in plots.alt_text(still, students)


def test_a_legend_below_is_split_into_columns_as_matplotlib_splits_it() -> None:
    from bot.regression.model import fit
    from bot.regression.walkthrough import build

    dataset = DatasetRegistry.bundled().get("penguins")  # four long entries: 2 + 1 + 1 in three columns
    model = fit(dataset, "bill_depth_mm ~ bill_length_mm + species + sex")
    spec = [s.figure for s in build(dataset, model) if isinstance(s.figure, ScatterSpec) and s.figure.lines][
        -1
    ]
    assert len(spec.lines) == 4
    legend_clear_of(plots.draw(spec, dataset.frame))


def test_the_alt_text_calls_a_fitted_curve_a_curve() -> None:
    from bot.regression.model import fit
    from bot.regression.walkthrough import build

    dataset = DatasetRegistry.bundled().get("students")
    model = fit(dataset, "port3 ~ port1 + I(port1**2)")
    (spec,) = [
        s.figure for s in build(dataset, model) if isinstance(s.figure, ScatterSpec) and s.figure.lines
    ]
    text = plots.alt_text(spec, dataset.frame)
    assert "with 1 fitted curve: ŷ = 3.47 + 0.52·port1 + 0.018·port1²" in text
    assert "fitted line" not in text and text.endswith("so overlapping ones show; the curve is not.")
    straight = fit(dataset, "port3 ~ port1")
    (line,) = [
        s.figure for s in build(dataset, straight) if isinstance(s.figure, ScatterSpec) and s.figure.lines
    ]
    assert "with 1 fitted line: " in plots.alt_text(line, dataset.frame)


def test_jitter_leaves_a_continuous_axis_alone_and_scales_with_the_gap() -> None:
    codecademy = bundled("codecademy")
    spec = ScatterSpec("score", COMPLETED, SCORE, jitter=True)
    (points,) = by_gid(plots.draw(spec, codecademy), "points")
    moved = points.get_offsets() - codecademy[["completed", "score"]].to_numpy()
    assert 0.2 < np.abs(moved[:, 0]).max() <= 0.3 and np.all(moved[:, 1] == 0)
    assert "jittered slightly along the x axis" in plots.alt_text(spec, codecademy)
    rows = pd.DataFrame({"x": [0.0, 2.0, 6.0] * 20, "y": np.linspace(0.5, 3.3, 60)})
    (points,) = by_gid(
        plots.draw(ScatterSpec("gap", Axis("x", "x"), Axis("y", "y"), jitter=True), rows), "points"
    )
    moved = points.get_offsets()[:, 0] - rows["x"].to_numpy()
    assert 0.3 < np.abs(moved).max() <= 0.6  # the smallest gap is 2


def test_an_axis_expression_plots_the_evaluated_values(grunfeld: pd.DataFrame) -> None:
    parsed = fm.parse("log(invest) ~ log(value)")
    log_invest = Axis("invest", "log(invest)", parsed.response)
    log_value = Axis("value", "log(value)", parsed.terms[0].factors[0])
    extra = pd.DataFrame({"invest": [0.0, -1.0, 5.0], "value": [100.0, 100.0, np.nan], "firm": "IBM"})
    rows = pd.concat([grunfeld, extra], ignore_index=True)  # log 0, log −1 and a missing value drop out
    spec = ScatterSpec("log(invest) ~ log(value)", log_value, log_invest)
    (points,) = by_gid(plots.draw(spec, rows), "points")
    expected = np.column_stack([np.log(grunfeld["value"]), np.log(grunfeld["invest"])])
    np.testing.assert_allclose(points.get_offsets(), expected)
    assert "Scatter plot of log(invest) against log(value), 220 points" in plots.alt_text(spec, rows)
    histogram = HistogramSpec("log(invest)", log_invest)
    bars = by_gid(plots.draw(histogram, rows), "bars")
    assert sum(bar.get_height() for bar in bars) == 221  # the extra 5.0 has an invest
    logs = np.log(rows["invest"].to_numpy()[rows["invest"].to_numpy() > 0])
    assert bars[0].get_x() == pytest.approx(logs.min())
    assert f"from {number(logs.min())} to {number(logs.max())}" in plots.alt_text(histogram, rows)
    box = BoxSpec("log(invest) by firm", Axis("firm", "firm"), log_invest)
    means = by_gid(plots.draw(box, grunfeld), "mean")
    expected_means = np.log(grunfeld["invest"]).groupby(grunfeld["firm"], observed=True).mean()
    assert [mean.get_ydata()[0] for mean in means] == pytest.approx(list(expected_means))


SCORE_TERMS = ("Intercept", "lesson[T.Lesson B]", "completed")
SCORE_ESTIMATES = ((18.34, -13.19, 1.35), (12.0, -17.5, 1.1), (24.6, -9.3, 1.6))


def test_coefficients_in_different_units_get_their_own_panels() -> None:
    spec = CoefficientSpec(
        "score", SCORE_TERMS, *SCORE_ESTIMATES, units=("points", "points", "points per item")
    )
    fig = plots.draw(spec, None)
    fig.canvas.draw()
    top, bottom = fig.axes
    assert [top.get_xlabel(), bottom.get_xlabel()] == ["estimate (points)", "estimate (points per item)"]
    for ax, rows in ((top, [0, 1]), (bottom, [2])):
        assert [label.get_text() for label in ax.get_yticklabels()] == [SCORE_TERMS[row] for row in rows]
        (estimates,), (intervals,), (zero,) = (
            artists_of(ax, gid) for gid in ("estimates", "intervals", "zero-line")
        )
        assert list(estimates.get_xdata()) == [spec.estimates[row] for row in rows]
        assert len(intervals.get_segments()) == len(rows) and set(zero.get_xdata()) == {0}
        bottom_limit, top_limit = ax.get_ylim()
        assert bottom_limit > top_limit
    assert top.get_position().height / bottom.get_position().height == pytest.approx(2, rel=0.05)
    assert plots.alt_text(spec, None) == (
        "Coefficient plot of 3 estimates with 95% confidence intervals, in 2 panels, one per unit, each with a "
        "dashed line at zero: in points: Intercept 18.34 (12.00 to 24.60); lesson[T.Lesson B] −13.19 "
        "(−17.50 to −9.30); in points per item: completed 1.35 (1.10 to 1.60)."
    )


def test_units_group_in_order_of_first_appearance_and_no_units_make_one_panel() -> None:
    spec = CoefficientSpec(
        "score", SCORE_TERMS, *SCORE_ESTIMATES, units=("points", "points per item", "points")
    )
    fig = plots.draw(spec, None)
    assert [[label.get_text() for label in ax.get_yticklabels()] for ax in fig.axes] == [
        ["Intercept", "completed"],
        ["lesson[T.Lesson B]"],
    ]
    assert "in points: Intercept 18.34 (12.00 to 24.60); completed 1.35" in plots.alt_text(spec, None)
    plain = plots.draw(CoefficientSpec("score", SCORE_TERMS, *SCORE_ESTIMATES), None)
    assert [ax.get_xlabel() for ax in plain.axes] == ["estimate"]
    same = plots.draw(CoefficientSpec("score", SCORE_TERMS, *SCORE_ESTIMATES, units=("points",) * 3), None)
    assert [ax.get_xlabel() for ax in same.axes] == ["estimate (points)"]


def tick_texts(axis: XAxis | YAxis) -> list[tuple[float, str]]:
    """The visible ticks of a drawn axis: position and label."""
    view = sorted(axis.get_view_interval())
    ticks = zip(axis.get_majorticklocs(), axis.get_majorticklabels(), strict=True)
    return [(float(loc), label.get_text()) for loc, label in ticks if view[0] <= loc <= view[1]]


def test_tick_labels_are_written_like_every_other_number(grades: ScatterSpec) -> None:
    rows = pd.DataFrame({"x": np.linspace(0.0, 25_000.0, 20), "y": np.linspace(-0.033, 0.036, 20)})
    fig = plots.draw(ScatterSpec("ticks", Axis("x", "x"), Axis("y", "y")), rows)
    fig.canvas.draw()
    x_ticks, y_ticks = tick_texts(fig.axes[0].xaxis), tick_texts(fig.axes[0].yaxis)
    assert [label for _, label in x_ticks] == [number(loc, 0) for loc, _ in x_ticks]
    assert "10,000" in [label for _, label in x_ticks]
    decimals = {len(label.split(".")[1]) for _, label in y_ticks}
    assert len(decimals) == 1  # one number of decimals per axis, enough for number()'s small values
    (places,) = decimals
    assert [label for _, label in y_ticks] == [number(round(loc, places), places) for loc, _ in y_ticks]
    assert "0.010" in [label for _, label in y_ticks] and any(label.startswith("−") for _, label in y_ticks)
    coloured = ScatterSpec("ticks", Axis("y", "y"), Axis("y", "y"), ColorBy("x", "x", "numeric"))
    fig = plots.draw(coloured, rows)
    fig.canvas.draw()
    assert "10,000" in [label for _, label in tick_texts(fig.axes[-1].yaxis)]  # the colour bar too
    years = pd.DataFrame({"year": np.arange(1935.0, 1955.0), "y": np.arange(20.0)})
    fig = plots.draw(ScatterSpec("years", Axis("year", "year"), Axis("y", "y")), years)
    fig.canvas.draw()
    assert [label for _, label in tick_texts(fig.axes[0].xaxis)] == [
        value_text(loc) for loc, _ in tick_texts(fig.axes[0].xaxis)
    ]
    assert "1940" in [label for _, label in tick_texts(fig.axes[0].xaxis)]
    fig = plots.draw(grades, bundled("students"))
    fig.canvas.draw()
    bar = fig.axes[-1]
    assert [label for _, label in tick_texts(bar.yaxis)] == ["0", "5", "10", "15"]


def test_plots_has_one_number_formatter_and_one_clip() -> None:
    source = PLOTS_SOURCE.read_text(encoding="utf-8")
    assert not hasattr(plots, "_num") and not hasattr(plots, "_clip")
    assert not re.search(r"\{[^{}]*:[^{}]*[.,]\d*[eEfFgG%]\}|:g\}", source)
    assert "from bot.regression.text import" in source
