"""Two models side by side: coefficients, R², an F-test when one is nested in the other, and why slopes moved."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

from bot.regression.datasets import Dataset
from bot.regression.equations import group_lines, sample_curve
from bot.regression.errors import ModelError
from bot.regression.figures import Axis, ColorBy, FittedLine, ScatterSpec
from bot.regression.model import FittedModel, fit, format_number
from bot.regression.steps import Step
from bot.regression.walkthrough import shape_of


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
    f_test = _f_test(first, second)
    steps = (_side_by_side(first, second, f_test), _what_changed(dataset, first, second))
    picture = _picture(dataset, first, second)
    if picture is not None:
        steps = (*steps, picture)
    return Comparison(first, second, f_test, steps)


def _nested(smaller: FittedModel, larger: FittedModel) -> bool:
    """Whether every design column of ``smaller`` is one of ``larger``'s, on the same rows."""
    names_small = {c.name for c in smaller.coefficients}
    names_large = {c.name for c in larger.coefficients}
    return names_small < names_large and smaller.n == larger.n


def _f_test(first: FittedModel, second: FittedModel) -> FTest | None:
    """The nested-model F-test, in whichever direction the nesting goes."""
    for smaller, larger in ((first, second), (second, first)):
        if _nested(smaller, larger):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                f_value, p_value, df_diff = larger.results.compare_f_test(smaller.results)
            return FTest(
                float(f_value), float(p_value), float(df_diff), smaller.formula_text, larger.formula_text
            )
    return None


