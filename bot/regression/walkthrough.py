"""A fitted model becomes an ordered list of Steps: what an instructor would say, page by page.

This module chooses the pages and the words. Every number a sentence states about what the model says
comes from ``meaning`` (comparisons of the model's own predictions), the equations from ``equations``,
and every number is written by ``text``. Bodies use Discord markdown and Unicode math, never LaTeX.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from bot.regression import formula as fm
from bot.regression.datasets import Dataset
from bot.regression.equations import (
    HAT,
    Line,
    general_form,
    group_lines,
    plugged_in,
    sample_curves,
    substituted,
)
from bot.regression.equations import line as equation_line
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
from bot.regression.meaning import (
    MAX_GROUPS,
    Case,
    Change,
    Comparison,
    Contribution,
    Interval,
    Meaning,
    Predicted,
    Reading,
    Relation,
    SeparateSlopes,
    Slope,
    SlopeChange,
    Value,
    Variable,
    explain,
    interaction_formula,
    outside_data,
    ranges,
    separate_slopes,
    simple_formula,
    slope_change,
)
from bot.regression.model import Coefficient, FittedModel, Indicator, Numeric, level_name, predict
from bot.regression.steps import BODY_LIMIT, MEANING_TITLE, TITLE_LIMIT, Step
from bot.regression.text import (
    MINUS,
    clip,
    difference_pair,
    listing,
    number,
    p_value,
    percent,
    signed,
    value_text,
    worked_sum,
)

#: How many paragraphs of coefficient readings one page holds.
MAX_READINGS = 14


# --------------------------------------------------------------------------------------------- words


def singular(unit: str | None) -> str:
    """``items`` → ``item``, ``grade points`` → ``grade point``, ``%`` → ``percentage point``; ``mm`` stays."""
    if not unit:
        return ""
    if unit == "%":
        return "percentage point"
    head, sep, tail = unit.partition(" (")
    words = head.split(" ")
    before, hyphen, last = words[-1].rpartition("-")
    if last.endswith("sses"):
        last = last[:-2]
    elif last.endswith("s") and not last.endswith("ss") and len(last) > 2 and last.isalpha():
        last = last[:-1]
    words[-1] = before + hyphen + last
    return " ".join(words) + (sep + tail if sep else "")


def _plural(unit: str) -> str:
    """A unit for an amount: ``%`` reads as percentage points."""
    return "percentage points" if unit == "%" else unit


def _code(*lines: str) -> str:
    """A code block (monospace keeps equations aligned in Discord)."""
    return "```\n" + "\n".join(lines) + "\n```"


def _step(title: str, paragraphs: Sequence[str], figure: FigureSpec | None = None) -> Step:
    """A Step from paragraphs, trimmed to fit one embed (visibly)."""
    body = "\n\n".join(p for p in paragraphs if p)
    if len(body) > BODY_LIMIT:
        body = body[: BODY_LIMIT - 40].rsplit("\n", 1)[0] + "\n… (trimmed to fit Discord)"
    return Step(clip(title, TITLE_LIMIT), body, figure)


@dataclass(frozen=True)
class _Words:
    """Wording that knows the dataset (units, nouns, what a row is) and the model's scale."""

    dataset: Dataset
    model: FittedModel
    meaning: Meaning

    @property
    def rows(self) -> str:
        """What the rows are, plural: ``students``."""
        return self.dataset.row_noun_plural

    @property
    def row(self) -> str:
        """One row: ``student``, ``firm-year``, ``day of operation``."""
        head, _, tail = self.rows.partition(" ")
        return f"{singular(head)} {tail}".strip()

    def unit(self, column: str) -> str | None:
        """The unit of a column, if the manifest gives one."""
        try:
            return self.dataset.column(column).unit
        except KeyError:
            return None

    def label(self, column: str) -> str:
        """An axis label with the unit."""
        try:
            return self.dataset.column(column).label
        except KeyError:
            return column

    def noun(self, column: str) -> str:
        """How a column reads in a sentence: the manifest's noun, or the name in bold."""
        try:
            noun = self.dataset.column(column).noun
        except KeyError:
            noun = None
        return noun or f"**{column}**"

    def description(self, column: str) -> str:
        """What a column means, from the manifest."""
        try:
            return self.dataset.column(column).description
        except KeyError:
            return ""

    @property
    def scale(self) -> str:
        """The response as fitted: ``score`` or ``log(invest)``."""
        return self.meaning.scale.text

    @property
    def predicted(self) -> str:
        """``the predicted quiz score`` or ``the predicted log(invest)``."""
        if self.meaning.scale.kind == "identity":
            return f"the predicted {self.noun(self.model.response_column)}"
        return f"the predicted **{self.scale}**"

    @property
    def compared(self) -> str:
        """What a difference of predictions is about: the predicted response (on a log scale its ratios)."""
        if self.meaning.scale.kind == "log":
            return f"the predicted {self.noun(self.model.response_column)}"
        return self.predicted

    @property
    def a_predicted(self) -> str:
        """``a predicted quiz score`` (what a difference of predictions is about)."""
        return "a" + self.compared.removeprefix("the")

    def amount(self, value: float) -> str:
        """A size in the response's unit (magnitude only): ``13.19 points``."""
        unit = self.unit(self.model.response_column) if self.meaning.scale.kind == "identity" else None
        return f"{number(abs(value))} {_plural(unit)}" if unit else number(abs(value))

    def difference(self, value: float) -> str:
        """A difference in predictions: ``13.19 points lower``; on a log scale ``about 12 % lower (× 0.88)``."""
        if self.meaning.scale.kind == "log":
            ratio = math.exp(value)
            return (
                f"about {percent(abs(ratio - 1))} {'higher' if value >= 0 else 'lower'} (× {number(ratio)})"
            )
        direction = "higher" if value >= 0 else "lower"
        if self.meaning.scale.kind == "identity":
            return f"{self.amount(value)} {direction}"
        return f"{number(abs(value))} {direction}"

    def per_one(self, column: str) -> str:
        """One unit of a column: ``one more completed item`` reads ``1 item``."""
        unit = self.unit(column)
        return f"1 {singular(unit)}" if unit else "1 unit"

    def per(self, column: str, size: float) -> str:
        """``size`` units of a column: ``14.04 mm``, ``10 items``."""
        unit = self.unit(column)
        if size == 1:
            return self.per_one(column)
        return f"{number(size)} {_plural(unit)}" if unit else number(size)

    def value(self, name: str, value: Value) -> str:
        """``completed = 31`` or ``lesson = Lesson A``."""
        return f"{name} = {value_text(value)}"

    def case(self, case: Case) -> str:
        """``completed = 31 and lesson = Lesson A``."""
        return listing([self.value(n, v) for n, v in case])

    def interval(self, interval: Interval, scale: float = 1.0) -> str:
        """``95 % CI 1.11 to 1.60``."""
        pct = round(self.model.confidence * 100)
        return f"{pct} % CI {number(interval.low * scale)} to {number(interval.high * scale)}"

    def consistent(self, interval: Interval, what: str = "no difference") -> str:
        """A note when an interval includes 0: the data are consistent with no difference."""
        if not interval.includes_zero:
            return ""
        return f" Its {self.interval(interval)} includes 0: the data are consistent with {what}."

    def range(self, variable: Variable) -> str:
        """``the data run from 9 to 53``."""
        return f"the data run from {value_text(variable.minimum)} to {value_text(variable.maximum)}"

    def same(self, names: Sequence[str]) -> str:
        """``the same number of completed items and sex`` for the predictors held fixed."""
        return "the same " + listing([self.noun(n) for n in names])

    def level(self, name: str, level: str | float) -> str:
        """A level as it reads in a sentence: ``*Lesson A*``, or ``studytime_port = 2`` for a number."""
        text = value_text(level)
        try:
            float(text.replace(MINUS, "-"))
        except ValueError:
            return f"*{text}*"
        return f"{name} = {text}"

    def zero_place(self, case: Case) -> str:
        """``for *Lesson A* (the baseline) at completed = 0``, saying what 0 means for transformed terms."""
        groups, numbers = [], []
        for name, value in case:
            variable = self.meaning.variable(name)
            if variable.categorical:
                groups.append(
                    self.level(name, value) + (" (the baseline)" if value == variable.baseline else "")
                )
                continue
            text = self.value(name, value)
            factors = _own_factors(self.model, name)
            if factors and all(not fm.is_plain_column(f) for f in factors):
                text += f" ({listing([f'`{fm.factor_text(f)}`' for f in factors])} = 0 there)"
            numbers.append(text)
        pieces = []
        if groups:
            pieces.append("for " + listing(groups))
        if numbers:
            pieces.append("at " + listing(numbers))
        return " ".join(pieces)

    def outside_note(self, case: Case) -> str:
        """Why a case is an extrapolation or at the edge of the data, for each numeric value in it."""
        notes = []
        for name, value in case:
            variable = self.meaning.variable(name)
            if variable.categorical:
                continue
            if not variable.inside(value):
                notes.append(
                    f"{name} = {value_text(value)} is outside the data ({name} runs from "
                    f"{value_text(variable.minimum)} to {value_text(variable.maximum)})"
                )
            elif variable.zero == value and variable.near_zero <= max(2, variable.n // 50):
                count = "one" if variable.near_zero == 1 else str(variable.near_zero)
                who = self.row if variable.near_zero == 1 else self.rows
                notes.append(
                    f"{name} = {value_text(value)} is at the edge of the data (only {count} {who} "
                    f"{'has' if variable.near_zero == 1 else 'have'} {name} near it)"
                )
        return "; ".join(notes)


def _own_factors(model: FittedModel, name: str) -> list[fm.Expr]:
    """How the model writes ``name`` on its own in its terms."""
    return [
        t.factors[0]
        for t in model.formula.terms
        if len(t.factors) == 1 and fm.factor_columns(t.factors[0]) == (name,)
    ]


# --------------------------------------------------------------------------------------------- build


def build(dataset: Dataset, model: FittedModel) -> tuple[Step, ...]:
    """Every step of the walkthrough for ``model`` fitted on ``dataset``."""
    return Walkthrough(dataset, model).steps()


class Walkthrough:
    """The pages of one model's walkthrough, each made when it is first asked for.

    The titles (for a jump menu) are known at once; a page costs only what it states: the first page
    reads the variables and the picture's axes, the extra fits (the simple regression's slope, one slope
    per group) run with the pages that show them.
    """

    def __init__(self, dataset: Dataset, model: FittedModel) -> None:
        self.words = _Words(dataset, model, explain(dataset, model))
        self._made: dict[int, Step] = {}
        meaning = self.words.meaning
        if not meaning.variables:
            self._mean_only = _mean_only(self.words)
            self.titles = tuple(step.title for step in self._mean_only)
            return
        axes = meaning.axes
        pages: list[tuple[str, Callable[[], Step]]] = [
            ("The question and the data", lambda: _question(self.words)),
            ("The model's shape", lambda: _model_shape(self.words)),
            ("The estimates", lambda: _estimates(self.words)),
        ]
        if _has_indicators(self.words):
            pages.append(("The indicator variables", self._indicators))
        if axes.by is not None and axes.x is not None:
            title = (
                f"One line per {axes.by}"
                if axes.by_kind == "categorical"
                else f"Lines at chosen values of {axes.by}"
            )
            pages.append((title, lambda: _per_group(self.words, self.lines)))
        elif axes.x is None and axes.by is not None:
            pages.append((f"One prediction per {axes.by}", lambda: _group_means(self.words)))
        if axes.x is not None:
            pages.append(
                ("The picture", lambda: _picture(self.words, self.lines, self.change, self.separate))
            )
        pages += [
            (MEANING_TITLE, lambda: _meaning(self.words)),
            ("What the model cannot say", lambda: _limits(self.words, self.change)),
            ("How well it fits", lambda: _goodness(self.words)),
            ("Try next", lambda: _try_next(self.words)),
        ]
        self._mean_only = ()
        self.titles = tuple(title for title, _ in pages)
        self._makers = [make for _, make in pages]

    def __len__(self) -> int:
        return len(self.titles)

    def step(self, index: int) -> Step:
        """Page ``index`` (made once)."""
        if self._mean_only:
            return self._mean_only[index]
        if index not in self._made:
            self._made[index] = self._makers[index]()
        return self._made[index]

    def steps(self) -> tuple[Step, ...]:
        """Every page."""
        return tuple(self.step(i) for i in range(len(self)))

    def _indicators(self) -> Step:
        """The indicator page (there is one whenever a categorical has its own coefficients)."""
        step = _indicators(self.words)
        assert step is not None, "a categorical's own coefficients are read as gaps or level values"
        return step

    @cached_property
    def lines(self) -> tuple[Line, ...]:
        """The per-group (or per-value) equations in x."""
        return _lines(self.words)

    @cached_property
    def change(self) -> SlopeChange | None:
        """How x's slope differs from the simple regression's (an extra fit)."""
        words = self.words
        return slope_change(words.dataset, words.model, words.meaning)

    @cached_property
    def separate(self) -> SeparateSlopes | None:
        """One slope per group (an extra fit)."""
        words = self.words
        return separate_slopes(words.dataset, words.model, words.meaning)


def _has_indicators(words: _Words) -> bool:
    """Whether the indicator page has something to say: a categorical's own coefficients, which are gaps
    from its baseline (known without predicting) or, with no intercept, levels' values where they read so."""
    return any(
        words.meaning.reads_as_level(coef)
        for coef in words.model.coefficients
        if len(coef.parts) == 1 and isinstance(coef.parts[0], Indicator)
    )


def _held(words: _Words, exclude: Sequence[str]) -> Case:
    """The values other predictors are held at in pictures and per-group equations."""
    return words.meaning.held(exclude)


def _lines(words: _Words) -> tuple[Line, ...]:
    """The per-group (or per-value) equations in x."""
    shape = words.meaning.shape
    if shape.x is None:
        return ()
    values: Sequence[Value] = ()
    if shape.by is not None:
        variable = words.meaning.variable(shape.by)
        values = (
            variable.stated
            if not variable.categorical
            else [lv for lv in variable.levels if variable.count(lv)][:MAX_GROUPS]
        )
    return group_lines(words.model, shape.x, shape.by, values, dict(_held(words, [shape.x, shape.by or ""])))


def _response_axis(words: _Words) -> Axis:
    """The response axis on the scale it was fitted on (``log(invest)``)."""
    column = words.model.response_column
    if words.meaning.scale.kind == "identity":
        return Axis(column, words.label(column))
    unit = words.unit(column)
    label = words.scale + (f" ({column} in {unit})" if unit else "")
    return Axis(column, label, words.model.formula.response)


def _jitter(words: _Words, x: str) -> bool:
    """Whether whole-number data pile up on a grid (then the points are spread a little)."""
    variable = words.meaning.variable(x)
    return variable.whole and words.meaning.fit.levels <= 40 and words.model.n >= 50


def _color(words: _Words) -> ColorBy | None:
    """Colour the points by the grouping predictor."""
    by = words.meaning.axes.by
    if by is None:
        return None
    variable = words.meaning.variable(by)
    if variable.categorical:
        return ColorBy(by, words.label(by), "categorical", variable.levels)
    return ColorBy(by, words.label(by), "numeric")


def _question(words: _Words) -> Step:
    """What we are predicting from what, and the data, with the first picture."""
    model, shape = words.model, words.meaning.axes
    predictors = model.predictors()
    described = [
        f"• **{p}**: {words.description(p)}"
        for p in (model.response_column, *predictors)
        if words.description(p)
    ]
    paragraphs = [
        f"Can we predict **{model.response_column}** from {listing([f'**{p}**' for p in predictors])}? "
        f"The data: **{model.n}** {words.rows} (*{words.dataset.title}*).",
        "\n".join(described[:12]),
    ]
    if words.meaning.scale.kind != "identity":
        paragraphs.append(_scale_note(words))
    if model.rows_dropped:
        paragraphs.append(
            f"{model.rows_dropped} rows with a missing value in one of these columns were left out."
        )
    figure: FigureSpec
    if shape.x is not None:
        paragraphs.append(
            f"The picture: each point is one of the {model.n} {words.rows}"
            + (f", coloured by **{shape.by}**." if shape.by else ".")
        )
        figure = ScatterSpec(
            title=f"{words.scale} against {shape.x}",
            x=Axis(shape.x, words.label(shape.x)),
            y=_response_axis(words),
            color=_color(words),
            jitter=_jitter(words, shape.x),
        )
    else:
        by = shape.by or ""
        variable = words.meaning.variable(by)
        figure = BoxSpec(
            title=f"{words.scale} by {by}",
            group=Axis(by, words.label(by)),
            y=_response_axis(words),
            levels=variable.levels,
        )
        paragraphs.append(f"The picture: the spread of **{words.scale}** in each group.")
    return _step("The question and the data", paragraphs, figure)


def _scale_note(words: _Words) -> str:
    """What fitting a transformed response means."""
    scale = words.meaning.scale
    column = words.model.response_column
    if scale.kind == "log":
        return (
            f"The model is fitted to **{scale.text}**, the natural logarithm of {column}, so a difference in "
            f"predictions is a *ratio* of {column}: +0.10 on the log scale is about 10.5 % more {column}. "
            f"e to the power of a prediction gives it back in {column}'s units: a typical (median-like) "
            f"{column}, not its mean. The pictures use the log scale the model was fitted on."
        )
    if scale.kind == "sqrt":
        return (
            f"The model is fitted to **{scale.text}**, the square root of {column}: differences are on that "
            f"scale, and squaring a prediction gives it back in {column}'s own units. The pictures use the "
            "square-root scale."
        )
    return f"The model is fitted to **{scale.text}**, not to {column} itself: every number is on that scale."


def _model_shape(words: _Words) -> Step:
    """The general equation with numbered coefficients, and what each term is."""
    model, meaning = words.model, words.meaning
    paragraphs = [
        _code(general_form(model)),
        f'**{HAT}** ("y-hat") is {words.predicted}. This is the line equation *y = mx + b* from school, written '
        "so that any number of predictors fits: "
        + ("**b₀** plays the part of *b* (the intercept) and " if model.intercept else "")
        + "each other **b** multiplies one term, numbered instead of lettered.",
    ]
    notes = []
    for reading in meaning.readings:
        note = _term_note(words, reading)
        if note:
            notes.append(note)
    if notes:
        paragraphs.append("\n".join(dict.fromkeys(notes[:15])))
    if not model.intercept:
        if meaning.cell_means:
            paragraphs.append(
                "This model has no intercept (`- 1`): instead, every level of the categorical predictor gets a "
                "constant of its own."
            )
        else:
            paragraphs.append(
                "This model has no intercept (`- 1`): the prediction is forced to be 0 when every term is 0."
            )
    return _step("The model's shape", paragraphs)


def _term_note(words: _Words, reading: Reading) -> str:
    """One line on what a term of the equation is."""
    coef = reading.coefficient
    if coef.kind == "indicator":
        part = coef.parts[0]
        assert isinstance(part, Indicator)
        return f"• `{part.text}` is 1 when **{part.variable}** is *{part.level}* and 0 otherwise."
    if coef.kind == "interaction":
        names = listing([f"**{v}**" for v in coef.variables])
        if reading.kind in ("slope-difference", "level-slope"):
            return (
                f"• {reading.symbol} multiplies `{coef.feature}`, a product (an *interaction*): it lets "
                f"**{reading.subject}**'s slope differ for *{reading.level}*."
            )
        if reading.kind == "slope-change":
            return (
                f"• {reading.symbol} multiplies `{coef.feature}`, a product (an *interaction* of {names}): it "
                f"lets **{reading.subject}**'s slope change with **{reading.other}**."
            )
        return f"• {reading.symbol} multiplies `{coef.feature}`, a product of terms (an *interaction* of {names})."
    if coef.kind != "transformed":
        return ""
    part = coef.parts[0]
    assert isinstance(part, Numeric)
    return _transform_note(words, reading, part)


def _transform_note(words: _Words, reading: Reading, part: Numeric) -> str:
    """What a transformed term is, with the numbers that define it."""
    expr = part.expr
    name = part.variables[0]
    variable = words.meaning.variable(name) if len(part.variables) == 1 else None
    if isinstance(expr, fm.Call) and variable is not None:
        if expr.func == "center":
            return (
                f"• `{part.text}` is {name} minus its mean ({number(variable.mean)}): 0 for a {words.row} "
                f"at the mean, so it is still a straight line in {name}."
            )
        if expr.func == "standardize":
            return (
                f"• `{part.text}` is {name} minus its mean ({number(variable.mean)}), divided by its standard "
                f"deviation ({words.per(name, variable.sd)}): 0 at the mean, 1 one standard deviation above it."
            )
        if expr.func == "log":
            return f"• `{part.text}` is the natural logarithm of {name}: 0 at {name} = 1, and 0.69 higher each time {name} doubles."
        if expr.func == "sqrt":
            return f"• `{part.text}` is the square root of {name}: its slope in {name} is steep near 0 and flattens out."
        if expr.func == "exp":
            return f"• `{part.text}` is e to the power {name}: it grows faster and faster."
    if reading.kind == "bend":
        return f"• `{part.pretty}` lets the prediction bend: a curve in **{name}**, not a straight line."
    return f"• {reading.symbol} multiplies `{part.pretty}`, a transformed predictor."


def _coefficient_table(words: _Words) -> str:
    """A monospace table of estimates, standard errors and confidence intervals."""
    model = words.model
    pct = round(model.confidence * 100)
    rows = [("", "term", "estimate", "std err", f"{pct}% CI")]
    for reading in words.meaning.readings:
        coef = reading.coefficient
        rows.append(
            (
                reading.symbol,
                clip(coef.name, 28),
                number(coef.estimate),
                number(coef.std_error),
                f"{number(coef.ci_low)} to {number(coef.ci_high)}",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return _code(*lines[:26]) + (f"\n… and {len(lines) - 26} more terms" if len(lines) > 26 else "")


def _coef_interval(coef: Coefficient) -> Interval:
    """A coefficient's own interval."""
    return Interval(coef.estimate, coef.ci_low, coef.ci_high)


def _estimates(words: _Words) -> Step:
    """The estimates, their uncertainty, plugged in, with the sign simplification explained."""
    model = words.model
    negatives = [c for c in model.coefficients if c.estimate < 0 and c.kind != "intercept"]
    paragraphs = [
        "statsmodels estimated the coefficients by least squares (the b's that make the squared "
        "prediction errors as small as possible):",
        _coefficient_table(words),
        f"The **standard error** says how much an estimate would typically vary from one sample of {model.n} "
        f"{words.rows} to another. The **95 % confidence interval** (roughly the estimate ± 2 standard errors) "
        "is the range of values the data are consistent with.",
    ]
    zero = [
        r
        for r in words.meaning.readings
        if r.coefficient.parts and _coef_interval(r.coefficient).includes_zero
    ]
    if zero:
        named = listing(
            [
                f"{r.symbol} ({number(r.coefficient.ci_low)} to {number(r.coefficient.ci_high)})"
                for r in zero[:8]
            ]
        )
        paragraphs.append(
            f"The interval of {named} includes 0: the data are consistent with that term adding nothing, so "
            "its sign and size are not settled by these data."
        )
    paragraphs += ["Plugged into the equation:", _code(plugged_in(model))]
    if negatives:
        example = negatives[0]
        paragraphs += [
            f"Adding a negative number is subtracting it: “+ ({number(example.estimate)})” "
            f"is written “− {number(abs(example.estimate))}”. Simplified:",
            _code(substituted(model)),
        ]
    return _step("The estimates", paragraphs)


def _indicators(words: _Words) -> Step | None:
    """What each indicator means, and which level is the baseline."""
    meaning = words.meaning
    paragraphs = []
    for variable in meaning.variables:
        if not variable.categorical:
            continue
        readings = [
            r for r in meaning.readings if r.kind in ("gap", "level-value") and r.subject == variable.name
        ]
        if not readings:
            continue
        listing_lines = "\n".join(
            f"• `{r.coefficient.name}` = 1 for *{r.level}*, 0 otherwise (estimate {number(r.coefficient.estimate)})"
            for r in readings[:10]
        )
        if len(readings) > 10:
            listing_lines += f"\n… and {len(readings) - 10} more"
        paragraphs.append(
            f"**{variable.name}** is categorical, so it enters as indicator (0/1) variables:\n{listing_lines}"
        )
        first = readings[0]
        if first.kind == "gap":
            paragraphs.append(
                f"*{variable.baseline}* is the **baseline** (reference level): it comes first in the list of "
                f"levels, so it has no indicator of its own, and each {variable.name} coefficient is a "
                f"**difference from {variable.baseline}**. For example, {number(first.coefficient.estimate)} is "
                f"how much {words.predicted} for *{first.level}* differs from *{variable.baseline}*"
                + _gap_where(words, first)
                + f"; it is *not* the average of *{first.level}* (that is "
                f"{number(variable.response_mean(first.level or ''))} in the data)."
            )
        elif meaning.cell_means and len(meaning.variables) == 1:
            paragraphs.append(
                f"Without an intercept every level of **{variable.name}** gets its own indicator, so each "
                "coefficient is that level's own mean, not a difference from another level."
            )
        else:
            others = [v.name for v in meaning.variables if v.name != variable.name]
            paragraphs.append(
                f"Without an intercept every level of **{variable.name}** gets its own indicator, so each "
                f"coefficient is that level's own intercept: its prediction where {listing(others)} "
                f"{'is' if len(others) == 1 else 'are'} 0, not a difference from another level."
            )
    if not paragraphs:
        return None
    return _step("The indicator variables", paragraphs)


def _gap_where(words: _Words, reading: Reading) -> str:
    """`` at the same completed`` or `` at completed = 0 (outside the data)`` for a gap."""
    others = [v.name for v in words.meaning.variables if v.name != reading.subject]
    if not others:
        return ""
    if reading.constant:
        return " at " + words.same(others)
    outside = words.outside_note(reading.where)
    note = f", and {outside}" if outside else ""
    return (
        f" {words.zero_place(reading.where)} only{note}; elsewhere the difference changes "
        "(see “What the numbers mean”)"
    )


def _line_block(words: _Words, item: Line) -> str:
    """One group's equation with the arithmetic that combined its coefficients."""
    shape = words.meaning.shape
    header = f"**{item.label}**"
    if shape.by_kind == "categorical" and shape.by is not None:
        variable = words.meaning.variable(shape.by)
        indicators = [
            c for c in words.model.coefficients if c.kind == "indicator" and c.variables == (shape.by,)
        ]
        if variable.baseline and indicators:
            header += (
                " (the baseline: its indicators are 0)"
                if item.group == variable.baseline
                else " (its indicator is 1)"
            )
        if item.group is not None and not variable.count(str(item.group)):
            header += " (no rows in the data)"
    work = []
    for feature, how in item.derivations:
        first, *rest = how.split("\n")
        work.append(f"  {'intercept' if feature == '' else 'slope of ' + feature}: {first}")
        work += [f"    {r}" for r in rest]
    notes = [
        f"  ({value_text(v)} is `{feature}` at {words.case(tuple((n, val) for n, val in item.fixed if n in feature))})"
        for feature, v in item.transformed
    ]
    return "\n".join([header, *work, *notes, _code(item.equation())])


def _per_group(words: _Words, lines: tuple[Line, ...]) -> Step:
    """One equation per level (or per chosen value of the moderator)."""
    meaning = words.meaning
    shape = meaning.shape
    by, x = shape.by or "", shape.x or ""
    held = _held(words, [x, by])
    paragraphs = []
    if shape.by_kind == "categorical":
        title = f"One line per {by}"
        paragraphs.append(f"Put each level of **{by}** into the equation:")
    else:
        title = f"Lines at chosen values of {by}"
        paragraphs.append(_moderator_intro(words))
    paragraphs += [_line_block(words, item) for item in lines]
    paragraphs.append(_omitted(words, lines))
    if held:
        paragraphs.append("Other predictors held at: " + words.case(held) + ".")
    paragraphs.append(_lines_verdict(words, lines))
    return _step(title, paragraphs)


def _lines_verdict(words: _Words, lines: tuple[Line, ...]) -> str:
    """What the lines have in common: parallel, different slopes, one shared start, curves."""
    meaning = words.meaning
    shape = meaning.shape
    by, x = shape.by or "", shape.x or ""
    if meaning.shared_start is not None:
        start = meaning.shared_start
        where = "inside" if start.inside else f"outside the data ({words.range(meaning.variable(x))})"
        return (
            f"**Different slopes, one starting point.** Every line passes through the same point, {x} = "
            f"{value_text(start.at)} (ŷ = {number(start.prediction)}), which is {where}: the model has no term "
            f"for **{by}** alone, so it cannot give the groups different intercepts, only different slopes. "
            f"Add **{by}** itself (`{interaction_formula(words.model, shape).canonical()}`) to let them differ."
        )
    if shape.curved:
        return f"**Curves:** the equations contain a transformed {x}, so each is a curve in {x}, not a straight line."
    if shape.interaction:
        slopes = _slope_list(
            words,
            [r for r in meaning.readings if r.subject == x and r.other == by and r.kind == "slope-where"],
        )
        return (
            f"**Different slopes:** the interaction lets {x}'s slope differ with **{by}**, so the lines are not "
            "parallel" + (f" ({slopes})" if slopes else "") + f". The coefficient of {x} alone is its slope "
            f"{'for the baseline, ' + str(words.meaning.variable(by).baseline) if shape.by_kind == 'categorical' else 'where ' + by + ' = 0'}, not “the” slope."
        )
    gap = next((r for r in meaning.readings if r.kind == "gap" and r.subject == by and r.constant), None)
    if shape.by_kind == "categorical" and len(lines) > 1:
        extra = ""
        if gap is not None and len(lines) == 2:
            change = next(c for c in gap.comparisons if isinstance(c, Change))
            extra = f" They are {words.amount(change.difference.estimate)} apart at every value of **{x}**."
        return (
            f"**Same slope, different intercepts: parallel lines.**{extra} This model lets {by} move the line up "
            "or down, but not tilt it."
        )
    step = next((r for r in meaning.readings if r.kind == "slope" and r.subject == by), None)
    if step is not None:
        change = next(c for c in step.comparisons if isinstance(c, Change))
        return (
            f"**Parallel lines:** every value of {by} shares {x}'s slope; each {words.per(by, step.per)} more "
            f"{by} moves the line {words.difference(change.difference.estimate)}."
        )
    return ""


def _slope_list(words: _Words, readings: Sequence[Reading]) -> str:
    """``slope of completed: 1.27 for Lesson A, 1.43 for Lesson B`` from a reading's slope comparisons."""
    if not readings:
        return ""
    return f"slope of {readings[0].subject}: " + _slopes_at(
        words, readings[0].comparisons, readings[0].subject
    )


def _moderator_intro(words: _Words) -> str:
    """For a numeric second predictor: each value gives its own line; show 0 and 1 to see the step."""
    model, shape = words.model, words.meaning.shape
    x, by = shape.x or "", shape.by or ""
    base = dict(_held(words, [x, by]))
    if not any(fm.is_plain_column(f) for f in _own_factors(model, by)):
        return f"Each value of **{by}** gives its own line in **{x}**. A few values inside the data:"
    zero = equation_line(model, x, {by: 0.0, **base}, label=f"{by} = 0")
    one = equation_line(model, x, {by: 1.0, **base}, label=f"{by} = 1")
    if zero is None or one is None:
        return f"Each value of **{by}** gives its own line in **{x}**. A few values inside the data:"
    step = one.intercept - zero.intercept
    moves = "raises" if step >= 0 else "lowers"
    tilt = (
        ""
        if (zero.slope is not None and one.slope is not None and math.isclose(zero.slope, one.slope))
        else (" and changes the slope too")
    )
    return (
        f"Each value of **{by}** gives its own line in **{x}**. Put in {by} = 0: `{zero.equation()}`; "
        f"put in {by} = 1: `{one.equation()}`. Each step of 1 in **{by}** {moves} the intercept by "
        f"{number(abs(step))}{tilt or ' and leaves the slope alone'}. Values inside the data make a better picture:"
    )


def _drawn_lines(
    words: _Words, lines: tuple[Line, ...], change: SlopeChange | None
) -> tuple[FittedLine, ...]:
    """Lines (or curves) to draw: each over its own group's range, extended dashed; the pooled line."""
    model, meaning = words.model, words.meaning
    shape = meaning.shape
    x = shape.x or ""
    variable = meaning.variable(x)
    lo, hi = variable.minimum, variable.maximum
    drawn = []
    held = _held(words, [x, shape.by or ""])
    within = tuple((n, v) for n, v in held if meaning.variable(n).categorical)
    own = ranges(
        words.dataset, model, x, shape.by, [item.group for item in lines if item.group is not None], within
    )
    short = len(lines) > 4
    spans = [own.get(item.group, (lo, hi)) if item.group is not None else (lo, hi) for item in lines]
    requests = []
    for item, (start, end) in zip(lines, spans, strict=True):
        points = 2 if item.straight else 60
        requests += [(dict(item.fixed), start, end, points), (dict(item.fixed), lo, hi, points)]
    curves = sample_curves(model, x, requests)
    for index, (item, span) in enumerate(zip(lines, spans, strict=True)):
        xs, ys = curves[2 * index]
        extended = curves[2 * index + 1] if span != (lo, hi) else None
        label = (
            item.label
            if (short and shape.by)
            else (f"{item.label}: {item.equation()}" if shape.by else item.equation())
        )
        drawn.append(
            FittedLine(
                label=label,
                xs=xs,
                ys=ys,
                group=item.group,
                intercept=item.intercept if item.straight else None,
                slope=item.slope,
                extended=extended,
            )
        )
    if not lines:
        held = _held(words, [x])
        ((xs, ys),) = sample_curves(model, x, [(dict(held), lo, hi, 60)])
        label = "prediction" + (f" at {words.case(held)}" if held else "")
        drawn.append(FittedLine(label=label, xs=xs, ys=ys))
    if change is not None and shape.by is not None:
        xs, ys = change.line
        rise = (ys[-1] - ys[0]) / (xs[-1] - xs[0]) if change.straight else None
        drawn.append(
            FittedLine(
                label=f"all {words.rows} pooled: {change.equation}",
                xs=xs,
                ys=ys,
                intercept=ys[0] - rise * xs[0] if rise is not None else None,
                slope=rise,
                dashed=True,
                pooled=True,
            )
        )
    return tuple(drawn)


def _picture(
    words: _Words, lines: tuple[Line, ...], change: SlopeChange | None, separate: SeparateSlopes | None
) -> Step:
    """The fitted lines over the coloured scatter, and what the picture shows."""
    model, meaning = words.model, words.meaning
    shape = meaning.shape
    x = shape.x or ""
    drawn = _drawn_lines(words, lines, change)
    held = _held(words, [x, shape.by or ""])
    note = ("Other predictors held at " + words.case(held) + ".") if held else None
    focus = tuple((n, str(v)) for n, v in held if meaning.variable(n).categorical)
    numbers = tuple((n, v) for n, v in held if not meaning.variable(n).categorical)
    paragraphs = [_picture_text(words, lines, change, separate), _omitted(words, lines)]
    if focus:
        paragraphs.append(
            "The lines are for " + words.case(focus) + f"; {words.rows} with other values are drawn faintly."
        )
    if numbers:
        paragraphs.append("Other predictors held at " + words.case(numbers) + ".")
    figure = ScatterSpec(
        title=clip(model.formula_text, 120),
        x=Axis(x, words.label(x)),
        y=_response_axis(words),
        color=_color(words),
        lines=drawn,
        note=note,
        focus=focus,
        jitter=_jitter(words, x),
    )
    return _step("The picture", paragraphs, figure)


def _picture_text(
    words: _Words, lines: tuple[Line, ...], change: SlopeChange | None, separate: SeparateSlopes | None
) -> str:
    """What the picture shows, for this model's shape."""
    meaning = words.meaning
    shape = meaning.shape
    x, by = shape.x or "", shape.by or ""
    paragraphs = []
    if shape.by_kind == "categorical" and len(lines) > 1:
        paragraphs.append(
            f"One line per {by}, each drawn over its own {by}'s range of {x} (dashed beyond it)."
        )
        if not shape.interaction and not shape.curved:
            paragraphs.append(
                f"The lines are parallel: this model gives every {by} one shared slope for **{x}**."
            )
        elif shape.interaction:
            paragraphs.append(f"Each {by} has its own slope, so the lines can cross.")
        else:
            paragraphs.append(
                f"The curves have one shape, shifted up or down: this model lets {by} move the curve but not "
                "bend it differently."
            )
        if change is not None:
            paragraphs.append(_pooled_text(words, change))
        if separate is not None:
            paragraphs.append(_separate_text(words, separate))
    elif shape.by_kind == "numeric" and len(lines) > 1:
        first, last = lines[0], lines[-1]
        typical = float(meaning.variable(x).typical)
        low = meaning.predict({**dict(first.fixed), x: typical}).estimate
        high = meaning.predict({**dict(last.fixed), x: typical}).estimate
        direction = "up" if high >= low else "down"
        kind = "curves" if shape.curved else "lines"
        paragraphs.append(
            f"A family of {kind}, one per chosen value of **{by}**, coloured like the points with those values; "
            f"higher **{by}** shifts the {kind[:-1]} {direction} (at {x} = {value_text(typical)}: "
            f"{number(low)} at {words.value(by, first.group or 0)}, {number(high)} at {words.value(by, last.group or 0)})."
        )
        if shape.interaction:
            slopes = _slope_list(
                words,
                [
                    r
                    for r in meaning.readings
                    if r.subject == x and r.other == by and r.kind in ("slope-where", "slope-change")
                ],
            )
            paragraphs.append(f"They are not parallel: {x}'s slope changes with {by} ({slopes}).")
        if change is not None:
            paragraphs.append(_pooled_text(words, change))
    elif shape.curved:
        reading = next(
            (
                r
                for r in meaning.readings
                if r.subject == x and any(isinstance(c, Slope) for c in r.comparisons)
            ),
            None,
        )
        slopes = ", ".join(
            f"{number(c.slope.estimate)} at {words.value(x, c.value)}"
            for c in (reading.comparisons if reading else ())
            if isinstance(c, Slope)
        )
        paragraphs.append(
            f"The prediction is a curve in **{x}**: its slope changes along the axis"
            + (f" ({slopes})" if slopes else "")
            + ", so the model is read through predictions at a few values rather than one coefficient."
        )
    else:
        paragraphs.append("The least-squares line through the points.")
    return " ".join(paragraphs)


def _omitted(words: _Words, lines: tuple[Line, ...]) -> str:
    """Which groups have no line, when there are more levels than lines."""
    by = words.meaning.shape.by
    if by is None or not words.meaning.variable(by).categorical:
        return ""
    variable = words.meaning.variable(by)
    present = [lv for lv in variable.levels if variable.count(lv)]
    if len(present) <= len(lines):
        return ""
    return f"(Lines for the first {len(lines)} of the {len(present)} levels of {by}.)"


def _pooled_text(words: _Words, change: SlopeChange) -> str:
    """The pooled line in the picture: the simple regression on every row."""
    return (
        f"The dashed line is `{change.formula}`, fitted to all {words.rows} at once (coefficient "
        f"{number(change.alone.estimate)}): see “What the model cannot say” for why it differs."
    )


def _separate_text(words: _Words, separate: SeparateSlopes) -> str:
    """If the slopes could differ: each level's slope and whether the data can tell them apart."""
    listed = ", ".join(f"*{level}* {number(iv.estimate)}" for level, iv in separate.slopes)
    unclear = [level for level, iv in separate.differences if iv.includes_zero]
    verdict = (
        "every difference from the baseline's slope has an interval that includes 0, so the data are consistent "
        "with one shared slope"
        if unclear and len(unclear) == len(separate.differences)
        else "some of the slopes differ by more than their uncertainty"
    )
    return (
        f"If the slopes could differ (`{separate.formula}`, with the other terms kept), they would be {listed}: "
        f"{verdict}. Only the data can say which group's slope is steeper, so compute it rather than guess by eye."
    )


def _group_means(words: _Words) -> Step:
    """With only categorical predictors, each level's prediction is a constant."""
    model, meaning = words.model, words.meaning
    by = meaning.shape.by or ""
    variable = meaning.variable(by)
    held = dict(_held(words, [by]))
    paragraphs = [f"With no numeric predictor, each level of **{by}** gets one predicted value:"]
    levels = [lv for lv in variable.levels if variable.count(lv)]
    for level in levels[:MAX_GROUPS]:
        found = equation_line(model, "", {by: level, **held}, label=level, group=level)
        if found is not None:
            paragraphs.append(_line_block(words, found))
    if len(levels) > MAX_GROUPS:
        paragraphs.append(f"(The first {MAX_GROUPS} of {len(levels)} levels.)")
    if held:
        paragraphs.append("Other predictors held at: " + words.case(tuple(held.items())) + ".")
        empty = _empty_cells(words, by, levels[:MAX_GROUPS], held)
        if empty:
            paragraphs.append(empty)
    return _step(f"One prediction per {by}", paragraphs)


def _empty_cells(words: _Words, by: str, levels: Sequence[str], held: dict[str, Value]) -> str:
    """A warning for predictions of level combinations that no row has."""
    frame = words.model.used_rows(words.dataset.frame)
    categorical = {k: v for k, v in held.items() if words.meaning.variable(k).categorical}
    if not categorical:
        return ""
    missing = []
    for level in levels:
        mask = frame[by].astype(str) == level
        for name, value in categorical.items():
            mask &= frame[name].astype(str) == str(value)
        if not mask.any():
            missing.append(level)
    if not missing:
        return ""
    where = words.case(tuple(categorical.items()))
    return (
        f"No {words.row} in the data is {listing([f'*{m}*' for m in missing])} with {where}: that prediction "
        "adds up two differences the model assumes combine, not a group anyone observed."
    )


# --------------------------------------------------------------------------------------------- meaning


def _meaning(words: _Words) -> Step:
    """Each coefficient in words: the comparison of predictions it stands for, at stated values."""
    meaning = words.meaning
    grouped = {
        v.name: [r for r in meaning.readings if r.kind == "gap" and r.constant and r.subject == v.name]
        for v in meaning.variables
    }
    grouped = {name: readings for name, readings in grouped.items() if len(readings) >= 3}
    paragraphs = []
    for reading in meaning.readings:
        readings = grouped.get(reading.subject) if reading.kind == "gap" and reading.constant else None
        if readings:
            if reading is readings[0]:
                paragraphs.append(_gaps_text(words, readings))
            continue
        paragraphs.append(_reading_text(words, reading))
    paragraphs = [p for p in paragraphs if p]
    if len(paragraphs) > MAX_READINGS:
        paragraphs = [
            *paragraphs[:MAX_READINGS],
            f"(The first {MAX_READINGS} of {len(paragraphs)} readings.)",
        ]
    if meaning.spread is not None:
        paragraphs.append(_spread_text(words))
    additive = all(r.constant or r.kind in ("intercept", "intercept-none") for r in meaning.readings)
    if len(meaning.variables) > 1 and additive:
        paragraphs.append(
            "“Holding the others fixed” (or “controlling for” them) is part of every slope's and difference's "
            "meaning here: drop it and the sentence describes a different comparison."
        )
    elif len(meaning.variables) > 1:
        paragraphs.append(
            "In this model some comparisons depend on where you make them, so “holding the others fixed” is not "
            "enough: each sentence above says at which values it holds."
        )
    return _step(MEANING_TITLE, paragraphs)


def _head(reading: Reading) -> str:
    """``**b₂ = 1.35** (completed)``."""
    coef = reading.coefficient
    name = "intercept" if not coef.parts else coef.feature
    return f"**{reading.symbol} = {number(coef.estimate)}** ({name})"


def _reading_text(words: _Words, reading: Reading) -> str:
    """One coefficient in words."""
    match reading.kind:
        case "mean":
            return ""
        case "intercept" | "intercept-none":
            return _intercept_text(words, reading)
        case "gap":
            return _gap_text(words, reading)
        case "level-value":
            return _level_value_text(words, reading)
        case "slope":
            return _slope_text(words, reading)
        case "slope-where":
            return _slope_where_text(words, reading)
        case "per-doubling":
            return _doubling_text(words, reading)
        case "bend":
            return _bend_text(words, reading)
        case "slope-difference" | "level-slope":
            return _slope_difference_text(words, reading)
        case "slope-change":
            return _slope_change_text(words, reading)
        case "gap-difference":
            return _gap_difference_text(words, reading)
    return _term_text(words, reading)


def _back(words: _Words, value: float) -> str:
    """`` (invest ≈ 114.66 million 1947 US$)`` for a log- or sqrt-scale prediction."""
    scale = words.meaning.scale
    back = scale.back(value) if scale.kind != "identity" else None
    if back is None:
        return ""
    unit = words.unit(scale.column)
    return f" ({scale.column} ≈ {number(back)}{' ' + unit if unit else ''})"


def _intercept_text(words: _Words, reading: Reading) -> str:
    """The intercept: the prediction where every term is 0, and whether that case exists in the data."""
    coef = reading.coefficient
    typical = next(c for c in reading.comparisons if isinstance(c, Predicted))
    typical_text = (
        f"For a typical {words.row} ({words.case(typical.at)}) the prediction is "
        f"{number(typical.value.estimate)}{_back(words, typical.value.estimate)}."
    )
    if reading.kind == "intercept-none":
        return (
            f"{_head(reading)} is the prediction when every term is 0, which no single case gives in this model. "
            + typical_text
        )
    sentence = (
        f"{_head(reading)} is {words.predicted} {words.zero_place(reading.where)}"
        f"{_back(words, coef.estimate)}."
    )
    if reading.shared:
        sentence += (
            f" It holds for every {listing(reading.shared)}: the model has no term for "
            f"{listing(reading.shared)} alone, so all its lines start from this value."
        )
    outside = words.outside_note(reading.where)
    if outside:
        sentence += (
            f" But {outside}, so this is an **extrapolation**: where the "
            f"{'curve' if words.meaning.shape.curved else 'line'} meets the axis, not a typical "
            f"{words.row}. " + typical_text
        )
        plain = [
            n
            for n, v in reading.where
            if not words.meaning.variable(n).categorical and not words.meaning.variable(n).inside(v)
        ]
        plain = [n for n in plain if any(fm.is_plain_column(f) for f in _own_factors(words.model, n))]
        if plain:
            sentence += (
                f" Centring (`center({plain[0]})`) would put the intercept at the mean of {plain[0]} instead."
            )
    else:
        common = [
            (n, words.meaning.variable(n))
            for n, v in reading.where
            if not words.meaning.variable(n).categorical
        ]
        common = [(n, v) for n, v in common if v.near_zero > v.n // 10]
        if common:
            name, variable = common[0]
            sentence += (
                f" That case is common in the data ({variable.near_zero} of {variable.n} {words.rows} have "
                f"{name} at or near {value_text(variable.zero or 0)}), so b₀ describes real {words.rows}."
            )
    return sentence


def _change_text(words: _Words, change: Change) -> str:
    """``at completed = 31: 60.331 for Lesson A, 47.145 for Lesson B``."""
    start, end = _pair(words, change)
    where = f"at {words.case(change.held)}: " if change.held else ""
    return f"{where}{start} for {value_text(change.start)}, {end} for {value_text(change.end)}"


def _gap_text(words: _Words, reading: Reading) -> str:
    """An indicator's gap from the baseline: the same everywhere, or at stated values."""
    coef = reading.coefficient
    others = [v.name for v in words.meaning.variables if v.name != reading.subject]
    if reading.constant:
        change = next(c for c in reading.comparisons if isinstance(c, Change))
        where = f"at {words.same(others)} (held fixed), " if others else "on average, "
        sentence = (
            f"{_head(reading)}: {where}{words.compared} for *{reading.level}* is "
            f"{words.difference(coef.estimate)} than for *{reading.versus}* ({_change_text(words, change)})."
        )
        if not others:
            sentence += " It is the difference between the two groups' means."
        sentence += f" It is a difference from the baseline, not the average of *{reading.level}*."
        return sentence + words.consistent(_coef_interval(coef))
    moderator = reading.other or ""
    outside = words.outside_note(reading.where)
    sentence = (
        f"{_head(reading)} is the gap between *{reading.level}* and *{reading.versus}* "
        f"{words.zero_place(reading.where)}"
        + (f", and {outside}" if outside else "")
        + f". With the interaction the gap depends on {moderator}:"
    )
    pieces = []
    for index, change in enumerate(c for c in reading.comparisons if isinstance(c, Change)):
        value = dict(change.held).get(moderator)
        where = words.value(moderator, value) if index == 0 else value_text(value)
        pieces.append(
            f"{words.difference(change.difference.estimate)} at {where}"
            + (
                f" ({words.interval(change.difference)}: consistent with no difference)"
                if change.difference.includes_zero
                else ""
            )
        )
    return (
        sentence
        + f" {words.compared} for *{reading.level}* is {listing(pieces)} than for *{reading.versus}*."
        + words.consistent(_coef_interval(coef), f"no gap {words.zero_place(reading.where)}")
    )


def _gaps_text(words: _Words, readings: Sequence[Reading]) -> str:
    """Many levels' gaps from one baseline, each the same everywhere, in one paragraph."""
    first = readings[0]
    others = [v.name for v in words.meaning.variables if v.name != first.subject]
    change = next(c for c in first.comparisons if isinstance(c, Change))
    pieces = []
    for reading in readings:
        coef = reading.coefficient
        text = f"{words.level(first.subject, reading.level or '')} {signed(coef.estimate)} ({reading.symbol}"
        interval = _coef_interval(coef)
        text += f"; {words.interval(interval)}, includes 0)" if interval.includes_zero else ")"
        pieces.append(text)
    where = f"at {words.same(others)} (held fixed), " if others else ""
    return (
        f"**{readings[0].symbol} to {readings[-1].symbol}** ({first.subject}): {where}{words.compared} of each "
        f"level of {first.subject} differs from {words.level(first.subject, first.versus or '')}'s by: {', '.join(pieces)}"
        + (
            f" (at {words.case(change.held)}, {words.level(first.subject, first.versus or '')}'s prediction is {number(change.start_prediction)})"
            if change.held
            else ""
        )
        + f". These are differences from the baseline, not the averages of the {first.subject} levels; an "
        f"interval that includes 0 means the data are consistent with no difference from {words.level(first.subject, first.versus or '')}."
    )


def _level_value_text(words: _Words, reading: Reading) -> str:
    """A level's own constant in a model without an intercept."""
    prediction = next(c for c in reading.comparisons if isinstance(c, Predicted))
    if not reading.where:
        return (
            f"{_head(reading)} is the mean **{words.scale}** of *{reading.level}*: "
            "without an intercept each level gets its own coefficient, so each is that group's own mean "
            f"(not a difference)."
        )
    outside = words.outside_note(reading.where)
    return (
        f"{_head(reading)} is {words.predicted} for *{reading.level}* {words.zero_place(reading.where)}"
        + (f", and {outside}" if outside else "")
        + f": that level's own intercept. At {words.case(prediction.at)} its prediction is "
        f"{number(prediction.value.estimate)}."
        + words.consistent(_coef_interval(reading.coefficient), "a prediction of 0 there")
    )


def _slope_text(words: _Words, reading: Reading) -> str:
    """A slope that is the same everywhere: one more unit (or one SD) and the predictions it compares."""
    coef = reading.coefficient
    others = [v.name for v in words.meaning.variables if v.name != reading.subject]
    change = next(c for c in reading.comparisons if isinstance(c, Change))
    name = reading.subject
    standardized = reading.factor.startswith("standardize(")
    if standardized:
        size = f"one standard deviation ({words.per(name, reading.per)}) higher"
    elif reading.per != 1:
        size = f"{words.per(name, reading.per)} higher (one unit of `{reading.factor}`)"
    else:
        size = f"{words.per_one(name)} higher"
    prefix = f"comparing {words.rows} with {words.same(others)}, " if others else ""
    start, end = _pair(words, change)
    sentence = (
        f"{_head(reading)}: {prefix}a {_bare(words.noun(name))} {size} goes with {words.a_predicted} "
        f"{words.difference(coef.estimate)}, at every {_bare(words.noun(name))}: from {name} = "
        f"{value_text(change.start)} to {value_text(change.end)}{_with(words, change.held)}: {start} → {end}."
    )
    if not words.model.intercept:
        sentence += " With no intercept the line is forced through 0 at " + f"{name} = 0."
    return sentence + words.consistent(_coef_interval(coef))


def _with(words: _Words, held: Case) -> str:
    """`` (with lesson = Lesson A)``: the other values a comparison is made at."""
    return f" (with {words.case(held)})" if held else ""


def _bare(noun: str) -> str:
    """A noun without bold markers, for use inside a phrase."""
    return noun.replace("**", "")


def _pair(words: _Words, change: Change) -> tuple[str, str]:
    """Two predictions, shown so that their difference adds up (on a log scale: back on the response's scale)."""
    scale = words.meaning.scale
    if scale.kind == "log":
        return number(math.exp(change.start_prediction)), number(math.exp(change.end_prediction))
    start, end, _ = difference_pair(change.start_prediction, change.end_prediction)
    back = (
        [scale.back(p) for p in (change.start_prediction, change.end_prediction)]
        if scale.kind == "sqrt"
        else []
    )
    if back and None not in back:
        end += f" ({scale.column} ≈ {number(back[0])} → {number(back[1])})"
    return start, end


def _slopes_at(words: _Words, slopes: Sequence[Comparison], name: str) -> str:
    """``1.44 at completed = 20, 1.33 at 30, 1.22 at 40`` or ``1.27 for Lesson A, 1.43 for Lesson B``, with
    the values held fixed when they matter, flagging intervals that include 0."""
    found = [s for s in slopes if isinstance(s, Slope)]
    if not found:
        return ""
    cases = [dict(s.at) for s in found]
    varying = next((k for k in cases[0] if len({str(c[k]) for c in cases}) > 1), name)
    pieces = []
    for index, (slope, case) in enumerate(zip(found, cases, strict=True)):
        at = case.get(varying)
        if words.meaning.variable(varying).categorical:
            text = f"{number(slope.slope.estimate)} for {at}"
        elif index == 0:
            text = f"{number(slope.slope.estimate)} at {words.value(varying, at)}"
        else:
            text = f"{number(slope.slope.estimate)} at {value_text(at)}"
        if slope.slope.includes_zero:
            text += f" ({words.interval(slope.slope)}: consistent with no slope)"
        pieces.append(text)
    held = tuple((k, v) for k, v in found[0].at if k not in (varying, name))
    return ", ".join(pieces) + _with(words, held)


def _slope_where_text(words: _Words, reading: Reading) -> str:
    """A slope that varies: the coefficient is the slope at stated values; here it is at others."""
    name = reading.subject
    outside = words.outside_note(reading.where)
    sentence = (
        f"{_head(reading)} is {name}'s slope {words.zero_place(reading.where)}"
        + (f"; {outside}" if outside else "")
        + ". It is not “the” slope."
    )
    slopes = [c for c in reading.comparisons if isinstance(c, Slope)]
    sentence += f" Where the data are, {name}'s slope is {_slopes_at(words, slopes, name)}."
    place = words.zero_place(reading.where)
    return (
        sentence
        + _per_slope_unit(words, name, slopes[0] if slopes else None)
        + words.consistent(_coef_interval(reading.coefficient), f"no slope {place}" if place else "no slope")
    )


def _per_slope_unit(words: _Words, name: str, example: Slope | None = None) -> str:
    """`` (points per item)``: the unit of a slope; on a log scale, what a slope means as a percentage."""
    if words.meaning.scale.kind == "log" and example is not None:
        return (
            f" (Slopes are on the log scale: {number(example.slope.estimate)} means {words.a_predicted} "
            f"{words.difference(example.slope.estimate)} per {words.per_one(name)} more {name}.)"
        )
    response_unit = (
        words.unit(words.model.response_column) if words.meaning.scale.kind == "identity" else None
    )
    unit = words.unit(name)
    if response_unit and unit:
        return f" (Slopes are in {_plural(response_unit)} per {singular(unit)}.)"
    return ""


def _doubling_text(words: _Words, reading: Reading) -> str:
    """``log(x)``: the same difference each time x doubles; ``log(x) = 0`` is x = 1."""
    change = next(c for c in reading.comparisons if isinstance(c, Change))
    name = reading.subject
    factor = float(change.end) / float(change.start)
    how = "doubling" if math.isclose(factor, 2.0) else f"{percent(factor - 1)} more"
    start, end = _pair(words, change)
    sentence = (
        f"{_head(reading)}: {how} {_bare(words.noun(name))} goes with {words.a_predicted} "
        f"{words.difference(change.difference.estimate)}, wherever it starts: from {name} = "
        f"{value_text(change.start)} to {value_text(change.end)}{_with(words, change.held)}: {start} → {end}."
    )
    if words.meaning.scale.kind == "log":
        sentence += (
            f" With both sides on the log scale, {reading.symbol} is an *elasticity*: 1 % more {name} goes with "
            f"about {number(reading.coefficient.estimate)} % more {words.meaning.scale.column}."
        )
    return sentence + words.consistent(_coef_interval(reading.coefficient))


def _bend_text(words: _Words, reading: Reading) -> str:
    """A squared term: how fast the slope changes."""
    name = reading.subject
    slopes = [c for c in reading.comparisons if isinstance(c, Slope)]
    way = "falls" if (reading.rate or 0) < 0 else "rises"
    shape = "downward (concave)" if (reading.rate or 0) < 0 else "upward (convex)"
    sentence = (
        f"{_head(reading)} bends the curve {shape}. {name}'s slope is {_slopes_at(words, slopes, name)}: it "
        f"{way} by {number(abs(reading.rate or 0))} per {words.per_one(name)} more {name}."
    )
    return sentence + words.consistent(_coef_interval(reading.coefficient), "a straight line")


def _slope_difference_text(words: _Words, reading: Reading) -> str:
    """Indicator × numeric: a level's slope, or how much steeper it is than the baseline's."""
    name, group = reading.subject, reading.other
    slopes = [c for c in reading.comparisons if isinstance(c, Slope)]
    if reading.kind == "level-slope":
        return (
            f"{_head(reading)} is {name}'s slope for *{reading.level}*: among *{reading.level}* {words.rows}, a "
            f"{_bare(words.noun(name))} {words.per_one(name)} higher goes with {words.a_predicted} "
            f"{words.difference(slopes[0].slope.estimate)}."
            + words.consistent(_coef_interval(reading.coefficient), "no slope")
        )
    base, level = slopes
    steeper = "steeper" if reading.coefficient.estimate >= 0 else "shallower"
    held = [(n, v) for n, v in base.at if n not in (name, group)]
    return (
        f"{_head(reading)}: {name}'s slope for *{reading.level}* is {number(abs(reading.coefficient.estimate))} "
        f"{steeper} than for *{reading.versus}* ({number(level.slope.estimate)} against "
        f"{number(base.slope.estimate)}"
        + (f", at {words.case(tuple(held))}" if held else "")
        + ")."
        + words.consistent(_coef_interval(reading.coefficient), "equal slopes")
    )


def _slope_change_text(words: _Words, reading: Reading) -> str:
    """Numeric × numeric: how one predictor's slope changes with the other."""
    name, other = reading.subject, reading.other or ""
    listed = _slopes_at(words, reading.comparisons, name)
    return (
        f"{_head(reading)}: for each {words.per_one(other)} higher **{other}**, {name}'s slope changes by "
        f"{signed(reading.coefficient.estimate)} (and for each {words.per_one(name)} higher **{name}**, "
        f"{other}'s slope changes by the same). {name}'s slope is {listed}."
        + words.consistent(_coef_interval(reading.coefficient), "slopes that do not change")
    )


def _gap_difference_text(words: _Words, reading: Reading) -> str:
    """Indicator × indicator: how a gap differs between two levels of another categorical."""
    changes = [c for c in reading.comparisons if isinstance(c, Change)]
    other = reading.other or ""
    pieces = [
        f"{words.difference(c.difference.estimate)} at {words.value(other, dict(c.held).get(other, ''))}"
        for c in changes
    ]
    return (
        f"{_head(reading)}: how much the gap between *{reading.level}* and *{reading.versus}* differs between "
        f"levels of {other}: {words.compared} for *{reading.level}* is {listing(pieces, 'but')}."
        + words.consistent(_coef_interval(reading.coefficient), "the same gap at every level")
    )


def _term_text(words: _Words, reading: Reading) -> str:
    """A coefficient that is one part of a curve or a many-way product: read through predictions."""
    slopes = [c for c in reading.comparisons if isinstance(c, Slope)]
    changes = [c for c in reading.comparisons if isinstance(c, Change)]
    pieces = []
    if slopes:
        pieces.append(f"{slopes[0].variable}'s slope is {_slopes_at(words, slopes, slopes[0].variable)}")
    for change in changes[:3]:
        held = f" at {words.case(change.held)}" if change.held else ""
        pieces.append(
            f"*{value_text(change.end)}* vs *{value_text(change.start)}*{held}: "
            f"{words.difference(change.difference.estimate)}"
        )
    return (
        f"{_head(reading)} is one part of a term that changes along the data, so it has no meaning of its own; "
        "read the model through its predictions"
        + (": " + "; ".join(pieces) if pieces else "")
        + "."
        + words.consistent(_coef_interval(reading.coefficient), "this term adding nothing")
    )


def _spread_text(words: _Words) -> str:
    """Slopes compared per standard deviation (the only fair comparison across units and spreads)."""
    spread = words.meaning.spread
    assert spread is not None
    ranked = spread.ranked
    listed = ", ".join(
        f"**{name}** {words.difference(per_sd.estimate)} per SD ({words.per(name, sd)})"
        for name, _, sd, per_sd in ranked
    )
    lead = (
        "they share a unit, but they vary by different amounts"
        if spread.same_unit
        else "their slopes are per one unit, and the units differ"
    )
    sentence = (
        f"**Which predictor goes with bigger differences?** Raw slopes cannot say here: {lead}. Per standard "
        f"deviation (a typical spread of each predictor): {listed}."
    )
    if spread.same_unit and spread.raw_order_differs:
        sentence += (
            " The predictors share a unit, but ranking them by raw slope would give the other order, because "
            "they vary by different amounts."
        )
    return sentence


# --------------------------------------------------------------------------------------------- limits


def _limits(words: _Words, change: SlopeChange | None) -> Step:
    """What the model cannot say: causation, different slopes, and why the slope moved from the simple fit."""
    model, meaning = words.model, words.meaning
    shape = meaning.shape
    paragraphs = [_causation(words)]
    if (
        shape.by_kind == "categorical"
        and shape.x
        and not shape.interaction
        and meaning.constant_slope(shape.x)
    ):
        paragraphs.append(
            f"**Equal slopes are an assumption.** This model draws parallel lines. Whether **{shape.x}** goes "
            f"with **{words.scale}** differently in each {shape.by} needs an interaction term: try "
            f"`{interaction_formula(model, shape).canonical()}`."
        )
    if change is not None:
        paragraphs.append(_slope_change_text_full(words, change))
    elif shape.x is not None and len(meaning.variables) > 1 and meaning.constant_slope(shape.x) is None:
        paragraphs.append(
            f"**No single slope to compare.** Here **{shape.x}**'s slope depends on where you look (see “What the "
            f"numbers mean”), so comparing a coefficient with the slope of `{simple_formula(model, shape.x).canonical()}` "
            "would compare different things: compare predictions at stated values instead (`/compare`)."
        )
    paragraphs.append(
        "**Only inside the data.** Predictions far outside the range of the data (extrapolation) rest on the "
        "assumption that the pattern the model draws continues there."
    )
    return _step("What the model cannot say", paragraphs)


def _causation(words: _Words) -> str:
    """Association, not causation, with what the manifest says about how values were assigned."""
    assigned = []
    for variable in words.meaning.variables:
        try:
            how = words.dataset.column(variable.name).assigned
        except KeyError:
            how = None
        if how:
            assigned.append(f"**{variable.name}** was assigned {how}")
    text = (
        "**Association, not causation.** The coefficients describe how predictions differ between "
        f"{words.rows} in the data. They do not say that changing a predictor would change **{words.scale}**, "
        "unless the data come from an experiment that assigned it at random. Say “goes with”, not “causes” or "
        "“the effect of”."
    )
    if assigned:
        others = [
            v.name
            for v in words.meaning.variables
            if not any(a.startswith(f"**{v.name}**") for a in assigned)
        ]
        text += (
            " Here "
            + listing(assigned)
            + ", so a difference between its groups can more safely be read as caused by it"
        )
        if others:
            text += f"; {listing([f'**{o}**' for o in others])} {'was' if len(others) == 1 else 'were'} not assigned, so {'its' if len(others) == 1 else 'their'} slopes stay associations"
        text += "."
    return text


def _slope_change_text_full(words: _Words, change: SlopeChange) -> str:
    """Why x's slope differs from the simple regression's, with the exact decomposition."""
    x = change.variable
    what = f"the slope of **{x}**" if change.term == x else f"the coefficient of `{change.term}`"
    sentence = (
        f"**The slope depends on what else is in the model.** Alone (`{change.formula}`, the same "
        f"{words.model.n} {words.rows}), {what} is {number(change.alone.estimate)}; here it is "
        f"{number(change.here.estimate)}."
    )
    reasons = [text for text in (relation_text(r, x) for r in change.relations) if text]
    if reasons:
        sentence += (
            f" The simple slope mixes in the other predictors because {listing(reasons)}: a {words.row} with more "
            f"{x} also tends to differ in them, and they go with **{words.scale}** too."
        )
    sentence += "\n" + decomposition(
        words.model,
        change.term,
        change.contributions,
        change.here.estimate,
        change.alone.estimate,
        words.rows,
    )
    if change.simpson:
        sentence += (
            "\nThe sign flips, and both slopes' intervals exclude 0 (Simpson's paradox): the groups differ in both "
            "variables, and the pooled slope mixes the comparison between groups with the one within them."
        )
    elif change.reversed:
        sentence += (
            "\nThe sign differs, but at least one of the two slopes has an interval that includes 0 "
            f"(alone {words.interval(change.alone)}; here {words.interval(change.here)}), so this is not a clear reversal."
        )
    return sentence


def relation_text(relation: Relation, x: str) -> str:
    """``the mean completed differs by lesson (Lesson A 30.18, Lesson B 31.32)`` or a correlation."""
    if relation.means:
        listed = ", ".join(f"{level} {number(mean)}" for level, mean in relation.means)
        return f"the mean **{x}** differs by **{relation.variable}** ({listed})"
    if relation.correlation is not None:
        return f"**{relation.variable}** and **{x}** have a correlation of {number(relation.correlation)}"
    return ""


def decomposition(
    model: FittedModel, x: str, parts: Sequence[Contribution], here: float, total: float, rows: str
) -> str:
    """The smaller model's slope of x as this model's slope plus what each extra term mixes in (exact).

    A categorical with more than three indicator terms is summed into one contribution, so the sum stays
    readable.
    """
    groups: dict[str, list[Contribution]] = {}
    for part in parts:
        groups.setdefault(part.variable, []).append(part)
    terms: list[tuple[float, float | None]] = [(here, None)]
    described = []
    for variable, items in groups.items():
        if len(items) > 3:
            combined = sum(p.coefficient * p.rise for p in items)
            described.append(f"the {len(items)} terms of **{variable}** together add {signed(combined)}")
            terms.append((combined, None))
            continue
        for part in items:
            coef = model.coefficient(part.name)
            indicator = next((p for p in coef.parts if isinstance(p, Indicator)), None)
            if indicator is not None and len(coef.parts) == 1:
                what = f"the share of *{indicator.level}* {rows}"
            elif coef.kind == "slope":
                what = f"**{part.variable}**"
            else:
                what = f"`{coef.feature}`"
            direction = "rises" if part.rise >= 0 else "falls"
            described.append(
                f"{what} {direction} by {value_text(abs(part.rise))} per 1 more {x} (coefficient "
                f"{number(part.coefficient)})"
            )
            terms.append((part.coefficient, part.rise))
    return (
        f"Exactly: the slope without the other terms is this slope plus, for each of them, its coefficient times "
        f"how much it rises per 1 more {x} among these {rows}: {listing(described)}.\n"
        + _code(worked_sum(terms, total))
    )


# --------------------------------------------------------------------------------------------- fit


def _goodness(words: _Words) -> Step:
    """R², adjusted R², n, residual spread, what R² does not say, and what the residual plot shows."""
    model, fit = words.model, words.meaning.fit
    unit = words.unit(model.response_column) if words.meaning.scale.kind == "identity" else None
    spread = number(model.resid_se) + (f" {unit}" if unit else "")
    if fit.usual_r_squared is not None:
        first = (
            f"**R² = {model.r_squared:.3f}** here is *uncentred*: without an intercept, statsmodels measures the "
            f"variation of **{words.scale}** around 0, not around its mean, which makes it look much larger. "
            f"The usual R² (around the mean) is **{fit.usual_r_squared:.3f}**: compare that one with other models."
        )
    else:
        first = (
            f"**R² = {model.r_squared:.3f}**: the model accounts for {percent(model.r_squared)} of the variation in "
            f"**{words.scale}** around its mean. Adjusted R² = {model.adj_r_squared:.3f} (penalised for the number "
            "of coefficients)."
        )
    paragraphs = [
        first,
        f"**n = {model.n}** {words.rows}; **residual standard error = {spread}**: a typical distance between an "
        "observed value and the model's prediction"
        + (f", on the {words.scale} scale" if words.meaning.scale.kind != "identity" else "")
        + ".",
    ]
    if model.f_value is not None and model.f_pvalue is not None:
        paragraphs.append(
            f"F-test against the intercept-only model: F = {number(model.f_value)}, {p_value(model.f_pvalue)}."
        )
    paragraphs.append(
        "R² never falls when a predictor is added, even a useless one, and it does not say how important any single "
        "predictor is."
    )
    paragraphs.append(_residual_reading(words))
    figure = ResidualSpec(
        title="Residuals against fitted values",
        fitted=model.fitted,
        residuals=model.residuals,
        response_label=_response_axis(words).label,
    )
    return _step("How well it fits", paragraphs, figure)


def _residual_reading(words: _Words) -> str:
    """What the residual plot shows: a funnel, stripes, a far-out row, or a shapeless band."""
    fit = words.meaning.fit
    notes = []
    if fit.funnel >= 0.3:
        notes.append(
            f"the spread of the residuals grows with the fitted values (a funnel; rank correlation "
            f"{fit.funnel:.2f}), so predictions for large values are less precise than the residual standard "
            "error suggests; a log of the response often evens this out"
        )
    if fit.levels <= 25:
        notes.append(
            f"**{words.scale}** takes only {fit.levels} distinct values, so the residuals line up in diagonal stripes: "
            "that comes from the data, not from the model"
        )
    if fit.floor is not None:
        low, count, after = fit.floor
        notes.append(
            f"{count} {words.rows} have **{words.scale}** = {value_text(low)}, far below all the others (the next "
            f"lowest is {value_text(after)}): they form a separate stripe that a line through the rest cannot fit, "
            "so find out why before trusting the fit for them"
        )
    if fit.outlier is not None:
        notes.append(
            f"**{fit.outlier.label}** is far from its prediction (residual {number(fit.outlier.residual)}, "
            f"{number(abs(fit.outlier.standardized))} residual standard errors): check it, and see how much it moves the fit"
        )
    lead = "The picture shows the residuals (observed − predicted) against the predictions. "
    if not notes:
        return lead + "They form a shapeless band around 0: no pattern the model missed stands out."
    return lead + "In it: " + "; ".join(notes) + "."


def example_values(dataset: Dataset, model: FittedModel) -> dict[str, str | float]:
    """The first fitted row's predictor values: a real case from the data to predict."""
    first = model.used_rows(dataset.frame).iloc[0]
    out: dict[str, str | float] = {}
    for name in model.predictors():
        if model.categorical(name) is not None:
            out[name] = level_name(first[name])
        else:
            out[name] = float(first[name])
    return out


def arithmetic(model: FittedModel, values: dict[str, str | float]) -> tuple[str, float]:
    """``18.34 + 1.35 × 35 = 65.75``: each non-zero term of the prediction, and the prediction.

    A transformed term's value is explained on a line of its own (``8.0322 = log(value) at value = 3078.5``).
    """
    prediction = predict(model, values)
    pieces: list[tuple[float, float | None]] = []
    notes = []
    for coef, value in prediction.terms:
        if value == 0:
            continue
        pieces.append(
            (coef.estimate, None if value == 1 and coef.kind in ("intercept", "indicator") else value)
        )
        numeric = [p for p in coef.parts if isinstance(p, Numeric)]
        if any(not p.plain for p in numeric):
            at = listing([f"{v} = {value_text(values[v])}" for v in coef.variables if v in values])
            notes.append(f"{value_text(value)} = {coef.feature} at {at}")
    return "\n".join([worked_sum(pieces, prediction.estimate), *dict.fromkeys(notes)]), prediction.estimate


def _short_name(reading: Reading) -> str:
    """A coefficient's label in the picture: its symbol and what it compares (``b₁ Lesson B − Lesson A``)."""
    coef = reading.coefficient
    pieces = []
    for part in coef.parts:
        if isinstance(part, Indicator):
            pieces.append(
                f"{part.level} − {part.baseline}" if part.baseline and len(coef.parts) == 1 else part.level
            )
        else:
            pieces.append(part.pretty)
    return f"{reading.symbol} " + (" × ".join(pieces) or "intercept")


def coefficient_unit(words: _Words, reading: Reading) -> str:
    """A coefficient's unit: ``points``, ``points per item``, ``log(invest) per SD of flipper_length_mm``."""
    coef = reading.coefficient
    if words.meaning.scale.kind == "identity":
        top = _plural(words.unit(words.model.response_column) or words.model.response_column)
    else:
        top = words.scale
    below = []
    for part in coef.parts:
        if isinstance(part, Indicator):
            continue
        if part.plain or (isinstance(part.expr, fm.Call) and part.expr.func == "center"):
            below.append(singular(words.unit(part.variables[0])) or part.variables[0])
        elif isinstance(part.expr, fm.Call) and part.expr.func == "standardize":
            below.append(f"SD of {part.variables[0]}")
        else:
            below.append(part.pretty)
    return top + (" per " + " × ".join(below) if below else "")


def _try_next(words: _Words) -> Step:
    """A worked prediction and the next things to try, with the coefficient picture."""
    model, meaning, dataset = words.model, words.meaning, words.dataset
    shape = meaning.shape
    values = example_values(dataset, model)
    work, estimate = arithmetic(model, values)
    described = ", ".join(f"{k} = {value_text(v)}" for k, v in values.items())
    observed = float(model.fitted[0] + model.residuals[0])
    values_text = " ".join(f"{k}={v if isinstance(v, str) else f'{v:.10g}'}" for k, v in values.items())
    shown = [r for r in meaning.readings if r.coefficient.parts] or list(meaning.readings)
    paragraphs = [
        f"**Predict a case.** The first {words.row} in the data has {described}. The model predicts:",
        _code(work),
        (
            f"That is {words.scale} = {number(estimate)}{_back(words, estimate)}. "
            if meaning.scale.kind != "identity"
            else ""
        )
        + f"The {words.row}'s observed "
        f"**{words.scale}** is {number(observed)}{_back(words, observed)}, so its residual is "
        f"{number(observed - estimate)}"
        + (f" on the {words.scale} scale." if meaning.scale.kind != "identity" else "."),
        "**Try next**",
        f"• `/predict dataset:{dataset.name} formula:{model.formula_text} values:{values_text}`",
    ]
    if (
        shape.by_kind == "categorical"
        and shape.x
        and not shape.interaction
        and meaning.constant_slope(shape.x)
    ):
        paragraphs.append(
            f"• `/fit dataset:{dataset.name} formula:{interaction_formula(model, shape).canonical()}`: let the slopes differ"
        )
    if shape.x and len(meaning.variables) > 1:
        paragraphs.append(
            f"• `/compare dataset:{dataset.name} formula:{simple_formula(model, shape.x).canonical()} "
            f"other:{model.formula_text}`: see how {shape.x}'s slope changes"
        )
    units = tuple(coefficient_unit(words, r) for r in shown)
    paragraphs.append(
        "The picture: each slope and difference with its confidence interval, one panel per unit (the intercept "
        "is left out: it is a prediction, not a difference)."
        if len(shown) < len(meaning.readings)
        else "The picture: each coefficient with its confidence interval."
    )
    figure = CoefficientSpec(
        title=clip(f"Coefficients of {model.formula_text}", 120),
        names=tuple(_short_name(r) for r in shown),
        estimates=tuple(r.coefficient.estimate for r in shown),
        lows=tuple(r.coefficient.ci_low for r in shown),
        highs=tuple(r.coefficient.ci_high for r in shown),
        level=model.confidence,
        units=units,
    )
    return _step("Try next", paragraphs, figure)


def _bounds(dataset: Dataset, name: str) -> tuple[float, float] | None:
    """The scale limits of a column, when the manifest gives them."""
    try:
        return dataset.column(name).bounds
    except KeyError:
        return None


def prediction_step(dataset: Dataset, model: FittedModel, values: dict[str, str | float]) -> Step:
    """``/predict``: the arithmetic, both intervals, the prediction on the response's own scale, and where
    the case lies against the data (overall and within its own groups)."""
    meaning = explain(dataset, model)
    words = _Words(dataset, model, meaning)
    work, _ = arithmetic(model, values)
    result = predict(model, values)
    pct = round(model.confidence * 100)
    described = ", ".join(f"**{k}** = {value_text(v)}" for k, v in values.items()) or "every case"
    paragraphs = [
        f"For {described}, the model `{model.formula_text}` predicts **{words.scale}**:",
        _code(work),
        "(Each coefficient times its value, added up.)",
        f"**{pct} % confidence interval for the mean** {words.scale} at these values: "
        f"{number(result.ci_low)} to {number(result.ci_high)}.",
        f"**{pct} % prediction interval for one new case**: {number(result.pi_low)} to "
        f"{number(result.pi_high)}. It is wider: single cases scatter around the mean "
        f"(residual standard error {number(model.resid_se)}).",
    ]
    scale = meaning.scale
    back = scale.back(result.estimate) if scale.kind != "identity" else None
    if back is not None:
        low, high = scale.back(result.pi_low), scale.back(result.pi_high)
        what = "a typical (median-like) value" if scale.kind == "log" else "back on its own scale"
        paragraphs.append(
            f"On **{scale.column}**'s own scale ({'e to the power of the prediction' if scale.kind == 'log' else 'squared'}): "
            f"**{number(back)}**, {what}"
            + (
                f"; one new case between {number(low)} and {number(high)}"
                if low is not None and high is not None
                else ""
            )
            + "."
        )
    outside, empty = outside_data(dataset, model, values)
    warnings = []
    for name, given in values.items():
        bounds = _bounds(dataset, name)
        if bounds and isinstance(given, float) and not bounds[0] <= given <= bounds[1]:
            warnings.append(
                f"**{name} = {value_text(given)}** is impossible on its scale ({value_text(bounds[0])} to "
                f"{value_text(bounds[1])})"
            )
    for item in outside:
        among = f" among {words.rows} with {words.case(item.among)}" if item.among else ""
        warnings.append(
            f"**{item.variable} = {value_text(item.value)}** is outside the data{among} ({item.variable} runs from "
            f"{value_text(item.minimum)} to {value_text(item.maximum)}{' there' if item.among else ''})"
        )
    if empty is not None:
        warnings.append(f"no {words.row} in the data has {words.case(empty)}")
    observed = np.asarray(model.fitted) + np.asarray(model.residuals)
    bounds = _bounds(dataset, model.response_column) if scale.kind == "identity" else None
    if bounds and not bounds[0] <= result.estimate <= bounds[1]:
        side = "above the largest" if result.estimate > bounds[1] else "below the smallest"
        warnings.append(
            f"the prediction is {side} possible {words.scale} ({value_text(bounds[1] if result.estimate > bounds[1] else bounds[0])})"
        )
    elif not observed.min() <= result.estimate <= observed.max():
        warnings.append(
            f"the prediction is outside every observed {words.scale} ({number(float(observed.min()))} to "
            f"{number(float(observed.max()))})"
        )
    if warnings:
        paragraphs.append(
            "⚠️ "
            + "; ".join(warnings)[:1].upper()
            + "; ".join(warnings)[1:]
            + ". This is an **extrapolation**: "
            "the model's pattern may not hold there."
        )
    return Step(f"Prediction: {number(result.estimate)}", "\n\n".join(paragraphs))


# --------------------------------------------------------------------------------------------- y ~ 1


def _mean_only(words: _Words) -> tuple[Step, ...]:
    """The model with no predictors: its one coefficient is the mean."""
    model = words.model
    coef = model.coefficients[0]
    column = model.response_column
    pct = round(model.confidence * 100)
    question = _step(
        "The question and the data",
        [
            f"This model has no predictors: it predicts **{words.scale}** for all {model.n} {words.rows} of "
            f"*{words.dataset.title}* with one number.",
            f"• **{column}**: {words.description(column)}" if words.description(column) else "",
            _scale_note(words) if words.meaning.scale.kind != "identity" else "",
            f"The picture: how **{words.scale}** is spread.",
        ],
        HistogramSpec(title=f"Distribution of {words.scale}", x=_response_axis(words)),
    )
    shape = _step(
        "The model's shape",
        [
            _code(general_form(model)),
            f"**{HAT}** is {words.predicted}, and **b₀** is the only coefficient: the same prediction for every "
            f"{words.row}. Least squares makes it the mean, because the mean is the number with the smallest "
            "squared distances to the data.",
        ],
    )
    estimate = _step(
        "The estimate",
        [
            _code(f"{HAT} = {number(coef.estimate)}"),
            f"**b₀ = {number(coef.estimate)}** is the mean **{words.scale}**{_back(words, coef.estimate)}. Its "
            f"standard error, {number(coef.std_error)}, says how much the mean of another sample of {model.n} "
            f"{words.rows} would typically differ; the {pct} % confidence interval for the mean is "
            f"{number(coef.ci_low)} to {number(coef.ci_high)}.",
            f"The residual standard error, {number(model.resid_se)}, is the standard deviation of **{words.scale}**: "
            "a typical distance from the mean.",
        ],
    )
    fit = _step(
        "How well it fits",
        [
            f"**R² = {model.r_squared:.3f}**: by construction this model explains none of the variation in "
            f"**{words.scale}**; every other model is measured against it (its F-test compares with this one).",
            _residual_reading(words),
        ],
        ResidualSpec(
            title="Residuals against fitted values",
            fitted=model.fitted,
            residuals=model.residuals,
            response_label=_response_axis(words).label,
        ),
    )
    examples = [
        f
        for f in words.dataset.examples
        if f.split("~")[0].strip() == model.formula_text.split("~")[0].strip()
    ]
    tries = [
        f"• `/fit dataset:{words.dataset.name} formula:{f}`" for f in (examples or words.dataset.examples)[:3]
    ]
    try_next = _step(
        "Try next", ["**Add a predictor** and see how much of the variation it accounts for:", *tries]
    )
    return (question, shape, estimate, fit, try_next)
