"""Figure specs -> figures, PNGs and alt text, checked through matplotlib's artists (no pixel snapshots)."""

from __future__ import annotations

import ast
import gc
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import same_color, to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.text import Text

from bot.regression import plots
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


def legend_texts(fig: Figure) -> list[str]:
    """The texts of all the figure's legends."""
    return [text.get_text() for legend in fig.legends for text in legend.get_texts()]


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


def test_legend_names_each_line_and_level(lecture: ScatterSpec, frame: pd.DataFrame) -> None:
    texts = legend_texts(plots.draw(lecture, frame))
    assert set(LEVELS) <= set(texts)
    assert {spec_line.label for spec_line in lecture.lines} <= set(texts)


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


def test_many_levels_cycle_colours_with_new_markers() -> None:
    levels = tuple(f"group {i}" for i in range(10))
    rows = pd.DataFrame(
        {"x": np.arange(30.0), "y": np.arange(30.0), "g": [levels[i % 10] for i in range(30)]}
    )
    spec = ScatterSpec("Many", Axis("x", "x"), Axis("y", "y"), ColorBy("g", "g", "categorical", levels))
    points = by_gid(plots.draw(spec, rows), "points")
    styles = {(to_rgb(c.get_facecolor()[0]), c.get_paths()[0].vertices.tobytes()) for c in points}
    assert len(points) == len(styles) == 10
    assert to_rgb(points[0].get_facecolor()[0]) == to_rgb(
        points[len(plots.CATEGORICAL_COLORS)].get_facecolor()[0]
    )


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
    assert "4 n = 2, median 2.5; 6 n = 1, median 2" in plots.alt_text(box, rows)


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
    assert {"$5 plan", "$x^{", "ŷ = $1 + 2·cost $"} <= set(legend_texts(fig))
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
    assert "2 points" in residuals and "zero" in residuals and "−0.5 to 0.5" in residuals
    coefficients = plots.alt_text(
        CoefficientSpec("C", ("Intercept", "completed"), (18.34, 1.35), (12.0, 1.1), (24.6, 1.6)), None
    )
    assert "95% confidence" in coefficients
    assert "Intercept 18.34 (12 to 24.6); completed 1.35 (1.1 to 1.6)." in coefficients


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

    for _ in range(5):
        plots.render(spec, None)
    figures_before, objects_before = live_objects()
    for _ in range(20):
        plots.render(spec, None)
    figures_after, objects_after = live_objects()
    assert figures_after == figures_before == 0
    assert objects_after - objects_before < 200


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
