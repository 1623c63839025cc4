"""The safe formula language: parse user text into a structure, validate it, render a canonical form.

User text is never evaluated: statsmodels gets design matrices built from the parsed, validated structure
(``design.py``); ``patsy_factor`` only names the design columns the way statsmodels users know them.

Grammar (a hand-written tokenizer and recursive-descent parser)::

    formula  := factor "~" sum
    sum      := ["+" | "-"] product (("+" | "-") product)*      "- x" removes x; a leading sign only on top
    product  := inter ("*" inter)*                              a*b = a + b + a:b
    inter    := primary (":" primary)*
    primary  := "(" sum ")" | factor | "0" | "1"                0 / 1 only on top: they set the intercept
    factor   := column | C(column) | I(arith) | log|sqrt|exp|center|standardize(arith)
    column   := name | Q("any name") | `any name`
    arith    := the usual + - * / ** and unary minus over numbers, columns and the calls above;
                an exponent is a plain number, and powers do not nest
"""

from __future__ import annotations

import keyword
import math
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

from bot.regression.errors import FormulaError, suggestion

ColumnKind = Literal["numeric", "categorical"]
TRANSFORMS = ("log", "sqrt", "exp", "center", "standardize")


@dataclass(frozen=True)
class Column:
    """A reference to a dataset column by its exact name.

    ``span`` is where it was written in the parsed text (for carets); it takes no part in equality.
    """

    name: str
    span: tuple[int, int] | None = field(default=None, compare=False, repr=False)


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
        """The normalised user-facing text; parsing it gives back an equal ``Formula``.

        Spacing and the expansion of ``*`` can make it longer than what the user typed, so parse it again
        with a ``max_length`` to match (every other limit holds for it as for the original).
        """
        rhs = " + ".join(":".join(_render(f, False) for f in term.factors) for term in self.terms)
        if not rhs:
            rhs = "1" if self.intercept else "0"
        elif not self.intercept:
            rhs += " - 1"
        return f"{_render(self.response, False)} ~ {rhs}"

    def columns(self) -> tuple[str, ...]:
        """Every column the formula uses, in order of first appearance, response first."""
        return _unique(c.name for c in _formula_columns(self))

    def rhs_columns(self) -> tuple[str, ...]:
        """The predictor columns, in order of first appearance."""
        return _unique(c.name for term in self.terms for f in term.factors for c in _walk_columns(f))


@dataclass(frozen=True)
class Limits:
    """Bounds on what a formula may ask for."""

    max_length: int = 500
    max_terms: int = 20
    max_interaction_order: int = 3
    max_exponent: float = 4
    max_levels: int = 50
    max_design_cells: int = 5_000_000
    max_depth: int = 20
    max_number: float = 1e6
    max_name_length: int = 100


def factor_text(expr: Expr) -> str:
    """The canonical text of one factor, e.g. ``log(completed)``, ``C(lesson)``, ``I(completed ** 2)``."""
    return _render(expr, patsy=False)


def patsy_factor(expr: Expr) -> str:
    """The name patsy would give one factor (``Q('a b')``, ``I(x ** 2)``): used to name design columns."""
    return _render(expr, patsy=True)


def factor_columns(expr: Expr) -> tuple[str, ...]:
    """The columns one factor uses, in order of first appearance."""
    return _unique(c.name for c in _walk_columns(expr))


def is_plain_column(expr: Expr) -> bool:
    """Whether the factor is a bare column reference (no transform, no ``C()``)."""
    return isinstance(expr, Column)


def is_identifier(name: str) -> bool:
    """Whether ``name`` is written bare (not as ``Q("...")``) in canonical text."""
    return _name_problem(name, Limits().max_name_length) is None


