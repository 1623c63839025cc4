"""Design matrices built from the validated formula structure: no text is ever evaluated.

patsy builds the matrices (coding of categoricals, interactions, column names, predictions for new rows),
but every factor is an ``ExprFactor``: a patsy factor object that computes its values by walking a parsed
``formula.Expr`` with numpy. ``center`` and ``standardize`` are stateful, as in patsy: their mean and
standard deviation (ddof 0) are remembered from the rows the model was fitted on, so predictions for new
rows use the fit's values. ``evaluate`` computes one expression on a frame (for pictures of a transformed
response), with the stateful transforms taken over the rows it is given.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import patsy
from patsy.categorical import C as categorical

from bot.regression import formula as fm

_FUNCTIONS = {"log": np.log, "sqrt": np.sqrt, "exp": np.exp}
_STATEFUL = ("center", "standardize")
#: The memorised mean and standard deviation of each stateful node, by its position in the tree.
State = dict[int, tuple[float, float]]


def evaluate(expr: fm.Expr, frame: pd.DataFrame) -> np.ndarray:
    """The numeric values of ``expr`` on every row of ``frame`` (NaN where undefined, e.g. ``log`` of 0)."""
    state: State = {}
    for depth in range(1, _stateful_depth(expr) + 1):
        _memorize(expr, frame, state, depth)
    return _array(_value(expr, frame, state), len(frame))


def _array(value: np.ndarray | float, rows: int) -> np.ndarray:
    """A value as a float array over ``rows`` rows."""
    with np.errstate(all="ignore"):
        return np.asarray(value, dtype=float) * np.ones(rows)


def _nodes(expr: fm.Expr) -> list[fm.Expr]:
    """``expr`` and everything inside it, depth first (positions identify stateful nodes)."""
    out = [expr]
    if isinstance(expr, fm.UnaryOp):
        out += _nodes(expr.operand)
    elif isinstance(expr, fm.BinOp):
        out += _nodes(expr.left) + _nodes(expr.right)
    elif isinstance(expr, fm.Call):
        out += _nodes(expr.arg)
    return out


def _stateful_depth(expr: fm.Expr) -> int:
    """How many stateful transforms are nested inside each other at most (passes needed to memorise)."""
    inner = 0
    if isinstance(expr, fm.UnaryOp):
        inner = _stateful_depth(expr.operand)
    elif isinstance(expr, fm.BinOp):
        inner = max(_stateful_depth(expr.left), _stateful_depth(expr.right))
    elif isinstance(expr, fm.Call):
        inner = _stateful_depth(expr.arg)
    return inner + (isinstance(expr, fm.Call) and expr.func in _STATEFUL)


def _memorize(expr: fm.Expr, data: Mapping[str, Any], state: State, depth: int) -> None:
    """Remember mean and spread of every stateful node with ``depth`` levels of nesting (innermost is 1)."""
    rows = len(data[fm.factor_columns(expr)[0]])
    for position, node in enumerate(_nodes(expr)):
        if isinstance(node, fm.Call) and node.func in _STATEFUL and _stateful_depth(node) == depth:
            values = _array(_value(node.arg, data, state, position + 1), rows)
            finite = values[np.isfinite(values)]
            mean = float(finite.mean()) if len(finite) else np.nan
            spread = float(finite.std()) if len(finite) else np.nan
            state[position] = (mean, spread)


def _value(expr: fm.Expr, data: Mapping[str, Any], state: State, base: int = 0) -> np.ndarray | float:
    """One node's value (``base`` is its position in the whole tree, for stateful nodes)."""
    if isinstance(expr, fm.Column):
        return pd.to_numeric(pd.Series(np.asarray(data[expr.name], dtype=object)), errors="coerce").to_numpy(
            float
        )
    if isinstance(expr, fm.Number):
        return expr.value
    if isinstance(expr, fm.UnaryOp):
        operand = _value(expr.operand, data, state, base + 1)
        return -operand if expr.op == "-" else operand
    if isinstance(expr, fm.BinOp):
        left = _value(expr.left, data, state, base + 1)
        right = _value(expr.right, data, state, base + 1 + len(_nodes(expr.left)))
        with np.errstate(all="ignore"):
            match expr.op:
                case "+":
                    return left + right
                case "-":
                    return left - right
                case "*":
                    return left * right
                case "/":
                    return np.divide(left, right)
                case _:
                    return np.power(left, right)
    inner = _value(expr.arg, data, state, base + 1)
    if expr.func in _FUNCTIONS:
        with np.errstate(all="ignore"):
            return _FUNCTIONS[expr.func](inner)
    if expr.func in _STATEFUL:
        mean, spread = state.get(base, (np.nan, np.nan))
        centred = np.asarray(inner, dtype=float) - mean
        if expr.func == "center":
            return centred
        with np.errstate(all="ignore"):
            return centred / spread
    return inner


class ExprFactor:
    """A patsy factor whose values come from a validated expression (never from evaluated text).

    Its name is the expression's canonical patsy spelling (``I(completed ** 2)``, ``C(year)``), so design
    columns are named as statsmodels users expect.
    """

    def __init__(self, expr: fm.Expr) -> None:
        self.expr = expr
        self.origin = None

    def name(self) -> str:
        """The factor's name in column names."""
        return fm.patsy_factor(self.expr)

    def __repr__(self) -> str:
        return f"ExprFactor({self.name()!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ExprFactor) and other.expr == self.expr

    def __hash__(self) -> int:
        return hash((ExprFactor, self.expr))

    def memorize_passes_needed(self, state: dict, eval_env: Any) -> int:
        """One pass per level of nested ``center``/``standardize``."""
        state["values"] = {}
        return _stateful_depth(self.expr)

    def memorize_chunk(self, state: dict, which_pass: int, data: Mapping[str, Any]) -> None:
        """Remember the stateful nodes of this pass (innermost first) from the fitted rows."""
        _memorize(self.expr, data, state["values"], which_pass + 1)

    def memorize_finish(self, state: dict, which_pass: int) -> None:
        """Nothing to finish: each pass is computed in one chunk."""

    def eval(self, memorize_state: dict, data: Mapping[str, Any]) -> Any:
        """The factor's values: numbers, or categories for ``C(x)`` and categorical columns."""
        expr = self.expr
        if isinstance(expr, fm.Call) and expr.func == "C" and isinstance(expr.arg, fm.Column):
            return categorical(data[expr.arg.name])
        if isinstance(expr, fm.Column) and not pd.api.types.is_numeric_dtype(data[expr.name]):
            return data[expr.name]
        rows = len(data[fm.factor_columns(expr)[0]])
        return _array(_value(expr, data, memorize_state["values"]), rows)


def model_desc(formula: fm.Formula) -> patsy.ModelDesc:
    """The formula as patsy terms of ``ExprFactor``s (the intercept as patsy's empty term)."""
    rhs = [patsy.INTERCEPT] if formula.intercept else []
    rhs += [patsy.Term([ExprFactor(factor) for factor in term.factors]) for term in formula.terms]
    return patsy.ModelDesc([patsy.Term([ExprFactor(formula.response)])], rhs)


def design_matrices(formula: fm.Formula, frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Response and design matrices of ``formula`` on ``frame``; rows where a factor is undefined are dropped."""
    return patsy.dmatrices(model_desc(formula), frame, NA_action="drop", return_type="dataframe")
