"""A fitted model becomes an ordered list of Steps: what an instructor would say, page by page.

Every number is computed from the fit (and, where a step compares, from the comparison fits it makes);
nothing is typed in. Bodies use Discord markdown and Unicode math, never LaTeX.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from bot.regression import formula as fm
from bot.regression.datasets import Dataset
from bot.regression.equations import (
    HAT,
    Line,
    coefficient_labels,
    fixed_values,
    general_form,
    group_lines,
    join_terms,
    plugged_in,
    sample_curve,
    substituted,
)
from bot.regression.equations import (
    line as equation_line,
)
from bot.regression.errors import UserInputError
from bot.regression.figures import (
    Axis,
    BoxSpec,
    CoefficientSpec,
    ColorBy,
    FigureSpec,
    FittedLine,
    ResidualSpec,
    ScatterSpec,
)
from bot.regression.model import (
    Coefficient,
    FittedModel,
    Indicator,
    fit,
    format_number,
    format_value,
    predict,
)
from bot.regression.steps import BODY_LIMIT, TITLE_LIMIT, Step

MAX_LINES = 8


@dataclass(frozen=True)
class Shape:
    """What the pictures and equations are organised around.

    ``x`` is the numeric predictor on the horizontal axis; ``by`` splits the lines (a categorical's levels or
    a few values of a second numeric predictor); ``others`` are held fixed in the pictures.
    """

    x: str | None
    by: str | None
    by_kind: str | None
    others: tuple[str, ...]
    interaction: bool
    curved: bool


def shape_of(model: FittedModel) -> Shape:
    """Choose the horizontal axis and the grouping for a model's pictures and per-group equations."""
    predictors = model.predictors()
    numeric = [p for p in predictors if model.categorical(p) is None]
    categorical = [p for p in predictors if model.categorical(p) is not None]
    x = numeric[0] if numeric else None
    by, by_kind = None, None
    if categorical:
        by, by_kind = categorical[0], "categorical"
    elif len(numeric) > 1:
        by, by_kind = numeric[1], "numeric"
    others = tuple(p for p in predictors if p not in (x, by))
    interaction = any(
        c.kind == "interaction" and x in c.variables and by in c.variables for c in model.coefficients
    )
    curved = any(
        x in c.variables and any(not getattr(p, "plain", True) for p in c.parts) for c in model.coefficients
    )
    return Shape(x, by, by_kind, others, interaction, curved)


def _clip(text: str, limit: int) -> str:
    """Trim ``text`` to ``limit`` characters, visibly."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _step(title: str, paragraphs: list[str], figure: FigureSpec | None = None) -> Step:
    """A Step from paragraphs, trimmed to fit one embed."""
    body = "\n\n".join(p for p in paragraphs if p)
    if len(body) > BODY_LIMIT:
        body = body[: BODY_LIMIT - 40].rsplit("\n", 1)[0] + "\n… (trimmed to fit Discord)"
    return Step(_clip(title, TITLE_LIMIT), body, figure)


def _code(*lines: str) -> str:
    """A code block (monospace keeps equations aligned in Discord)."""
    return "```\n" + "\n".join(lines) + "\n```"


class _Text:
    """Wording helpers that know the dataset's units and what a row is."""

    def __init__(self, dataset: Dataset, model: FittedModel) -> None:
        self.dataset = dataset
        self.model = model
        self.rows = dataset.row_noun_plural
        self.response = model.response

    def unit(self, column: str) -> str | None:
        """The unit of a column, if the manifest gives one."""
        try:
            return self.dataset.column(column).unit
        except KeyError:
            return None

    def amount(self, value: float, column: str) -> str:
        """``1.35 points`` in the column's unit (magnitude only)."""
        unit = self.unit(column)
        number = format_number(abs(value))
        return f"{number} {unit}" if unit else number

    def per_one(self, column: str) -> str:
        """``1 item`` of a column: one unit of it."""
        unit = self.unit(column)
        return f"1 {singular(unit)}" if unit else "1"

    def label(self, column: str) -> str:
        """Axis label with unit."""
        try:
            return self.dataset.column(column).label
        except KeyError:
            return column

    def meaning(self, column: str) -> str:
        """What a column means, from the manifest."""
        try:
            return self.dataset.column(column).description
        except KeyError:
            return ""


