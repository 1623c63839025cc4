"""The teaching engine alone (no Discord, no workers), next to the lecture notebook's way of doing the same.

The notebook fits with ``statsmodels.formula.api.ols`` and draws with seaborn and pyplot. pyplot is used
here only, to measure that way; the bot itself draws with matplotlib's object API. Both draw the same data
at the same size and DPI. Without seaborn the notebook column is skipped with a note.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from bench.commands import LECTURE_DATASET, LECTURE_FORMULA
from bench.stats import timed, timed_alternately

NOTEBOOK_MISSING = "seaborn is not installed (pip install seaborn), so the notebook way was not measured"


def engine(runs: int) -> dict[str, Any]:
    """Median and p90 of the engine's fit, walkthrough and each figure kind, and of the notebook's way;
    ``render_vs_notebook`` is the bot's median scatter + lines render over the notebook's, the two timed
    in turn (``timed_alternately``) so that the machine's ups and downs fall on both."""
    from bot.regression import plots
    from bot.regression.datasets import DatasetRegistry
    from bot.regression.explore import plot_spec
    from bot.regression.figures import CoefficientSpec, FigureSpec, ResidualSpec, ScatterSpec
    from bot.regression.model import fit
    from bot.regression.walkthrough import build

    data = DatasetRegistry.bundled().get(LECTURE_DATASET)
    model = fit(data, LECTURE_FORMULA)
    figures = [step.figure for step in build(data, model) if step.figure is not None]

    def first(kind: type, lines: bool = False) -> FigureSpec:
        return next(f for f in figures if isinstance(f, kind) and (not lines or f.lines))

    def render(spec: FigureSpec) -> Callable[[], Any]:
        return lambda: plots.render(spec, data.frame)

    def fit_walkthrough_figure() -> Any:
        steps = build(data, fit(data, LECTURE_FORMULA))
        return plots.render(next(s.figure for s in steps if s.figure is not None), data.frame)

    lines = first(ScatterSpec, lines=True)
    work: dict[str, Callable[[], Any]] = {
        "fit": lambda: fit(data, LECTURE_FORMULA),
        "walkthrough": lambda: build(data, model),
        "render scatter + lines": render(lines),
        "render box": render(plot_spec(data, "lesson", "score", None, "box")),
        "render histogram": render(plot_spec(data, "lesson", "score", None, "histogram")),
        "render residuals": render(first(ResidualSpec)),
        "render coefficients": render(first(CoefficientSpec)),
        "fit + walkthrough + first figure": fit_walkthrough_figure,
    }
    bot = {name: timed(function, runs) for name, function in work.items()}
    png = {"bot": len(plots.render(lines, data.frame).png)}
    try:
        notebook, drawing = _notebook(data.frame, runs, plots.FIGSIZE, plots.DPI)
    except ImportError:
        notebook, drawing = {"skipped": NOTEBOOK_MISSING}, None
    results: dict[str, Any] = {
        "dataset": LECTURE_DATASET,
        "formula": LECTURE_FORMULA,
        "runs": runs,
        "bot": bot,
        "notebook": notebook,
        "scatter_lines_png_bytes": png,
    }
    if drawing is not None:
        png["notebook"] = len(drawing())
        ours, theirs = timed_alternately(work["render scatter + lines"], drawing, runs)
        results["render_vs_notebook"] = round(ours["median_ms"] / theirs["median_ms"], 2)
    return results


def _notebook(
    frame: Any, runs: int, size: tuple[float, float], dpi: int
) -> tuple[dict[str, dict[str, float | int]], Callable[[], bytes]]:
    """The lecture notebook's fit and figure, timed, and what draws its figure (a PNG). ImportError without
    seaborn."""
    import matplotlib
    import seaborn as sns

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    import statsmodels.formula.api as smf

    def fit() -> Any:
        return smf.ols(LECTURE_FORMULA, data=frame).fit()

    params = fit().params

    def figure() -> bytes:
        plt.figure(figsize=size, dpi=dpi)
        sns.scatterplot(data=frame, x="completed", y="score", hue="lesson")
        xs = np.linspace(frame["completed"].min(), frame["completed"].max(), 50)
        a = params["Intercept"] + params["completed"] * xs
        plt.plot(xs, a, label="Lesson A")
        plt.plot(xs, a + params["lesson[T.Lesson B]"], label="Lesson B")
        plt.xlabel("completed")
        plt.ylabel("score")
        plt.title("score against completed, by lesson")
        plt.legend()
        buffer = io.BytesIO()
        plt.savefig(buffer, format="png", dpi=dpi)
        plt.close()
        return buffer.getvalue()

    def fit_and_figure() -> None:
        fit()
        figure()

    timings = {
        "fit": timed(fit, runs),
        "render scatter + lines": timed(figure, runs),
        "fit + figure": timed(fit_and_figure, runs),
    }
    return timings, figure
