"""The safe formula language: parsing, expansion, rendering, errors with carets, limits and validation."""

from __future__ import annotations

import ast
import builtins
import time
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.regression import formula as fm
from bot.regression.errors import FormulaError
from bot.regression.formula import (
    BinOp,
    Call,
    Column,
    Formula,
    Limits,
    Number,
    Term,
    UnaryOp,
    factor_columns,
    factor_text,
    is_identifier,
    is_plain_column,
    parse,
    patsy_factor,
    validate,
)


def terms_text(text: str) -> list[str]:
    """The expanded terms of ``text`` as canonical factor texts joined by ``:``."""
    return [":".join(factor_text(f) for f in term.factors) for term in parse(text).terms]


def parse_error(text: str, limits: Limits | None = None) -> tuple[FormulaError, str | None]:
    """The error ``parse`` raises, and the part of ``text`` its caret points at."""
    with pytest.raises(FormulaError) as info:
        parse(text, limits or Limits())
    err = info.value
    pointed = None if err.position is None else text[err.position : err.position + err.length]
    return err, pointed


x, y, a, b, c = (Column(n) for n in "xyabc")


# ------------------------------------------------------------------------------------------------ parsing


@pytest.mark.parametrize(
    ("text", "response", "predictors"),
    [
        ("score ~ lesson + completed", "score", ["lesson", "completed"]),
        ("port3 ~ math1 + port1", "port3", ["math1", "port1"]),
        ("bill_depth_mm ~ bill_length_mm + species", "bill_depth_mm", ["bill_length_mm", "species"]),
    ],
)
def test_lecture_formulas(text: str, response: str, predictors: list[str]) -> None:
    f = parse(text)
    assert f == Formula(Column(response), tuple(Term((Column(p),)) for p in predictors))
    assert f.canonical() == text
    assert f.columns() == (response, *predictors)
    assert f.rhs_columns() == tuple(predictors)


def test_whitespace_is_free() -> None:
    assert parse("  score~lesson+\tcompleted\n") == parse("score ~ lesson + completed")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("y ~ a*b", ["a", "b", "a:b"]),
        ("y ~ a*b*c", ["a", "b", "c", "a:b", "a:c", "b:c", "a:b:c"]),
        ("y ~ (a + b):c", ["a:c", "b:c"]),
        ("y ~ (a+b)*c", ["a", "b", "c", "a:c", "b:c"]),
        ("y ~ a:b + b:a", ["a:b"]),
        ("y ~ b:a + a*b", ["a", "b", "b:a"]),
        ("y ~ a + a + x", ["a", "x"]),
        ("y ~ a:a", ["a"]),
        ("y ~ a:b + c", ["c", "a:b"]),
        ("y ~ a*b - a:b", ["a", "b"]),
        ("y ~ (a + b + c) - b", ["a", "c"]),
        ("y ~ (a + b + c - b):x", ["a:x", "c:x"]),
        ("y ~ a - x", ["a"]),
    ],
)
def test_expansion(text: str, expected: list[str]) -> None:
    assert terms_text(text) == expected


@pytest.mark.parametrize(
    ("text", "intercept", "canonical"),
    [
        ("y ~ x - 1", False, "y ~ x - 1"),
        ("y ~ x + 0", False, "y ~ x - 1"),
        ("y ~ 0 + x", False, "y ~ x - 1"),
        ("y ~ -1 + x", False, "y ~ x - 1"),
        ("y ~ x + 1", True, "y ~ x"),
        ("y ~ x - 1 + 1", True, "y ~ x"),
        ("y ~ 1", True, "y ~ 1"),
        ("y ~ x - x", True, "y ~ 1"),
    ],
)
def test_intercept(text: str, intercept: bool, canonical: str) -> None:
    f = parse(text)
    assert f.intercept is intercept
    assert f.canonical() == canonical
    assert parse(canonical) == f


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ('y ~ Q("a b")', "a b"),
        ("y ~ Q('a b')", "a b"),
        ("y ~ `a b`", "a b"),
        (r'y ~ Q("say \"hi\"")', 'say "hi"'),
        ("y ~ Q('it\\'s')", "it's"),
        (r'y ~ Q("back\\slash")', "back\\slash"),
        ('y ~ `it\'s "quoted"`', 'it\'s "quoted"'),
        ('y ~ Q("größe (cm)")', "größe (cm)"),
        ('y ~ Q("x")', "x"),
    ],
)
def test_quoted_names(text: str, name: str) -> None:
    f = parse(text)
    assert f.terms == (Term((Column(name),)),)
    assert parse(f.canonical()) == f