def singular(unit: str | None) -> str:
    """``items`` → ``item``, ``grade points`` → ``grade point``, for "differs by 1 item"; ``mm`` stays."""
    if not unit:
        return ""
    head, sep, tail = unit.partition(" (")
    words = head.split(" ")
    last = words[-1]
    if last.endswith("sses"):
        words[-1] = last[:-2]
    elif last.endswith("s") and not last.endswith("ss") and len(last) > 2 and last.isalpha():
        words[-1] = last[:-1]
    return " ".join(words) + (sep + tail if sep else "")


def build(dataset: Dataset, model: FittedModel) -> tuple[Step, ...]:
    """Every step of the walkthrough for ``model`` fitted on ``dataset``."""
    text = _Text(dataset, model)
    shape = shape_of(model)
    lines = _lines(model, shape, dataset)
    steps = [
        _question(text, shape),
        _model_shape(text),
        _estimates(text),
    ]
    indicator_step = _indicators(text)
    if indicator_step:
        steps.append(indicator_step)
    if shape.by is not None and shape.x is not None and lines:
        steps.append(_per_group(text, shape, lines))
    elif shape.x is None and shape.by is not None:
        steps.append(_group_means(text, shape))
    if shape.x is not None:
        steps.append(_picture(text, shape, lines, dataset))
    steps.append(_meaning(text, shape))
    steps.append(_limits(text, shape, dataset))
    steps.append(_goodness(text))
    steps.append(_try_next(text, shape, dataset))
    return tuple(steps)


def _lines(model: FittedModel, shape: Shape, dataset: Dataset) -> tuple[Line, ...]:
    """The per-group (or per-value) equations in x, at most MAX_LINES of them."""
    if shape.x is None:
        return ()
    return group_lines(model, shape.x, shape.by)[:MAX_LINES]


def _color(text: _Text, shape: Shape) -> ColorBy | None:
    """Colour the points by the grouping predictor."""
    if shape.by is None:
        return None
    cat = text.model.categorical(shape.by)
    if cat is not None:
        return ColorBy(shape.by, text.label(shape.by), "categorical", cat.levels)
    return ColorBy(shape.by, text.label(shape.by), "numeric")


def _question(text: _Text, shape: Shape) -> Step:
    """What we are predicting from what, and the data, with the first picture."""
    model = text.model
    predictors = model.predictors()
    listed = (
        " and ".join(f"**{p}**" for p in predictors)
        if len(predictors) <= 2
        else (", ".join(f"**{p}**" for p in predictors[:-1]) + f" and **{predictors[-1]}**")
    )
    described = [
        f"• **{p}**: {text.meaning(p)}" for p in (model.response_column, *predictors) if text.meaning(p)
    ]
    paragraphs = [
        f"Can we predict **{model.response}** from {listed}? "
        f"The data: **{model.n}** {text.rows} from *{text.dataset.title}*.",
        "\n".join(described[:12]),
    ]
    if model.rows_dropped:
        paragraphs.append(
            f"{model.rows_dropped} rows with a missing value in one of these columns were left out."
        )
    figure: FigureSpec
    if shape.x is not None:
        paragraphs.append(
            f"The picture: each point is one of the {model.n} {text.rows}"
            + (f", coloured by **{shape.by}**." if shape.by else ".")
        )
        figure = ScatterSpec(
            title=f"{model.response_column} against {shape.x}",
            x=Axis(shape.x, text.label(shape.x)),
            y=Axis(model.response_column, text.label(model.response_column)),
            color=_color(text, shape),
        )
    else:
        cat = model.categorical(shape.by) if shape.by else None
        figure = BoxSpec(
            title=f"{model.response_column} by {shape.by}",
            group=Axis(shape.by or "", text.label(shape.by or "")),
            y=Axis(model.response_column, text.label(model.response_column)),
            levels=cat.levels if cat else (),
        )
        paragraphs.append(f"The picture: the spread of **{model.response_column}** in each group.")
    return _step("The question and the data", paragraphs, figure)


