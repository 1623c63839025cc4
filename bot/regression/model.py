"""Fit a validated formula by ordinary least squares into an immutable value with everything explanations need.

No formula text reaches patsy or statsmodels: the design matrices are built from the parsed, validated
structure (``design.design_matrices``), whose factors compute their values without evaluating anything.
"""

from __future__ import annotations

import itertools
import math
import re
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
import patsy
from statsmodels.regression.linear_model import OLS

from bot.regression import formula as fm
from bot.regression.datasets import Dataset
from bot.regression.design import ExprFactor, design_matrices
from bot.regression.errors import ModelError, ValueParseError, suggestion
from bot.regression.text import value_text

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Indicator:
    """A 0/1 indicator: 1 when ``variable`` equals ``level``; ``baseline`` is the level coded as all zeros."""

    variable: str
    level: str
    baseline: str | None

    @property
    def text(self) -> str:
        """How the indicator reads in an equation: ``[lesson = Lesson B]``."""
        return f"[{self.variable} = {self.level}]"


@dataclass(frozen=True)
class Numeric:
    """A numeric factor: a plain column (``plain``) or a transform of one or more columns."""

    text: str
    variables: tuple[str, ...]
    plain: bool
    expr: Any = field(compare=False, repr=False)

    @property
    def pretty(self) -> str:
        """The factor as it reads in an equation (``completed²`` for ``I(completed ** 2)``)."""
        return pretty_factor(self.text)


Part = Indicator | Numeric
CoefficientKind = Literal["intercept", "slope", "indicator", "interaction", "transformed"]


@dataclass(frozen=True)
class Coefficient:
    """One estimated coefficient with its uncertainty and what it belongs to (``parts``; empty = intercept)."""

    name: str
    estimate: float
    std_error: float
    t_value: float
    p_value: float
    ci_low: float
    ci_high: float
    parts: tuple[Part, ...]

    @property
    def kind(self) -> CoefficientKind:
        """Intercept, numeric slope, indicator, interaction or transformed term."""
        if not self.parts:
            return "intercept"
        if len(self.parts) > 1:
            return "interaction"
        part = self.parts[0]
        if isinstance(part, Indicator):
            return "indicator"
        return "slope" if part.plain else "transformed"

    @property
    def feature(self) -> str:
        """What the coefficient multiplies in the equation: ``[lesson = Lesson B]·completed``; ``1`` if none."""
        if not self.parts:
            return "1"
        return "·".join(p.text if isinstance(p, Indicator) else p.pretty for p in self.parts)

    @property
    def variables(self) -> tuple[str, ...]:
        """The dataset columns this coefficient involves."""
        names: list[str] = []
        for part in self.parts:
            names.extend([part.variable] if isinstance(part, Indicator) else part.variables)
        return tuple(dict.fromkeys(names))


@dataclass(frozen=True)
class Categorical:
    """A categorical predictor as the fit coded it: its levels, and the baseline (first level)."""

    variable: str
    levels: tuple[str, ...]
    baseline: str | None


@dataclass(frozen=True)
class NumericSummary:
    """Range and centre of a numeric column over the rows the model used."""

    variable: str
    minimum: float
    mean: float
    median: float
    maximum: float


