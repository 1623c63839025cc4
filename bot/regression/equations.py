"""Equations of a fitted model: general form, estimates plugged in, and one equation per group or value.

Every number here comes from the fit. Signs are simplified the way an instructor writes them on the board:
``+ (−13.19)`` becomes ``− 13.19``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bot.regression.model import Coefficient, FittedModel, Indicator, Numeric
from bot.regression.text import number, value_text, worked_sum

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
        shown = number(abs(value), decimals)
        negative = value < 0 and shown.strip("0.,") != ""
        body = f"{shown}·{text}" if text else shown
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
        shown = number(coef.estimate, decimals)
        shown = f"({shown})" if coef.estimate < 0 else shown
        pieces.append(shown if coef.kind == "intercept" else f"{shown}·{coef.feature}")
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
    out (``18.34 − 13.19 = 5.16``, with a line of more digits where the rounded numbers do not add up).
    ``transformed`` gives the value of each transformed term of another predictor that the arithmetic
    multiplies by (``standardize(bill_length_mm)`` is −0.72 at 40).
    """

    label: str
    x: str
    group: str | float | None
    fixed: tuple[tuple[str, str | float], ...]
    terms: tuple[tuple[float, str], ...]
    derivations: tuple[tuple[str, str], ...]
    transformed: tuple[tuple[str, float], ...] = ()

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


def _part_value(
    model: FittedModel, part: Indicator | Numeric, x: str, assigned: Mapping[str, str | float]
) -> float | str | None:
    """A part's value under ``assigned``: a number, the feature text if it involves ``x``, None if unknown.

    A transformed term of another predictor (``standardize(z)``) takes the value the model's own design
    gives it at the assigned value, so its stateful mean and spread are the fit's.
    """
    if isinstance(part, Indicator):
        return 1.0 if assigned.get(part.variable) == part.level else 0.0
    if x in part.variables:
        return part.pretty
    if not all(v in assigned for v in part.variables):
        return None
    if part.plain:
        return float(assigned[part.variables[0]])
    column = next((j for j, c in enumerate(model.coefficients) if c.parts == (part,)), None)
    if column is None:
        return None
    case = {name: assigned.get(name, 0.0) for name in model.predictors()}
    value = float(model.design_row(case)[column])
    return value if np.isfinite(value) else None


def line(
    model: FittedModel,
    x: str,
    assigned: Mapping[str, str | float],
    label: str,
    group: str | float | None = None,
) -> Line | None:
    """The equation in ``x`` with every other predictor set as in ``assigned``; None if not expressible."""
    combined: dict[str, list[tuple[Coefficient, float]]] = {}
    transformed: dict[str, float] = {}
    for coef in model.coefficients:
        multiplier, features = 1.0, []
        for part in coef.parts:
            value = _part_value(model, part, x, assigned)
            if value is None:
                return None
            if isinstance(value, str):
                features.append(value)
            else:
                multiplier *= value
                if isinstance(part, Numeric) and not part.plain:
                    transformed[part.pretty] = value
        if multiplier != 0:
            combined.setdefault("·".join(features), []).append((coef, multiplier))
    terms, derivations = [], []
    for feature, contributions in combined.items():
        total = sum(c.estimate * m for c, m in contributions)
        terms.append((total, feature))
        if len(contributions) > 1 or any(m != 1 for _, m in contributions):
            pieces = [(c.estimate, None if m == 1 else m) for c, m in contributions]
            derivations.append((feature, worked_sum(pieces, total)))
    fixed = tuple(assigned.items())
    return Line(label, x, group, fixed, tuple(terms), tuple(derivations), tuple(transformed.items()))


def group_lines(
    model: FittedModel, x: str, by: str | None, values: Sequence[str | float], held: Mapping[str, str | float]
) -> tuple[Line, ...]:
    """One line in ``x`` per value of ``by`` (its levels, or chosen values of a numeric), or a single line.

    Every predictor other than ``x`` and ``by`` is set as in ``held`` (``Line.fixed`` says which).
    Lines that cannot be written as an equation (a transformed moderator) are left out.
    """
    others = {k: v for k, v in held.items() if k not in (x, by)}
    if by is None:
        found = line(model, x, others, label="fitted line")
        return (found,) if found else ()
    out: list[Line] = []
    categorical = model.categorical(by) is not None
    for value in values:
        label = str(value) if categorical else f"{by} = {value_text(value)}"
        found = line(model, x, {by: value, **others}, label=label, group=value)
        if found:
            out.append(found)
    return tuple(out)


Curve = tuple[tuple[float, ...], tuple[float, ...]]


def sample_curves(
    model: FittedModel,
    x: str,
    requests: Sequence[tuple[Mapping[str, str | float], float, float, int]],
) -> list[Curve]:
    """The model's predictions along ``x`` for each (values of the others, from, to, points) request, in one go."""
    pieces = []
    for assigned, lo, hi, points in requests:
        xs = np.linspace(lo, hi, points)
        pieces.append(pd.DataFrame({x: xs, **{name: [value] * points for name, value in assigned.items()}}))
    if not pieces:
        return []
    frame = pd.concat(pieces, ignore_index=True)
    with np.errstate(all="ignore"):
        ys = model.predict_frame(frame)
    out, start = [], 0
    for piece in pieces:
        xs, part = piece[x].to_numpy(dtype=float), ys[start : start + len(piece)]
        start += len(piece)
        keep = np.isfinite(part)
        out.append((tuple(float(v) for v in xs[keep]), tuple(float(v) for v in part[keep])))
    return out