def _model_shape(text: _Text) -> Step:
    """The general equation with numbered coefficients."""
    model = text.model
    paragraphs = [
        _code(general_form(model)),
        f'**{HAT}** ("y-hat") is the predicted **{model.response}**. '
        "This is the line equation *y = mx + b* from school, written so that any number of predictors fits: "
        + ("**b₀** plays the part of *b* (the intercept) and " if model.intercept else "")
        + "each other **b** is a slope (*m*) for one predictor, numbered instead of lettered.",
    ]
    notes = []
    for sym, coef in zip(coefficient_labels(model), model.coefficients, strict=True):
        if coef.kind == "indicator":
            part = coef.parts[0]
            assert isinstance(part, Indicator)
            notes.append(f"• `{part.text}` is 1 when **{part.variable}** is *{part.level}* and 0 otherwise.")
        elif coef.kind == "interaction":
            notes.append(f"• {sym} multiplies a product, `{coef.feature}`: an *interaction* term.")
        elif coef.kind == "transformed":
            notes.append(f"• {sym} multiplies `{coef.feature}`, a transformed predictor.")
    if notes:
        paragraphs.append("\n".join(notes[:15]))
    if not model.intercept:
        paragraphs.append("This model has no intercept (`- 1`): the prediction is forced through 0.")
    return _step("The model's shape", paragraphs)


