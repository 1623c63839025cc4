"""What a fitted model says, as comparisons of its own predictions at stated values inside the data.

A coefficient is a number the model uses; what it *means* is a comparison of two predictions. This module
computes those comparisons (the way marginaleffects and ggeffects explain a model): the gap between two
groups at stated values of everything else, the slope of a predictor at stated values where it varies,
the prediction for a typical case, and for every coefficient the values at which it is exactly that
quantity (the gap or slope where the other variable is 0) and whether those values occur in the data.
Each number carries its 95 % interval, computed from the coefficients' covariance (a difference or a
slope of predictions is a linear combination of the coefficients, so the interval is exact for OLS).

How a predictor enters is found from the predictions too, not from the kind of term: a slope that changes
along its own axis is a curve, one that changes with another predictor is an interaction, whatever the
formula's spelling. The walkthrough, /predict, /compare and the alt text read these values; they never
restate a number that was not computed here.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from bot.regression import formula as fm
from bot.regression.datasets import Dataset
from bot.regression.equations import coefficient_labels, substituted
from bot.regression.errors import UserInputError
from bot.regression.model import Coefficient, FittedModel, Indicator, Numeric, fit_parsed, level_name
from bot.regression.text import as_shown

Value = str | float
Case = tuple[tuple[str, Value], ...]
#: Groups compared, drawn or listed at most.
MAX_GROUPS = 12
#: Relative size below which two computed quantities count as the same (numerical noise).
_SAME = 1e-6

ReadingKind = Literal[
    "mean",
    "intercept",
    "intercept-none",
    "gap",
    "level-value",
    "slope",
    "slope-where",
    "per-doubling",
    "bend",
    "slope-difference",
    "level-slope",
    "slope-change",
    "gap-difference",
    "term",
]
ScaleKind = Literal["identity", "log", "sqrt", "other"]


# ------------------------------------------------------------------------------------------------ values


@dataclass(frozen=True)
class Interval:
    """An estimate with its confidence interval."""

    estimate: float
    low: float
    high: float

    @property
    def includes_zero(self) -> bool:
        """Whether the data are consistent with no difference (the interval contains 0)."""
        return self.low <= 0 <= self.high

    @property
    def excludes_zero(self) -> bool:
        """Whether the whole interval lies on one side of 0."""
        return not self.includes_zero

    def times(self, factor: float) -> Interval:
        """The interval of ``factor`` times the quantity."""
        low, high = sorted((self.low * factor, self.high * factor))
        return Interval(self.estimate * factor, low, high)

    def exp(self) -> Interval:
        """``exp`` of the estimate and of both ends (a log-scale difference as a ratio)."""
        return Interval(math.exp(self.estimate), math.exp(self.low), math.exp(self.high))


@dataclass(frozen=True)
class Variable:
    """A predictor column over the fitted rows: its range or levels, and the values explanations use.

    ``typical`` is the value others are held at (a round value near the mean, or the baseline level);
    ``stated`` the values comparisons are made at (round values inside the range, or the levels);
    ``zero`` the value where the variable's own terms are 0 (0 for a plain column, the mean for
    ``center()``, 1 for ``log()``; the baseline level), or None when no value makes them 0.
    """

    name: str
    categorical: bool
    typical: Value
    stated: tuple[Value, ...]
    zero: Value | None
    near_zero: int
    n: int
    levels: tuple[str, ...] = ()
    baseline: str | None = None
    counts: tuple[int, ...] = ()
    response_means: tuple[float, ...] = ()
    minimum: float = math.nan
    maximum: float = math.nan
    mean: float = math.nan
    sd: float = math.nan
    whole: bool = False

    def inside(self, value: Value) -> bool:
        """Whether ``value`` occurs in the data (a level with rows, or a number inside the range)."""
        if self.categorical:
            return value in self.levels and self.count(str(value)) > 0
        return isinstance(value, int | float) and self.minimum <= float(value) <= self.maximum

    def count(self, level: str) -> int:
        """Rows with this level."""
        return dict(zip(self.levels, self.counts, strict=True)).get(level, 0)

    def response_mean(self, level: str) -> float:
        """The mean response (on the fitted scale) of the rows with this level."""
        return dict(zip(self.levels, self.response_means, strict=True)).get(level, math.nan)

    @property
    def zero_inside(self) -> bool:
        """Whether the zero value occurs in the data."""
        return self.zero is not None and self.inside(self.zero)


@dataclass(frozen=True)
class Change:
    """Two predictions that differ only in ``variable`` (from ``start`` to ``end``), and their difference.

    ``held`` are the values of every other predictor. ``difference`` is end minus start on the fitted
    scale, with its interval.
    """

    variable: str
    start: Value
    end: Value
    held: Case
    start_prediction: float
    end_prediction: float
    difference: Interval


@dataclass(frozen=True)
class Slope:
    """The slope of the prediction in ``variable`` (per one unit of it) at the values in ``at``."""

    variable: str
    at: Case
    slope: Interval

    @property
    def value(self) -> Value:
        """The variable's own value where the slope is taken."""
        return dict(self.at)[self.variable]


@dataclass(frozen=True)
class Predicted:
    """The predicted mean at the values in ``at``, with its interval."""

    at: Case
    value: Interval


Comparison = Change | Slope | Predicted


@dataclass(frozen=True)
class Reading:
    """What one coefficient is, computed from predictions.

    ``kind`` says which comparison the coefficient equals; ``subject`` is the predictor it is about,
    ``other`` the second predictor of an interaction. ``where`` gives the values at which the coefficient
    is exactly that comparison (empty when it is the same everywhere, ``constant``), and ``where_inside``
    whether they all occur in the data. ``per`` is how much of ``subject`` one unit of its term is (1 for a
    plain column, the standard deviation for ``standardize()``). ``comparisons`` are the same comparison
    at stated values inside the data.
    """

    symbol: str
    coefficient: Coefficient
    kind: ReadingKind
    subject: str = ""
    level: str | None = None
    versus: str | None = None
    other: str | None = None
    where: Case = ()
    where_inside: bool = True
    constant: bool = False
    per: float = 1.0
    factor: str = ""
    comparisons: tuple[Comparison, ...] = ()
    shared: tuple[str, ...] = ()
    rate: float | None = None


@dataclass(frozen=True)
class Scale:
    """The scale the response was fitted on: the column itself, its log, its square root, or another transform."""

    kind: ScaleKind
    column: str
    text: str

    def back(self, value: float) -> float | None:
        """A prediction on the fitted scale back on the response's own scale (None when there is no rule)."""
        if self.kind == "identity":
            return value
        if self.kind == "log":
            return math.exp(value) if value < 700 else None
        if self.kind == "sqrt":
            return value * value if value >= 0 else None
        return None