def test_quoted_name_rendering() -> None:
    f = parse('y ~ `a b` + Q("say \\"hi\\"") + Q("back\\\\slash") + Q("log") + Q("lambda") + a.b + Q("x")')
    assert f.canonical() == (
        'y ~ Q("a b") + Q("say \\"hi\\"") + Q("back\\\\slash") + Q("log") + Q("lambda") + a.b + x'
    )
    assert [patsy_factor(t.factors[0]) for t in f.terms] == [
        "Q('a b')",
        "Q('say \"hi\"')",
        "Q('back\\\\slash')",
        "Q('log')",
        "Q('lambda')",
        "Q('a.b')",
        "x",
    ]


@pytest.mark.parametrize("func", ["log", "sqrt", "exp"])
def test_numpy_aliases_normalise(func: str) -> None:
    assert parse(f"y ~ np.{func}(x)") == parse(f"y ~ {func}(x)")
    assert parse(f"y ~ np.{func}(x)").terms[0].factors[0] == Call(func, x)


def test_transforms_and_nesting() -> None:
    f = parse("log(y) ~ C(a) + center(x) + standardize(x) + log(x + 1) + log(I(x + 1)) + sqrt(exp(x))")
    assert f.response == Call("log", y)
    assert [factor_text(t.factors[0]) for t in f.terms] == [
        "C(a)",
        "center(x)",
        "standardize(x)",
        "log(x + 1)",
        "log(I(x + 1))",
        "sqrt(exp(x))",
    ]
    assert f.terms[3].factors[0] == Call("log", BinOp("+", x, Number(1)))


def test_arithmetic_structure() -> None:
    (term,) = parse("y ~ I((a + b) * -c / 2 - x ** -1.5)").terms
    assert term.factors[0] == Call(
        "I",
        BinOp(
            "-",
            BinOp("/", BinOp("*", BinOp("+", a, b), UnaryOp("-", c)), Number(2)),
            BinOp("**", x, Number(-1.5)),
        ),
    )


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("y~I(x**2)+np.log(x)+0", "y ~ I(x ** 2) + log(x) - 1"),
        ("y ~ I(-x**2)", "y ~ I(-x ** 2)"),
        ("y ~ I((-x)**2)", "y ~ I((-x) ** 2)"),
        ("y ~ I(a-(b-c))", "y ~ I(a - (b - c))"),
        ("y ~ I((a-b)-c)", "y ~ I(a - b - c)"),
        ("y ~ I(a/(b*c))", "y ~ I(a / (b * c))"),
        ("y ~ I((a+b)*c)", "y ~ I((a + b) * c)"),
        ("y ~ I(-(a+b))", "y ~ I(-(a + b))"),
        ("y ~ I(2*-x)", "y ~ I(2 * -x)"),
        ("y ~ I(--x)", "y ~ I(--x)"),
        ("y ~ I(((x)))", "y ~ I(x)"),
        ("y ~ I(.5*x + 1e-7*x + 1e3*x + 2.0*x)", "y ~ I(0.5 * x + 1e-07 * x + 1000 * x + 2 * x)"),
        ("y ~ I(x ** +2)", "y ~ I(x ** 2)"),
        ("y ~ x:C(a) + C(a):x", "y ~ x:C(a)"),
    ],
)
def test_canonical_text(text: str, canonical: str) -> None:
    f = parse(text)
    assert f.canonical() == canonical
    assert parse(canonical) == f


def test_canonical_and_patsy_examples() -> None:
    f = parse("y ~ a*b - 1")
    assert f.canonical() == "y ~ a + b + a:b - 1"
    f = parse('score ~ Q("hours studied") * C(lesson) + I(completed ** 2)')
    assert (
        f.canonical()
        == 'score ~ Q("hours studied") + C(lesson) + I(completed ** 2) + Q("hours studied"):C(lesson)'
    )


