"""Equations of a fitted model: general form, estimates plugged in, and one equation per group or value.

Every number here comes from the fit. Signs are simplified the way an instructor writes them on the board:
``+ (−13.19)`` becomes ``− 13.19``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bot.regression.model import Coefficient, FittedModel, Indicator, Numeric, format_number, format_value

_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
HAT = "ŷ"


def symbol(index: int) -> str:
    """``b₀``, ``b₁``, ... for the coefficient at ``index``."""
    return "b" + str(index).translate(_SUBSCRIPTS)


def coefficient_labels(model: FittedModel) -> tuple[str, ...]:
    """A symbol per coefficient; numbering starts at b₀ for the intercept, b₁ when there is none."""
    offset = 0 if model.intercept is not None else 1
    return tuple(symbol(i + offset) for i in range(len(model.coefficients)))


def join_terms(pieces: Sequence[tuple[float | None, str]], decimals: int = 2) -> str:
    """Join ``(value, text)`` pieces into a sum, writing ``+ −x`` as ``− x``; value None means a symbol."""
    out: list[str] = []
    for value, text in pieces:
        if value is None:
            out.append(text if not out else f"+ {text}")
            continue
        number = format_number(abs(value), decimals)
        negative = value < 0 and number.strip("0.,") != ""
        body = f"{number}·{text}" if text else number
        if not out:
            out.append(f"−{body}" if negative else body)
        else:
            out.append(f"− {body}" if negative else f"+ {body}")
    return " ".join(out) if out else "0"


def general_form(model: FittedModel, lhs: str = HAT) -> str:
    """``ŷ = b₀ + b₁·[lesson = Lesson B] + b₂·completed`` with the model's real feature names."""
    pieces = [
        (None, sym if coef.kind == "intercept" else f"{sym}·{coef.feature}")
        for sym, coef in zip(coefficient_labels(model), model.coefficients, strict=True)
    ]
    return f"{lhs} = {join_terms(pieces)}"


def plugged_in(model: FittedModel, lhs: str = HAT, decimals: int = 2) -> str:
    """The estimates substituted literally, before simplifying: ``ŷ = 18.34 + (−13.19)·[...] + 1.35·x``."""
    pieces = []
    for coef in model.coefficients:
        number = format_number(coef.estimate, decimals)
        number = f"({number})" if coef.estimate < 0 else number
        pieces.append(number if coef.kind == "intercept" else f"{number}·{coef.feature}")
    return f"{lhs} = " + " + ".join(pieces)


def substituted(model: FittedModel, lhs: str = HAT, decimals: int = 2) -> str:
    """The estimates plugged in and signs simplified: ``ŷ = 18.34 − 13.19·[lesson = Lesson B] + 1.35·x``."""
    pieces = [
        (coef.estimate, "" if coef.kind == "intercept" else coef.feature) for coef in model.coefficients
    ]
    return f"{lhs} = {join_terms(pieces, decimals)}"


@dataclass(frozen=True)
class Line:
    """The model's prediction as a function of ``x`` with every other predictor fixed.

    ``terms`` pairs each coefficient value with the feature of ``x`` it multiplies (``""`` for the constant).
    ``derivations`` pairs a feature (``""`` for the constant) with how its combined coefficient was worked
    out (``18.34 − 13.19 = 5.16``).
    """

    label: str
    x: str
    group: str | float | None
    fixed: tuple[tuple[str, str | float], ...]
    terms: tuple[tuple[float, str], ...]
    derivations: tuple[tuple[str, str], ...]

    @property
    def straight(self) -> bool:
        """Whether the prediction is a straight line in ``x`` (only a constant and ``x`` itself)."""
        return all(feature in ("", self.x) for _, feature in self.terms)

    @property
    def intercept(self) -> float:
        """The constant term (the prediction at x = 0)."""
        return sum(value for value, feature in self.terms if feature == "")

    @property
    def slope(self) -> float | None:
        """The coefficient of ``x`` when the line is straight."""
        if not self.straight:
            return None
        return sum(value for value, feature in self.terms if feature == self.x)

    def equation(self, lhs: str = HAT, decimals: int = 2) -> str:
        """``ŷ = 5.16 + 1.35·completed``."""
        pieces = [(value, feature) for value, feature in self.terms if feature == ""] or [(0.0, "")]
        pieces += [(value, feature) for value, feature in self.terms if feature != ""]
        return f"{lhs} = {join_terms(pieces, decimals)}"


def _part_value(part: Indicator | Numeric, x: str, assigned: Mapping[str, str | float]) -> float | str | None:
    """A part's value under ``assigned``: a number, the feature text if it involves ``x``, None if unknown."""
    if isinstance(part, Indicator):
        return 1.0 if assigned.get(part.variable) == part.level else 0.0
    if x in part.variables:
        return part.pretty
    if part.plain and part.variables[0] in assigned:
        return float(assigned[part.variables[0]])
    return None