@dataclass(frozen=True)
class Axes:
    """What the pictures are organised around: ``x`` on the horizontal axis, lines ``by`` (a categorical's
    levels or a few values of a second numeric predictor, of kind ``by_kind``), ``others`` held fixed."""

    x: str | None
    by: str | None
    by_kind: Literal["categorical", "numeric"] | None
    others: tuple[str, ...]


@dataclass(frozen=True)
class Shape:
    """What the pictures and per-group equations are organised around.

    ``x`` is the numeric predictor on the horizontal axis; ``by`` splits the lines (a categorical's levels
    or a few values of a second numeric predictor); ``others`` are held fixed in the pictures.
    ``interaction``: x's slope differs across ``by``; ``curved``: it changes along x.
    """

    x: str | None
    by: str | None
    by_kind: Literal["categorical", "numeric"] | None
    others: tuple[str, ...]
    interaction: bool
    curved: bool


@dataclass(frozen=True)
class Contribution:
    """One design column that the simple regression's slope mixes in: its coefficient here (``coefficient``)
    times how much it rises per unit of x among the rows (``rise``, the slope of that column on x)."""

    name: str
    variable: str
    coefficient: float
    rise: float


@dataclass(frozen=True)
class Relation:
    """How another predictor goes with x in the data: x's mean per level, or the correlation."""

    variable: str
    means: tuple[tuple[str, float], ...] = ()
    correlation: float | None = None


@dataclass(frozen=True)
class SlopeChange:
    """x's slope alone (``y ~ x`` on the same rows) and in this model, and why they differ.

    Both are coefficients of x's own term ``term`` (``completed``, ``center(completed)``, per SD for
    ``standardize``). ``alone = here + Σ coefficient × rise`` over ``contributions`` exactly (least squares
    on the same rows). ``equation`` and ``line`` (points along x) are the simple regression's, for the
    pooled line in the picture; ``straight`` when its term is x itself. ``simpson``: a real grouping
    reverses a slope whose intervals both exclude 0.
    """

    variable: str
    formula: str
    alone: Interval
    here: Interval
    term: str
    equation: str
    line: tuple[tuple[float, ...], tuple[float, ...]]
    straight: bool
    contributions: tuple[Contribution, ...]
    relations: tuple[Relation, ...]
    simpson: bool

    @property
    def reversed(self) -> bool:
        """Whether the two slopes have opposite signs."""
        return (self.alone.estimate < 0) != (self.here.estimate < 0)


@dataclass(frozen=True)
class SeparateSlopes:
    """x's slope per level if the model let it differ (``y ~ by * x + others``), with the differences."""

    formula: str
    variable: str
    by: str
    slopes: tuple[tuple[str, Interval], ...]
    differences: tuple[tuple[str, Interval], ...]


@dataclass(frozen=True)
class SpreadComparison:
    """Numeric predictors' slopes per standard deviation: comparable across units."""

    entries: tuple[tuple[str, float, float, Interval], ...]
    same_unit: bool

    @property
    def ranked(self) -> tuple[tuple[str, float, float, Interval], ...]:
        """Entries by the size of the per-SD difference, largest first."""
        return tuple(sorted(self.entries, key=lambda e: abs(e[3].estimate), reverse=True))

    @property
    def raw_order_differs(self) -> bool:
        """Whether ranking the raw slopes would give another order than ranking per SD."""
        by_raw = sorted(self.entries, key=lambda e: abs(e[1]), reverse=True)
        return [e[0] for e in by_raw] != [e[0] for e in self.ranked]


@dataclass(frozen=True)
class SharedStart:
    """Lines of every level of ``by`` forced through one point: x = ``at`` (no main effect of ``by``)."""

    by: str
    x: str
    at: float
    prediction: float
    inside: bool


@dataclass(frozen=True)
class Outlier:
    """The row furthest from its prediction: its label, residual and residual in residual standard errors."""

    label: str
    residual: float
    standardized: float


@dataclass(frozen=True)
class FitSummary:
    """How well the model fits, and what its residual plot shows.

    ``usual_r_squared`` is the R² around the mean (what R² means with an intercept), for a model without
    one, whose own R² is uncentred (around 0). ``funnel`` is the rank correlation between the fitted values
    and the size of the residuals (a growing spread shows as a large positive value); ``levels`` how many
    distinct response values there are (few levels draw stripes in the residual plot). ``floor`` is
    (value, rows, next value) when several rows share the lowest response far below all the others.
    """

    r_squared: float
    usual_r_squared: float | None
    funnel: float
    levels: int
    outlier: Outlier | None
    floor: tuple[float, int, float] | None = None


class Meaning:
    """Everything the explanations state about one fitted model, computed from its predictions.

    Each part is worked out when it is first read (and kept), so a page that states only the variables and
    the axes of the picture costs no readings: ``variables``, ``typical``, ``axes`` and ``scale`` are cheap;
    ``readings``, ``shape``, ``shared_start``, ``spread`` and ``fit`` predict at many cases.
    """

    def __init__(self, explainer: _Explainer) -> None:
        self._explainer = explainer
        self.model = explainer.model
        self.scale = response_scale(explainer.model)
        self.variables = tuple(explainer.variables.values())
        self.typical: Case = tuple(explainer.typical().items())
        self.axes = explainer.axes()

    @cached_property
    def readings(self) -> tuple[Reading, ...]:
        """A reading of every coefficient."""
        return self._explainer.readings()

    @cached_property
    def shape(self) -> Shape:
        """The axes of the pictures, and whether x's slope varies with ``by`` or along x."""
        return self._explainer.shape(self.axes)

    @cached_property
    def cell_means(self) -> bool:
        """Whether the coefficients of a categorical are its levels' means (no intercept)."""
        return self.model.intercept is None and any(r.kind == "level-value" for r in self.readings)

    @cached_property
    def shared_start(self) -> SharedStart | None:
        """Whether every group's line is forced through one point."""
        return self._explainer.shared_start(self.shape)

    @cached_property
    def spread(self) -> SpreadComparison | None:
        """The per-SD comparison of the numeric predictors, where it applies."""
        return self._explainer.spread(self.readings)

    @cached_property
    def fit(self) -> FitSummary:
        """R² and what the residuals show."""
        return self._explainer.fit_summary()

    def variable(self, name: str) -> Variable:
        """The predictor called ``name``."""
        return next(v for v in self.variables if v.name == name)

    def reading(self, name: str) -> Reading:
        """The reading of the coefficient called ``name``."""
        return next(r for r in self.readings if r.coefficient.name == name)

    def reads_as_level(self, coefficient: Coefficient) -> bool:
        """Whether the coefficient (a single indicator) is read as a gap from its baseline or as its
        level's own prediction, without reading every coefficient (``readings``) to find out."""
        (part,) = coefficient.parts
        assert isinstance(part, Indicator)
        return part.baseline is not None or self._explainer.level_value(part, coefficient)

    def predict(self, case: Mapping[str, Value]) -> Interval:
        """The predicted mean at ``case`` (predictors not given are at their typical values)."""
        return Predictions(self.model).predict({**dict(self.typical), **case})

    def held(self, exclude: Sequence[str]) -> Case:
        """The typical values of every predictor not in ``exclude``."""
        return tuple((name, value) for name, value in self.typical if name not in exclude)

    def constant_slope(self, name: str) -> Interval | None:
        """``name``'s slope when it is the same at every value of everything (an additive straight line)."""
        variable = next((v for v in self.variables if v.name == name), None)
        if variable is None or variable.categorical:
            return None
        for reading in self.readings:
            if reading.subject == name and reading.kind == "slope" and reading.constant:
                return next(c.slope for c in reading.comparisons if isinstance(c, Slope))
        return None