def test_odd_names_and_transforms_build_a_design_without_evaluating_text() -> None:
    np = pytest.importorskip("numpy")
    pd = pytest.importorskip("pandas")
    from bot.regression.design import design_matrices

    names = ["y", "x", "a b", 'q"uote', "back\\slash", "é", "lambda", "a.b"]
    frame = pd.DataFrame({n: np.arange(1.0, 13.0) ** (i % 3 + 1) for i, n in enumerate(names)})
    frame["g"] = pd.Categorical(list("uvw") * 4)
    text = (
        'log(y) ~ x*`a b` + Q("q\\"uote") + Q("back\\\\slash") + Q("é") + Q("lambda") + a.b '
        "+ C(g):x + I(x ** 2) + np.sqrt(x + 1) + center(x) + standardize(x)"
    )
    f = parse(text)
    response, design = design_matrices(f, frame)
    assert np.allclose(response.iloc[:, 0], np.log(frame["y"]))
    columns = {patsy_factor(t.factors[0]) for t in f.terms if len(t.factors) == 1}
    assert columns <= set(design.columns)
    assert np.allclose(design["Q('a b')"], frame["a b"])
    assert np.allclose(design["sqrt(x + 1)"], np.sqrt(frame["x"] + 1))
    assert np.allclose(design["center(x)"], frame["x"] - frame["x"].mean())
    assert np.allclose(design["standardize(x)"], (frame["x"] - frame["x"].mean()) / frame["x"].std(ddof=0))


def test_helpers() -> None:
    f = parse('log(score) ~ I(completed ** 2) + C(lesson) + Q("a b"):completed + lesson')
    assert f.columns() == ("score", "completed", "lesson", "a b")
    assert f.rhs_columns() == ("completed", "lesson", "a b")
    assert [factor_text(t.factors[0]) for t in f.terms] == [
        "I(completed ** 2)",
        "C(lesson)",
        "lesson",
        'Q("a b")',
    ]
    assert patsy_factor(Column("a b")) == "Q('a b')"
    assert factor_columns(parse("y ~ I(a * b + a)").terms[0].factors[0]) == ("a", "b")
    assert is_plain_column(Column("x"))
    assert not is_plain_column(Call("C", Column("x")))
    assert is_identifier("completed")
    assert not is_identifier("a b")
    assert not is_identifier("log")


def test_column_spans_do_not_affect_equality() -> None:
    assert parse("y ~ x") == parse("y   ~   x")
    for text, span in [("y ~ x", (4, 5)), ('y ~ Q("a b")', (4, 12)), ("y ~ log(`a b`)", (8, 13))]:
        factor = parse(text).terms[0].factors[0]
        column = factor.arg if isinstance(factor, Call) else factor
        assert isinstance(column, Column) and column.span == span