def _side_by_side(first: FittedModel, second: FittedModel, f_test: FTest | None) -> Step:
    """Both coefficient lists and fit statistics in one monospace table."""
    names = list(dict.fromkeys([c.name for c in first.coefficients] + [c.name for c in second.coefficients]))
    by_name = [{c.name: c for c in m.coefficients} for m in (first, second)]
    rows = [("term", "model 1", "model 2")]
    for name in names[:30]:
        cells = [format_number(m[name].estimate) if name in m else "—" for m in by_name]
        rows.append((name if len(name) <= 26 else name[:25] + "…", *cells))
    rows += [
        ("R²", f"{first.r_squared:.3f}", f"{second.r_squared:.3f}"),
        ("adjusted R²", f"{first.adj_r_squared:.3f}", f"{second.adj_r_squared:.3f}"),
        ("n", str(first.n), str(second.n)),
        ("residual SE", format_number(first.resid_se), format_number(second.resid_se)),
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
    if f_test is not None:
        verdict = (
            "the extra terms improve the fit by more than chance alone would suggest"
            if f_test.p_value < 0.05
            else "the extra terms do not improve the fit by more than chance alone would"
        )
        body.append(
            f"**F-test** (`{f_test.smaller}` is nested in `{f_test.larger}`): F = {format_number(f_test.f_value)} "
            f"on {f_test.df_diff:g} df, p = {'< 0.001' if f_test.p_value < 0.001 else f'{f_test.p_value:.3f}'}: "
            f"{verdict}."
        )
    else:
        body.append("The models are not nested (neither contains all of the other's terms), so no F-test.")
    body.append("R² never falls when terms are added; adjusted R² does when the extra terms add little.")
    return Step("Side by side", _fit_body("\n\n".join(body)))


def _fit_body(text: str) -> str:
    """Trim a body to one embed, visibly."""
    return text if len(text) <= 4000 else text[:3990] + "\n… (trimmed)"


def _what_changed(dataset: Dataset, first: FittedModel, second: FittedModel) -> Step:
    """For each slope in both models, how it moved and why (what the added predictors are related to)."""
    paragraphs = []
    shared = [
        (c1, c2)
        for c1 in first.coefficients
        for c2 in second.coefficients
        if c1.name == c2.name and c1.kind not in ("intercept",)
    ]
    added = [p for p in second.predictors() if p not in first.predictors()]
    removed = [p for p in first.predictors() if p not in second.predictors()]
    for c1, c2 in shared[:8]:
        moved = c2.estimate - c1.estimate
        flip = (c1.estimate < 0) != (c2.estimate < 0) and c1.estimate != 0
        sentence = (
            f"**{c1.name}**: {format_number(c1.estimate)} in model 1, {format_number(c2.estimate)} in model 2"
            f" ({'+' if moved >= 0 else '−'}{format_number(abs(moved))})."
        )
        if flip:
            sentence += " **The sign flips** (Simpson's paradox)."
        paragraphs.append(sentence)
    if shared and (added or removed):
        more, fewer = (added, removed)
        extra = more or fewer
        which = "model 2 adds" if more else "model 2 drops"
        relations = [
            _relation(dataset, var, c.variables[0])
            for c in [shared[0][0]]
            for var in extra[:3]
            if c.variables
        ]
        paragraphs.append(
            f"Why a slope moves: {which} " + ", ".join(f"**{v}**" for v in extra[:5]) + ". In the model with "
            "more predictors, a slope compares rows that are alike in those predictors; in the other it "
            "mixes in the differences between them. A slope changes when the added predictor is related both "
            "to that predictor and to the response."
        )
        paragraphs += [r for r in relations if r]
    if not shared:
        paragraphs.append(
            "The two models share no slope, so there is no slope to follow from one to the other."
        )
    return Step("What changed, and why", _fit_body("\n\n".join(paragraphs)))


def _relation(dataset: Dataset, added: str, predictor: str) -> str:
    """How an added predictor relates to an existing one in the data, in one sentence."""
    frame = dataset.frame
    if added not in frame or predictor not in frame or added == predictor:
        return ""
    kinds = dataset.column_kinds()
    if kinds.get(added) == "categorical" and kinds.get(predictor) == "numeric":
        means = frame.groupby(added, observed=True)[predictor].mean().dropna()
        listed = ", ".join(f"{level} {format_number(float(v))}" for level, v in list(means.items())[:6])
        return f"Mean **{predictor}** by **{added}**: {listed}."
    if kinds.get(added) == "numeric" and kinds.get(predictor) == "numeric":
        pair = frame[[added, predictor]].dropna()
        r = float(pair[added].corr(pair[predictor])) if len(pair) > 2 else math.nan
        if math.isfinite(r):
            return f"The correlation between **{added}** and **{predictor}** is {r:.2f}."
    return ""


def _picture(dataset: Dataset, first: FittedModel, second: FittedModel) -> Step | None:
    """When both models share a numeric x, draw both: the larger model's lines and the smaller's dashed."""
    small, large = (first, second) if len(first.coefficients) <= len(second.coefficients) else (second, first)
    shape = shape_of(large)
    x = shape.x
    if x is None or shape_of(small).x != x or large.numeric(x) is None:
        return None
    summary = large.numeric(x)
    assert summary is not None
    lines = []
    for item in group_lines(large, x, shape.by)[:8]:
        xs, ys = sample_curve(large, x, dict(item.fixed), summary.minimum, summary.maximum)
        lines.append(
            FittedLine(
                f"{item.label}: {item.equation()}",
                xs,
                ys,
                group=item.group,
                intercept=item.intercept if item.straight else None,
                slope=item.slope,
            )
        )
    for item in group_lines(small, x, None)[:1]:
        xs, ys = sample_curve(small, x, dict(item.fixed), summary.minimum, summary.maximum)
        lines.append(
            FittedLine(
                f"{small.formula_text}: {item.equation()}",
                xs,
                ys,
                dashed=True,
                intercept=item.intercept if item.straight else None,
                slope=item.slope,
            )
        )
    color = None
    if shape.by is not None:
        cat = large.categorical(shape.by)
        color = ColorBy(
            shape.by,
            dataset.column(shape.by).label,
            "categorical" if cat else "numeric",
            cat.levels if cat else (),
        )
    figure = ScatterSpec(
        title=f"{small.formula_text} vs {large.formula_text}"[:120],
        x=Axis(x, dataset.column(x).label),
        y=Axis(large.response_column, dataset.column(large.response_column).label),
        color=color,
        lines=tuple(lines),
        note="Dashed: the model with fewer predictors.",
    )
    body = (
        f"The dashed line is `{small.formula_text}`; the solid lines are `{large.formula_text}`"
        + (f", one per {shape.by}." if shape.by else ".")
        + " Where the two tilt differently, the added predictor changed what the slope compares."
    )
    return Step("Both models in one picture", body, figure)
