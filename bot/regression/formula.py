"""The safe formula language: parse user text into a structure, validate it, render a canonical form.

User text is never evaluated. The string handed to statsmodels (``Formula.to_patsy()``) is generated from
the parsed, validated structure only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from bot.regression.errors import FormulaError

ColumnKind = Literal["numeric", "categorical"]
TRANSFORMS = ("log", "sqrt", "exp", "center", "standardize")


@dataclass(frozen=True)
class Column:
    """A reference to a dataset column by its exact name."""

    name: str


@dataclass(frozen=True)
class Number:
    """A numeric literal (only inside ``I(...)`` arithmetic or as an exponent)."""

    value: float


@dataclass(frozen=True)
class UnaryOp:
    """``-x`` or ``+x`` inside ``I(...)``."""

    op: Literal["-", "+"]
    operand: Expr


@dataclass(frozen=True)
class BinOp:
    """Arithmetic inside ``I(...)``: ``+ - * / **``."""

    op: Literal["+", "-", "*", "/", "**"]
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Call:
    """A whitelisted function: ``log sqrt exp center standardize`` (numeric), ``C`` (categorical), ``I``."""

    func: Literal["log", "sqrt", "exp", "center", "standardize", "C", "I"]
    arg: Expr


Expr = Column | Number | UnaryOp | BinOp | Call


@dataclass(frozen=True)
class Term:
    """One term of the right-hand side: a single factor, or an interaction of several (``a:b``)."""

    factors: tuple[Expr, ...]


@dataclass(frozen=True)
class Formula:
    """A parsed formula: response, expanded terms (``a*b`` becomes ``a + b + a:b``), and the intercept."""

    response: Expr
    terms: tuple[Term, ...]
    intercept: bool = True

    def canonical(self) -> str:
        """The normalised user-facing text; parsing it gives back an equal ``Formula``."""
        raise NotImplementedError

    def to_patsy(self) -> str:
        """The formula string for statsmodels, built only from validated pieces."""
        raise NotImplementedError

    def columns(self) -> tuple[str, ...]:
        """Every column the formula uses, in order of first appearance, response first."""
        raise NotImplementedError


@dataclass(frozen=True)
class Limits:
    """Bounds on what a formula may ask for."""

    max_length: int = 500
    max_terms: int = 20
    max_interaction_order: int = 3
    max_exponent: float = 4
    max_levels: int = 50
    max_design_cells: int = 5_000_000


def parse(text: str, limits: Limits = Limits()) -> Formula:
    """Parse ``text`` into a ``Formula``; raise ``FormulaError`` (with position) on anything else."""
    raise NotImplementedError


def validate(
    formula: Formula,
    columns: Mapping[str, ColumnKind],
    text: str,
    levels: Mapping[str, int] | None = None,
    n_rows: int | None = None,
    limits: Limits = Limits(),
) -> Formula:
    """Check ``formula`` against a dataset's columns and the limits; return it, or raise ``FormulaError``."""
    raise NotImplementedError
