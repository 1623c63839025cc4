"""Numbers for people, one way everywhere, and worked sums that add up with the numbers they show."""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from bot.regression.text import (
    difference_pair,
    listing,
    number,
    one_line,
    p_value,
    percent,
    signed,
    value_text,
    worked_sum,
)
from tests.truth import Truth, value


def test_number():
    assert number(-13.186) == "−13.19"
    assert number(0.0012345) == "0.0012"
    assert number(-0.08502) == "−0.085"
    assert number(0.111) == "0.11"
    assert number(4200.5) == "4,200.50"
    assert number(0.0) == "0.00"
    assert number(-0.0001) == "−0.00010"
    assert number(5.9e-07) == "5.9 × 10⁻⁷"
    assert number(float("nan")) == "not available"
    assert number(-0.001, 2) == "−0.0010"


def test_value_text_never_uses_e_notation():
    assert value_text(35.0) == "35"
    assert value_text(30.75) == "30.75"
    assert value_text(4.17237e-05) == "0.0000417237"
    assert value_text(123456.7) == "123,457"
    assert value_text(12345.5) == "12,345.5"
    assert value_text("Lesson A") == "Lesson A"


def test_small_helpers():
    assert signed(1.35) == "+1.35" and signed(-2) == "−2.00" and signed(0) == "0.00"
    assert percent(0.123) == "12 %" and percent(0.004) == "0.4 %" and percent(0.0224) == "2.2 %"
    assert p_value(0.0004) == "p < 0.001" and p_value(0.0341) == "p = 0.034"
    assert listing(["a"]) == "a" and listing(["a", "b", "c"]) == "a, b and c"
    assert one_line("a\n  b", 10) == "a b" and one_line("abcdefghijkl", 5) == "abcd…"


def test_the_lecture_prediction_says_it_uses_unrounded_estimates():
    b0, b2 = 18.343754179032693, 1.3544150371427204
    text = worked_sum([(b0, None), (b2, 35.0)], b0 + b2 * 35)
    first, second = text.split("\n")
    assert first == "18.34 + 1.35 × 35 = 65.75"
    assert second == "(unrounded: 18.3438 + 1.3544 × 35 = 65.75; the rounded numbers give 65.59)"


finite = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False).filter(lambda v: abs(v) > 1e-5 or v == 0)
multipliers = st.one_of(
    st.none(), st.integers(-50, 50).map(float), st.floats(-100, 100).filter(lambda v: abs(v) > 1e-3)
)


@given(st.lists(st.tuples(finite, multipliers), min_size=1, max_size=5))
def test_every_worked_sum_adds_up_with_the_numbers_it_shows(terms):
    total = sum(v * (m if m is not None else 1.0) for v, m in terms)
    text = worked_sum(terms, total)
    if "=" not in text:
        assert text == number(total)
        return
    truth = Truth.__new__(Truth)
    truth.counts = Counter()
    truth.sums(f"```\n{text}\n```")
    assert truth.counts["sums"] == 1, text


@given(finite, finite)
def test_difference_pairs_add_up(low, high):
    start, end, difference = difference_pair(low, high)
    decimals = len(difference.split(".")[1]) if "." in difference else 0
    shown = Decimal(str(value(end))) - Decimal(str(value(start)))
    assert shown.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP) == Decimal(
        str(value(difference))
    )