# ------------------------------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("text", "message", "pointed"),
    [
        ("score = lesson", "use ~ between the response and the predictors", "="),
        ("score lesson + completed", "needs ~", "lesson"),
        ("lesson + completed", "needs ~", "+"),
        ("y ~ x ~ z", "exactly one ~", "~"),
        ("~ x", "nothing before ~", "~"),
        ("y ~", "nothing after ~", "~"),
        ("y ~ log(x", "never closed", "("),
        ("y ~ (a + (b)", "never closed", "("),
        ("y ~ x)", "no matching (", ")"),
        ("y ~ x^2", "I(x ** 2)", "^"),
        ("y ~ x**2", "inside I(...)", "**"),
        ("y**2 ~ x", "inside I(...)", "**"),
        ("y ~ a / b", "I(a / b)", "/"),
        ("y ~ x y", "expected + or the end", "y"),
        ("y + z ~ x", "after the response", "+"),
        ("y ~ x +", "ends too early", ""),
        ("y ~ 'x'", 'only allowed inside Q("...")', "'x'"),
        ('y ~ Q("x', "never closed", '"'),
        ("y ~ `x", "never closed", "`"),
        ('y ~ Q("")', "cannot be empty", 'Q("")'),
        ("y ~ ``", "cannot be empty", "``"),
        ("y ~ Q(x)", "in quotes", "x"),
        ("y ~ 2", "only be 1", "2"),
        ("y ~ (x + 1)", "outside parentheses", "1"),
        ("y ~ 1:x", "cannot be part of an interaction", "1"),
        ("y ~ log(x, 10)", "exactly one argument", ","),
        ("y ~ log(x, base=2)", "keyword arguments", "="),
        ("y ~ C(log(x))", "one column name", "log"),
        ("y ~ log(C(x))", "cannot be used inside arithmetic", "C"),
        ("C(y) ~ x", "numeric response", "C(y)"),
        ("y ~ I()", "expected a number", ")"),
        ("y ~ I(2 + 3)", "needs a column", "2 + 3"),
        ("y ~ foo(x)", "not an allowed function", "foo"),
        ("y ~ log", "is a function", "log"),
        ("y ~ np", "only functions from np", "np"),
        ("y ~ I(x ** y)", "plain number", "y"),
        ("y ~ I(x ** 2 ** 2)", "cannot be chained", "**"),
        ("y ~ I((x ** 2) ** 2)", "cannot be nested", "**"),
        ("y ~ x; z", "not part of the formula language", ";"),
        ("y ~ x[0]", "subscripts", "["),
        ("y ~ x @ z", "not part of the formula language", "@"),
        ("y ~ None", "keyword", "None"),
        ("y ~ ().x", "attribute access", "."),
    ],
)
def test_error_messages_point_at_the_problem(text: str, message: str, pointed: str) -> None:
    err, got = parse_error(text)
    assert message.lower() in err.render().lower()
    assert got == pointed
    assert err.position is not None
    assert "^" in err.caret_lines()


@pytest.mark.parametrize("text", ["", "   ", "y ~ 0", "y ~ x - x - 1"])
def test_errors_without_a_position(text: str) -> None:
    err, _ = parse_error(text)
    assert err.position is None


@pytest.mark.parametrize(
    ("text", "pointed"),
    [
        ("ｓｃｏｒｅ ~ x", "ｓ"),
        ("score ~ \u0430", "\u0430"),  # Cyrillic a
        ("score ~ x\u200b", "\u200b"),  # zero-width space
        ("score ~ \u202ex", "\u202e"),  # right-to-left override
        ("score ～ x", "～"),
        ("score ~ x\u00a0+ z", "\u00a0"),  # no-break space
    ],
)
def test_non_ascii_outside_quotes(text: str, pointed: str) -> None:
    err, got = parse_error(text)
    assert "only plain ascii" in err.message.lower()
    assert 'Q("...") for column names with other characters' in (err.hint or "")
    assert got == pointed
    assert err.formula.isprintable()  # invisible characters are not echoed back


def test_fullwidth_hint_names_the_ascii_character() -> None:
    err, _ = parse_error("score ～ x")
    assert "`~`" in (err.hint or "")


@pytest.mark.parametrize("text", ['y ~ Q("a\u200bb")', 'y ~ Q("a\nb")', "y ~ `a\tb`"])
def test_control_characters_inside_names(text: str) -> None:
    err, got = parse_error(text)
    assert "cannot contain" in err.message
    assert got in ("\u200b", "\n", "\t")