@dataclass(frozen=True)
class FittedModel:
    """An OLS fit: coefficients with uncertainty, fit statistics, and the coding of every predictor."""

    dataset: str
    dataset_version: str
    formula: fm.Formula
    formula_text: str
    response: str
    response_column: str
    coefficients: tuple[Coefficient, ...]
    r_squared: float
    adj_r_squared: float
    n: int
    rows_dropped: int
    df_model: float
    df_resid: float
    resid_se: float
    f_value: float | None
    f_pvalue: float | None
    categoricals: tuple[Categorical, ...]
    numerics: tuple[NumericSummary, ...]
    fitted: tuple[float, ...] = field(repr=False)
    residuals: tuple[float, ...] = field(repr=False)
    rows: tuple[Any, ...] = field(default=(), repr=False)
    confidence: float = CONFIDENCE
    results: Any = field(default=None, compare=False, repr=False)
    design_info: Any = field(default=None, compare=False, repr=False)

    @property
    def intercept(self) -> Coefficient | None:
        """The intercept, or None for a model fitted without one."""
        return next((c for c in self.coefficients if c.kind == "intercept"), None)

    def coefficient(self, name: str) -> Coefficient:
        """The coefficient with statsmodels' name ``name`` (e.g. ``lesson[T.Lesson B]``)."""
        for coef in self.coefficients:
            if coef.name == name:
                return coef
        raise KeyError(name)

    def categorical(self, variable: str) -> Categorical | None:
        """How ``variable`` was coded, if it is categorical in this model."""
        return next((c for c in self.categoricals if c.variable == variable), None)

    def numeric(self, variable: str) -> NumericSummary | None:
        """Range of ``variable`` in the fitted rows, if it is a numeric predictor."""
        return next((s for s in self.numerics if s.variable == variable), None)

    def predictors(self) -> tuple[str, ...]:
        """The dataset columns on the right-hand side, in formula order."""
        return self.formula.rhs_columns()

    def used_rows(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The rows of the dataset's ``frame`` this model was fitted on."""
        return frame.loc[list(self.rows)]

    def design_matrix(self, frame: pd.DataFrame) -> np.ndarray:
        """The design matrix of this model for new rows (``frame`` must hold every predictor column).

        A categorical value may be given as its level name (``"9"`` for ``C(completed)``) or as it is.
        """
        if not self.design_info.factor_infos:
            return np.ones((len(frame), 1))
        frame = frame.copy()
        for info in self.design_info.factor_infos.values():
            variable = fm.factor_columns(_factor_expr(self.formula, info.factor))[0]
            if info.type != "categorical" or variable not in frame:
                continue
            by_name = {level_name(category): category for category in info.categories}
            values = [by_name.get(level_name(v), v) for v in frame[variable]]
            if all(isinstance(c, str) for c in info.categories):
                frame[variable] = pd.Categorical(values, categories=list(info.categories))
            else:
                frame[variable] = values
        with np.errstate(all="ignore"):
            (matrix,) = patsy.build_design_matrices(
                [self.design_info], frame, NA_action=patsy.NAAction(NA_types=[])
            )
        return np.asarray(matrix)

    def design_row(self, values: Mapping[str, Any]) -> np.ndarray:
        """The design-matrix row for one observation given by column values (used for predictions)."""
        return self.design_matrix(pd.DataFrame({k: [v] for k, v in values.items()}, index=[0]))[0]

    def predict_frame(self, frame: pd.DataFrame) -> np.ndarray:
        """Predicted means for every row of ``frame``."""
        return self.design_matrix(frame) @ np.array([c.estimate for c in self.coefficients])


def level_name(value: object) -> str:
    """A category as a level name: whole floats lose their ``.0`` (``C(completed)`` has level ``"9"``)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def fit(dataset: Dataset, text: str, limits: fm.Limits | None = None) -> FittedModel:
    """Parse, validate and fit ``text`` on ``dataset``; every user mistake raises a ``UserInputError``."""
    limits = limits or fm.Limits()
    parsed = fm.parse(text, limits)
    return fit_parsed(dataset, parsed, text, limits)


def fit_parsed(
    dataset: Dataset, parsed: fm.Formula, text: str | None = None, limits: fm.Limits | None = None
) -> FittedModel:
    """Validate and fit an already parsed formula (``text`` is what the user typed, for carets)."""
    limits = limits or fm.Limits()
    fm.validate(
        parsed,
        dataset.column_kinds(),
        text if text is not None else parsed.canonical(),
        levels=dataset.level_counts(),
        n_rows=len(dataset.frame),
        limits=limits,
    )
    used = list(parsed.columns())
    frame = dataset.frame[used].dropna()
    dropped = len(dataset.frame) - len(frame)
    if len(frame) == 0:
        raise ModelError(
            "No row has a value in every column this formula uses.",
            "Try a formula with other columns: " + ", ".join(f"`{c}`" for c in used) + " are all needed.",
        )
    frame = _drop_unused_levels(frame)
    y, x = _design(parsed, frame)
    _check_design(parsed, frame, y, x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = OLS(y, x).fit()
    return _summarise(dataset, parsed, results, y, x, frame, dropped)


def _drop_unused_levels(frame: pd.DataFrame) -> pd.DataFrame:
    """Remove categorical levels with no rows left (patsy would otherwise make all-zero columns)."""
    frame = frame.copy()
    for name in frame.columns:
        if isinstance(frame[name].dtype, pd.CategoricalDtype):
            frame[name] = frame[name].cat.remove_unused_categories()
    return frame


def _design(parsed: fm.Formula, frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Build response and design matrices from the validated structure (nothing is evaluated)."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            y, x = design_matrices(parsed, frame)
        except patsy.PatsyError as exc:
            raise ModelError(f"This formula cannot be built on this data: {exc.message}") from None
    return y, x


def _check_design(parsed: fm.Formula, frame: pd.DataFrame, y: pd.DataFrame, x: pd.DataFrame) -> None:
    """Reject designs that cannot give a meaningful least-squares fit, saying why."""
    lost = len(frame) - len(x)
    if lost:
        raise ModelError(
            f"A transform gave an undefined value in {lost} of {len(frame)} rows.",
            "`log` needs values above 0 and `sqrt` values of at least 0; "
            "try `log(I(x + 1))` or drop the transform.",
        )
    if not (np.isfinite(x.to_numpy()).all() and np.isfinite(y.to_numpy()).all()):
        raise ModelError(
            "A transform gave an infinite value (for example `log(0)` or a huge `exp`).",
            "Shift the column inside the transform, e.g. `log(I(x + 1))`, or drop the transform.",
        )
    n, k = x.shape
    if n <= k:
        raise ModelError(
            f"This model has {k} coefficients but only {n} usable rows; it needs more rows than coefficients.",
            "Use fewer predictors or fewer interaction terms.",
        )
    if np.ptp(y.to_numpy()) == 0:
        raise ModelError(
            f"`{fm.factor_text(parsed.response)}` has the same value in every row; there is nothing to explain."
        )
    constant = [c for c in x.columns if c != "Intercept" and np.ptp(x[c].to_numpy()) == 0]
    if constant:
        raise ModelError(
            f"`{constant[0]}` has the same value in every row used, so its slope cannot be estimated.",
            "Remove it from the formula.",
        )
    if np.linalg.matrix_rank(x.to_numpy()) < k:
        raise ModelError(
            "Some predictors are exact combinations of others (perfect collinearity), "
            "so their coefficients cannot be separated.",
            "Remove a repeated or derived predictor (e.g. a column and a rescaled copy of it).",
        )


def _summarise(
    dataset: Dataset,
    parsed: fm.Formula,
    results: Any,
    y: pd.DataFrame,
    x: pd.DataFrame,
    frame: pd.DataFrame,
    dropped: int,
) -> FittedModel:
    """Collect the numbers and the coding of every coefficient into a FittedModel."""
    design_info = x.design_info
    parts = _coefficient_parts(parsed, design_info)
    ci = np.asarray(results.conf_int(1 - CONFIDENCE))
    params, bse = np.asarray(results.params), np.asarray(results.bse)
    tvalues, pvalues = np.asarray(results.tvalues), np.asarray(results.pvalues)
    coefficients = tuple(
        Coefficient(
            name=name,
            estimate=float(params[i]),
            std_error=float(bse[i]),
            t_value=float(tvalues[i]),
            p_value=float(pvalues[i]),
            ci_low=float(ci[i, 0]),
            ci_high=float(ci[i, 1]),
            parts=parts[i],
        )
        for i, name in enumerate(design_info.column_names)
    )
    categoricals = tuple(
        Categorical(
            variable=fm.factor_columns(_factor_expr(parsed, info.factor))[0],
            levels=tuple(level_name(level) for level in info.categories),
            baseline=level_name(info.categories[0])
            if parsed.intercept or _has_numeric_first(design_info, info)
            else None,
        )
        for info in design_info.factor_infos.values()
        if info.type == "categorical"
    )
    categorical_names = {c.variable for c in categoricals}
    numerics = tuple(
        NumericSummary(
            variable=name,
            minimum=float(frame[name].min()),
            mean=float(frame[name].mean()),
            median=float(frame[name].median()),
            maximum=float(frame[name].max()),
        )
        for name in parsed.rhs_columns()
        if name not in categorical_names and pd.api.types.is_numeric_dtype(frame[name])
    )
    has_f = parsed.intercept and len(coefficients) > 1
    return FittedModel(
        dataset=dataset.name,
        dataset_version=dataset.version,
        formula=parsed,
        formula_text=parsed.canonical(),
        response=fm.factor_text(parsed.response),
        response_column=fm.factor_columns(parsed.response)[0],
        coefficients=coefficients,
        r_squared=float(results.rsquared),
        adj_r_squared=float(results.rsquared_adj),
        n=int(results.nobs),
        rows_dropped=dropped,
        df_model=float(results.df_model),
        df_resid=float(results.df_resid),
        resid_se=math.sqrt(float(results.scale)),
        f_value=float(results.fvalue) if has_f else None,
        f_pvalue=float(results.f_pvalue) if has_f else None,
        categoricals=categoricals,
        numerics=numerics,
        fitted=tuple(float(v) for v in results.fittedvalues),
        residuals=tuple(float(v) for v in results.resid),
        rows=tuple(x.index),
        results=results,
        design_info=design_info,
    )


def _has_numeric_first(design_info: Any, info: Any) -> bool:
    """Whether a categorical factor is coded with a baseline even without an intercept (not its first use)."""
    for subterm in itertools.chain.from_iterable(design_info.term_codings.values()):
        if info.factor in subterm.contrast_matrices:
            return not _is_full_rank(subterm.contrast_matrices[info.factor].matrix)
    return False


def _is_full_rank(matrix: np.ndarray) -> bool:
    """A contrast matrix with one column per level (no baseline)."""
    return matrix.shape[0] == matrix.shape[1]


def _factor_expr(parsed: fm.Formula, factor: Any) -> fm.Expr:
    """Our expression for a design factor (every factor is an ``ExprFactor`` of the parsed formula)."""
    if isinstance(factor, ExprFactor):
        return factor.expr
    raise LookupError(f"factor {factor.name()} is not in {parsed.canonical()}")


def _coefficient_parts(parsed: fm.Formula, design_info: Any) -> list[tuple[Part, ...]]:
    """For every design column, the indicator and numeric parts it is the product of."""
    columns: list[tuple[Part, ...]] = []
    names: list[str] = []
    for term in design_info.terms:
        for subterm in design_info.term_codings[term]:
            for combo in _combinations(design_info, subterm):
                pieces, name_pieces = [], []
                for factor, idx in zip(subterm.factors, combo, strict=True):
                    expr = _factor_expr(parsed, factor)
                    if factor in subterm.contrast_matrices:
                        contrast = subterm.contrast_matrices[factor]
                        levels = [level_name(c) for c in design_info.factor_infos[factor].categories]
                        level = levels[int(np.argmax(contrast.matrix[:, idx]))]
                        baseline = None if _is_full_rank(contrast.matrix) else levels[0]
                        pieces.append(Indicator(fm.factor_columns(expr)[0], level, baseline))
                        name_pieces.append(factor.name() + contrast.column_suffixes[idx])
                    else:
                        pieces.append(
                            Numeric(
                                fm.factor_text(expr), fm.factor_columns(expr), fm.is_plain_column(expr), expr
                            )
                        )
                        name_pieces.append(factor.name())
                columns.append(tuple(pieces))
                names.append(":".join(name_pieces) or "Intercept")
    if names != list(design_info.column_names):
        raise AssertionError(f"design column coding mismatch: {names} != {design_info.column_names}")
    return columns


def _combinations(design_info: Any, subterm: Any) -> Iterator[tuple[int, ...]]:
    """Column index combinations of a subterm in patsy's order (left-most factor varies fastest)."""
    counts = [
        subterm.contrast_matrices[f].matrix.shape[1]
        if f in subterm.contrast_matrices
        else design_info.factor_infos[f].num_columns
        for f in subterm.factors
    ]
    for combo in itertools.product(*[range(n) for n in reversed(counts)]):
        yield combo[::-1]


def pretty_factor(text: str) -> str:
    """Readable factor text: ``I(x ** 2)`` becomes ``x²``, ``I(x ** 3)`` ``x³``; anything else unchanged."""
    superscripts = {"2": "²", "3": "³", "4": "⁴"}
    if text.startswith("I(") and text.endswith(")"):
        inner = text[2:-1]
        base, sep, power = inner.rpartition(" ** ")
        if sep and power in superscripts and fm.is_identifier(base):
            return base + superscripts[power]
        return inner
    return text


@dataclass(frozen=True)
class Prediction:
    """A predicted mean with the arithmetic that produced it and its intervals."""

    values: tuple[tuple[str, str], ...]
    estimate: float
    terms: tuple[tuple[Coefficient, float], ...]
    ci_low: float
    ci_high: float
    pi_low: float
    pi_high: float


def parse_values(model: FittedModel, text: str) -> dict[str, str | float]:
    """Parse ``"completed=35 lesson=Lesson A"`` (or comma separated) into values for every predictor."""
    predictors = list(model.predictors())
    found: dict[str, str | float] = {}
    pattern = _value_pattern(predictors)
    position = 0
    stripped = text.strip()
    if not stripped and predictors:
        raise ValueParseError("Give a value for every predictor.", "For example: " + _values_example(model))
    for match in pattern.finditer(stripped):
        gap = stripped[position : match.start()].strip(" ,;")
        if gap:
            raise _unknown_value_name(model, gap, predictors)
        name, raw = match.group("name"), match.group("value").strip().strip(",;").strip()
        found[name] = _coerce_value(model, name, raw)
        position = match.end()
    rest = stripped[position:].strip(" ,;")
    if rest:
        raise _unknown_value_name(model, rest, predictors)
    missing = [p for p in predictors if p not in found]
    if missing:
        raise ValueParseError(
            "Missing a value for " + ", ".join(f"`{m}`" for m in missing) + ".",
            "For example: " + _values_example(model),
        )
    return found


def _value_pattern(predictors: list[str]) -> re.Pattern[str]:
    """A regex that finds ``name=value`` pairs for the known names (longest names first)."""
    names = "|".join(re.escape(p) for p in sorted(predictors, key=len, reverse=True))
    return re.compile(rf"(?P<name>{names})\s*=\s*(?P<value>.*?)(?=(?:[\s,;]+(?:{names})\s*=)|$)", re.DOTALL)


def _unknown_value_name(model: FittedModel, text: str, predictors: list[str]) -> ValueParseError:
    """The error for text that is not a ``name=value`` pair of a predictor."""
    name = text.split("=", 1)[0].strip()[:60]
    if "=" not in text:
        return ValueParseError(
            f"`{text[:60]}` is not a `name=value` pair.", "For example: " + _values_example(model)
        )
    return ValueParseError(
        f"`{name}` is not a predictor in this model.", suggestion(name, predictors, what="predictor")
    )


def _coerce_value(model: FittedModel, name: str, raw: str) -> str | float:
    """A level of a categorical predictor, or a finite number for a numeric one."""
    cat = model.categorical(name)
    if cat is not None:
        by_lower = {level.lower(): level for level in cat.levels}
        if raw.lower() in by_lower:
            return by_lower[raw.lower()]
        raise ValueParseError(
            f"`{raw[:60]}` is not a level of `{name}`.",
            "The levels are: " + ", ".join(f"`{lv}`" for lv in cat.levels) + ".",
        )
    try:
        number = float(raw)
    except ValueError:
        raise ValueParseError(
            f"`{name}` needs a number, not `{raw[:60]}`.", f"For example: {name}={_round_value(model, name)}"
        ) from None
    if not math.isfinite(number) or abs(number) > 1e12:
        raise ValueParseError(
            f"`{name}={raw[:60]}` is not a usable number.", "Give an ordinary finite number."
        )
    return number


def _round_value(model: FittedModel, name: str) -> str:
    """A typical value of a numeric predictor for examples."""
    summary = model.numeric(name)
    return value_text(summary.median) if summary else "1"


def _values_example(model: FittedModel) -> str:
    """An example ``values`` text for this model."""
    pieces = []
    for name in model.predictors():
        cat = model.categorical(name)
        pieces.append(f"{name}={cat.levels[0] if cat else _round_value(model, name)}")
    return "`" + " ".join(pieces) + "`"


def predict(model: FittedModel, values: Mapping[str, str | float]) -> Prediction:
    """The predicted mean for ``values`` with each coefficient's contribution and the intervals."""
    row = model.design_row(values)
    if not np.isfinite(row).all():
        raise ValueParseError(
            "A transform in this model is undefined at these values (e.g. `log` of a number ≤ 0).",
            "Choose values inside the data's range.",
        )
    estimates = np.array([c.estimate for c in model.coefficients])
    estimate = float(row @ estimates)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame_pred = model.results.get_prediction(row.reshape(1, -1)).summary_frame(
            alpha=1 - model.confidence
        )
    return Prediction(
        values=tuple((k, value_text(v)) for k, v in values.items()),
        estimate=estimate,
        terms=tuple((c, float(v)) for c, v in zip(model.coefficients, row, strict=True)),
        ci_low=float(frame_pred["mean_ci_lower"].iloc[0]),
        ci_high=float(frame_pred["mean_ci_upper"].iloc[0]),
        pi_low=float(frame_pred["obs_ci_lower"].iloc[0]),
        pi_high=float(frame_pred["obs_ci_upper"].iloc[0]),
    )