def _coefficient_table(model: FittedModel) -> str:
    """A monospace table of estimates, standard errors and confidence intervals."""
    pct = round(model.confidence * 100)
    rows = [("", "term", "estimate", "std err", f"{pct}% CI")]
    for sym, coef in zip(coefficient_labels(model), model.coefficients, strict=True):
        rows.append(
            (
                sym,
                coef.name if len(coef.name) <= 28 else coef.name[:27] + "…",
                format_number(coef.estimate),
                format_number(coef.std_error),
                f"{format_number(coef.ci_low)} to {format_number(coef.ci_high)}",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return _code(*lines[:26]) + (f"\n… and {len(lines) - 26} more terms" if len(lines) > 26 else "")


def _estimates(text: _Text) -> Step:
    """The estimates, plugged in, with the sign simplification explained."""
    model = text.model
    negatives = [c for c in model.coefficients if c.estimate < 0 and c.kind != "intercept"]
    paragraphs = [
        "statsmodels estimated the coefficients by least squares (the b's that make the squared "
        "prediction errors as small as possible):",
        _coefficient_table(model),
        "Plugged into the equation:",
        _code(plugged_in(model)),
    ]
    if negatives:
        example = negatives[0]
        paragraphs += [
            f"Adding a negative number is subtracting it: “+ ({format_number(example.estimate)})” "
            f"is written “− {format_number(abs(example.estimate))}”. Simplified:",
            _code(substituted(model)),
        ]
    return _step("The estimates", paragraphs)


def _indicators(text: _Text) -> Step | None:
    """What each indicator means, and which level is the baseline."""
    model = text.model
    paragraphs = []
    for cat in model.categoricals:
        coefs = [c for c in model.coefficients if c.kind == "indicator" and c.variables == (cat.variable,)]
        if not coefs:
            continue
        listing = "\n".join(
            f"• `{c.name}` = 1 for *{part.level}*, 0 otherwise (estimate {format_number(c.estimate)})"
            for c in coefs[:10]
            for part in c.parts
            if isinstance(part, Indicator)
        )
        if len(coefs) > 10:
            listing += f"\n… and {len(coefs) - 10} more"
        paragraphs.append(
            f"**{cat.variable}** is categorical, so it enters as indicator (0/1) variables:\n{listing}"
        )
        if cat.baseline:
            means = text.dataset.frame.groupby(cat.variable, observed=True)[model.response_column].mean()
            first = coefs[0]
            level = first.parts[0].level if isinstance(first.parts[0], Indicator) else ""
            paragraphs.append(
                f"*{cat.baseline}* is the **baseline** (reference level): it comes first in the list of levels, "
                f"so it has no indicator of its own, and every {cat.variable} coefficient is a **difference "
                f"from {cat.baseline}**. For example, {format_number(first.estimate)} is how much the prediction "
                f"for *{level}* differs from *{cat.baseline}*"
                + (_holding(text, [cat.variable]) if len(model.predictors()) > 1 else "")
                + "; it is *not* the average of "
                f"*{level}* (that average is {format_number(float(means.get(level, float('nan'))))} in the data)."
            )
        else:
            paragraphs.append(
                f"Without an intercept every level of **{cat.variable}** gets its own indicator, "
                "so each coefficient is that level's own intercept, not a difference."
            )
    if not paragraphs:
        return None
    return _step("The indicator variables", paragraphs)


def _holding(text: _Text, exclude: list[str]) -> str:
    """`` at the same completed`` — the predictors held fixed when reading a coefficient."""
    others = [p for p in text.model.predictors() if p not in exclude]
    if not others:
        return ""
    return (
        " at the same "
        + " and ".join(f"**{o}**" for o in others[:3])
        + (" (and the rest)" if len(others) > 3 else "")
    )


def _line_block(line: Line, shape: Shape, text: _Text) -> str:
    """One group's equation with the arithmetic that combined its coefficients."""
    header = f"**{line.label}**"
    cat = text.model.categorical(shape.by) if shape.by else None
    if cat is not None and cat.baseline:
        header += (
            " (baseline: every indicator is 0)" if line.label == cat.baseline else " (its indicator is 1)"
        )
    work = [
        f"{'intercept' if feature == '' else 'slope of ' + feature}: {how}"
        for feature, how in line.derivations
    ]
    return "\n".join([header, *[f"  {w}" for w in work], _code(line.equation())])


def _per_group(text: _Text, shape: Shape, lines: tuple[Line, ...]) -> Step:
    """One equation per level (or per chosen value of the moderator)."""
    model = text.model
    by = shape.by or ""
    held = [f"{name} = {format_value(value)}" for name, value in lines[0].fixed if name != by]
    paragraphs = []
    if shape.by_kind == "categorical":
        title = f"One line per {by}"
        paragraphs.append(f"Put each level of **{by}** into the equation:")
    else:
        title = f"Lines at chosen values of {by}"
        paragraphs.append(_moderator_intro(text, shape))
    paragraphs += [_line_block(line, shape, text) for line in lines]
    if held:
        paragraphs.append("Other predictors held at: " + ", ".join(held) + ".")
    slopes = {round(line.slope, 9) for line in lines if line.slope is not None}
    if all(line.straight for line in lines) and len(slopes) == 1 and len(lines) > 1:
        gap = lines[1].intercept - lines[0].intercept
        extra = (
            f" They are {text.amount(gap, model.response_column)} apart at every value of **{shape.x}**."
            if len(lines) == 2
            else ""
        )
        paragraphs.append(
            f"**Same slope, different intercepts: parallel lines.**{extra} This model lets {by} move the line "
            f"up or down, but not tilt it."
        )
    elif shape.interaction:
        paragraphs.append(
            "**Different slopes:** the interaction term lets each group have its own slope, "
            f"so the lines are not parallel. The main-effect slope of **{shape.x}** is the slope "
            'for the baseline only, not "the" slope.'
        )
    if len(model.coefficients) and len(lines) == MAX_LINES:
        paragraphs.append(f"(Showing the first {MAX_LINES}.)")
    return _step(title, paragraphs)


def _moderator_intro(text: _Text, shape: Shape) -> str:
    """For a numeric second predictor: each value gives its own line; show 0 and 1 to see the step."""
    model = text.model
    x, by = shape.x or "", shape.by or ""
    base = fixed_values(model, [x, by])
    zero = equation_line(model, x, {by: 0.0, **base}, label=f"{by} = 0")
    one = equation_line(model, x, {by: 1.0, **base}, label=f"{by} = 1")
    if zero is None or one is None:
        return f"Each value of **{by}** gives its own line in **{x}**. A few values inside the data:"
    step = one.intercept - zero.intercept
    return (
        f"Each value of **{by}** gives its own line in **{x}**. Put in {by} = 0: `{zero.equation()}`; "
        f"put in {by} = 1: `{one.equation()}`. Each step of 1 in **{by}** raises the intercept by "
        f"{format_number(step)}"
        + (" and leaves the slope alone." if not shape.interaction else ".")
        + " Values inside the data make a better picture:"
    )


def _fitted_lines(
    text: _Text, shape: Shape, lines: tuple[Line, ...], dataset: Dataset
) -> tuple[FittedLine, ...]:
    """Lines (or curves) to draw: straight ones from their equations, curves sampled from the model."""
    model = text.model
    x = shape.x or ""
    summary = model.numeric(x)
    if summary is None:
        return ()
    lo, hi = summary.minimum, summary.maximum
    drawn = []
    if lines:
        for item in lines:
            xs, ys = sample_curve(model, x, dict(item.fixed), lo, hi, points=2 if item.straight else 60)
            drawn.append(
                FittedLine(
                    label=f"{item.label}: {item.equation()}" if shape.by else item.equation(),
                    xs=xs,
                    ys=ys,
                    group=item.group,
                    intercept=item.intercept if item.straight else None,
                    slope=item.slope,
                )
            )
        return tuple(drawn)
    assigned = fixed_values(model, [x])
    xs, ys = sample_curve(model, x, assigned, lo, hi)
    return (FittedLine(label="fitted curve", xs=xs, ys=ys),)


def _picture(text: _Text, shape: Shape, lines: tuple[Line, ...], dataset: Dataset) -> Step:
    """The fitted lines over the coloured scatter, and what the picture shows."""
    model = text.model
    x = shape.x or ""
    drawn = _fitted_lines(text, shape, lines, dataset)
    held = [f"{n} = {format_value(v)}" for n, v in (lines[0].fixed if lines else ()) if n != shape.by]
    note = ("Other predictors held at " + ", ".join(held) + ".") if held else None
    paragraphs = []
    if shape.by_kind == "categorical" and not shape.interaction and len(lines) > 1 and not shape.curved:
        paragraphs.append(
            "Each line is drawn over the points of its own group. The lines cannot cross: this model gives "
            f"every level of **{shape.by}** one shared slope for **{x}**."
        )
        separate = _separate_slopes(dataset, model, shape)
        if separate:
            listed = ", ".join(f"*{level}* {format_number(s)}" for level, s in separate)
            paragraphs.append(
                f"Fitted to each group alone, the slopes would be {listed}: not the same. Only the data can say "
                "which group's slope is steeper, so compute it rather than guess by eye. A model that lets "
                f"the slopes differ needs an interaction: `{_interaction_formula(model, shape)}`."
            )
    elif shape.interaction:
        paragraphs.append("With the interaction each group has its own slope, so the lines can cross.")
    elif shape.by_kind == "numeric":
        paragraphs.append(
            f"A family of parallel lines, one per chosen value of **{shape.by}**, coloured like the points "
            f"with those values. Higher **{shape.by}** shifts the line"
            + (" up." if lines and len(lines) > 1 and lines[-1].intercept > lines[0].intercept else " down.")
        )
    elif shape.curved:
        paragraphs.append(
            f"The prediction is a curve in **{x}**: its slope changes along the axis, so read the model through "
            "its predictions at a few values rather than from one coefficient."
        )
    else:
        paragraphs.append("The least-squares line through the points.")
    if note:
        paragraphs.append(note)
    figure = ScatterSpec(
        title=f"{model.formula_text}"[:120],
        x=Axis(x, text.label(x)),
        y=Axis(model.response_column, text.label(model.response_column)),
        color=_color(text, shape),
        lines=drawn,
        note=note,
    )
    return _step("The picture", paragraphs, figure)


def _interaction_formula(model: FittedModel, shape: Shape) -> str:
    """The formula with x and the grouping variable interacting."""
    others = [fm.factor_text(fm.Column(o)) for o in shape.others]
    rhs = " + ".join(
        [f"{fm.factor_text(fm.Column(shape.by or ''))} * {fm.factor_text(fm.Column(shape.x or ''))}", *others]
    )
    return f"{fm.factor_text(model.formula.response)} ~ {rhs}"


def _separate_slopes(dataset: Dataset, model: FittedModel, shape: Shape) -> list[tuple[str, float]]:
    """The slope of x fitted within each level alone (``y ~ x`` on that group's rows)."""
    cat = model.categorical(shape.by or "")
    if cat is None or shape.x is None:
        return []
    out = []
    formula = f"{fm.factor_text(model.formula.response)} ~ {fm.factor_text(fm.Column(shape.x))}"
    for level in cat.levels[:MAX_LINES]:
        rows = dataset.frame[dataset.frame[cat.variable] == level]
        try:
            sub = fit(dataclasses.replace(dataset, frame=rows), formula)
        except UserInputError:
            continue
        slope = next((c.estimate for c in sub.coefficients if c.kind == "slope"), None)
        if slope is not None:
            out.append((level, slope))
    return out


def _group_means(text: _Text, shape: Shape) -> Step:
    """With only categorical predictors, each level's prediction is a constant."""
    model = text.model
    cat = model.categorical(shape.by or "")
    paragraphs = [f"With no numeric predictor, each level of **{shape.by}** gets one predicted value:"]
    if cat is not None:
        others = fixed_values(model, [cat.variable])
        for level in cat.levels[:MAX_LINES]:
            found = equation_line(model, "", {cat.variable: level, **others}, label=level)
            if found is not None:
                paragraphs.append(_line_block(found, shape, text))
    return _step(f"One prediction per {shape.by}", paragraphs)


def _meaning(text: _Text, shape: Shape) -> Step:
    """Each coefficient in words, with units and "holding the others fixed"."""
    model = text.model
    paragraphs = []
    several = len(model.predictors()) > 1
    for sym, coef in zip(coefficient_labels(model), model.coefficients, strict=True):
        sentence = _interpret(text, shape, sym, coef, several)
        if sentence:
            paragraphs.append(sentence)
    comparison = _slopes_in_one_unit(text)
    if comparison:
        paragraphs.append(comparison)
    if several:
        paragraphs.append(
            "“Holding the others fixed” (or “controlling for” them) is part of every slope's meaning here: "
            "drop it and the sentence describes a different comparison."
        )
    return _step("What the numbers mean", paragraphs[:14])


def _slopes_in_one_unit(text: _Text) -> str:
    """When every slope's predictor has the same unit, the slopes compare directly; say how."""
    slopes = [c for c in text.model.coefficients if c.kind == "slope"]
    units = {text.unit(c.variables[0]) for c in slopes}
    if len(slopes) < 2 or len(units) != 1 or None in units:
        return ""
    ordered = sorted(slopes, key=lambda c: abs(c.estimate), reverse=True)
    big, small = ordered[0], ordered[-1]
    if small.estimate == 0:
        return ""
    ratio = abs(big.estimate / small.estimate)
    return (
        f"Every predictor here is in {units.pop()}, so the slopes compare directly: one more unit of "
        f"**{big.variables[0]}** goes with about {ratio:.0f} times the difference that one more unit of "
        f"**{small.variables[0]}** does. (With predictors in different units, the sizes of slopes do not say "
        "which predictor matters more.)"
    )


def _interpret(text: _Text, shape: Shape, sym: str, coef: Coefficient, several: bool) -> str:
    """One coefficient in words."""
    model = text.model
    response = model.response_column
    direction = "higher" if coef.estimate >= 0 else "lower"
    amount = (
        text.amount(coef.estimate, response)
        if model.response == response
        else format_number(abs(coef.estimate))
    )
    if coef.kind == "intercept":
        return _interpret_intercept(text, sym, coef)
    if coef.kind == "slope":
        var = coef.variables[0]
        held = _holding(text, [var])
        prefix = (
            f"Among {text.rows} with the same "
            + ", ".join(f"**{p}**" for p in model.predictors() if p != var)[:300]
            + ", "
            if several
            else ""
        )
        interacts = any(c.kind == "interaction" and var in c.variables for c in model.coefficients)
        sentence = (
            f"**{sym} = {format_number(coef.estimate)}** (slope of {var}): {prefix}"
            f"{'one whose' if several else 'when'} **{var}** is {text.per_one(var)} more goes with an expected "
            f"**{model.response}** {amount} {direction}."
        )
        if interacts:
            cat = next((c for c in model.categoricals if c.baseline), None)
            sentence += f" With the interaction this is the slope for the baseline{f' ({cat.baseline})' if cat else ''} only."
        if not held and not several:
            sentence = sentence.replace("Among  with the same , ", "")
        return sentence
    if coef.kind == "indicator":
        part = coef.parts[0]
        assert isinstance(part, Indicator)
        numeric = [p for p in model.predictors() if p != part.variable]
        where = (
            "At any " + " and ".join(f"**{p}**" for p in numeric[:3]) + " (held fixed)"
            if numeric
            else "On average"
        )
        versus = f"*{part.baseline}*" if part.baseline else "0"
        return (
            f"**{sym} = {format_number(coef.estimate)}** ({part.text}): {where}, the expected **{model.response}** "
            f"for *{part.level}* is {amount} {direction} than for {versus}. It is a difference, not *{part.level}*'s average."
        )
    if coef.kind == "interaction":
        indicator = next((p for p in coef.parts if isinstance(p, Indicator)), None)
        numeric = [p for p in coef.parts if not isinstance(p, Indicator)]
        if indicator and numeric:
            return (
                f"**{sym} = {format_number(coef.estimate)}** ({coef.feature}): for *{indicator.level}* the slope of "
                f"**{numeric[0].pretty}** is {format_number(abs(coef.estimate))} {'steeper' if coef.estimate >= 0 else 'shallower'} "
                f"than for the baseline *{indicator.baseline}*."
            )
        return (
            f"**{sym} = {format_number(coef.estimate)}** ({coef.feature}): the slope of one predictor changes by "
            f"{format_number(coef.estimate)} for each unit of the other."
        )
    return (
        f"**{sym} = {format_number(coef.estimate)}** ({coef.feature}): a transformed term; its effect on the "
        "prediction changes along the axis, so read it through predictions (`/predict`) rather than alone."
    )


def _interpret_intercept(text: _Text, sym: str, coef: Coefficient) -> str:
    """The intercept in words, with a warning when zero is outside the data."""
    model = text.model
    zero_parts = []
    outside = []
    for name in model.predictors():
        cat = model.categorical(name)
        if cat is not None:
            if cat.baseline:
                zero_parts.append(f"*{cat.baseline}*")
        else:
            zero_parts.append(f"{name} = 0")
            summary = model.numeric(name)
            if summary and not summary.minimum <= 0 <= summary.maximum:
                outside.append((name, summary))
    where = " and ".join(zero_parts) if zero_parts else "every predictor at 0"
    sentence = (
        f"**{sym} = {format_number(coef.estimate)}** (intercept): the expected **{model.response}** for "
        f"{where}."
    )
    if outside:
        name, summary = outside[0]
        sentence += (
            f" No row has {name} near 0 (the data run from {format_value(summary.minimum)} to "
            f"{format_value(summary.maximum)}), so this is an **extrapolation** beyond the data. Centering "
            f"(`center({fm.factor_text(fm.Column(name))})`) would put the intercept at a typical value instead."
        )
    return sentence


def _limits(text: _Text, shape: Shape, dataset: Dataset) -> Step:
    """What the model cannot say: causation, different slopes, and how the slope moved from the simple fit."""
    model = text.model
    paragraphs = [
        "**Association, not causation.** The coefficients describe how the prediction differs between "
        f"{text.rows} in the data. They do not say that changing a predictor would change **{model.response}**, "
        "unless the data come from an experiment that assigned it at random. Say “goes with”, "
        "not “causes” or “the effect of”.",
    ]
    if shape.by_kind == "categorical" and shape.x and not shape.interaction:
        paragraphs.append(
            f"**Equal slopes are an assumption.** This model draws parallel lines. Whether **{shape.x}** "
            f"goes with **{model.response}** differently in each {shape.by} needs an interaction term: "
            f"try `{_interaction_formula(model, shape)}`."
        )
    simple = _simple_slope(dataset, model, shape)
    if simple is not None:
        alone, here = simple
        flip = (alone < 0) != (here < 0)
        paragraphs.append(
            f"**The slope depends on what else is in the model.** Alone (`{_simple_formula(model, shape)}`), "
            f"the slope of **{shape.x}** is {format_number(alone)}; here it is {format_number(here)}. "
            + (
                "The sign flips once the other predictors are held fixed (Simpson's paradox): the groups "
                "differ in both variables, and the pooled slope mixes the comparison between groups with the "
                "one within them."
                if flip
                else f"Adding a predictor changes what “the slope” compares: here it compares {text.rows} who "
                "are alike in the other predictors."
            )
        )
    paragraphs.append(
        "**Only inside the data.** Predictions far outside the range of the data (extrapolation) rest on the "
        "assumption that the straight-line pattern continues."
    )
    return _step("What the model cannot say", paragraphs)


def _simple_formula(model: FittedModel, shape: Shape) -> str:
    """``y ~ x`` for the model's main numeric predictor."""
    return f"{fm.factor_text(model.formula.response)} ~ {fm.factor_text(fm.Column(shape.x or ''))}"


def _simple_slope(dataset: Dataset, model: FittedModel, shape: Shape) -> tuple[float, float] | None:
    """The slope of x alone and in this model, when the model has other predictors."""
    if shape.x is None or len(model.predictors()) < 2:
        return None
    here = next(
        (c.estimate for c in model.coefficients if c.kind == "slope" and c.variables == (shape.x,)), None
    )
    if here is None:
        return None
    try:
        alone = fit(dataset, _simple_formula(model, shape))
    except UserInputError:
        return None
    slope = next((c.estimate for c in alone.coefficients if c.kind == "slope"), None)
    return (slope, here) if slope is not None else None


def _goodness(text: _Text) -> Step:
    """R², adjusted R², n, residual spread, and what R² does not say."""
    model = text.model
    unit = text.unit(model.response_column) if model.response == model.response_column else None
    spread = format_number(model.resid_se) + (f" {unit}" if unit else "")
    paragraphs = [
        f"**R² = {model.r_squared:.3f}**: the model accounts for {model.r_squared:.0%} of the variation in "
        f"**{model.response}** around its mean{' (uncentered: this model has no intercept)' if not model.intercept else ''}. "
        f"Adjusted R² = {model.adj_r_squared:.3f} (penalised for the number of coefficients).",
        f"**n = {model.n}** {text.rows}; **residual standard error = {spread}**: a typical distance between an "
        "observed value and the model's prediction.",
    ]
    if model.f_value is not None and model.f_pvalue is not None:
        paragraphs.append(
            f"F-test against the intercept-only model: F = {format_number(model.f_value)}, "
            f"p {_p(model.f_pvalue)}."
        )
    paragraphs.append(
        "R² always rises when a predictor is added, even a useless one, and it does not say how important "
        "any single predictor is. The picture shows the residuals (observed − predicted): a shapeless band "
        "around 0 is what a straight-line model hopes for."
    )
    figure = ResidualSpec(
        title="Residuals against fitted values",
        fitted=model.fitted,
        residuals=model.residuals,
        response_label=text.label(model.response_column),
    )
    return _step("How well it fits", paragraphs, figure)


def _p(value: float) -> str:
    """A p-value for people."""
    return "< 0.001" if value < 0.001 else f"= {value:.3f}"


def example_values(dataset: Dataset, model: FittedModel) -> dict[str, str | float]:
    """The first complete row's predictor values: a real case from the data to predict."""
    columns = list(model.predictors())
    rows = dataset.frame[[*columns, model.response_column]].dropna()
    first = rows.iloc[0]
    return {name: (str(first[name]) if model.categorical(name) else float(first[name])) for name in columns}


def arithmetic(model: FittedModel, values: dict[str, str | float]) -> tuple[str, float]:
    """``18.34 + 1.35 × 35 = 65.75``: each non-zero term of the prediction, and the prediction."""
    prediction = predict(model, values)
    pieces: list[tuple[float | None, str]] = []
    for coef, value in prediction.terms:
        if value == 0:
            continue
        if value == 1 and coef.kind in ("intercept", "indicator"):
            pieces.append((coef.estimate, ""))
        else:
            pieces.append((coef.estimate, f"× {format_value(value)}"))
    return (
        f"{join_terms(pieces).replace('·×', ' ×')} = {format_number(prediction.estimate)}",
        prediction.estimate,
    )


def _try_next(text: _Text, shape: Shape, dataset: Dataset) -> Step:
    """A worked prediction and the next things to try."""
    model = text.model
    values = example_values(dataset, model)
    work, estimate = arithmetic(model, values)
    described = ", ".join(f"{k} = {format_value(v)}" for k, v in values.items())
    rows = dataset.frame[[*model.predictors(), model.response_column]].dropna()
    observed = rows.iloc[0][model.response_column]
    values_text = " ".join(f"{k}={format_value(v)}" for k, v in values.items())
    shown = [c for c in model.coefficients if c.kind != "intercept"] or list(model.coefficients)
    paragraphs = [
        f"**Predict a case.** The first row of the data has {described}. The model predicts:",
        _code(work),
        f"That row's observed **{model.response_column}** is {format_value(float(observed))}, so its residual is "
        f"{format_number(float(observed) - estimate) if model.response == model.response_column else 'on the transformed scale'}.",
        "**Try next**",
        f"• `/predict dataset:{dataset.name} formula:{model.formula_text} values:{values_text}`",
    ]
    if shape.by_kind == "categorical" and shape.x and not shape.interaction:
        paragraphs.append(
            f"• `/fit dataset:{dataset.name} formula:{_interaction_formula(model, shape)}`: let the slopes differ"
        )
    if shape.x and len(model.predictors()) > 1:
        paragraphs.append(
            f"• `/compare dataset:{dataset.name} formula:{_simple_formula(model, shape)} other:{model.formula_text}`: "
            "see how the slope changes"
        )
    paragraphs.append(
        "The picture: each slope and difference with its confidence interval (the intercept is left out: "
        "it is on another scale)."
        if len(shown) < len(model.coefficients)
        else "The picture: each coefficient with its confidence interval."
    )
    figure = CoefficientSpec(
        title=f"Coefficients of {model.formula_text}"[:120],
        names=tuple(c.name for c in shown),
        estimates=tuple(c.estimate for c in shown),
        lows=tuple(c.ci_low for c in shown),
        highs=tuple(c.ci_high for c in shown),
        level=model.confidence,
    )
    return _step("Try next", paragraphs, figure)
