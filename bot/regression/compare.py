"""Two models side by side: coefficients, R², an F-test when one is nested in the other, and why slopes moved.

What a coefficient means can change between the two models (a gap that is the same everywhere in one is
the gap at 0 in the other), so a coefficient is followed from one model to the other only where both
readings (from ``meaning``) are the same kind of comparison; otherwise the two models' predictions are
compared at the same stated values.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

from bot.regression.datasets import Dataset
from bot.regression.equations import group_lines, sample_curves
from bot.regression.errors import ModelError
from bot.regression.figures import Axis, ColorBy, FittedLine, ScatterSpec
from bot.regression.meaning import (
    MAX_GROUPS,
    Meaning,
    Predictions,
    Reading,
    Value,
    decompose,
    explain,
    ranges,
    relation,
)
from bot.regression.model import FittedModel, fit
from bot.regression.steps import Step
from bot.regression.text import clip, listing, number, p_value, value_text
from bot.regression.walkthrough import decomposition, relation_text

_BODY = 4000


@dataclass(frozen=True)
class FTest:
    """The F-test of the smaller model against the larger one it is nested in."""

    f_value: float
    p_value: float
    df_diff: float
    smaller: str
    larger: str


@dataclass(frozen=True)
class Comparison:
    """Two fits on the same dataset and the steps that explain the difference."""

    first: FittedModel
    second: FittedModel
    f_test: FTest | None
    steps: tuple[Step, ...]


def compare(dataset: Dataset, first_text: str, second_text: str) -> Comparison:
    """Fit both formulas on ``dataset`` and explain how they differ."""
    first, second = fit(dataset, first_text), fit(dataset, second_text)
    if first.response != second.response:
        raise ModelError(
            f"The two formulas predict different things (`{first.response}` and `{second.response}`).",
            "Compare models with the same response, e.g. `y ~ x` and `y ~ x + z`.",
        )
    meanings = (explain(dataset, first), explain(dataset, second))
    f_test = _f_test(first, second)
    steps = (_side_by_side(first, second, f_test), _what_changed(dataset, meanings))
    picture = _picture(dataset, meanings)
    if picture is not None:
        steps = (*steps, picture)
    return Comparison(first, second, f_test, steps)


def _nested(smaller: FittedModel, larger: FittedModel) -> bool:
    """Whether every design column of ``smaller`` is one of ``larger``'s, on the same rows."""
    names_small = {c.name for c in smaller.coefficients}
    names_large = {c.name for c in larger.coefficients}
    return names_small < names_large and smaller.n == larger.n


def _ordered(first: FittedModel, second: FittedModel) -> tuple[FittedModel, FittedModel] | None:
    """(smaller, larger) when one model is nested in the other."""
    for smaller, larger in ((first, second), (second, first)):
        if _nested(smaller, larger):
            return smaller, larger
    return None


def _f_test(first: FittedModel, second: FittedModel) -> FTest | None:
    """The nested-model F-test, in whichever direction the nesting goes."""
    pair = _ordered(first, second)
    if pair is None:
        return None
    smaller, larger = pair
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f_value, p, df_diff = larger.results.compare_f_test(smaller.results)
    return FTest(float(f_value), float(p), float(df_diff), smaller.formula_text, larger.formula_text)


def _side_by_side(first: FittedModel, second: FittedModel, f_test: FTest | None) -> Step:
    """Both coefficient lists and fit statistics in one monospace table, and which model fits better."""
    names = list(dict.fromkeys([c.name for c in first.coefficients] + [c.name for c in second.coefficients]))
    by_name = [{c.name: c for c in m.coefficients} for m in (first, second)]
    rows = [("term", "model 1", "model 2")]
    for name in names[:30]:
        cells = [number(m[name].estimate) if name in m else "—" for m in by_name]
        rows.append((clip(name, 26), *cells))
    rows += [
        ("R²", f"{first.r_squared:.3f}", f"{second.r_squared:.3f}"),
        ("adjusted R²", f"{first.adj_r_squared:.3f}", f"{second.adj_r_squared:.3f}"),
        ("n", str(first.n), str(second.n)),
        ("residual SE", number(first.resid_se), number(second.resid_se)),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    table = "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows
    )
    body = [
        f"**Model 1:** `{first.formula_text}`\n**Model 2:** `{second.formula_text}`",
        f"```\n{table}\n```",
    ]
    if len(names) > 30:
        body.append(f"… and {len(names) - 30} more terms.")
    if first.n != second.n:
        body.append(
            f"The models use different rows ({first.n} and {second.n}: a column one of them uses has missing "
            "values), so their R² and residual errors describe different data."
        )
    if f_test is not None:
        verdict = (
            "the extra terms improve the fit by more than chance alone would suggest"
            if f_test.p_value < 0.05
            else "the extra terms do not improve the fit by more than chance alone would"
        )
        body.append(
            f"**F-test** (`{f_test.smaller}` is nested in `{f_test.larger}`): F = {number(f_test.f_value)} "
            f"on {f_test.df_diff:g} df, {p_value(f_test.p_value)}: {verdict}."
        )
    else:
        better = 1 if first.adj_r_squared >= second.adj_r_squared else 2
        body.append(
            "The models are not nested (neither contains all of the other's terms), so no F-test. Adjusted R² "
            f"still compares them with a penalty for each coefficient: model {better} is higher "
            f"({max(first.adj_r_squared, second.adj_r_squared):.3f} against "
            f"{min(first.adj_r_squared, second.adj_r_squared):.3f})."
        )
    body.append("R² never falls when terms are added; adjusted R² does when the extra terms add little.")
    return Step("Side by side", clip("\n\n".join(body), _BODY))