# ---------------------------------------------------------------------------------------------- rendering

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_PYTHON_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_RESERVED = frozenset({"C", "I", "Q", "np", *TRANSFORMS})
_FUNCTIONS: dict[str, Literal["log", "sqrt", "exp", "center", "standardize", "C", "I"]] = {
    "log": "log",
    "sqrt": "sqrt",
    "exp": "exp",
    "center": "center",
    "standardize": "standardize",
    "np.log": "log",
    "np.sqrt": "sqrt",
    "np.exp": "exp",
    "C": "C",
    "I": "I",
}
_SIGNS: dict[str, Literal["+", "-"]] = {"+": "+", "-": "-"}
_PRODUCTS: dict[str, Literal["*", "/"]] = {"*": "*", "/": "/"}
_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "unary": 3, "**": 4}


def _name_problem(name: str, max_length: int) -> str | None:
    """Why ``name`` cannot be written as a bare column name, or ``None`` when it can."""
    if not _IDENTIFIER.fullmatch(name):
        return f"`{name}` is not a plain name."
    if any(part.startswith("__") for part in name.split(".")):
        return f"`{name}`: names starting with a double underscore are not allowed."
    if name == "np" or name.startswith("np."):
        return f"`{name}` is not allowed: the only functions from np are np.log, np.sqrt and np.exp."
    if name == "Q":
        return 'Q names a column with unusual characters, e.g. Q("my column").'
    if name in _RESERVED:
        return f"`{name}` is a function: write it as {name}(...)."
    if keyword.iskeyword(name):
        return f"`{name}` is a Python keyword and cannot be part of a formula."
    if len(name) > max_length:
        return f"This column name is {len(name)} characters long; the limit is {max_length}."
    return None


def _patsy_bare(name: str) -> bool:
    """Whether patsy can read ``name`` as a bare Python identifier (else it goes in ``Q(...)``)."""
    return bool(_PYTHON_IDENTIFIER.fullmatch(name)) and _name_problem(name, len(name)) is None


def _column_text(name: str, patsy: bool) -> str:
    if patsy:
        return name if _patsy_bare(name) else f"Q({name!r})"
    if _name_problem(name, len(name)) is None:
        return name
    return 'Q("' + name.replace("\\", "\\\\").replace('"', '\\"') + '")'


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)


def _precedence(expr: Expr) -> int:
    if isinstance(expr, BinOp):
        return _PRECEDENCE[expr.op]
    if isinstance(expr, UnaryOp):
        return _PRECEDENCE["unary"]
    return 5


def _render(expr: Expr, patsy: bool) -> str:
    """Text of an expression, parenthesised only where precedence requires it (Python's rules)."""
    if isinstance(expr, Column):
        return _column_text(expr.name, patsy)
    if isinstance(expr, Number):
        return _number_text(expr.value)
    if isinstance(expr, Call):
        return f"{expr.func}({_render(expr.arg, patsy)})"
    if isinstance(expr, UnaryOp):
        operand = _render(expr.operand, patsy)
        if _precedence(expr.operand) < _PRECEDENCE["unary"]:
            operand = f"({operand})"
        return expr.op + operand
    mine = _PRECEDENCE[expr.op]
    left, right = _render(expr.left, patsy), _render(expr.right, patsy)
    # ``**`` groups to the right and binds tighter than unary minus; the others group to the left.
    if _precedence(expr.left) < mine or (expr.op == "**" and _precedence(expr.left) <= mine):
        left = f"({left})"
    if _precedence(expr.right) <= mine and not (expr.op == "**" and isinstance(expr.right, Number)):
        right = f"({right})"
    return f"{left} {expr.op} {right}"


def _nodes(expr: Expr) -> Iterator[Expr]:
    """``expr`` and everything inside it, left to right."""
    yield expr
    if isinstance(expr, UnaryOp):
        yield from _nodes(expr.operand)
    elif isinstance(expr, BinOp):
        yield from _nodes(expr.left)
        yield from _nodes(expr.right)
    elif isinstance(expr, Call):
        yield from _nodes(expr.arg)


def _walk_columns(expr: Expr) -> Iterator[Column]:
    return (node for node in _nodes(expr) if isinstance(node, Column))


def _formula_nodes(formula: Formula) -> Iterator[Expr]:
    yield from _nodes(formula.response)
    for term in formula.terms:
        for factor in term.factors:
            yield from _nodes(factor)