# ------------------------------------------------------------------------------------------ predictions


class Predictions:
    """A fitted model's predictions at stated cases, with intervals from the coefficients' covariance."""

    def __init__(self, model: FittedModel) -> None:
        self.model = model
        self.beta = np.array([c.estimate for c in model.coefficients], dtype=float)
        self.cov = np.asarray(model.results.cov_params(), dtype=float)
        self.t = float(stats.t.ppf(0.5 + model.confidence / 2, model.df_resid))
        self._rows: dict[tuple[tuple[str, Value], ...], np.ndarray] = {}

    def design(self, cases: Sequence[Mapping[str, Value]]) -> np.ndarray:
        """Design rows for ``cases`` (each gives a value for every predictor), built once per distinct case."""
        keys = [tuple(sorted(dict(case).items(), key=lambda item: item[0])) for case in cases]
        missing = list(dict.fromkeys(key for key in keys if key not in self._rows))
        if missing:
            frame = pd.DataFrame([dict(key) for key in missing], index=range(len(missing)))
            for key, row in zip(missing, self.model.design_matrix(frame), strict=True):
                self._rows[key] = row
        width = len(self.beta)
        return np.array([self._rows[key] for key in keys]).reshape(len(keys), width)

    def prefetch(
        self, cases: Sequence[Mapping[str, Value]], slopes: Sequence[tuple[str, float]] = ()
    ) -> None:
        """Build the rows of many cases in one go (with the steps ``slope`` takes for each name in ``slopes``)."""
        wanted = list(cases)
        for name, step in slopes:
            for case in cases:
                x = float(case[name])
                wanted += [{**case, name: x - step}, {**case, name: x + step}]
        self.design(wanted)

    def combination(self, weights: np.ndarray) -> Interval:
        """``weights · b`` with its interval."""
        with np.errstate(all="ignore"):
            estimate = float(weights @ self.beta)
            variance = float(weights @ self.cov @ weights)
        spread = self.t * math.sqrt(max(variance, 0.0)) if math.isfinite(variance) else math.nan
        return Interval(estimate, estimate - spread, estimate + spread)

    def predict(self, case: Mapping[str, Value]) -> Interval:
        """The predicted mean at ``case``."""
        return self.combination(self.design([case])[0])

    def change(self, case: Mapping[str, Value], variable: str, start: Value, end: Value) -> Change:
        """Predictions at ``case`` with ``variable`` at ``start`` and at ``end``, and their difference."""
        rows = self.design([{**case, variable: start}, {**case, variable: end}])
        held = tuple((k, v) for k, v in case.items() if k != variable)
        return Change(
            variable,
            start,
            end,
            held,
            float(rows[0] @ self.beta),
            float(rows[1] @ self.beta),
            self.combination(rows[1] - rows[0]),
        )

    def slope(self, case: Mapping[str, Value], variable: str, step: float) -> Slope:
        """The slope in ``variable`` at ``case`` (central difference, forward where the left is undefined)."""
        x = float(case[variable])
        rows = self.design([{**case, variable: x - step}, {**case, variable: x + step}, case])
        if np.isfinite(rows[0]).all():
            weights = (rows[1] - rows[0]) / (2 * step)
        else:
            weights = (rows[1] - rows[2]) / step
        return Slope(variable, tuple(case.items()), self.combination(weights))


# ---------------------------------------------------------------------------------------------- helpers


def _same(a: float, b: float, scale: float) -> bool:
    """Equal up to numerical noise relative to ``scale``."""
    return abs(a - b) <= _SAME * max(scale, abs(a), abs(b), 1e-12)


def _tidy(value: float) -> float:
    """Strip floating-point noise from a round value."""
    return float(f"{value:.10g}")


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
        multiples = [_tidy(i * step) for i in range(first, first + 200) if i * step <= maximum + 1e-9]
        if len(multiples) > count:
            chosen = sorted(multiples, key=lambda v: (abs(v - centre), v))[:count]
            return tuple(sorted(chosen))
    return (_tidy(centre),)


def typical_value(mean: float, minimum: float, maximum: float, whole: bool = False) -> float:
    """A round value near the mean, inside the range: 30.75 on a 9-53 scale becomes 31 (a whole number
    for a column of whole numbers)."""
    span = maximum - minimum
    if not span > 0:
        return _tidy(mean)
    step = 10 ** math.floor(math.log10(span)) / 10
    if whole:
        step = max(step, 1.0)
    value = min(max(round(mean / step) * step, minimum), maximum)
    return _tidy(value)


def response_scale(model: FittedModel) -> Scale:
    """Which scale the response was fitted on."""
    expr = model.formula.response
    text = fm.factor_text(expr)
    column = model.response_column
    if isinstance(expr, fm.Column):
        return Scale("identity", column, text)
    if isinstance(expr, fm.Call) and isinstance(expr.arg, fm.Column) and expr.func in ("log", "sqrt"):
        return Scale(expr.func, column, text)
    return Scale("other", column, text)


# ------------------------------------------------------------------------------------------------ build


def explain(dataset: Dataset, model: FittedModel) -> Meaning:
    """Compute what ``model`` says about ``dataset``: the variables, a reading of every coefficient, the shape."""
    return Meaning(_Explainer(dataset, model))