def _kinds(meaning: Meaning) -> dict[str, tuple[str, bool]]:
    """Each coefficient's reading kind and whether it is the same everywhere."""
    return {r.coefficient.name: (r.kind, r.constant) for r in meaning.readings}


def _what_changed(dataset: Dataset, meanings: tuple[Meaning, Meaning]) -> Step:
    """Which terms came or went, how each shared comparison moved, and why."""
    first, second = meanings
    one, two = first.model, second.model
    added = [p for p in two.predictors() if p not in one.predictors()]
    removed = [p for p in one.predictors() if p not in two.predictors()]
    paragraphs = []
    moves = []
    if added:
        moves.append("adds " + listing([f"**{p}**" for p in added]))
    if removed:
        moves.append("drops " + listing([f"**{p}**" for p in removed]))
    if moves:
        paragraphs.append("Model 2 " + " and ".join(moves) + ".")
    kinds = (_kinds(first), _kinds(second))
    pair = _ordered(one, two)
    followed = 0
    for reading in first.readings:
        name = reading.coefficient.name
        other = next((r for r in second.readings if r.coefficient.name == name), None)
        if other is None or not reading.coefficient.parts:
            continue
        followed += 1
        if kinds[0][name] == kinds[1][name] and reading.constant:
            paragraphs.append(_followed(dataset, meanings, name, pair))
        else:
            paragraphs.append(_at_values(meanings, name))
    if not followed:
        paragraphs.append(
            "The two models share no slope or difference, so there is none to follow from one to the other."
        )
    return Step("What changed, and why", clip("\n\n".join(p for p in paragraphs if p), _BODY))


def _followed(
    dataset: Dataset,
    meanings: tuple[Meaning, Meaning],
    name: str,
    pair: tuple[FittedModel, FittedModel] | None,
) -> str:
    """A coefficient that means the same in both models: how it moved, and (nested models) exactly why."""
    first, second = (m.model.coefficient(name) for m in meanings)
    moved = second.estimate - first.estimate
    sentence = (
        f"**{name}**: {number(first.estimate)} in model 1, {number(second.estimate)} in model 2 "
        f"({'+' if moved >= 0 else '−'}{number(abs(moved))})."
    )
    flip = (first.estimate < 0) != (second.estimate < 0)
    reading = meanings[0].reading(name)
    if pair is not None:
        smaller, larger = pair
        parts = decompose(larger, smaller, name)
        if parts:
            if reading.kind == "slope":
                sentence += _relations(dataset, meanings, smaller, reading.subject)
            sentence += " " + decomposition(
                larger,
                name,
                parts,
                larger.coefficient(name).estimate,
                smaller.coefficient(name).estimate,
                dataset.row_noun_plural,
            )
    if flip:
        both = all(not (c.ci_low <= 0 <= c.ci_high) for c in (first, second))
        groups = any(v.categorical for m in meanings for v in m.variables)
        if both and groups:
            sentence += (
                " **The sign flips**, and both intervals exclude 0 (Simpson's paradox): the groups differ in both "
                "variables, and one slope compares across groups while the other compares within them."
            )
        else:
            sentence += " The sign differs, but an interval includes 0, so this is not a clear reversal."
    return sentence


def _relations(dataset: Dataset, meanings: tuple[Meaning, Meaning], smaller: FittedModel, x: str) -> str:
    """How the larger model's extra predictors go with x among the rows: group means or correlations."""
    larger = next(m for m in meanings if m.model is not smaller)
    rows = larger.model.used_rows(dataset.frame)
    extra = [v for v in larger.variables if v.name not in smaller.predictors() and v.name != x]
    pieces = [text for text in (relation_text(relation(rows, v, x), x) for v in extra[:3]) if text]
    return (" Why: " + "; ".join(pieces) + ".") if pieces else ""


def _at_values(meanings: tuple[Meaning, Meaning], name: str) -> str:
    """A coefficient whose meaning differs between the models: compare predictions at the same values."""
    first, second = (m.reading(name) for m in meanings)
    sentence = (
        f"**{name}** is not the same comparison in the two models (model 1: {_describe(first)}; model 2: "
        f"{_describe(second)}), so its values ({number(first.coefficient.estimate)} and "
        f"{number(second.coefficient.estimate)}) should not be set side by side."
    )
    compared = _same_values(meanings, first)
    return sentence + (" " + compared if compared else "")