HOSTILE = [
    "__import__('os').system('x')",
    "score ~ __import__('os').system('x')",
    'score ~ I(__import__("os"))',
    "y ~ x.__class__",
    "y ~ Q(x).__class__",
    "lambda: 1",
    "y ~ lambda: 1",
    "open('/etc/passwd')",
    "y ~ open('/etc/passwd')",
    "exec",
    "y ~ exec('1')",
    "y ~ eval('1')",
    "eval",
    "y ~ getattr(x, 'a')",
    "().__class__.__bases__",
    "y ~ ().__class__.__bases__[0].__subclasses__()",
    "y ~ np.random.seed(1)",
    "y ~ np.load",
    "y ~ np.load('f')",
    "y ~ os.system('ls')",
    "y ~ I(x**1000)",
    "y ~ I(9**9**9)",
    "y ~ I(2**x)",
    "y ~ I(x**x)",
    "y ~ I(1e999 * x)",
    "y ~ I(10000000 * x)",
    "y ~ [x for x in ()]",
    "y ~ {x: 1}",
    "y ~ x if x else z",
    "y ~ f'{x}'",
    "y ~ x; import os",
    "y ~ x # comment",
    "y ~ \\x",
    "y ~ log(x=1)",
    "y ~ I(*x)",
    "y ~ I(x, y)",
    "ｓｃｏｒｅ ~ x",
    "score ~ \u0430ge",
    "score ~ x\u200b",
    "score\u202e ~ x",
    "y" * 10_000,
    "y ~ " + "(" * 500 + "x" + ")" * 500,
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_is_a_formula_error(text: str) -> None:
    with pytest.raises(FormulaError):
        parse(text)


# ------------------------------------------------------------------------------------------------- limits


def test_length_limit_is_checked_first_and_fast() -> None:
    text = "y ~ " + "+".join(["x"] * 5_000_000)
    start = time.perf_counter()
    err, _ = parse_error(text)
    assert time.perf_counter() - start < 0.5
    assert "limit is 500" in err.message
    assert "10,000,003 characters" in err.message


def test_length_limit_boundary() -> None:
    text = "y ~ x" + " " * 495
    assert len(text) == 500
    parse(text)
    _, pointed = parse_error(text + " ")
    assert pointed == " "


def test_deep_nesting_is_a_formula_error_not_a_recursion_error() -> None:
    big = Limits(max_length=1_000_000)
    for text in [
        "y ~ " + "(" * 500 + "x" + ")" * 500,
        "y ~ I(" + "(" * 5000 + "x" + ")" * 5000 + ")",
        "y ~ I(" + "-" * 5000 + "x)",
        "y ~ " + "log(" * 500 + "x" + ")" * 500,
        "y ~ I(" + " + ".join(["x"] * 5000) + ")",
    ]:
        err, _ = parse_error(text, big)
        assert "levels deep" in err.message


def test_nesting_within_the_limit() -> None:
    f = parse("y ~ " + "log(" * 10 + "x" + ")" * 10)
    assert parse(f.canonical()) == f


def test_term_limit() -> None:
    text = "y ~ " + " + ".join(f"x{i}" for i in range(21))
    err, pointed = parse_error(text)
    assert "limit is 20" in err.message
    assert pointed == "+"
    parse("y ~ " + " + ".join(f"x{i}" for i in range(20)))
    err, pointed = parse_error("y ~ (a + b + c + d + e) * (f + g + h + i)")
    assert "more than 20 terms" in err.message and pointed == "*"


def test_interaction_order_limit() -> None:
    err, pointed = parse_error("y ~ a*b*c*d")
    assert "joins 4 factors; the limit is 3" in err.message
    assert pointed == "*"
    assert len(parse("y ~ a*b*c").terms) == 7
    assert parse("y ~ a:b:c:d", Limits(max_interaction_order=4)).terms[0].factors == tuple(
        Column(n) for n in "abcd"
    )


@pytest.mark.parametrize(
    ("text", "message", "pointed"),
    [
        ("y ~ I(x ** 1000)", "exponent 1000 is too large; the limit is 4", "1000"),
        ("y ~ I(x ** -5)", "exponent -5 is too large", "-5"),
        ("y ~ I(9 ** 9 ** 9)", "exponent 9 is too large", "9"),
        ("y ~ I(2 ** x)", "plain number", "x"),
        ("y ~ I(x ** 1e999)", "too large", "1e999"),
        ("y ~ I(1000001 * x)", "limit is 1,000,000", "1000001"),
        ("y ~ I(1e999 * x)", "too large", "1e999"),
        ("y ~ " + "x" * 101, "101 characters long; the limit is 100", "x" * 101),
        ('y ~ Q("' + "x y" * 34 + '")', "102 characters long; the limit is 100", 'Q("' + "x y" * 34 + '")'),
    ],
)
def test_number_exponent_and_name_limits(text: str, message: str, pointed: str) -> None:
    err, got = parse_error(text)
    assert message in err.message
    assert got == pointed


def test_allowed_exponents_and_numbers() -> None:
    assert parse("y ~ I(x ** -4) + I(x ** 0.5) + I(1000000 * x)").canonical() == (
        "y ~ I(x ** -4) + I(x ** 0.5) + I(1000000 * x)"
    )


# ---------------------------------------------------------------------------------------------- validation

COLUMNS: dict[str, fm.ColumnKind] = {
    "score": "numeric",
    "lesson": "categorical",
    "completed": "numeric",
    "Hours": "numeric",
    "hours studied": "numeric",
    "species": "categorical",
    "big": "categorical",
}
LEVELS = {"lesson": 4, "species": 3, "big": 80}


def validate_error(
    text: str, levels: dict[str, int] | None = None, n_rows: int | None = None
) -> tuple[FormulaError, str | None]:
    """The error ``validate`` raises against ``COLUMNS``, and the part of ``text`` its caret points at."""
    with pytest.raises(FormulaError) as info:
        validate(parse(text), COLUMNS, text, levels=levels, n_rows=n_rows)
    err = info.value
    pointed = None if err.position is None else text[err.position : err.position + err.length]
    return err, pointed


@pytest.mark.parametrize(
    "text",
    [
        "score ~ lesson + completed",
        "score ~ C(lesson) * completed",
        'log(score) ~ C(completed) + I(Hours ** 2) + Q("hours studied")',
        "score ~ lesson:species",
        "score ~ 1",
    ],
)
def test_valid_formulas_are_returned_unchanged(text: str) -> None:
    f = parse(text)
    assert validate(f, COLUMNS, text, levels=LEVELS, n_rows=200) is f


def test_unknown_column_with_suggestion() -> None:
    err, pointed = validate_error("score ~ lesson + complted")
    assert err.message == "There is no column `complted` in this dataset."
    assert err.hint == "Did you mean `completed`?"
    assert pointed == "complted"


def test_unknown_column_lists_columns_when_nothing_is_close() -> None:
    err, pointed = validate_error('score ~ Q("zzz top")')
    assert "The columns are: `score`, `lesson`" in (err.hint or "")
    assert pointed == 'Q("zzz top")'


def test_unknown_column_case_insensitive_match() -> None:
    err, pointed = validate_error("score ~ log(hours)")
    assert "case-sensitive" in (err.hint or "") and "`Hours`" in (err.hint or "")
    assert pointed == "hours"


def test_unknown_response_column() -> None:
    _, pointed = validate_error("sore ~ lesson")
    assert pointed == "sore"


def test_categorical_response() -> None:
    err, pointed = validate_error("lesson ~ completed")
    assert "categorical; linear regression needs a numeric response" in err.message
    assert pointed == "lesson"


@pytest.mark.parametrize(
    ("text", "pointed"),
    [
        ("score ~ log(lesson)", "lesson"),
        ("score ~ I(lesson * 2)", "lesson"),
        ("score ~ center(species)", "species"),
        ("score ~ completed:I(completed + lesson)", "lesson"),
    ],
)
def test_categorical_inside_arithmetic(text: str, pointed: str) -> None:
    err, got = validate_error(text)
    assert "is categorical; wrap it in C() or use it on its own" in err.message
    assert got == pointed


@pytest.mark.parametrize(
    ("text", "pointed"),
    [
        ("score ~ C(completed) + completed", "completed"),
        ("score ~ completed:lesson + C(completed)", "completed"),
        ("score ~ log(completed) + C(completed)", "completed"),
    ],
)
def test_one_column_as_groups_and_as_a_number(text: str, pointed: str) -> None:
    err, got = validate_error(text)
    assert "is used both as groups (`C(completed)`) and as a number" in err.message
    assert got == pointed
    assert validate(parse("score ~ C(completed) + lesson"), COLUMNS, "score ~ C(completed) + lesson")


@pytest.mark.parametrize("text", ["score ~ completed + score", "log(score) ~ I(score ** 2)"])
def test_response_on_the_right(text: str) -> None:
    err, pointed = validate_error(text)
    assert "is the response" in err.message
    assert pointed == "score"
    assert err.position is not None and err.position > text.index("~")


def test_too_many_levels() -> None:
    err, pointed = validate_error("score ~ big", levels=LEVELS)
    assert "`big` has 80 levels; the limit is 50" in err.message
    assert pointed == "big"
    err, pointed = validate_error("score ~ C(completed)", levels={"completed": 51})
    assert pointed == "completed"


def test_coefficients_against_rows() -> None:
    # 1 + (4 - 1) + 1 + 3 * 1 = 8 coefficients
    err, _ = validate_error("score ~ lesson * completed", levels=LEVELS, n_rows=8)
    assert err.message.startswith("This model has 8 coefficients but only 8 rows")
    assert err.position is None
    validate(parse("score ~ lesson * completed"), COLUMNS, "", levels=LEVELS, n_rows=9)


def test_design_cells_limit() -> None:
    err, _ = validate_error("score ~ lesson * completed", levels=LEVELS, n_rows=1_000_000)
    assert "8,000,000 design cells; the limit is 5,000,000" in err.message


def test_validate_rechecks_limits() -> None:
    f = parse("score ~ lesson*species*completed")
    with pytest.raises(FormulaError, match="limit is 2"):
        validate(f, COLUMNS, "", limits=Limits(max_interaction_order=2))
    with pytest.raises(FormulaError, match="limit is 5"):
        validate(f, COLUMNS, "", limits=Limits(max_terms=5))


def test_column_that_hides_a_function() -> None:
    columns: dict[str, fm.ColumnKind] = {"y": "numeric", "log": "numeric", "x": "numeric", "Q": "numeric"}
    text = 'y ~ Q("log") + log(x)'
    with pytest.raises(FormulaError, match="same name as the function log") as info:
        validate(parse(text), columns, text)
    assert info.value.position == 4
    validate(parse('y ~ Q("log") + sqrt(x)'), columns, "")
    with pytest.raises(FormulaError, match="same name as the function Q"):
        validate(parse('y ~ Q("Q")'), columns, "")


def test_validate_without_matching_text_has_no_position() -> None:
    with pytest.raises(FormulaError) as info:
        validate(parse("score ~ nothing_here"), COLUMNS, "")
    assert info.value.position is None


# ------------------------------------------------------------------------------------------------ safety


def test_source_never_evaluates() -> None:
    tree = ast.parse(Path(fm.__file__).read_text(encoding="utf-8"))
    forbidden = {"eval", "exec", "compile", "__import__", "literal_eval", "getattr", "globals", "locals"}
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    attributes = {
        n.attr
        for n in ast.walk(tree)
        if isinstance(n, ast.Attribute) and ast.unparse(n) != "re.compile"  # regexes, not Python code
    }
    assert not forbidden & (names | attributes)
    modules = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    modules |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported = {m.split(".")[0] for m in modules}
    assert imported <= {
        "__future__",
        "keyword",
        "math",
        "re",
        "unicodedata",
        "collections",
        "dataclasses",
        "typing",
        "bot",
    }
    assert not imported & {"ast", "patsy", "statsmodels", "numpy", "pandas", "importlib", "os", "subprocess"}


def _forbidden(*args: object, **kwargs: object) -> None:
    raise AssertionError("the formula parser must never evaluate code")


def parse_without_evaluation(text: str) -> Formula:
    """``parse`` with ``eval``/``exec``/``compile``/``__import__`` made to fail loudly."""
    with mock.patch.multiple(
        builtins, eval=_forbidden, exec=_forbidden, compile=_forbidden, __import__=_forbidden
    ):
        return parse(text)


ROOMY = Limits(max_length=100_000)


def check_round_trip(text: str) -> Formula | None:
    """Parse ``text``: either a ``FormulaError``, or a formula whose canonical text parses back to it."""
    try:
        f = parse_without_evaluation(text)
    except FormulaError as err:
        assert isinstance(err.message, str) and err.message
        assert err.position is None or 0 <= err.position <= len(err.formula)
        return None
    canonical = f.canonical()
    again = parse(canonical, ROOMY)  # spaces and expansion can make the canonical text longer
    assert again == f, (text, canonical)
    assert again.canonical() == canonical
    return f


NAMES = ["y", "x", "a", "b", "score", "lesson", "completed", 'Q("a b")', "`c d`", "Q('it\\'s')"]
TOKENS = [
    *NAMES,
    "~",
    "+",
    "-",
    "*",
    ":",
    "(",
    ")",
    "I(",
    "C(",
    "log(",
    "np.log(",
    "center(",
    "**",
    "/",
    "2",
    "1",
    "0",
    "0.5",
    " ",
    ",",
    "=",
    "^",
    "'",
    '"',
    "`",
    ".",
    "__",
    "np.",
    "\u200b",
]

names = st.sampled_from(NAMES)
numbers = st.sampled_from(["1", "2", "0.5", "1e3", "3.25", ".5"])


def _binary(left: st.SearchStrategy[str], right: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.builds(lambda p, op, q: f"{p} {op} {q}", left, st.sampled_from(["+", "-", "*", "/"]), right)


arithmetic = st.recursive(
    names,
    lambda inner: st.one_of(
        _binary(inner, inner),
        _binary(inner, numbers),
        _binary(numbers, inner),
        inner.map(lambda e: f"({e})"),
        inner.map(lambda e: f"-{e}"),
        st.builds(lambda n, p: f"{n} ** {p}", names, st.sampled_from(["2", "3", "-1", "0.5"])),
        st.builds(
            lambda f, e: f"{f}({e})",
            st.sampled_from(["I", "log", "np.log", "sqrt", "np.exp", "exp", "center", "standardize"]),
            inner,
        ),
    ),
    max_leaves=5,
)
numeric_factors = st.one_of(
    names, st.builds(lambda f, e: f"{f}({e})", st.sampled_from(["I", "log", "np.sqrt", "center"]), arithmetic)
)
factors = st.one_of(numeric_factors, names.map(lambda n: f"C({n})"))
primaries = st.one_of(factors, st.builds(lambda p, q: f"({p} + {q})", factors, factors))
interactions = st.lists(primaries, min_size=1, max_size=2).map(":".join)
products = st.lists(interactions, min_size=1, max_size=3).map("*".join)


@st.composite
def grammar_formulas(draw: st.DrawFn) -> str:
    """Mostly valid formulas, built from the grammar with random spacing and intercept handling."""
    rhs = " + ".join(draw(st.lists(products, min_size=1, max_size=3)))
    prefix = draw(st.sampled_from(["", "0 + ", "-1 + ", "1 + "]))
    suffix = draw(st.sampled_from(["", " - 1", " + 0", " + 1", " - a", " - a:b"]))
    text = f"{draw(numeric_factors)} ~ {prefix}{rhs}{suffix}"
    return text.replace(" ", draw(st.sampled_from(["", " ", "   "])))


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=60))
def test_any_text_parses_or_is_a_formula_error(text: str) -> None:
    check_round_trip(text)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60))
