"""Values of validated formula expressions computed from the parsed structure, never from text.

``evaluate`` walks a ``formula.Expr`` with numpy, the way patsy computes the same factor: ``center`` and
``standardize`` use the mean and the standard deviation (ddof 0) of the rows they are given.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bot.regression import formula as fm

_FUNCTIONS = {"log": np.log, "sqrt": np.sqrt, "exp": np.exp}


def evaluate(expr: fm.Expr, frame: pd.DataFrame) -> np.ndarray:
    """The numeric values of ``expr`` on every row of ``frame`` (NaN where undefined, e.g. ``log`` of 0)."""
    with np.errstate(all="ignore"):
        return np.asarray(_value(expr, frame), dtype=float) * np.ones(len(frame))


def _value(expr: fm.Expr, frame: pd.DataFrame) -> np.ndarray | float:
    """One node's value: an array over the rows, or a plain number."""
    if isinstance(expr, fm.Column):
        return pd.to_numeric(frame[expr.name], errors="coerce").to_numpy(dtype=float)
    if isinstance(expr, fm.Number):
        return expr.value
    if isinstance(expr, fm.UnaryOp):
        operand = _value(expr.operand, frame)
        return -operand if expr.op == "-" else operand
    if isinstance(expr, fm.BinOp):
        left, right = _value(expr.left, frame), _value(expr.right, frame)
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
    if expr.func in _FUNCTIONS:
        return _FUNCTIONS[expr.func](_value(expr.arg, frame))
    inner = np.asarray(_value(expr.arg, frame), dtype=float) * np.ones(len(frame))
    if expr.func == "center":
        return inner - np.nanmean(inner)
    if expr.func == "standardize":
        return (inner - np.nanmean(inner)) / np.nanstd(inner)
    return inner