def _describe(reading: Reading) -> str:
    """A few words on what a coefficient is in one model."""
    if reading.constant:
        return "the same at every value of the others"
    if reading.where:
        return "its value at " + ", ".join(f"{n} = {value_text(v)}" for n, v in reading.where)
    return "one part of a curve or interaction"


def _same_values(meanings: tuple[Meaning, Meaning], reading: Reading) -> str:
    """The gap (or slope) both models predict at the same values of what makes it vary in either model."""
    subject, level, versus = reading.subject, reading.level, reading.versus
    if not subject or not all(subject in m.model.predictors() for m in meanings):
        return ""
    others = [m.reading(reading.coefficient.name).other for m in meanings]
    moderator = next((o for o in others if o and all(o in m.model.predictors() for m in meanings)), None)
    values: tuple[Value | None, ...] = (None,)
    if moderator is not None:
        variable = meanings[1].variable(moderator)
        values = (
            tuple(lv for lv in variable.levels if variable.count(lv))
            if variable.categorical
            else variable.stated
        )
    rows = []
    for index, meaning in enumerate(meanings):
        predictions = Predictions(meaning.model)
        variable = meaning.variable(subject)
        found = []
        for value in values:
            case = dict(meaning.typical)
            if value is not None and moderator is not None:
                case[moderator] = value
            if level is not None and versus is not None:
                found.append(predictions.change(case, subject, versus, level).difference.estimate)
            else:
                step = max(variable.maximum - variable.minimum, 1.0) * 1e-4
                found.append(predictions.slope(case, subject, step).slope.estimate)
        rows.append(f"model {index + 1} " + ", ".join(number(v) for v in found))
    what = f"*{level}* − *{versus}*" if level is not None else f"{subject}'s slope"
    where = (
        f" at {moderator} = " + ", ".join(value_text(v) for v in values if v is not None) if moderator else ""
    )
    return f"Compared at the same values, {what}{where}: " + "; ".join(rows) + "."


def _picture(dataset: Dataset, meanings: tuple[Meaning, Meaning]) -> Step | None:
    """Both models over the same scatter: model 2's lines solid, model 1's dashed."""
    first, second = meanings
    x = second.shape.x
    if x is None or first.shape.x != x:
        return None
    by = second.shape.by if second.shape.by_kind == "categorical" else None
    variable = second.variable(x)
    lines: list[FittedLine] = []
    for index, meaning in enumerate((second, first)):
        model = meaning.model
        group = by if by in model.predictors() else None
        values = (
            [lv for lv in meaning.variable(group).levels if meaning.variable(group).count(lv)][:MAX_GROUPS]
            if group
            else ()
        )
        held = {k: v for k, v in meaning.typical if k not in (x, group)}
        own = ranges(dataset, model, x, group, values)
        items = group_lines(model, x, group, values, held)
        whole = (variable.minimum, variable.maximum)
        curves = sample_curves(
            model,
            x,
            [
                (
                    dict(item.fixed),
                    *(own.get(item.group, whole) if item.group is not None else whole),
                    2 if item.straight else 60,
                )
                for item in items
            ],
        )
        for item, (xs, ys) in zip(items, curves, strict=True):
            label = f"model {2 - index}" + (f", {item.label}" if group else "") + f": {item.equation()}"
            lines.append(
                FittedLine(
                    clip(label, 90),
                    xs,
                    ys,
                    group=item.group,
                    intercept=item.intercept if item.straight else None,
                    slope=item.slope,
                    dashed=index == 1,
                    pooled=index == 1 and group is None and by is not None,
                )
            )
    color = None
    if by is not None:
        color = ColorBy(by, dataset.column(by).label, "categorical", second.variable(by).levels)
    figure = ScatterSpec(
        title=clip(f"{first.model.formula_text} vs {second.model.formula_text}", 120),
        x=Axis(x, dataset.column(x).label),
        y=Axis(
            second.model.response_column,
            dataset.column(second.model.response_column).label,
            None if second.scale.kind == "identity" else second.model.formula.response,
        ),
        color=color,
        lines=tuple(lines),
        note=f"Solid: model 2 ({second.model.formula_text}). Dashed: model 1 ({first.model.formula_text}).",
    )
    body = (
        f"Solid lines: model 2, `{second.model.formula_text}`"
        + (f", one per {by}" if by else "")
        + f". Dashed: model 1, `{first.model.formula_text}`"
        + (f", one per {by}" if by and by in first.model.predictors() else "")
        + ". Each line is drawn over its own group's range of "
        + f"{x}. Where the two tilt differently, the models disagree about how {x} goes with the response."
    )
    return Step("Both models in one picture", body, figure)