def line(
    model: FittedModel,
    x: str,
    assigned: Mapping[str, str | float],
    label: str,
    group: str | float | None = None,
) -> Line | None:
    """The equation in ``x`` with every other predictor set as in ``assigned``; None if not expressible."""
    combined: dict[str, list[tuple[Coefficient, float]]] = {}
    for coef in model.coefficients:
        multiplier, features = 1.0, []
        for part in coef.parts:
            value = _part_value(part, x, assigned)
            if value is None:
                return None
            if isinstance(value, str):
                features.append(value)
            else:
                multiplier *= value
        if multiplier != 0:
            combined.setdefault("·".join(features), []).append((coef, multiplier))
    terms, derivations = [], []
    for feature, contributions in combined.items():
        total = sum(c.estimate * m for c, m in contributions)
        terms.append((total, feature))
        if len(contributions) > 1 or any(m != 1 for _, m in contributions):
            pieces = [
                (c.estimate * m, "") if m == 1 else (c.estimate, f"× {format_value(m)}")
                for c, m in contributions
            ]
            work = join_terms(pieces).replace("·×", " ×")
            derivations.append((feature, f"{work} = {format_number(total)}"))
    fixed = tuple(assigned.items())
    return Line(label, x, group, fixed, tuple(terms), tuple(derivations))


def nice_values(minimum: float, maximum: float, centre: float, count: int = 3) -> tuple[float, ...]:
    """``count`` round values inside the data's range, close to ``centre`` (e.g. 5, 10, 15 on a 0-20 scale).

    The step is the largest of 1, 2 or 5 times a power of ten that leaves more than ``count`` multiples
    inside the range; of those multiples, the ``count`` closest to ``centre`` are kept.
    """
    if not (math.isfinite(minimum) and math.isfinite(maximum)) or maximum <= minimum:
        return (_tidy(minimum),) if math.isfinite(minimum) else ()
    magnitude = 10 ** math.ceil(math.log10(maximum - minimum))
    for step in (m * magnitude / 10**k for k in range(0, 8) for m in (5, 2, 1)):
        first = math.ceil(minimum / step - 1e-9)
        multiples = [_tidy(i * step) for i in range(first, first + count + 3) if i * step <= maximum + 1e-9]
        if len(multiples) > count:
            chosen = sorted(multiples, key=lambda v: (abs(v - centre), v))[:count]
            return tuple(sorted(chosen))
    return (_tidy(centre),)


def _tidy(value: float) -> float:
    """Strip floating-point noise from a round value."""
    return float(f"{value:.10g}")


def moderator_values(model: FittedModel, variable: str, count: int = 3) -> tuple[float, ...]:
    """Round values of a numeric predictor at which to draw lines, inside its range, around its median."""
    summary = model.numeric(variable)
    if summary is None:
        return ()
    return nice_values(summary.minimum, summary.maximum, summary.median, count)


def fixed_values(model: FittedModel, exclude: Sequence[str]) -> dict[str, str | float]:
    """Values at which to hold the other predictors: the baseline level, or the mean of a number."""
    values: dict[str, str | float] = {}
    for name in model.predictors():
        if name in exclude:
            continue
        cat = model.categorical(name)
        if cat is not None:
            values[name] = cat.baseline or cat.levels[0]
        else:
            summary = model.numeric(name)
            values[name] = round(summary.mean, 2) if summary else 0.0
    return values


def group_lines(model: FittedModel, x: str, by: str | None) -> tuple[Line, ...]:
    """One line per level of a categorical ``by``, or at a few values of a numeric ``by``, or a single line.

    Predictors other than ``x`` and ``by`` are held at their baseline or mean (``Line.fixed`` says which).
    Lines that cannot be written as an equation (a transformed moderator) are left out.
    """
    others = fixed_values(model, [x] if by is None else [x, by])
    if by is None:
        found = line(model, x, others, label="fitted line")
        return (found,) if found else ()
    cat = model.categorical(by)
    out: list[Line] = []
    if cat is not None:
        for level in cat.levels:
            found = line(model, x, {by: level, **others}, label=level, group=level)
            if found:
                out.append(found)
        return tuple(out)
    for value in moderator_values(model, by):
        found = line(model, x, {by: value, **others}, label=f"{by} = {format_value(value)}", group=value)
        if found:
            out.append(found)
    return tuple(out)


def sample_curve(
    model: FittedModel, x: str, assigned: Mapping[str, str | float], lo: float, hi: float, points: int = 60
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The model's predictions along ``x`` from ``lo`` to ``hi`` with the others set as in ``assigned``."""
    xs = np.linspace(lo, hi, points)
    frame = pd.DataFrame({x: xs, **{name: [value] * points for name, value in assigned.items()}})
    with np.errstate(all="ignore"):
        ys = model.predict_frame(frame)
    keep = np.isfinite(ys)
    return tuple(float(v) for v in xs[keep]), tuple(float(v) for v in ys[keep])