def _formula_columns(formula: Formula) -> Iterator[Column]:
    return (node for node in _formula_nodes(formula) if isinstance(node, Column))


def _unique(names: Iterator[str] | list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(names))


def _contains_power(expr: Expr) -> bool:
    return any(isinstance(node, BinOp) and node.op == "**" for node in _nodes(expr))


def _displayable(text: str) -> str:
    """``text`` with invisible and control characters replaced one-for-one, so carets still line up."""
    return "".join(
        " " if ch in "\t\r\n" else ch if ch.isprintable() or ch == " " else "\N{REPLACEMENT CHARACTER}"
        for ch in text
    )


def _describe_char(ch: str) -> str:
    name = unicodedata.name(ch, "unnamed character")
    code = f"U+{ord(ch):04X} {name}"
    return f"`{ch}` ({code})" if ch.isprintable() else f"an invisible character ({code})"


# ----------------------------------------------------------------------------------------------- tokenizer


@dataclass(frozen=True)
class _Token:
    kind: Literal["name", "number", "string", "quoted", "op", "end"]
    text: str
    start: int
    end: int
    value: str = ""  # the decoded name of a string or backtick token

    def is_op(self, *ops: str) -> bool:
        return self.kind == "op" and self.text in ops


_OPS = ("**", "~", "+", "-", "*", "/", ":", "(", ")", ",")
_SPACE = " \t\r\n"
_BAD_CHARS = {
    "^": ("`^` is not supported: for powers write I(x ** 2).", "For interactions use a*b or a:b."),
    "[": ("Subscripts with [ ] are not part of the formula language.", None),
    "]": ("Subscripts with [ ] are not part of the formula language.", None),
    ".": (
        "Attribute access with `.` is not allowed.",
        "The only dotted names allowed are np.log, np.sqrt, np.exp.",
    ),
}

_MISPLACED_OPS = {
    "~": ("A formula has exactly one ~, between the response and the predictors.", None),
    "**": ("Powers must be written inside I(...).", "For example: I(x ** 2)"),
    "/": ("To divide, put the arithmetic inside I(...).", "For example: I(a / b)"),
    ",": ("These functions take exactly one argument.", None),
}