def test_any_ascii_parses_or_is_a_formula_error(text: str) -> None:
    check_round_trip(text)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=25).map("".join))
def test_token_soup_parses_or_is_a_formula_error(text: str) -> None:
    check_round_trip(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grammar_formulas())
def test_grammar_formulas_round_trip(text: str) -> None:
    if check_round_trip(text) is None:
        with pytest.raises(FormulaError) as info:
            parse(text)
        assert "limit" in info.value.message or "no predictors" in info.value.message, info.value.message


VALIDATE_COLUMNS: dict[str, fm.ColumnKind] = {
    "y": "numeric",
    "x": "numeric",
    "a": "categorical",
    "b": "numeric",
    "lesson": "categorical",
    "completed": "numeric",
    "a b": "numeric",
    "ab": "categorical",
    "a   b": "numeric",
    "c d": "categorical",
}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    grammar_formulas(),
    st.none() | st.integers(min_value=0, max_value=10**7),
    st.none() | st.fixed_dictionaries({"a": st.integers(0, 100), "lesson": st.integers(0, 100)}),
)
def test_validate_returns_or_raises_formula_error(
    text: str, n_rows: int | None, levels: dict[str, int] | None
) -> None:
    try:
        f = parse(text)
    except FormulaError:
        return
    try:
        assert validate(f, VALIDATE_COLUMNS, text, levels=levels, n_rows=n_rows) is f
    except FormulaError as err:
        assert err.position is None or text[err.position : err.position + err.length]
