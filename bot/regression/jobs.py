"""The engine's entry points, by name and plain values: what the CLI calls and what worker processes run.

Arguments and results are small picklable values (names, formula text, Steps, rendered figures), so the
same calls work in-process and across a process pool. Fitted models are cached per process.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from bot.regression import plots
from bot.regression.compare import compare
from bot.regression.datasets import Dataset, DatasetRegistry
from bot.regression.describe import describe
from bot.regression.equations import substituted
from bot.regression.explore import plot_spec
from bot.regression.figures import RenderedFigure
from bot.regression.model import FittedModel, fit, format_number, format_value, parse_values, predict
from bot.regression.steps import Step
from bot.regression.walkthrough import arithmetic, build


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


def registry() -> DatasetRegistry:
    """The datasets this process can see (bundled)."""
    return DatasetRegistry.bundled()


def dataset(name: str) -> Dataset:
    """A dataset by name; raises UnknownDatasetError with close names."""
    return registry().get(name)


@lru_cache(maxsize=64)
def _fitted(name: str, version: str, text: str) -> FittedModel:
    """A cached fit (keyed by dataset version so new data is never served from an old fit)."""
    return fit(dataset(name), text)


def fitted(name: str, text: str) -> FittedModel:
    """Fit ``text`` on the dataset called ``name`` (cached)."""
    data = dataset(name)
    return _fitted(data.name, data.version, text)


@lru_cache(maxsize=64)
def _walkthrough(name: str, version: str, text: str) -> tuple[Step, ...]:
    """The cached walkthrough steps."""
    return build(dataset(name), _fitted(name, version, text))


def walkthrough(name: str, text: str) -> tuple[Step, ...]:
    """Every step of the walkthrough for ``text`` on dataset ``name``."""
    data = dataset(name)
    return _walkthrough(data.name, data.version, text)


@lru_cache(maxsize=256)
def _page(name: str, version: str, text: str, index: int, theme: str) -> Page:
    """A cached rendered page."""
    steps = _walkthrough(name, version, text)
    step = steps[max(0, min(index, len(steps) - 1))]
    return Page(step, _render(step, dataset(name), theme, index))


def walkthrough_page(name: str, text: str, index: int, theme: str = "light") -> tuple[Page, int]:
    """Step ``index`` (clamped) of the walkthrough with its figure rendered, and the number of steps."""
    data = dataset(name)
    steps = _walkthrough(data.name, data.version, text)
    return _page(data.name, data.version, text, index, theme), len(steps)


def _render(step: Step, data: Dataset, theme: str, index: int) -> RenderedFigure | None:
    """Render a step's figure, named after the step."""
    if step.figure is None:
        return None
    return plots.render(step.figure, data.frame, theme=theme, filename=f"step{index + 1}.png")


def render_steps(steps: tuple[Step, ...], name: str, theme: str = "light") -> tuple[Page, ...]:
    """Render every figure of a list of steps (describe, compare)."""
    data = dataset(name)
    return tuple(Page(step, _render(step, data, theme, i)) for i, step in enumerate(steps))


def describe_pages(name: str, theme: str = "light") -> tuple[Page, ...]:
    """The dataset description, rendered."""
    return render_steps(describe(dataset(name)), name, theme)


def compare_pages(name: str, first: str, second: str, theme: str = "light") -> tuple[Page, ...]:
    """Two models side by side, rendered."""
    return render_steps(compare(dataset(name), first, second).steps, name, theme)


def prediction(name: str, text: str, values_text: str) -> Step:
    """A prediction with the arithmetic shown, its confidence and prediction intervals."""
    model = fitted(name, text)
    values = parse_values(model, values_text)
    work, _ = arithmetic(model, values)
    result = predict(model, values)
    pct = round(model.confidence * 100)
    described = ", ".join(f"**{k}** = {format_value(v)}" for k, v in values.items())
    paragraphs = [
        f"For {described}, the model `{model.formula_text}` predicts:",
        f"```\n{work}\n```",
        "(Each coefficient times its value, added up; computed with the unrounded estimates.)",
        f"**{pct}% confidence interval for the mean** {model.response} at these values: "
        f"{format_number(result.ci_low)} to {format_number(result.ci_high)}.",
        f"**{pct}% prediction interval for one new case**: {format_number(result.pi_low)} to "
        f"{format_number(result.pi_high)}. It is wider: single cases scatter around the mean "
        f"(residual standard error {format_number(model.resid_se)}).",
    ]
    if result.extrapolated:
        paragraphs.append(
            "⚠️ Outside the data for "
            + ", ".join(f"**{v}**" for v in result.extrapolated)
            + ": this is an extrapolation, and the straight-line pattern may not hold there."
        )
    return Step(f"Prediction: {format_number(result.estimate)}", "\n\n".join(paragraphs))


def summary(name: str, text: str) -> Summary:
    """The fitted equation, each coefficient (name, estimate, CI) and the fit statistics."""
    model = fitted(name, text)
    return Summary(
        formula=model.formula_text,
        equation=substituted(model),
        coefficients=tuple(
            (c.name, format_number(c.estimate), f"{format_number(c.ci_low)} to {format_number(c.ci_high)}")
            for c in model.coefficients
        ),
        r_squared=model.r_squared,
        adj_r_squared=model.adj_r_squared,
        n=model.n,
    )


def plot(name: str, x: str, y: str, color: str | None, kind: str, theme: str = "light") -> RenderedFigure:
    """The ``/plot`` figure, rendered."""
    data = dataset(name)
    return plots.render(plot_spec(data, x, y, color, kind), data.frame, theme=theme)


def warm() -> int:
    """Import and exercise the engine once so a new worker answers its first real job quickly."""
    pages = walkthrough_page("codecademy", "score ~ lesson + completed", 0)
    return pages[1]