class _Parser:
    """Tokenizes on construction; ``formula()`` runs the recursive descent."""

    def __init__(self, text: str, limits: Limits) -> None:
        self.text = text
        self.shown = _displayable(text)
        self.limits = limits
        self.depth = 0
        self.index = 0
        self.tokens = self._tokenize()
        self._check_parentheses()

    def error(
        self, message: str, position: int | None, length: int = 1, hint: str | None = None
    ) -> FormulaError:
        return FormulaError(message, self.shown, position, length, hint)

    def at(self, tok: _Token, message: str, hint: str | None = None) -> FormulaError:
        return self.error(message, tok.start, tok.end - tok.start, hint)

    # -- tokens

    def _tokenize(self) -> list[_Token]:
        text, tokens, i = self.text, [], 0
        while i < len(text):
            ch = text[i]
            if ch in _SPACE:
                i += 1
                continue
            if not ch.isascii():
                plain = unicodedata.normalize("NFKC", ch)
                looks = (
                    f"It looks like `{plain}`: retype it. " if plain.isascii() and plain.isprintable() else ""
                )
                raise self.error(
                    f'Only plain ASCII characters can be used outside Q("..."); found {_describe_char(ch)}.',
                    i,
                    hint=looks + 'Use Q("...") for column names with other characters.',
                )
            if match := _IDENTIFIER.match(text, i):
                if any(part.startswith("__") for part in match.group().split(".")):
                    message = f"`{match.group()}`: names starting with a double underscore are not allowed."
                    raise self.error(message, i, match.end() - i)
                tokens.append(_Token("name", match.group(), i, match.end()))
            elif match := _NUMBER.match(text, i):
                tokens.append(_Token("number", match.group(), i, match.end()))
            elif ch in "\"'`":
                tokens.append(self._quoted(i))
            elif op := next((op for op in _OPS if text.startswith(op, i)), None):
                tokens.append(_Token("op", op, i, i + len(op)))
            else:
                raise self._bad_char(i)
            i = tokens[-1].end
        tokens.append(_Token("end", "", len(text), len(text)))
        return tokens

    def _bad_char(self, i: int) -> FormulaError:
        ch = self.text[i]
        if ch == "=":
            if "~" in self.text:
                return self.error("Keyword arguments and `=` are not part of the formula language.", i)
            return self.error(
                "Use ~ between the response and the predictors, not =.",
                i,
                hint="For example: score ~ lesson + completed",
            )
        if ch in _BAD_CHARS:
            message, hint = _BAD_CHARS[ch]
            return self.error(message, i, hint=hint)
        if not ch.isprintable():
            return self.error(f"The formula contains {_describe_char(ch)}.", i)
        return self.error(f"`{ch}` is not part of the formula language.", i)

    def _quoted(self, start: int) -> _Token:
        """A string (only valid inside ``Q()``) or a backtick name; ``\\\\ \\" \\'`` are escapes."""
        text, quote, i, out = self.text, self.text[start], start + 1, []
        while i < len(text) and text[i] != quote:
            ch = text[i]
            if not ch.isprintable():
                raise self.error(f"A column name cannot contain {_describe_char(ch)}.", i)
            if ch == "\\" and quote != "`" and text[i + 1 : i + 2] in ("\\", '"', "'"):
                i += 1
            out.append(text[i])
            i += 1
        if i == len(text):
            what = "backtick" if quote == "`" else "quote"
            raise self.error(f"This {what} is never closed.", start, hint=f"Add a closing {quote}.")
        kind: Literal["quoted", "string"] = "quoted" if quote == "`" else "string"
        return _Token(kind, text[start : i + 1], start, i + 1, "".join(out))

    def _check_parentheses(self) -> None:
        opened: list[_Token] = []
        for tok in self.tokens:
            if tok.is_op("("):
                opened.append(tok)
            elif tok.is_op(")"):
                if not opened:
                    raise self.at(tok, "This ) has no matching (.")
                opened.pop()
        if opened:
            raise self.at(opened[-1], "This ( is never closed.", hint="Add a matching ).")

    def peek(self, ahead: int = 0) -> _Token:
        return self.tokens[min(self.index + ahead, len(self.tokens) - 1)]

    def advance(self) -> _Token:
        tok = self.peek()
        self.index += 1
        return tok

    def expect_close(self) -> None:
        tok = self.peek()
        if not tok.is_op(")"):
            raise self.unexpected(tok, "`)`")
        self.advance()

    def enter(self, tok: _Token) -> None:
        self.depth += 1
        if self.depth > self.limits.max_depth:
            raise self.at(
                tok,
                f"This formula nests brackets, calls and operators more than {self.limits.max_depth} "
                "levels deep; that is the limit.",
            )

    def unexpected(self, tok: _Token, expected: str) -> FormulaError:
        if tok.kind == "end":
            return self.at(tok, f"The formula ends too early: expected {expected}.")
        if tok.kind == "string":
            return self.at(tok, 'Quoted text is only allowed inside Q("..."), which names a column.')
        if tok.kind == "op" and tok.text in _MISPLACED_OPS:
            message, hint = _MISPLACED_OPS[tok.text]
            return self.at(tok, message, hint)
        hint = "Join terms with +, e.g. a + b." if tok.kind in ("name", "quoted") else None
        return self.at(tok, f"Expected {expected}, found `{tok.text}`.", hint)

    # -- formula level

    def formula(self) -> Formula:
        first = self.peek()
        if first.kind == "end":
            raise self.error("The formula is empty.", None, hint="For example: score ~ lesson + completed")
        if first.is_op("~"):
            raise self.at(first, "Nothing before ~: start with the response column, e.g. score ~ lesson.")
        response = self.factor()
        if isinstance(response, Call) and response.func == "C":
            raise self.error(
                "The response cannot be C(...): linear regression needs a numeric response.",
                first.start,
                self.peek(-1).end - first.start,
            )
        tilde = self.peek()
        if not tilde.is_op("~"):
            if not any(t.is_op("~") for t in self.tokens):
                raise self.at(
                    tilde,
                    "A formula needs ~ between the response and the predictors.",
                    "For example: score ~ lesson + completed",
                )
            raise self.unexpected(tilde, "~ after the response (one column or transform, like log(y))")
        self.advance()
        if self.peek().kind == "end":
            raise self.at(tilde, "Nothing after ~: list the predictors, e.g. score ~ lesson + completed.")
        terms, intercept = self.sum(top=True)
        if self.peek().kind != "end":
            raise self.unexpected(self.peek(), "+ or the end of the formula")
        if not terms and not intercept:
            raise self.error("This model has no predictors and no intercept.", None)
        ordered = sorted(terms, key=len)  # main effects first, then interactions, each as written
        return Formula(response, tuple(Term(t) for t in ordered), intercept)

    def sum(self, top: bool) -> tuple[list[tuple[Expr, ...]], bool]:
        """Terms joined by ``+``/``-``; at the top level ``0``/``1`` set the intercept."""
        terms: list[tuple[Expr, ...]] = []
        intercept = True
        sign = self.advance() if top and self.peek().is_op("+", "-") else self.peek()
        while True:
            value = self.product(top)
            if isinstance(value, _Constant):
                intercept = (value.value == 1) == (not sign.is_op("-"))
            elif sign.is_op("-"):
                removed = {frozenset(t) for t in value}
                terms = [t for t in terms if frozenset(t) not in removed]
            else:
                terms = self.dedupe(terms + value, sign)
            if not self.peek().is_op("+", "-"):
                return terms, intercept
            sign = self.advance()

    def product(self, top: bool) -> list[tuple[Expr, ...]] | _Constant:
        left = self.interaction(top)
        while self.peek().is_op("*"):
            star = self.advance()
            right = self.interaction(top)
            a, b = self.no_constant(left), self.no_constant(right)
            left = self.dedupe(a + b + self.cross(a, b, star), star)
        return left

    def interaction(self, top: bool) -> list[tuple[Expr, ...]] | _Constant:
        left = self.primary(top)
        while self.peek().is_op(":"):
            colon = self.advance()
            right = self.primary(top)
            left = self.cross(self.no_constant(left), self.no_constant(right), colon)
        return left

    def primary(self, top: bool) -> list[tuple[Expr, ...]] | _Constant:
        tok = self.peek()
        if tok.is_op("("):
            self.enter(self.advance())
            terms, _ = self.sum(top=False)
            self.expect_close()
            self.depth -= 1
            return terms
        if tok.kind == "number":
            self.advance()
            value = float(tok.text)
            if top and value in (0, 1):
                return _Constant(value, tok)
            if top:
                message = "A number on its own can only be 1 (keep the intercept) or 0 (drop it)."
            else:
                message = "Write 0 or 1 (the intercept) outside parentheses, e.g. y ~ x - 1."
            raise self.at(tok, message, "For arithmetic write I(...), e.g. I(2 * x).")
        return [(self.factor(),)]

    def no_constant(self, value: list[tuple[Expr, ...]] | _Constant) -> list[tuple[Expr, ...]]:
        if isinstance(value, _Constant):
            raise self.at(value.token, "The intercept (0 or 1) cannot be part of an interaction.")
        return value

    def cross(
        self, left: list[tuple[Expr, ...]], right: list[tuple[Expr, ...]], op: _Token
    ) -> list[tuple[Expr, ...]]:
        """Every pairing of a left and a right term, factors in written order, duplicates merged."""
        out = []
        for a in left:
            for b in right:
                factors = a + tuple(f for f in b if f not in a)
                if len(factors) > self.limits.max_interaction_order:
                    limit = self.limits.max_interaction_order
                    raise self.at(op, f"This interaction joins {len(factors)} factors; the limit is {limit}.")
                out.append(factors)
        return self.dedupe(out, op)

    def dedupe(self, terms: list[tuple[Expr, ...]], op: _Token) -> list[tuple[Expr, ...]]:
        seen: dict[frozenset[Expr], tuple[Expr, ...]] = {}
        for term in terms:
            seen.setdefault(frozenset(term), term)
        if len(seen) > self.limits.max_terms:
            limit = self.limits.max_terms
            raise self.at(op, f"This formula expands to more than {limit} terms; the limit is {limit}.")
        return list(seen.values())

    # -- factors

    def factor(self) -> Expr:
        tok = self.peek()
        if tok.kind == "quoted":
            return self.column()
        if tok.kind == "name":
            return self.call() if self.peek(1).is_op("(") else self.column()
        raise self.unexpected(tok, "a column name or a transform such as log(x)")

    def column(self) -> Column:
        """A bare name, a backtick name, or ``Q("...")``."""
        tok = self.advance()
        if tok.kind == "name" and tok.text == "Q" and self.peek().is_op("("):
            self.advance()
            arg = self.advance()
            if arg.kind != "string":
                raise self.at(arg, 'Q() takes a column name in quotes, e.g. Q("my column").')
            self.expect_close()
            name, end = arg.value, self.peek(-1).end
        elif tok.kind == "quoted":
            name, end = tok.value, tok.end
        elif tok.kind == "name":
            problem = _name_problem(tok.text, self.limits.max_name_length)
            if problem:
                raise self.at(tok, problem, f'For a column with this name write Q("{tok.text}").')
            name, end = tok.text, tok.end
        else:
            raise self.unexpected(tok, "a column name")
        if not name:
            raise self.error("A column name cannot be empty.", tok.start, end - tok.start)
        if len(name) > self.limits.max_name_length:
            limit = self.limits.max_name_length
            message = f"This column name is {len(name)} characters long; the limit is {limit}."
            raise self.error(message, tok.start, end - tok.start)
        return Column(name, (tok.start, end))

    def call(self) -> Expr:
        """``name(...)`` where ``name`` is whitelisted; ``Q(...)`` is a column."""
        tok = self.peek()
        if tok.text == "Q":
            return self.column()
        func = _FUNCTIONS.get(tok.text)
        if func is None:
            raise self.at(
                tok,
                f"`{tok.text}` is not an allowed function.",
                "Allowed: log, sqrt, exp, center, standardize (also as np.log, np.sqrt, np.exp), C, I, "
                'and Q("...") for column names.',
            )
        self.advance()
        self.enter(self.advance())
        if func == "C":
            arg_tok = self.peek()
            is_q = arg_tok.kind == "name" and arg_tok.text == "Q"
            if not (is_q or (arg_tok.kind in ("quoted", "name") and not self.peek(1).is_op("("))):
                raise self.at(arg_tok, "C() takes one column name, e.g. C(lesson).")
            arg: Expr = self.column()
        else:
            first = self.peek()
            arg = self.arith()
            if next(_walk_columns(arg), None) is None:
                raise self.error(
                    f"{tok.text}(...) needs a column inside.", first.start, self.peek().start - first.start
                )
        self.expect_close()
        self.depth -= 1
        return Call(func, arg)

    # -- arithmetic inside I() and transforms

    def arith(self) -> Expr:
        """A chain of ``+``/``-``; each operator counts as a level of nesting (it is one in the tree)."""
        left, start = self.arith_term(), self.depth
        while self.peek().is_op("+", "-"):
            op = self.advance()
            self.enter(op)
            left = BinOp(_SIGNS[op.text], left, self.arith_term())
        self.depth = start
        return left

    def arith_term(self) -> Expr:
        left, start = self.unary(), self.depth
        while self.peek().is_op("*", "/"):
            op = self.advance()
            self.enter(op)
            left = BinOp(_PRODUCTS[op.text], left, self.unary())
        self.depth = start
        return left

    def unary(self) -> Expr:
        tok = self.peek()
        if not tok.is_op("+", "-"):
            return self.power()
        self.enter(self.advance())
        operand = self.unary()
        self.depth -= 1
        return UnaryOp(_SIGNS[tok.text], operand)

    def power(self) -> Expr:
        base = self.atom()
        star = self.peek()
        if not star.is_op("**"):
            return base
        self.advance()
        if _contains_power(base):
            raise self.at(star, "Powers cannot be nested; write a single power such as I(x ** 4).")
        exponent = self.exponent()
        if self.peek().is_op("**"):
            raise self.at(self.peek(), "Powers cannot be chained; write a single power such as I(x ** 4).")
        return BinOp("**", base, exponent)

    def exponent(self) -> Number:
        first = self.peek()
        negative = first.is_op("-")
        if first.is_op("+", "-"):
            self.advance()
        tok = self.advance()
        if tok.kind != "number":
            raise self.at(tok, "An exponent must be a plain number, like I(x ** 2).")
        value = -float(tok.text) if negative else float(tok.text)
        if not abs(value) <= self.limits.max_exponent:
            limit = _number_text(float(self.limits.max_exponent))
            raise self.error(
                f"The exponent {'-' if negative else ''}{tok.text} is too large; the limit is {limit}.",
                first.start,
                tok.end - first.start,
            )
        return Number(value)

    def atom(self) -> Expr:
        tok = self.peek()
        if tok.kind == "number":
            self.advance()
            value = float(tok.text)
            if not value <= self.limits.max_number:
                limit = f"{self.limits.max_number:,.0f}"
                raise self.at(tok, f"The number {tok.text} is too large; the limit is {limit}.")
            return Number(value)
        if tok.is_op("("):
            self.enter(self.advance())
            inner = self.arith()
            self.expect_close()
            self.depth -= 1
            return inner
        if tok.kind == "name" and tok.text == "C" and self.peek(1).is_op("("):
            raise self.at(tok, "C() cannot be used inside arithmetic or a transform; use it on its own.")
        if tok.kind in ("name", "quoted"):
            return self.factor()
        raise self.unexpected(tok, "a number, a column or a function")