class _Explainer:
    """Works out the readings of one model (kept private: ``explain`` is the entry point)."""

    def __init__(self, dataset: Dataset, model: FittedModel) -> None:
        self.dataset = dataset
        self.model = model
        self.rows = model.used_rows(dataset.frame)
        self.response = pd.Series(
            np.asarray(model.fitted) + np.asarray(model.residuals), index=self.rows.index
        )
        self.predictions = Predictions(model)
        self.variables = {v.name: v for v in self._variables()}
        self.scale_y = float(np.std(np.asarray(model.fitted) + np.asarray(model.residuals))) or 1.0

    # -- variables

    def _variables(self) -> list[Variable]:
        """Every predictor with its range or levels (zero values need the typical case, so come second)."""
        out = []
        for name in self.model.predictors():
            cat = self.model.categorical(name)
            if cat is not None:
                labels = self.rows[name].astype(object).map(level_name)
                counts = labels.value_counts()
                means = self.response.groupby(labels.to_numpy()).mean()
                levels = cat.levels
                out.append(
                    Variable(
                        name=name,
                        categorical=True,
                        typical=cat.baseline or levels[0],
                        stated=levels[:MAX_GROUPS],
                        zero=cat.baseline,
                        near_zero=int(counts.get(cat.baseline, 0)) if cat.baseline else 0,
                        n=len(self.rows),
                        levels=levels,
                        baseline=cat.baseline,
                        counts=tuple(int(counts.get(level, 0)) for level in levels),
                        response_means=tuple(float(means.get(level, math.nan)) for level in levels),
                    )
                )
                continue
            values = self.rows[name].to_numpy(dtype=float)
            low, high, mean = float(values.min()), float(values.max()), float(values.mean())
            out.append(
                Variable(
                    name=name,
                    categorical=False,
                    typical=typical_value(mean, low, high, bool(np.all(np.mod(values, 1) == 0))),
                    stated=nice_values(low, high, float(np.median(values))),
                    zero=None,
                    near_zero=0,
                    n=len(values),
                    minimum=low,
                    maximum=high,
                    mean=mean,
                    sd=float(values.std()),
                    whole=bool(np.all(np.equal(np.mod(values, 1), 0))),
                )
            )
        with_zero = []
        for variable in out:
            if not variable.categorical:
                zero = self._zero(variable, {v.name: v.typical for v in out})
                near = 0
                if zero is not None:
                    width = 0.025 * (variable.maximum - variable.minimum)
                    near = int((np.abs(self.rows[variable.name].to_numpy(dtype=float) - zero) <= width).sum())
                variable = replace(variable, zero=zero, near_zero=near)
            with_zero.append(variable)
        return with_zero

    def _own_columns(self, name: str) -> list[int]:
        """Design columns made only of numeric terms of ``name`` alone (``x``, ``x²``, ``log(x)``)."""
        return [
            j
            for j, coef in enumerate(self.model.coefficients)
            if coef.parts and all(isinstance(p, Numeric) and p.variables == (name,) for p in coef.parts)
        ]

    def _zero(self, variable: Variable, typical: dict[str, Value]) -> float | None:
        """The value of a numeric predictor at which all its own terms are 0, or None if there is none."""
        columns = self._own_columns(variable.name)
        parts = [self.model.coefficients[j].parts for j in columns]
        if all(len(own) == 1 and isinstance(own[0], Numeric) and own[0].plain for own in parts):
            return 0.0  # no own terms, or only the column itself: plainly 0 at 0
        ends = self.predictions.design(
            [{**typical, variable.name: variable.minimum}, {**typical, variable.name: variable.maximum}]
        )[:, columns]
        candidates = [0.0, variable.mean, 1.0]
        first, last = ends[0, 0], ends[1, 0]
        if np.isfinite([first, last]).all() and first != last:
            candidates.append(
                variable.minimum - first * (variable.maximum - variable.minimum) / (last - first)
            )
        scale = float(np.nanmax(np.abs(ends))) if np.isfinite(ends).any() else 1.0
        rows = self.predictions.design([{**typical, variable.name: c} for c in candidates])[:, columns]
        for candidate, row in zip(candidates, rows, strict=True):
            if np.isfinite(row).all() and np.all(np.abs(row) <= 1e-7 * max(scale, 1.0)):
                return _tidy(candidate)
        return None

    # -- cases

    def typical(self, **overrides: Value) -> dict[str, Value]:
        """Every predictor at its typical value, with ``overrides``."""
        return {**{v.name: v.typical for v in self.variables.values()}, **overrides}

    def step(self, name: str) -> float:
        """A small step in a numeric predictor for slopes."""
        variable = self.variables[name]
        return max(variable.maximum - variable.minimum, abs(variable.mean), 1.0) * 1e-4

    def slope(self, name: str, **overrides: Value) -> Slope:
        """``name``'s slope at the typical case with ``overrides``."""
        return self.predictions.slope(self.typical(**overrides), name, self.step(name))

    def gap(self, name: str, level: str, versus: str, **overrides: Value) -> Change:
        """The gap between ``level`` and ``versus`` of a categorical at the typical case with ``overrides``."""
        return self.predictions.change(self.typical(**overrides), name, versus, level)

    def _probe_values(self, variable: Variable) -> tuple[Value, ...]:
        """Values of a predictor at which to test whether it changes another's slope or gap."""
        if variable.categorical:
            return tuple(level for level in variable.levels[:MAX_GROUPS] if variable.count(level))
        return (variable.minimum, variable.maximum)

    def moderators(self, quantity: str, **fixed: Value) -> tuple[str, ...]:
        """The other predictors whose value changes ``quantity`` (a slope ``"slope:x"`` or gap ``"gap:c:L:B"``)."""
        found = []
        kind, name, *levels = quantity.split(":", 3)
        others = [o for o in self.variables.values() if o.name not in fixed and o.name != name]
        cases = [self.typical(**fixed, **{o.name: v}) for o in others for v in self._probe_values(o)]
        if kind == "slope":
            self.predictions.prefetch(cases, [(name, self.step(name))])
        else:
            self.predictions.prefetch([{**c, name: lv} for c in cases for lv in levels])
        for other in others:
            values = [self._measure(quantity, **fixed, **{other.name: v}) for v in self._probe_values(other)]
            finite = [v for v in values if math.isfinite(v)]
            scale = max((abs(v) for v in finite), default=0.0) + self._unit(quantity)
            if any(not _same(v, finite[0], scale) for v in finite[1:]):
                found.append(other.name)
        return tuple(found)

    def _unit(self, quantity: str) -> float:
        """The size below which a slope or gap counts as no change (relative to the response's spread)."""
        name = quantity.split(":")[1]
        variable = self.variables[name]
        if variable.categorical:
            return self.scale_y * 1e-3
        return self.scale_y / max(variable.maximum - variable.minimum, 1e-12) * 1e-3

    def _measure(self, quantity: str, **overrides: Value) -> float:
        """The value of a slope or gap at the typical case with ``overrides``."""
        kind, name, *levels = quantity.split(":", 3)
        if kind == "slope":
            return self.slope(name, **overrides).slope.estimate
        return self.gap(name, levels[0], levels[1], **overrides).difference.estimate

    def curved(self, name: str, **fixed: Value) -> bool:
        """Whether ``name``'s slope changes along its own axis."""
        variable = self.variables[name]
        values = [
            self.slope(name, **fixed, **{name: v}).slope.estimate for v in self._spread_values(variable)
        ]
        scale = max(abs(v) for v in values) + self._unit(f"slope:{name}")
        return any(not _same(v, values[0], scale) for v in values[1:])

    @staticmethod
    def _spread_values(variable: Variable) -> list[float]:
        """Values across a numeric predictor's range."""
        span = variable.maximum - variable.minimum
        return [variable.minimum + f * span for f in (0.1, 0.5, 0.9)]

    def zero_case(self, names: Sequence[str]) -> Case | None:
        """The zero values of ``names`` (None when one has no zero)."""
        out = []
        for name in names:
            zero = self.variables[name].zero
            if zero is None:
                return None
            out.append((name, zero))
        return tuple(out)

    def inside(self, case: Case) -> bool:
        """Whether every value of ``case`` occurs in the data."""
        return all(self.variables[name].inside(value) for name, value in case)

    # -- readings

    def readings(self) -> tuple[Reading, ...]:
        """A reading of every coefficient."""
        symbols = coefficient_labels(self.model)
        return tuple(
            self._reading(symbol, coef) for symbol, coef in zip(symbols, self.model.coefficients, strict=True)
        )

    def fit_summary(self) -> FitSummary:
        """R² (and the usual one beside an uncentred R²) and what the residual plot shows."""
        fitted, residuals = np.asarray(self.model.fitted), np.asarray(self.model.residuals)
        observed = fitted + residuals
        usual = None
        if not self.model.results.model.k_constant:
            usual = float(1 - (residuals**2).sum() / ((observed - observed.mean()) ** 2).sum())
        funnel = float(stats.spearmanr(fitted, np.abs(residuals))[0]) if np.ptp(fitted) > 0 else 0.0
        outlier = None
        if len(residuals) and self.model.resid_se > 0:
            i = int(np.argmax(np.abs(residuals)))
            standardized = float(residuals[i] / self.model.resid_se)
            if abs(standardized) >= 3:
                outlier = Outlier(self._row_label(i), float(residuals[i]), standardized)
        values, counts = np.unique(observed, return_counts=True)
        floor = None
        if len(values) > 2 and counts[0] >= max(3, len(observed) // 100):
            gap = values[1] - values[0]
            if gap > self.model.resid_se and gap > 3 * float(np.median(np.diff(values))):
                floor = (float(values[0]), int(counts[0]), float(values[1]))
        return FitSummary(
            float(self.model.r_squared),
            usual,
            funnel if math.isfinite(funnel) else 0.0,
            len(values),
            outlier,
            floor,
        )

    def _row_label(self, position: int) -> str:
        """A row's name: a label column (a categorical with a different value in every row), else its number."""
        for info in self.dataset.columns:
            if info.kind == "categorical" and self.dataset.frame[info.name].nunique() == len(
                self.dataset.frame
            ):
                return str(self.rows[info.name].iloc[position])
        return f"row {int(self.rows.index[position]) + 1}"

    def _reading(self, symbol: str, coef: Coefficient) -> Reading:
        """The reading of one coefficient."""
        base = Reading(symbol, coef, "term")
        parts = coef.parts
        if not parts:
            return self._intercept(base)
        if len(parts) == 1 and isinstance(parts[0], Indicator):
            return self._indicator(base, parts[0])
        if len(parts) == 1 and len(parts[0].variables) == 1:
            return self._numeric(base, parts[0])
        if len(parts) == 2:
            first, second = parts
            if isinstance(first, Numeric) and isinstance(second, Indicator):
                first, second = second, first
            if isinstance(first, Indicator) and isinstance(second, Numeric) and len(second.variables) == 1:
                return self._indicator_slope(base, first, second)
            if isinstance(first, Numeric) and isinstance(second, Numeric):
                return self._slope_change(base, first, second)
            if isinstance(first, Indicator) and isinstance(second, Indicator):
                return self._gap_difference(base, first, second)
        return self._term(base)

    def _term(self, base: Reading) -> Reading:
        """A coefficient that is not one comparison: its variables' slopes or gaps at stated values."""
        comparisons: list[Comparison] = []
        for name in base.coefficient.variables:
            variable = self.variables[name]
            if variable.categorical and variable.baseline:
                comparisons += [
                    self.gap(name, level, variable.baseline) for level in variable.levels[1:MAX_GROUPS]
                ]
            elif not variable.categorical:
                comparisons += [self.slope(name, **{name: v}) for v in variable.stated]
        return replace(
            base, kind="term", subject=base.coefficient.variables[0], comparisons=tuple(comparisons)
        )

    def _intercept(self, base: Reading) -> Reading:
        """The intercept: the prediction where every term is 0, and whether that case is in the data."""
        names = [v.name for v in self.variables.values()]
        if not names:
            return replace(base, kind="mean", constant=True)
        shared = tuple(
            v.name
            for v in self.variables.values()
            if v.categorical
            and not any(
                c.parts and c.variables == (v.name,) and c.kind == "indicator"
                for c in self.model.coefficients
            )
        )
        zero = self.zero_case([n for n in names if n not in shared])
        typical = Predicted(tuple(self.typical().items()), self.predictions.predict(self.typical()))
        if zero is None or not self._all_terms_zero(dict(zero)):
            return replace(base, kind="intercept-none", comparisons=(typical,))
        return replace(
            base,
            kind="intercept",
            where=zero,
            where_inside=self.inside(zero),
            comparisons=(typical,),
            shared=shared,
        )

    def _all_terms_zero(self, zero: dict[str, Value], keep: Coefficient | None = None) -> bool:
        """Whether every design column but the intercept (and ``keep``) is 0 at ``zero`` (others typical)."""
        row = self.predictions.design([self.typical(**zero)])[0]
        columns = [j for j, c in enumerate(self.model.coefficients) if c.parts and c is not keep]
        return bool(np.all(np.abs(row[columns]) <= 1e-7 * max(1.0, float(np.abs(row).max()))))

    def level_value(self, part: Indicator, coefficient: Coefficient) -> bool:
        """Whether an indicator without a baseline is its level's own prediction: every other term is zero
        where the other predictors are at zero (else it is read as a term)."""
        others = [v for v in self.variables if v != part.variable]
        zero = self.zero_case(others)
        return zero is not None and self._all_terms_zero(
            {**dict(zero), part.variable: part.level}, keep=coefficient
        )

    def _indicator(self, base: Reading, part: Indicator) -> Reading:
        """An indicator: a gap from the baseline, or (no baseline) the level's own prediction."""
        name = part.variable
        others = [v for v in self.variables if v != name]
        if part.baseline is None:
            if not self.level_value(part, base.coefficient):
                return self._term(base)
            zero = self.zero_case(others) or ()
            at = self.typical(**{name: part.level})
            kind: ReadingKind = "level-value"
            return replace(
                base,
                kind=kind,
                subject=name,
                level=part.level,
                where=zero,
                where_inside=self.inside(zero),
                constant=not others,
                comparisons=(Predicted(tuple(at.items()), self.predictions.predict(at)),),
            )
        quantity = f"gap:{name}:{part.level}:{part.baseline}"
        moderators = self.moderators(quantity)
        reading = replace(base, kind="gap", subject=name, level=part.level, versus=part.baseline)
        if not moderators:
            return replace(reading, constant=True, comparisons=(self.gap(name, part.level, part.baseline),))
        zero = self.zero_case(moderators) or ()
        return replace(
            reading,
            other=moderators[0],
            where=zero,
            where_inside=self.inside(zero),
            comparisons=tuple(
                self.gap(name, part.level, part.baseline, **{moderators[0]: v})
                for v in self.variables[moderators[0]].stated
            ),
        )

    def _per(self, part: Numeric) -> float:
        """How much of its variable one unit of a term is, where the term is a straight line in it."""
        name = part.variables[0]
        variable = self.variables[name]
        j = next(i for i, c in enumerate(self.model.coefficients) if c.parts == (part,))
        values = self._spread_values(variable)
        rows = self.predictions.design([self.typical(**{name: v}) for v in values])[:, j]
        rises = np.diff(rows) / np.diff(values)
        if not np.isfinite(rises).all() or rises[0] == 0 or not _same(rises[0], rises[1], abs(rises[0])):
            return math.nan
        return _tidy(1 / rises[0])

    def _numeric(self, base: Reading, part: Numeric) -> Reading:
        """A numeric term of one predictor: a slope, a slope where others are 0, a bend, a doubling."""
        name = part.variables[0]
        variable = self.variables[name]
        per = self._per(part)
        moderators = self.moderators(f"slope:{name}")
        curved = self.curved(name)
        reading = replace(base, subject=name, factor=part.text, per=per if math.isfinite(per) else 1.0)
        slopes_along = tuple(self.slope(name, **{name: v}) for v in variable.stated)
        if math.isfinite(per) and not curved and not moderators:
            example = self.predictions.change(
                self.typical(), name, variable.typical, as_shown(float(variable.typical) + per)
            )
            return replace(reading, kind="slope", constant=True, comparisons=(self.slope(name), example))
        if math.isfinite(per):
            where = self._slope_where(name, moderators, base.coefficient.estimate / per)
            if where is not None:
                if moderators and not curved:
                    comparisons = self._slopes_across(name, moderators[0])
                else:
                    comparisons = slopes_along
                return replace(
                    reading,
                    kind="slope-where",
                    other=moderators[0] if moderators else None,
                    where=where,
                    where_inside=self.inside(where),
                    comparisons=comparisons,
                )
        if curved and not moderators and part.text.startswith("log(") and len(self._own_columns(name)) == 1:
            doubling = self._doubling(name)
            if doubling is not None:
                return replace(reading, kind="per-doubling", constant=True, comparisons=(doubling,))
        if curved and not moderators and self._is_square(part) and len(slopes_along) > 1:
            first, last = slopes_along[0], slopes_along[-1]
            rate = (last.slope.estimate - first.slope.estimate) / (float(last.value) - float(first.value))
            return replace(reading, kind="bend", comparisons=slopes_along, rate=rate)
        return replace(reading, kind="term", comparisons=slopes_along)

    def _slopes_across(self, name: str, moderator: str) -> tuple[Slope, ...]:
        """``name``'s slope at each stated value of ``moderator`` (others typical)."""
        return tuple(self.slope(name, **{moderator: v}) for v in self.variables[moderator].stated)

    @staticmethod
    def _is_square(part: Numeric) -> bool:
        """``I(x ** 2)``: a term whose slope change is 2b per unit."""
        expr = part.expr
        return (
            isinstance(expr, fm.Call)
            and expr.func == "I"
            and isinstance(expr.arg, fm.BinOp)
            and expr.arg.op == "**"
            and isinstance(expr.arg.left, fm.Column)
            and expr.arg.right == fm.Number(2.0)
        )

    def _slope_where(self, name: str, moderators: Sequence[str], target: float) -> Case | None:
        """The values (this variable's and the moderators' zeros) at which ``name``'s slope equals ``target``."""
        moderator_zero = self.zero_case(moderators)
        if moderator_zero is None:
            return None
        variable = self.variables[name]
        candidates: list[Value | None] = [None, 0.0, variable.mean, variable.zero]
        for candidate in candidates:
            at = dict(moderator_zero)
            if candidate is not None:
                at[name] = candidate
            value = self.slope(name, **at).slope.estimate
            if math.isfinite(value) and _same(value, target, abs(target) + self._unit(f"slope:{name}")):
                if candidate is not None and not self.curved(name, **dict(moderator_zero)):
                    at.pop(name)
                return tuple(at.items())
        return None

    def _doubling(self, name: str) -> Change | None:
        """Doubling ``name`` (or 10 % more when doubling leaves the data), if that difference is constant."""
        variable = self.variables[name]
        for factor in (2.0, 1.1):
            starts = [v for v in variable.stated if float(v) > 0 and float(v) * factor <= variable.maximum]
            if not starts:
                continue
            changes = [
                self.predictions.change(self.typical(), name, v, as_shown(float(v) * factor)) for v in starts
            ]
            first = changes[0].difference.estimate
            if all(_same(c.difference.estimate, first, abs(first)) for c in changes):
                return changes[len(changes) // 2]
        return None

    def _indicator_slope(self, base: Reading, indicator: Indicator, part: Numeric) -> Reading:
        """Indicator × numeric: how much steeper the level's slope is, or (no baseline) the level's slope."""
        name, group = part.variables[0], indicator.variable
        per = self._per_in_product(base.coefficient, part)
        if not math.isfinite(per):  # a level's own curve term (``lesson:I(completed**2)``): no one slope
            return self._term(base)
        reading = replace(base, subject=name, other=group, level=indicator.level, versus=indicator.baseline)
        if indicator.baseline is None:
            comparisons = (self.slope(name, **{group: indicator.level}),)
            return replace(reading, kind="level-slope", per=per, comparisons=comparisons)
        comparisons = (
            self.slope(name, **{group: indicator.baseline}),
            self.slope(name, **{group: indicator.level}),
        )
        return replace(reading, kind="slope-difference", per=per, comparisons=comparisons)

    def _per_in_product(self, coef: Coefficient, part: Numeric) -> float:
        """How much of the numeric variable one unit of its term in a product is (1 for a plain column)."""
        own = next((c for c in self.model.coefficients if c.parts == (part,)), None)
        if own is not None:
            per = self._per(part)
            return per if math.isfinite(per) else 1.0
        return 1.0 if part.plain else math.nan

    def _slope_change(self, base: Reading, first: Numeric, second: Numeric) -> Reading:
        """Numeric × numeric: one predictor's slope changes with the other."""
        x, z = first.variables[0], second.variables[0]
        if len(first.variables) > 1 or len(second.variables) > 1 or x == z:
            return self._term(base)
        return replace(base, kind="slope-change", subject=x, other=z, comparisons=self._slopes_across(x, z))

    def _gap_difference(self, base: Reading, first: Indicator, second: Indicator) -> Reading:
        """Indicator × indicator: how much a gap differs between two levels of the other categorical."""
        if first.baseline is None or second.baseline is None:
            return self._term(base)
        comparisons = tuple(
            self.gap(first.variable, first.level, first.baseline, **{second.variable: level})
            for level in (second.baseline, second.level)
        )
        return replace(
            base,
            kind="gap-difference",
            subject=first.variable,
            level=first.level,
            versus=first.baseline,
            other=second.variable,
            comparisons=comparisons,
            where=((second.variable, second.level),),
        )

    # -- model-level notes

    def axes(self) -> Axes:
        """The horizontal axis and the grouping of the pictures: the first numeric predictor on x, lines by
        the first categorical (else the second numeric), the others held fixed."""
        names = list(self.variables)
        numeric = [n for n in names if not self.variables[n].categorical]
        categorical = [n for n in names if self.variables[n].categorical]
        x = numeric[0] if numeric else None
        by: str | None = None
        by_kind: Literal["categorical", "numeric"] | None = None
        if categorical:
            by, by_kind = categorical[0], "categorical"
        elif len(numeric) > 1:
            by, by_kind = numeric[1], "numeric"
        return Axes(x, by, by_kind, tuple(n for n in names if n not in (x, by)))

    def shape(self, axes: Axes) -> Shape:
        """The axes, and whether x's slope differs across ``by`` or changes along x."""
        x, by = axes.x, axes.by
        interaction = bool(x and by and by in self.moderators(f"slope:{x}"))
        curved = bool(x and self.curved(x))
        return Shape(x, by, axes.by_kind, axes.others, interaction, curved)

    def shared_start(self, shape: Shape) -> SharedStart | None:
        """Whether the model forces every group's line through one point (``a:b`` without ``a``)."""
        if shape.by_kind != "categorical" or shape.x is None or shape.by is None:
            return None
        by, x = shape.by, shape.x
        if any(c.parts and c.variables == (by,) for c in self.model.coefficients):
            return None
        if not shape.interaction:
            return None
        variable = self.variables[x]
        if variable.zero is None:
            return None
        levels = [lv for lv in self.variables[by].levels if self.variables[by].count(lv)]
        values = [
            self.predictions.predict(self.typical(**{by: lv, x: variable.zero})).estimate for lv in levels
        ]
        if not all(_same(v, values[0], self.scale_y) for v in values):
            return None
        return SharedStart(by, x, float(variable.zero), values[0], variable.inside(variable.zero))

    def spread(self, readings: Sequence[Reading]) -> SpreadComparison | None:
        """Per-SD comparison of the numeric predictors, when every one has a single constant slope."""
        numeric = [v for v in self.variables.values() if not v.categorical]
        if len(numeric) < 2:
            return None
        entries = []
        for variable in numeric:
            own = [r for r in readings if r.subject == variable.name and r.kind != "intercept"]
            if len(own) != 1 or own[0].kind != "slope" or not own[0].constant:
                return None
            slope = next(c.slope for c in own[0].comparisons if isinstance(c, Slope))
            entries.append((variable.name, slope.estimate, variable.sd, slope.times(variable.sd)))
        units = {self._unit_of(v.name) for v in numeric}
        return SpreadComparison(tuple(entries), len(units) == 1 and None not in units)

    def _unit_of(self, name: str) -> str | None:
        """The manifest unit of a column."""
        try:
            return self.dataset.column(name).unit
        except KeyError:
            return None


# --------------------------------------------------------------------------------------- extra fits


def _restricted(dataset: Dataset, model: FittedModel) -> Dataset:
    """The dataset cut to the rows the model used, so extra fits compare like with like."""
    return replace(dataset, frame=model.used_rows(dataset.frame))


def own_factor(model: FittedModel, name: str) -> fm.Expr:
    """How the model writes ``name`` on its own (``lesson``, ``C(year)``, ``center(completed)``)."""
    for term in model.formula.terms:
        if len(term.factors) == 1 and fm.factor_columns(term.factors[0]) == (name,):
            return term.factors[0]
    return fm.Column(name)


def simple_formula(model: FittedModel, x: str) -> fm.Formula:
    """``y ~ x`` with the model's response (and, like the model, with or without an intercept)."""
    return fm.Formula(model.formula.response, (fm.Term((own_factor(model, x),)),), model.formula.intercept)


def slope_change(dataset: Dataset, model: FittedModel, meaning: Meaning) -> SlopeChange | None:
    """How x's coefficient alone (same rows) relates to its coefficient here, when x has one coefficient
    here whose reading is the same at every value of everything else (a slope, or a change per doubling)."""
    x = meaning.shape.x
    if x is None or len(meaning.variables) < 2:
        return None
    own = [r for r in meaning.readings if r.subject == x and r.kind not in ("intercept", "intercept-none")]
    if len(own) != 1 or own[0].kind not in ("slope", "per-doubling") or not own[0].constant:
        return None
    formula = simple_formula(model, x)
    try:
        alone = fit_parsed(_restricted(dataset, model), formula)
    except UserInputError:
        return None
    alone_slope = next(c for c in alone.coefficients if c.parts)
    alone_interval = Interval(alone_slope.estimate, alone_slope.ci_low, alone_slope.ci_high)
    contributions = decompose(model, alone, alone_slope.name)
    if contributions is None:
        return None
    own = model.coefficient(alone_slope.name)
    here = Interval(own.estimate, own.ci_low, own.ci_high)
    variable = meaning.variable(x)
    xs = tuple(
        float(v)
        for v in np.linspace(variable.minimum, variable.maximum, 2 if alone_slope.kind == "slope" else 40)
    )
    ys = tuple(float(v) for v in alone.predict_frame(pd.DataFrame({x: xs})))
    relations = tuple(
        relation(model.used_rows(dataset.frame), v, x) for v in meaning.variables if v.name != x
    )
    groups = any(v.categorical for v in meaning.variables)
    simpson = (
        groups
        and (alone_interval.estimate < 0) != (here.estimate < 0)
        and alone_interval.excludes_zero
        and here.excludes_zero
    )
    return SlopeChange(
        variable=x,
        formula=formula.canonical(),
        alone=alone_interval,
        here=here,
        term=alone_slope.name,
        equation=substituted(alone),
        line=(xs, ys),
        straight=alone_slope.kind == "slope",
        contributions=contributions,
        relations=relations,
        simpson=simpson,
    )


def decompose(larger: FittedModel, smaller: FittedModel, name: str) -> tuple[Contribution, ...] | None:
    """Why coefficient ``name`` differs between two nested fits on the same rows, term by term.

    Least squares gives exactly ``smaller = larger + Σ coefficient × rise`` over the terms only the larger
    model has, where ``rise`` is the coefficient of ``name`` when that term is regressed on the smaller
    model's terms (how much the term rises per unit of ``name``, the others held). None when the smaller
    model's terms are not all in the larger one, or the rows differ.
    """
    names = [c.name for c in larger.coefficients]
    small = [c.name for c in smaller.coefficients]
    if larger.n != smaller.n or not set(small) <= set(names) or name not in small:
        return None
    exog = np.asarray(larger.results.model.exog, dtype=float)
    design = exog[:, [names.index(n) for n in small]]
    position = small.index(name)
    out = []
    for j, coef in enumerate(larger.coefficients):
        if coef.name in small:
            continue
        rise = float(np.linalg.lstsq(design, exog[:, j], rcond=None)[0][position])
        out.append(Contribution(coef.name, coef.variables[0] if coef.variables else "", coef.estimate, rise))
    return tuple(out)


def relation(rows: pd.DataFrame, variable: Variable, x: str) -> Relation:
    """How ``variable`` goes with x among the fitted rows."""
    if variable.categorical:
        means = rows.groupby(rows[variable.name].astype(object).map(level_name))[x].mean()
        ordered = tuple((lv, float(means[lv])) for lv in variable.levels if lv in means.index)
        return Relation(variable.name, means=ordered[:MAX_GROUPS])
    pair = rows[[variable.name, x]].astype(float)
    r = float(pair[variable.name].corr(pair[x])) if len(pair) > 2 else math.nan
    return Relation(variable.name, correlation=r if math.isfinite(r) else None)


def separate_slopes(dataset: Dataset, model: FittedModel, meaning: Meaning) -> SeparateSlopes | None:
    """x's slope per level of ``by`` if the model let the slopes differ, and how far each is from the baseline's."""
    shape = meaning.shape
    if shape.by_kind != "categorical" or shape.x is None or shape.by is None or shape.interaction:
        return None
    if meaning.constant_slope(shape.x) is None:
        return None
    formula = interaction_formula(model, shape)
    try:
        wider = fit_parsed(_restricted(dataset, model), formula)
    except UserInputError:
        return None
    explainer = _Explainer(_restricted(dataset, model), wider)
    variable = explainer.variables[shape.by]
    levels = [lv for lv in variable.levels if variable.count(lv)][:MAX_GROUPS]
    slopes = tuple((lv, explainer.slope(shape.x, **{shape.by: lv}).slope) for lv in levels)
    differences = tuple(
        (part.level, Interval(c.estimate, c.ci_low, c.ci_high))
        for c in wider.coefficients
        if c.kind == "interaction" and set(c.variables) == {shape.by, shape.x}
        for part in c.parts
        if isinstance(part, Indicator)
    )
    return SeparateSlopes(formula.canonical(), shape.x, shape.by, slopes, differences)


def interaction_formula(model: FittedModel, shape: Shape) -> fm.Formula:
    """The model with x and the grouping variable interacting (every other term kept)."""
    x, by = own_factor(model, shape.x or ""), own_factor(model, shape.by or "")
    terms = list(model.formula.terms)
    wanted = [fm.Term((by,)), fm.Term((x,)), fm.Term((by, x))]
    for term in wanted:
        if term not in terms and fm.Term(tuple(reversed(term.factors))) not in terms:
            terms.append(term)
    return fm.Formula(model.formula.response, tuple(terms), model.formula.intercept)


def ranges(
    dataset: Dataset,
    model: FittedModel,
    x: str,
    by: str | None,
    values: Sequence[Value],
    within: Case = (),
) -> dict[Value, tuple[float, float]]:
    """The range of x among the fitted rows of each value of ``by`` (rows near a value, for a numeric ``by``),
    counting only rows with the levels in ``within`` (the groups other predictors are held at)."""
    rows = model.used_rows(dataset.frame)
    for name, level in within:
        rows = rows[rows[name].astype(object).map(level_name) == str(level)]
    xs = rows[x].to_numpy(dtype=float)
    if by is None:
        return {}
    if model.categorical(by) is not None:
        labels = rows[by].astype(object).map(level_name).to_numpy()
        return {
            value: (float(xs[labels == value].min()), float(xs[labels == value].max()))
            for value in values
            if (labels == value).any()
        }
    moderator = rows[by].to_numpy(dtype=float)
    numbers = sorted(float(v) for v in values)
    half = min((b - a for a, b in itertools.pairwise(numbers)), default=math.inf) / 2
    out = {}
    for value in values:
        near = np.abs(moderator - float(value)) <= half
        if near.sum() >= 2:
            out[value] = (float(xs[near].min()), float(xs[near].max()))
    return out


@dataclass(frozen=True)
class Outside:
    """A predictor value outside the range of the rows it is compared with (all rows, or one group's)."""

    variable: str
    value: float
    minimum: float
    maximum: float
    among: Case


def outside_data(
    dataset: Dataset, model: FittedModel, values: Mapping[str, Value]
) -> tuple[tuple[Outside, ...], Case | None]:
    """Which numeric values of a case lie outside the data, overall or within the case's own groups.

    The second value is the case's combination of levels when no fitted row has it (else None).
    """
    rows = model.used_rows(dataset.frame)
    groups = tuple((n, v) for n, v in values.items() if model.categorical(n) is not None)
    mask = np.ones(len(rows), dtype=bool)
    for name, level in groups:
        mask &= rows[name].astype(object).map(level_name).to_numpy() == level
    empty = groups if groups and not mask.any() else None
    found = []
    for name, value in values.items():
        if model.categorical(name) is not None or isinstance(value, str):
            continue
        column = rows[name].to_numpy(dtype=float)
        if not column.min() <= float(value) <= column.max():
            found.append(Outside(name, float(value), float(column.min()), float(column.max()), ()))
        elif groups and mask.any():
            own = column[mask]
            if not own.min() <= float(value) <= own.max():
                found.append(Outside(name, float(value), float(own.min()), float(own.max()), groups))
    return tuple(found), empty
