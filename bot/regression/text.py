"""Numbers and text for people, written one way everywhere (walkthrough, figures, alt text, the bot's embeds).

This module imports nothing heavy, so the bot process and the cogs may use it too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

MINUS = "−"
_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
#: Below this size a number is written with a power of ten (``5.9 × 10⁻⁷``) instead of many zeros.
_TINY = 1e-6


def decimals_for(value: float, decimals: int = 2) -> int:
    """How many decimals ``number`` writes ``value`` with: ``decimals``, more for small values.

    A value below 0.1 keeps two significant digits (``0.0055``), so a small slope never reads as ``0.00``.
    """
    if value == 0 or not math.isfinite(value) or abs(value) >= 0.1:
        return decimals
    return max(decimals, 1 - math.floor(math.log10(abs(value))))


def number(value: float, decimals: int = 2) -> str:
    """A number for people: ``decimals`` decimals (more for small values), thousands separated, ``−`` for minus.

    ``1234.5`` → ``1,234.50``; ``-0.00552`` → ``−0.0055``; ``5.9e-07`` → ``5.9 × 10⁻⁷``; ``nan`` → ``not available``.
    """
    if not math.isfinite(value):
        return "not available"
    if value != 0 and abs(value) < _TINY:
        mantissa, exponent = f"{value:.1e}".split("e")
        return f"{mantissa} × 10{str(int(exponent)).translate(_SUPERSCRIPTS)}".replace("-", MINUS)
    text = f"{value:,.{decimals_for(value, decimals)}f}"
    if set(text) <= set("-0.,"):
        text = text.lstrip("-")
    return text.replace("-", MINUS)


def signed(value: float, decimals: int = 2) -> str:
    """``number`` with an explicit sign: ``+1.35``, ``−13.19``."""
    text = number(value, decimals)
    return text if text.startswith(MINUS) or set(text) <= set("0.,") else "+" + text


def value_text(value: str | float) -> str:
    """A value as typed back to the user: a level as it is, a number to six significant digits without
    needless zeros, never in e-notation (``3,078.5``, ``0.0000417237``, ``215.041``)."""
    if isinstance(value, str):
        return value
    if value != 0 and abs(value) < _TINY:
        return number(value)
    if float(value).is_integer() and abs(value) < 1e15:
        text = f"{int(value):,}" if abs(value) >= 10_000 else str(int(value))
    else:
        digits = max(0, 5 - math.floor(math.log10(abs(value))))
        text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
        whole, dot, rest = text.partition(".")
        if len(whole.lstrip("-")) > 3:
            text = f"{int(whole):,}" + dot + rest
    return text.replace("-", MINUS)


def as_shown(value: float) -> float:
    """``value`` rounded to what ``value_text`` shows, so a stated value is the value used."""
    return float(_decimal(value_text(value), value))


def percent(fraction: float, decimals: int = 0) -> str:
    """``0.123`` → ``12 %``; shares under 10 % keep a decimal (``2.2 %``, ``0.4 %``)."""
    share = fraction * 100
    if decimals == 0 and 0 < abs(share) < 9.95:
        decimals = 1
    return f"{number(share, decimals)} %"


def p_value(p: float) -> str:
    """``p < 0.001`` or ``p = 0.034``."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, ending in ``…`` when cut."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "…"


def one_line(text: str, limit: int) -> str:
    """``text`` on one line (whitespace runs become one space), clipped to ``limit``."""
    return clip(" ".join(str(text).split()), limit)


def listing(items: Sequence[str], conjunction: str = "and") -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    items = [item for item in items if item]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {conjunction} " + items[-1]


def _decimal(text: str, value: float) -> Decimal:
    """A shown number as a Decimal (the value itself where the text is not a plain number)."""
    try:
        return Decimal(text.replace(MINUS, "-").replace(",", ""))
    except InvalidOperation:
        return Decimal(repr(value)) if math.isfinite(value) else Decimal("NaN")


def _shown(value: float, decimals: int) -> Decimal:
    """The value exactly as ``number(value, decimals)`` shows it."""
    return _decimal(number(value, decimals), value)


def _factor(multiplier: float, decimals: int) -> str:
    """A multiplier as shown: as typed, or with more significant digits for a more precise line."""
    if decimals <= 2 or float(multiplier).is_integer():
        return value_text(multiplier)
    text = f"{multiplier:.{decimals + 4}g}"
    if "e" in text:
        return value_text(multiplier)
    return text.replace("-", MINUS)


def _term(value: float, multiplier: float | None, decimals: int, first: bool) -> str:
    """One term of a worked sum: ``18.34``, ``− 13.19``, ``+ 1.35 × 35``."""
    body = number(abs(value), decimals)
    if multiplier is not None:
        factor = _factor(multiplier, decimals)
        body += f" × ({factor})" if factor.startswith(MINUS) else f" × {factor}"
    if first:
        return (
            f"{MINUS}{body}" if value < 0 and number(abs(value), decimals) != number(0.0, decimals) else body
        )
    return f"{MINUS if value < 0 else '+'} {body}"


def _shown_sum(terms: Sequence[tuple[float, float | None]], decimals: int) -> Decimal:
    """What the shown terms add up to, computed exactly as a reader would."""
    total = Decimal(0)
    for value, multiplier in terms:
        shown = _shown(value, decimals)
        if multiplier is not None:
            shown *= _decimal(_factor(multiplier, decimals), multiplier)
        total += shown
    return total


def _rounded(value: Decimal, decimals: int) -> Decimal:
    """``value`` rounded the way a reader rounds: half up."""
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def adds_up(terms: Sequence[tuple[float, float | None]], total: float, decimals: int = 2) -> bool:
    """Whether the terms as shown with ``decimals`` give the total as shown (``number(total)``)."""
    return _rounded(_shown_sum(terms, decimals), decimals_for(total)) == _shown(total, 2)


def worked_sum(terms: Sequence[tuple[float, float | None]], total: float) -> str:
    """``18.34 + 1.35 × 35 = 65.75``: terms (a value, times a multiplier unless None) and their total.

    When the two-decimal terms do not add up to the total shown, a second line gives the estimates with
    enough digits that they do, and what the rounded ones add up to, so every sum shown can be checked.
    """
    if not terms:
        return f"0 = {number(total)}"
    if len(terms) == 1 and terms[0][1] is None and adds_up(terms, total):
        return number(total)
    line = " ".join(_term(v, m, 2, i == 0) for i, (v, m) in enumerate(terms)) + f" = {number(total)}"
    if adds_up(terms, total):
        return line
    for decimals in range(3, 15):
        if adds_up(terms, total, decimals):
            precise = " ".join(_term(v, m, decimals, i == 0) for i, (v, m) in enumerate(terms))
            rounded = number(float(_rounded(_shown_sum(terms, 2), decimals_for(total))))
            return f"{line}\n(unrounded: {precise} = {number(total)}; the rounded numbers give {rounded})"
    return f"{line}\n(computed with the unrounded estimates)"


def difference_pair(low: float, high: float) -> tuple[str, str, str]:
    """Two predictions and their difference as text that adds up: ``(60.194, 47.008, −13.19)``.

    The difference is shown to two decimals; the predictions get the fewest decimals (at least two) for
    which their shown difference rounds to it.
    """
    difference = high - low
    for decimals in range(2, 9):
        shown = _shown(high, decimals) - _shown(low, decimals)
        if _rounded(shown, decimals_for(difference)) == _shown(difference, 2):
            return number(low, decimals), number(high, decimals), number(difference)
    return number(low, 8), number(high, 8), number(difference)