@dataclass(frozen=True)
class _Constant:
    """A bare ``0`` or ``1`` at the top level of the right-hand side."""

    value: float
    token: _Token


def parse(text: str, limits: Limits = Limits()) -> Formula:
    """Parse ``text`` into a ``Formula``; raise ``FormulaError`` (with position) on anything else."""
    if len(text) > limits.max_length:
        raise FormulaError(
            f"This formula is {len(text):,} characters long; the limit is {limits.max_length:,}.",
            _displayable(text[: limits.max_length + 40]),
            limits.max_length,
            hint="Shorten it, e.g. by leaving out some terms.",
        )
    return _Parser(text, limits).formula()


# ---------------------------------------------------------------------------------------------- validation


def validate(
    formula: Formula,
    columns: Mapping[str, ColumnKind],
    text: str,
    levels: Mapping[str, int] | None = None,
    n_rows: int | None = None,
    limits: Limits = Limits(),
) -> Formula:
    """Check ``formula`` against a dataset's columns and the limits; return it, or raise ``FormulaError``."""
    shown = _displayable(text)

    def fail(message: str, column: Column | None = None, hint: str | None = None) -> FormulaError:
        span = column.span if column is not None else None
        if span is None or not 0 <= span[0] < span[1] <= len(text):
            return FormulaError(message, shown, None, hint=hint)
        return FormulaError(message, shown, span[0], span[1] - span[0], hint)

    for col in _formula_columns(formula):
        if col.name not in columns:
            folded = [c for c in columns if c.lower() == col.name.lower()]
            hint = (
                f"Column names are case-sensitive: did you mean `{folded[0]}`?"
                if len(folded) == 1
                else suggestion(col.name, columns)
            )
            raise fail(f"There is no column `{col.name}` in this dataset.", col, hint)

    # patsy looks names up in the data first, so a column called ``log`` hides the function ``log``.
    functions = {node.func for node in _formula_nodes(formula) if isinstance(node, Call)}
    if not all(_patsy_bare(col.name) for col in _formula_columns(formula)):
        functions.add("Q")
    for col in _formula_columns(formula):
        if col.name in functions:
            raise fail(
                f"The column `{col.name}` has the same name as the function {col.name}(), "
                "so one formula cannot use both.",
                col,
                f"Leave out {col.name}(...) or the column `{col.name}`." if col.name != "Q" else None,
            )

    response = list(_walk_columns(formula.response))
    response_names = {c.name for c in response}
    for col in response:
        if columns[col.name] == "categorical":
            raise fail(f"`{col.name}` is categorical; linear regression needs a numeric response.", col)
    if _coded_column(formula.response, columns) is not None:
        raise fail("The response cannot be C(...): linear regression needs a numeric response.", response[0])
    for term in formula.terms:
        for factor in term.factors:
            whole = isinstance(factor, Column) or _coded_column(factor, columns) is not None
            for col in _walk_columns(factor):
                if col.name in response_names:
                    raise fail(f"`{col.name}` is the response, so it cannot also be a predictor.", col)
                if columns[col.name] == "categorical" and not whole:
                    raise fail(
                        f"`{col.name}` is categorical; wrap it in C() or use it on its own, "
                        "not inside arithmetic or a transform.",
                        col,
                    )
    coded = {
        col.name: col
        for term in formula.terms
        for factor in term.factors
        if (col := _coded_column(factor, columns)) is not None and columns[col.name] != "categorical"
    }
    for term in formula.terms:
        for factor in term.factors:
            if _coded_column(factor, columns) is None:
                for col in _walk_columns(factor):
                    if col.name in coded:
                        raise fail(
                            f"`{col.name}` is used both as groups (`C({col.name})`) and as a number, so "
                            f"“holding {col.name} fixed” would mean two different things.",
                            col,
                            f"Use one: `C({col.name})` gives each value its own level, `{col.name}` one slope.",
                        )

    if len(formula.terms) > limits.max_terms:
        raise fail(f"This formula has {len(formula.terms)} terms; the limit is {limits.max_terms}.")
    for term in formula.terms:
        if len(term.factors) > limits.max_interaction_order:
            limit = limits.max_interaction_order
            raise fail(f"An interaction joins {len(term.factors)} factors; the limit is {limit}.")

    def width(factor: Expr) -> int:
        """Design columns of one factor: levels - 1 when coded as categories (if known), else 1."""
        col = _coded_column(factor, columns)
        count = (levels or {}).get(col.name) if col is not None else None
        if count is None:
            return 1
        if count > limits.max_levels:
            raise fail(
                f"`{col.name}` has {count} levels; the limit is {limits.max_levels}.",
                col,
                "Use a column with fewer categories.",
            )
        return max(1, count - 1)

    k = int(formula.intercept) + sum(math.prod(map(width, term.factors)) for term in formula.terms)
    if n_rows is not None and k > n_rows - 1:
        raise fail(
            f"This model has {k} coefficients but only {n_rows} rows; it needs more rows than coefficients.",
            hint="Use fewer terms, or categories with fewer levels.",
        )
    if n_rows is not None and k * n_rows > limits.max_design_cells:
        raise fail(
            f"This model needs about {k:,} × {n_rows:,} = {k * n_rows:,} design cells; "
            f"the limit is {limits.max_design_cells:,}.",
            hint="Use fewer terms, or categories with fewer levels.",
        )
    return formula


def _coded_column(factor: Expr, columns: Mapping[str, ColumnKind]) -> Column | None:
    """The column a factor codes as categories: ``C(column)``, or a categorical column on its own."""
    if isinstance(factor, Call) and factor.func == "C" and isinstance(factor.arg, Column):
        return factor.arg
    if isinstance(factor, Column) and columns.get(factor.name) == "categorical":
        return factor
    return None
