"""Check a student's one-sentence reading of one coefficient against what the fitted model says.

The checker reads the sentence with plain, word-bounded pattern matching (nothing in it is evaluated) and
compares what it claims with the coefficient's ``Reading`` from ``meaning``: the number, the direction, per
what, what is held fixed or at which values the coefficient holds, the baseline of a group difference, the
place of the intercept, and causal wording. Each rule gives one checklist line, only when it applies to the
term and the sentence. Every number in a line comes from the fit and is written by ``text``; the model answer
is the walkthrough's own reading, and ``why_pair`` shows two of the model's predictions that differ only in
the term, with their arithmetic.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Literal

import numpy as np
import pandas as pd

from bot.regression.datasets import Dataset
from bot.regression.errors import UserInputError, close_matches
from bot.regression.meaning import Change, Meaning, Predicted, Reading, Slope, Value, explain
from bot.regression.model import FittedModel
from bot.regression.text import MINUS, as_shown, difference_pair, listing, number, signed, value_text
from bot.regression.walkthrough import _reading_text, _Words, arithmetic

#: The longest sentence the checker reads.
MAX_SENTENCE = 1000
#: Nouns whose sign a "negative" or "positive" before them states (``a negative slope``).
_SIGN_NOUNS = frozenset(
    (
        "slope",
        "slopes",
        "coefficient",
        "relationship",
        "association",
        "trend",
        "correlation",
        "link",
        "effect",
    )
)
#: Where one clause of a sentence ends (a direction word is read with the values stated in its clause).
_CLAUSE = re.compile(r";|, |\band\b|\bbut\b|\bwhile\b|\bwhereas\b")

Mark = Literal["ok", "wrong", "warn"]
Rule = Literal["number", "direction", "unit", "names", "holding", "where", "baseline", "intercept", "causal"]
#: The rules in the order their lines are listed.
RULES: tuple[Rule, ...] = (
    "number",
    "direction",
    "unit",
    "names",
    "holding",
    "where",
    "baseline",
    "intercept",
    "causal",
)
ICONS: dict[Mark, str] = {"ok": "✅", "warn": "⚠️", "wrong": "❌"}

_LEVEL_KINDS = ("intercept", "intercept-none", "mean", "level-value")
_SLOPE_KINDS = ("slope", "slope-where", "level-slope", "slope-change", "per-doubling")
_HOLDING_KINDS = ("gap", "slope", "per-doubling")
_BASELINE_KINDS = ("gap", "slope-difference", "gap-difference")
#: Readings about how a slope or gap changes, where the response is implicit.
_SLOPE_CHANGES = ("slope-difference", "slope-change", "bend", "gap-difference", "term")


class UnknownTermError(UserInputError):
    """A term that is not one of the model's coefficients."""


class SentenceError(UserInputError):
    """A sentence that is empty or too long to check."""


@dataclass(frozen=True)
class Check:
    """One line of the checklist: ``mark`` for ``rule``, and ``why`` (one sentence, Discord markdown)."""

    mark: Mark
    rule: Rule
    why: str

    def render(self) -> str:
        """``✅ **number**: 1.35 is b₂ = 1.35.``"""
        return f"{ICONS[self.mark]} **{self.rule}**: {self.why}"


@dataclass(frozen=True)
class Verdict:
    """What the checker found in one sentence about one coefficient.

    ``lines`` has one check per rule that applies; ``model_answer`` is a correct reading of the term (the
    walkthrough's), ``why_pair`` two predictions that differ only in the term, with their arithmetic.
    """

    term: str
    symbol: str
    estimate: float
    lines: tuple[Check, ...]
    model_answer: str
    why_pair: str

    def mark(self, rule: Rule) -> Mark | None:
        """The mark of ``rule``, or None when it had no line."""
        return next((line.mark for line in self.lines if line.rule == rule), None)

    @property
    def correct(self) -> bool:
        """Whether no line is marked wrong."""
        return all(line.mark != "wrong" for line in self.lines)

    def render(self) -> str:
        """The checklist, one line per check."""
        return "\n".join(line.render() for line in self.lines)


# ------------------------------------------------------------------------------------------------ API


def terms(model: FittedModel) -> tuple[str, ...]:
    """The coefficient names a sentence can be about, in the model's order."""
    return tuple(c.name for c in model.coefficients)


def find_term(model: FittedModel, term: str) -> str:
    """The model's own spelling of ``term`` (case and spaces do not matter); a categorical column's name
    or one of its levels stands for its indicator when that is the only one it matches
    (``lesson`` or ``Lesson B`` for ``lesson[T.Lesson B]``); ``UnknownTermError`` otherwise."""
    wanted = _squash(term)
    names = terms(model)
    for name in names:
        if _squash(name) == wanted:
            return name
    indicators = [name for name in names if ":" not in name and name.endswith("]") and "[T." in name]
    shorthand = [
        name
        for name in indicators
        if wanted in (_squash(name.split("[T.", 1)[0]), _squash(name.split("[T.", 1)[1][:-1]))
    ]
    if len(shorthand) == 1:
        return shorthand[0]
    shown = term.strip()[:80].replace("`", "'") or "(nothing)"
    close = shorthand or close_matches(shown, names)
    hint = f"Did you mean {' or '.join(f'`{c}`' for c in close)}? " if close else ""
    listed = ", ".join(f"`{n}`" for n in names[:40])
    raise UnknownTermError(
        f"`{shown}` is not a coefficient of `{model.formula_text}`.",
        f"{hint}The model's terms are: {listed}.",
    )


def check(
    dataset: Dataset, model: FittedModel, term: str, sentence: str, meaning: Meaning | None = None
) -> Verdict:
    """Check ``sentence`` as a reading of coefficient ``term`` of ``model`` (fitted on ``dataset``).

    Raises ``UnknownTermError`` for a term the model does not have and ``SentenceError`` for an empty or
    overlong sentence; anything else the sentence says becomes a checklist line, never an error.
    """
    name = find_term(model, term)
    text = _valid_sentence(sentence)
    context = _Context(dataset, model, meaning or explain(dataset, model), name, _Sentence(text))
    reading = context.reading
    return Verdict(
        term=name,
        symbol=reading.symbol,
        estimate=reading.coefficient.estimate,
        lines=context.lines(),
        model_answer=_answer(context.words, reading),
        why_pair=_pair_text(context.words, reading),
    )


def model_answer(dataset: Dataset, model: FittedModel, term: str, meaning: Meaning | None = None) -> str:
    """A correct reading of ``term``, worded as the walkthrough words it."""
    name = find_term(model, term)
    meaning = meaning or explain(dataset, model)
    return _answer(_Words(dataset, model, meaning), meaning.reading(name))


def why_pair(dataset: Dataset, model: FittedModel, term: str, meaning: Meaning | None = None) -> str:
    """Two of the model's predictions that differ only in ``term``, with the arithmetic of each."""
    name = find_term(model, term)
    meaning = meaning or explain(dataset, model)
    return _pair_text(_Words(dataset, model, meaning), meaning.reading(name))


def _squash(text: str) -> str:
    """A term for comparison: lower case, without spaces."""
    return "".join(text.split()).lower().replace("np.", "")


def _growth(log_change: float) -> float:
    """A change on a log scale as a percent change, ``100 × (e^x − 1)`` (infinite past what a float holds)."""
    return 100 * math.expm1(log_change) if log_change < 700 else math.inf


def _valid_sentence(sentence: str) -> str:
    """The sentence stripped, or ``SentenceError`` when it is empty or too long."""
    text = sentence.strip()
    if not text:
        raise SentenceError(
            "Write one sentence that says what the coefficient means.",
            "For example: “Among students who took the same lesson, one more completed item goes with a "
            "1.35-point higher predicted score.”",
        )
    if len(text) > MAX_SENTENCE:
        raise SentenceError(
            f"That is {len(text):,} characters; the checker reads one sentence of at most {MAX_SENTENCE:,}.",
            "Interpret one coefficient in one sentence.",
        )
    return text


# ------------------------------------------------------------------------------------------ the sentence


def _split(text: str) -> tuple[str, ...]:
    """The words of ``text``, in order."""
    return tuple(text.split())


def _wordset(text: str) -> frozenset[str]:
    """The words of ``text`` as a set."""
    return frozenset(text.split())


_SMALL = _split(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen"
)
_TENS = dict(
    zip(_split("twenty thirty forty fifty sixty seventy eighty ninety"), range(20, 100, 10), strict=True)
)
_FRACTIONS = {"half": 0.5, "quarter": 0.25, "third": 1 / 3}
_NEGATORS = frozenset({"not", "no", "never", "neither", "nor", "without", "hardly"})
_CLAUSE_END = frozenset({".", ";", ":", "!", "?", "but", "however", "whereas", "although"})
_STOP = _wordset(
    "the a an of and or in on at to for per by with from its their his her this that these those "
    "number amount level levels whether each every which who what than is are be was were it as one "
    "two"
)
#: Spellings that name the same thing as a column's words (the stem they stand for).
_ALIASES = {
    "math": "mathematics",
    "maths": "mathematics",
    "deep": "depth",
    "deeper": "depth",
    "long": "length",
    "longer": "length",
}
_TOKEN = re.compile(
    r"(?P<num>(?<![\w.])[-+]?(?:\d+(?:\.\d+)?|\.\d+)(?!\w))|(?P<word>[a-z][a-z0-9_']*)|(?P<punct>[^\sa-z0-9])"
)
_CI = re.compile(
    r"\b\d+\s*(?:%|percent)\s*(?:ci|confidence interval|interval)\b[^.;)]{0,40}"
    r"|\bconfidence interval\b[^.;)]{0,40}"
)


def _normalise(text: str) -> str:
    """Lower case, one kind of minus and quote, no markdown, no thousands separators, words split at hyphens."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub("[\u2212\u2012\u2013\ufe63\uff0d]", "-", text)
    text = re.sub("[\u2014\u2015]", " ", text)
    text = re.sub("[\u2018\u2019\u02bc]", "'", text).replace("\u201c", '"').replace("\u201d", '"')
    text = re.sub(r"[*`~|]", " ", text)
    text = text.replace("won't", "will not").replace("can't", "can not").replace("cannot", "can not")
    text = text.replace("n't", " not")
    text = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text)
    text = re.sub(r"(?<=\d),(?=\d{1,2}(?!\d))", ".", text)
    text = re.sub(r"(?<=[a-z0-9])-(?=[a-z])|(?<=[a-z])-(?=[0-9])", " ", text)
    text = re.sub(r"(?<=\d)(?=[a-z])", " ", text)
    return " ".join(text.split())


def _stem(word: str) -> str:
    """A word cut to what its forms share: ``items`` → ``item``, ``completion`` → ``compl``."""
    word = _ALIASES.get(word, word).strip("'").removesuffix("'s")
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word[:5]


@dataclass(frozen=True)
class _Token:
    """A word, number or punctuation mark of the sentence; numbers carry their value, sign and precision."""

    text: str
    kind: Literal["word", "num", "punct"]
    start: int
    end: int
    value: float | None = None
    decimals: int = 0
    sign: int = 0
    percent: bool = False
    spelled: bool = False

    @property
    def stem(self) -> str:
        """The word's stem (empty for numbers and punctuation)."""
        return _stem(self.text) if self.kind == "word" else ""


def _tokens(text: str) -> list[_Token]:
    """The sentence as tokens, with numbers written as words turned into numbers."""
    raw = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        piece = match.group()
        if kind == "num":
            sign = -1 if piece.startswith("-") else 1 if piece.startswith("+") else 0
            digits = piece.lstrip("+-")
            value = float(digits)
            decimals = len(digits.partition(".")[2])
            if math.isfinite(value) and value < 1e15:
                raw.append(_Token(piece, "num", match.start(), match.end(), value, decimals, sign))
            continue
        raw.append(_Token(piece, "word" if kind == "word" else "punct", match.start(), match.end()))
    return _percent(_spelled(raw))


def _spelled(tokens: list[_Token]) -> list[_Token]:
    """Numbers written as words (``thirteen``, ``twenty one``, ``a half``, ``one and a half``) as numbers."""
    out: list[_Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        words = [t.text if t.kind == "word" else "" for t in tokens[i : i + 5]] + [""] * 5
        value: float | None = None
        used = 1
        if words[0] in _TENS:
            value = _TENS[words[0]]
            if words[1] in _SMALL[1:10]:
                value, used = value + _SMALL.index(words[1]), 2
        elif words[0] in _SMALL:
            value = float(_SMALL.index(words[0]))
        elif words[0] == "a" and words[1] in _FRACTIONS:
            value, used = _FRACTIONS[words[1]], 2
        elif words[0] == "half" and words[1] in ("a", "an"):
            value = 0.5
        if value is not None and words[used : used + 3] == ["and", "a", "half"]:
            value, used = value + 0.5, used + 3
        if value is None:
            out.append(token)
            i += 1
            continue
        decimals = 0 if float(value).is_integer() else 2
        end = tokens[i + used - 1].end
        spoken = " ".join(t.text for t in tokens[i : i + used])
        out.append(_Token(spoken, "num", token.start, end, float(value), decimals, 0, spelled=True))
        i += used
    return out


def _percent(tokens: list[_Token]) -> list[_Token]:
    """Numbers followed by ``%``, ``percent`` or ``per cent`` marked as percentages (the sign word absorbed)."""
    out: list[_Token] = []
    for i, token in enumerate(tokens):
        if token.kind != "num":
            out.append(token)
            continue
        after = [t.text for t in tokens[i + 1 : i + 3]]
        is_percent = bool(after) and (after[0] in ("%", "percent") or after[:2] == ["per", "cent"])
        before = tokens[i - 1].text if i else ""
        sign = token.sign or (-1 if before in ("minus", "negative") else 1 if before == "plus" else 0)
        out.append(replace(token, sign=sign, percent=is_percent))
    return out


class _Sentence:
    """A normalised sentence with its tokens and the pattern helpers the rules use."""

    def __init__(self, original: str) -> None:
        self.text = _CI.sub(" ", _normalise(original))
        self.spaced = self.text.replace("_", " ")
        self.tokens = _tokens(self.text)
        self.stems = frozenset(t.stem for t in self.tokens if t.kind == "word")

    def find(self, pattern: str) -> list[re.Match[str]]:
        """Every match of ``pattern`` in the normalised text."""
        return list(re.finditer(pattern, self.text))

    def has(self, pattern: str, negatable: bool = True) -> bool:
        """Whether ``pattern`` occurs (not negated, unless ``negatable`` is False)."""
        return any(not (negatable and self.negated(m.start())) for m in self.find(pattern))

    def words_before(self, position: int, count: int = 3) -> list[str]:
        """Up to ``count`` words before ``position`` in the same clause."""
        words: list[str] = []
        for token in reversed([t for t in self.tokens if t.end <= position]):
            if token.text in _CLAUSE_END or token.text == ",":
                break
            if token.kind == "word":
                words.append(token.text)
            if len(words) == count:
                break
        return words

    def negated(self, position: int, count: int = 3) -> bool:
        """Whether a negation (``not``, ``no``, ``never``, ``without``…) comes just before ``position``."""
        return any(word in _NEGATORS for word in self.words_before(position, count))

    def phrase(self, words: str) -> list[re.Match[str]]:
        """Occurrences of ``words`` as whole words, with or without underscores."""
        return _phrase(self.text, words) + _phrase(self.spaced, words.replace("_", " "))


def _phrase(text: str, words: str) -> list[re.Match[str]]:
    """Occurrences of ``words`` (any case) in normalised ``text`` as whole words."""
    key = _normalise(words)
    if not key:
        return []
    return list(re.finditer(r"(?<![a-z0-9_])" + re.escape(key) + r"(?![a-z0-9_])", text))


# ------------------------------------------------------------------------------------------- vocabulary


@dataclass(frozen=True)
class _Column:
    """How a column can be named in a sentence: its name's spellings, its words' stems, its unit, its levels."""

    forms: tuple[str, ...]
    stems: frozenset[str]
    units: frozenset[str]
    levels: tuple[str, ...]
    distinctive: frozenset[str]


def _content(text: str, short: bool = False) -> list[str]:
    """The content words of a noun or name as stems (with ``short``, every word: a unit such as ``mm``)."""
    words = re.findall(r"[a-z][a-z0-9']*", _normalise(text).replace("_", " "))
    return [_stem(w) for w in words if short or (w not in _STOP and len(w) >= 3)]


def _columns(dataset: Dataset, model: FittedModel) -> dict[str, _Column]:
    """The response and every predictor, with the words that name each (distinctive ones set apart)."""
    names = [model.response_column, *model.predictors()]
    raw: dict[str, tuple[tuple[str, ...], frozenset[str], frozenset[str], tuple[str, ...]]] = {}
    for name in dict.fromkeys(names):
        try:
            info = dataset.column(name)
            noun, unit = info.noun or info.description, info.unit or ""
        except KeyError:
            noun, unit = "", ""
        categorical = model.categorical(name)
        levels = categorical.levels if categorical else ()
        parts = [p for p in name.lower().split("_") if p]
        forms = tuple(
            dict.fromkeys([name.lower(), " ".join(parts), " ".join(p for p in parts if len(p) > 2)])
        )
        stems = frozenset(_content(noun) + _content(" ".join(parts)))
        raw[name] = (tuple(f for f in forms if f), stems, frozenset(_content(unit, short=True)), levels)
    out = {}
    for name, (forms, stems, units, levels) in raw.items():
        others = set().union(*([s | u for n, (_, s, u, _) in raw.items() if n != name] or [set()]))
        out[name] = _Column(forms, stems, units, levels, frozenset((stems | units) - others))
    return out


# -------------------------------------------------------------------------------------------- matching


def _sig_decimals(value: float, figures: int = 2) -> int:
    """Decimals that keep ``figures`` significant figures of ``value`` (negative: tens, hundreds…)."""
    if value == 0 or not math.isfinite(value):
        return 0
    return figures - 1 - math.floor(math.log10(abs(value)))


def rounds_to(written: float, decimals: int, target: float) -> bool:
    """Whether ``written`` (with ``decimals`` decimals) is ``target`` rounded: to what ``text.number`` shows,
    to two or more significant figures, or to a whole number when ``target`` is 10 or more."""
    target = abs(target)
    if not math.isfinite(target) or not math.isfinite(written):
        return False
    shown = float(number(target).replace(",", "").replace("−", "-")) if abs(target) >= 1e-6 else target
    close = 1e-9 * max(1.0, target)
    if abs(written - shown) <= close:
        return True
    least = _sig_decimals(target)
    if abs(written - round(target, least)) <= close:
        return True
    if target >= 10 and abs(written - round(target)) <= close:
        return True
    return decimals >= max(least, 0) and abs(written - target) <= 0.5 * 10.0**-decimals + close


@dataclass(frozen=True)
class _Target:
    """A quantity a sentence's number may state: its value, whether it is a percentage, and what it is."""

    value: float
    percent: bool
    what: str


# -------------------------------------------------------------------------------------------- the rules


class _Context:
    """One sentence about one coefficient: the reading, the words naming each column, and the rules."""

    def __init__(
        self, dataset: Dataset, model: FittedModel, meaning: Meaning, term: str, sentence: _Sentence
    ):
        self.dataset = dataset
        self.model = model
        self.meaning = meaning
        self.reading = meaning.reading(term)
        self.coef = self.reading.coefficient
        self.sentence = sentence
        self.words = _Words(dataset, model, meaning)
        self.columns = _columns(dataset, model)
        self.log = meaning.scale.kind == "log"

    # -- shared facts

    @property
    def kind(self) -> str:
        """The reading's kind."""
        return self.reading.kind

    @cached_property
    def response(self) -> _Column:
        """The response column's words."""
        return self.columns[self.model.response_column]

    @cached_property
    def numeric_predictors(self) -> list[_Column]:
        """The numeric predictors' words."""
        return [self.columns[v.name] for v in self.meaning.variables if not v.categorical]

    @cached_property
    def x_stems(self) -> frozenset[str]:
        """Stems that name a numeric predictor and not the response."""
        found: set[str] = set()
        for column in self.numeric_predictors:
            found |= column.stems | column.distinctive | {_stem(f) for f in column.forms if " " not in f}
        return frozenset(found - self.response.stems - self.response.units)

    @cached_property
    def x_units(self) -> frozenset[str]:
        """Unit stems of the numeric predictors (even when the response shares them)."""
        return frozenset().union(*[c.units for c in self.numeric_predictors])

    @cached_property
    def response_stems(self) -> frozenset[str]:
        """Stems that name the response or its unit."""
        return self.response.stems | self.response.units | {_stem(f) for f in self.response.forms}

    def named(self, name: str) -> bool:
        """Whether the sentence names column ``name`` (its name, a distinctive word, most of its noun, a level)."""
        column = self.columns[name]
        sentence = self.sentence
        if any(sentence.phrase(form) for form in column.forms):
            return True
        if any(sentence.phrase(level) for level in column.levels):
            return True
        if column.distinctive & sentence.stems:
            return True
        found = len(column.stems & sentence.stems)
        return len(column.stems) >= 2 and found >= max(2, len(column.stems) - 1)

    def response_named(self) -> bool:
        """Whether the sentence names the response (its name, noun words or unit)."""
        return self.named(self.model.response_column) or bool(self.response.units & self.sentence.stems)

    def level_positions(self, name: str, level: str) -> list[int]:
        """Where the sentence names ``level`` of ``name``."""
        return sorted({m.start() for m in self.sentence.phrase(level)})

    def place_stems(self, name: str) -> frozenset[str]:
        """Stems that name a predictor when a sentence states its value."""
        column = self.columns[name]
        return (column.stems | column.units | {_stem(f) for f in column.forms if " " not in f}) - (
            self.response.stems - column.stems
        )

    # -- numbers

    @cached_property
    def claims(self) -> list[_Token]:
        """The sentence's numbers that state a quantity (not a predictor's value, a step of one, a range)."""
        tokens = self.sentence.tokens
        out = []
        for i, token in enumerate(tokens):
            if token.kind == "num" and not self._is_value(tokens, i):
                out.append(token)
        return out

    def _is_value(self, tokens: Sequence[_Token], i: int) -> bool:
        """Whether number ``i`` is a predictor's value or a step rather than a stated quantity."""
        before = [t.text for t in tokens[max(0, i - 3) : i]]
        if before and before[-1] in ("per", "each", "every", "from", "→", "->"):
            return True
        if len(before) >= 2 and before[-1] in ("=", "at") and self._names_x(before[-2]):
            return True
        if before and before[-1] == "to" and any(t.text == "from" for t in tokens[max(0, i - 4) : i]):
            return True
        if i + 1 < len(tokens) and tokens[i + 1].text in ("→", "->", "-"):
            return True
        j, skipped = i + 1, 0
        while j < len(tokens) and tokens[j].text in ("%", "percent"):
            j += 1
        fillers = ("more", "additional", "extra", "further", "higher", "increase", "rise", "of", "in", "unit")
        while j < len(tokens) and skipped < 2 and tokens[j].text in fillers:
            j, skipped = j + 1, skipped + 1
        return j < len(tokens) and tokens[j].kind == "word" and self._names_x(tokens[j].text)

    def _names_x(self, word: str) -> bool:
        """Whether ``word`` names a numeric predictor (not the response)."""
        if any(word == f for c in self.numeric_predictors for f in c.forms):
            return True
        return _stem(word) in self.x_stems

    @cached_property
    def targets(self) -> list[_Target]:
        """What the coefficient's number may be written as: the estimate, and percentages on a log scale."""
        b = self.coef.estimate
        found = [_Target(b, False, "the estimate")]
        if self.log:
            found += [
                _Target(_growth(b), True, f"100 × (e^{self.reading.symbol} − 1)"),
                _Target(100 * b, True, f"100 × {self.reading.symbol}"),
            ]
        if self.kind == "per-doubling":
            change = next((c for c in self.reading.comparisons if isinstance(c, Change)), None)
            if change is not None:
                difference = change.difference.estimate
                found.append(_Target(difference, False, "the difference per doubling"))
                if self.log:
                    found += [
                        _Target(_growth(difference), True, "the change per doubling"),
                        _Target(b, True, "the elasticity (per 1 %)"),
                    ]
                    for p in self._x_percents():
                        what = f"the change for {value_text(p)} % more {self.reading.subject}"
                        found += [
                            _Target(_growth(b * math.log1p(p / 100)), True, what),
                            _Target(p * b, True, what),
                        ]
        return found

    def _x_percents(self) -> list[float]:
        """Percentages the sentence gives the predictor (``10 % more market value``)."""
        tokens = self.sentence.tokens
        claims = set(self.claims)
        return [
            t.value
            for i, t in enumerate(tokens)
            if t.kind == "num" and t.percent and t not in claims and t.value and self._is_value(tokens, i)
        ]

    def _matches(self, token: _Token, targets: Iterable[_Target]) -> _Target | None:
        """The first target the number states."""
        for target in targets:
            if target.percent == token.percent and rounds_to(
                token.value or 0.0, token.decimals, target.value
            ):
                return target
        return None

    @cached_property
    def matched(self) -> tuple[_Token, _Target] | None:
        """The sentence's number that states the coefficient, and as what (``completed = 1.35`` counts too)."""
        tokens = self.sentence.tokens
        equated = [t for i, t in enumerate(tokens) if t.kind == "num" and i and tokens[i - 1].text == "="]
        for token in [*self.claims, *equated]:
            target = self._matches(token, self.targets)
            if target is not None:
                return token, target
        return None

    @cached_property
    def elsewhere(self) -> list[tuple[_Target, Mark]]:
        """Other quantities a number may state by mistake: other coefficients, the reading's comparisons."""
        found: list[tuple[_Target, Mark]] = []
        for reading in self.meaning.readings:
            coef = reading.coefficient
            if coef.name == self.coef.name:
                continue
            found.append(
                (_Target(coef.estimate, False, f"the estimate of `{coef.name}` ({reading.symbol})"), "wrong")
            )
        intercept = self.model.intercept
        if self.kind == "gap" and intercept is not None and self.reading.level:
            value = intercept.estimate + self.coef.estimate
            place = self.words.zero_place(((self.reading.subject, self.reading.level), *self.reading.where))
            what = f"the prediction {place} (b₀ + {self.reading.symbol}), not the difference"
            found.append((_Target(value, False, what), "wrong"))
        for comparison in self.reading.comparisons:
            if isinstance(comparison, Change):
                value, what = (
                    comparison.difference.estimate,
                    f"the difference at {self.words.case(comparison.held)}",
                )
            elif isinstance(comparison, Slope):
                value, what = comparison.slope.estimate, f"the slope at {self.words.case(comparison.at)}"
            else:
                continue
            found.append((_Target(value, False, what), "warn"))
        return found

    # -- the checklist

    def lines(self) -> tuple[Check, ...]:
        """Every rule that applies, in ``RULES`` order."""
        rules = {
            "number": self.number,
            "direction": self.direction,
            "unit": self.unit,
            "names": self.names,
            "holding": self.holding,
            "where": self.where,
            "baseline": self.baseline,
            "intercept": self.intercept,
            "causal": self.causal,
        }
        checks = (rules[rule]() for rule in RULES)
        return tuple(c for c in checks if c is not None)

    def number(self) -> Check:
        """The sentence's number is the estimate (rounded, or as a percentage on a log scale)."""
        b = self.coef.estimate
        symbol = self.reading.symbol
        if self.matched is not None:
            token, target = self.matched
            written = _written(token)
            if target.value != b:
                return Check("ok", "number", f"{written} is {target.what}, for {symbol} = {number(b)}.")
            rounded = "" if number(abs(b)) == number(token.value or 0.0) else ", rounded"
            return Check("ok", "number", f"{written} is {symbol} = {number(b)}{rounded}.")
        for token in self.claims:
            for target, mark in self.elsewhere:
                if rounds_to(token.value or 0.0, token.decimals, target.value) and not token.percent:
                    return Check(
                        mark,
                        "number",
                        f"{_written(token)} is {target.what}; `{self.coef.name}` is {symbol} = {number(b)}.",
                    )
        stated = [t for t in self.claims if not self._trivial(t)]
        if stated:
            return Check(
                "wrong",
                "number",
                f"{_written(stated[0])} is not {symbol} = {number(b)} (nor {number(b)} rounded).",
            )
        return Check("warn", "number", f"Say how big: {symbol} = {number(b)}.")

    def _trivial(self, token: _Token) -> bool:
        """A 0 or 1 that reads as a count or a step rather than a stated size (``one of``, ``1 more``)."""
        if token.value not in (0.0, 1.0) or token.percent:
            return False
        tokens = self.sentence.tokens
        index = tokens.index(token) + 1
        while index < len(tokens) and tokens[index].text in ("more", "fewer", "less", "extra", "additional"):
            index += 1
        return token.spelled or index >= len(tokens) or _stem(tokens[index].text) not in self.response_stems

    # -- direction

    def direction(self) -> Check | None:
        """Higher or lower, as the sign says (a gap: the named level against the baseline, in either order)."""
        b = self.coef.estimate
        symbol = self.reading.symbol
        if self.kind in _LEVEL_KINDS:
            if self.matched is None:
                return None
            token = self.matched[0]
            negative = token.sign < 0 or self.sentence.has(r"\b(?:negative|below zero)\b")
            if negative == (b < 0):
                return None
            return Check(
                "wrong", "direction", f"{symbol} = {number(b)} is {'negative' if b < 0 else 'positive'}."
            )
        anchored = self._anchored_directions()
        if anchored:
            wrong = [(value, expected) for claim, expected, value in anchored if claim != expected]
            if not wrong:
                return Check("ok", "direction", "Each direction matches the model's comparison at its value.")
            value, expected = wrong[0]
            return Check(
                "wrong",
                "direction",
                f"At {self.reading.where[0][0]} = {value_text(value)} the model's comparison goes the other way: "
                f"{self._way(expected)} there.",
            )
        claim = self._claimed_sign()
        if claim is None:
            return None
        expected = 1 if b > 0 else -1
        way = self._way(expected)
        if claim == expected:
            return Check("ok", "direction", f"{symbol} = {number(b)}: {way}.")
        return Check(
            "wrong", "direction", f"{symbol} = {number(b)} is {'positive' if b > 0 else 'negative'}: {way}."
        )

    def _way(self, sign: int) -> str:
        """What the sign means for this reading, in words."""
        reading = self.reading
        up = "higher" if sign > 0 else "lower"
        if self.kind == "gap" or self.kind == "gap-difference":
            return f"{self.words.compared} for *{reading.level}* is {up} than for *{reading.versus}*"
        if self.kind == "slope-difference":
            steeper = "steeper" if sign > 0 else "shallower"
            return f"{reading.subject}'s slope is {steeper} for *{reading.level}* than for *{reading.versus}*"
        if self.kind == "bend":
            return f"{reading.subject}'s slope {'rises' if sign > 0 else 'falls'} as {reading.subject} grows"
        if self.kind == "slope-change":
            return f"{reading.subject}'s slope {'rises' if sign > 0 else 'falls'} as {reading.other} grows"
        noun = self.words.noun(reading.subject).replace("**", "")
        return f"a higher {noun} goes with a {up} {self.words.compared.removeprefix('the ')}"

    def _stated_signs(self) -> list[tuple[float, int]]:
        """Where the reading's comparison depends on a value (interaction, curve): each stated value with the
        sign of the comparison there, the coefficient's own place included."""
        reading = self.reading
        numeric = [(n, v) for n, v in reading.where[:1] if isinstance(v, float | int)]
        if not numeric or not reading.comparisons:
            return []
        name = numeric[0][0]
        signs = [(float(numeric[0][1]), 1 if reading.coefficient.estimate > 0 else -1)]
        for comparison in reading.comparisons:
            if isinstance(comparison, Change):
                value, estimate = dict(comparison.held).get(name), comparison.difference.estimate
            elif isinstance(comparison, Slope):
                value, estimate = dict(comparison.at).get(name), comparison.slope.estimate
            else:
                continue
            if isinstance(value, float | int) and estimate != 0:
                signs.append((float(value), 1 if estimate > 0 else -1))
        return signs

    def _anchored_directions(self) -> list[tuple[int, int, float]]:
        """Direction words in a clause that states a value where the comparison's sign differs from
        elsewhere (``lower at 190, higher at 200``; ``at 190, Gentoo is lower``), as (claimed sign, the
        model's sign there, value) each; a clause with a value and no direction word lends the value to
        the next one."""
        stated = self._stated_signs()
        if len({sign for _, sign in stated}) < 2:
            return []
        signs = self._direction_signs()
        flip = self._order()
        text = self.sentence.text
        cuts = [0, *(m.end() for m in _CLAUSE.finditer(text)), len(text) + 1]
        found: list[tuple[int, int, float]] = []
        lent: tuple[float, int] | None = None
        for start, end in itertools.pairwise(cuts):
            anchor = next(
                (
                    (float(t.value), s)
                    for t in self.sentence.tokens
                    if t.kind == "num" and t.value is not None and start <= t.start < end
                    for v, s in stated
                    if math.isclose(v, t.value)
                ),
                None,
            )
            claims = [claim for position, claim in signs if start <= position < end]
            if not claims:
                lent = anchor
                continue
            anchor = anchor or lent
            lent = None
            if anchor is not None:
                # Words that cancel out (``one more point … lower``): the response's word comes last.
                claim = (1 if sum(claims) > 0 else -1) if sum(claims) else claims[-1]
                found.append((claim * flip, anchor[1], anchor[0]))
        return found

    def _claimed_sign(self) -> int | None:
        """The sign the sentence claims: from its direction words, else from its number's sign."""
        signs = self._direction_signs()
        flip = self._order()
        if signs:
            total = sum(s for _, s in signs)
            if total == 0 and self.matched is not None:
                at = self.matched[0].start
                total = min(signs, key=lambda item: abs(item[0] - at))[1]
            if total == 0:
                total = signs[0][1]
            return (1 if total > 0 else -1) * flip
        if self.matched is None:
            return None
        token = self.matched[0]
        return (-1 if token.sign < 0 else 1) * flip

    def _direction_signs(self) -> list[tuple[int, int]]:
        """The response's direction words as (position, ±1), negations applied, a decreasing x flipping them."""
        tokens = self.sentence.tokens
        x_sign = 1
        found = []
        for i, token in enumerate(tokens):
            sign = self._word_sign(tokens, i)
            if sign == 0:
                continue
            if self.sentence.negated(token.start, 2):
                sign = -sign
            sign_of_slope = token.text in ("negative", "positive") and i + 1 < len(tokens)
            if sign_of_slope and tokens[i + 1].text in _SIGN_NOUNS:  # "completed's negative slope"
                found.append((token.start, sign))
                continue
            if self._about_x(tokens, i):
                x_sign *= sign
                continue
            found.append((token.start, sign))
        return [(position, sign * x_sign) for position, sign in found]

    def _word_sign(self, tokens: Sequence[_Token], i: int) -> int:
        """+1 or −1 for a direction word at ``i`` (``higher``, ``goes down``, ``concave``…), else 0."""
        word = tokens[i].text
        before = tokens[i - 1].text if i else ""
        if word in ("up", "down"):
            moving = ("go", "goes", "going", "went", "gone", "move", "moves", "moved", "shift", "shifts")
            return 0 if before not in moving else (1 if word == "up" else -1)
        if word in _UP or _UP_PATTERN.fullmatch(word):
            return 1
        if word in _DOWN or _DOWN_PATTERN.fullmatch(word):
            return -1
        if self.kind == "bend" and word in ("convex", "accelerates", "accelerating"):
            return 1
        if self.kind == "bend" and word in ("concave", "flattens", "flattening", "diminishing", "slows"):
            return -1
        return 0

    def _about_x(self, tokens: Sequence[_Token], i: int) -> bool:
        """Whether the direction word at ``i`` describes a predictor (``one more item``, ``as completed rises``,
        ``1 mm longer``) rather than the response."""
        if _stem(tokens[i].text) in self.x_stems:
            return True
        for token in tokens[i + 1 : i + 5]:
            if self._names_response(token.text):
                return False
            if token.kind == "punct" or token.text in _AHEAD_STOPS:
                break
            if token.kind == "word" and self._names_x(token.text):
                return True
        previous = list(tokens[max(0, i - 4) : i])
        while previous and previous[-1].text in _VERBS:
            previous.pop()
        if previous and previous[-1].kind == "word" and self._names_x(previous[-1].text):
            at = max(0, i - 4) + len(previous) - 1
            context = {t.text for t in tokens[max(0, at - 3) : at]}
            return not context & _NOT_SUBJECT
        words = [t for t in previous if t.kind != "punct"]
        steps = any(t.kind == "num" and t.value == 1.0 for t in words)
        return bool(words) and steps and _stem(words[-1].text) in self.x_units

    def _names_response(self, word: str) -> bool:
        """Whether ``word`` names the response and nothing else."""
        return word in self.response.forms or _stem(word) in self.response.distinctive

    def _order(self) -> int:
        """−1 when the sentence puts the coefficient's level second (``Lesson A scores higher than Lesson B``)."""
        reading = self.reading
        if self.kind not in _BASELINE_KINDS or not reading.level or not reading.versus:
            return 1
        mentions = [(p, "level") for p in self.level_positions(reading.subject, reading.level)]
        mentions += [(p, "versus") for p in self.level_positions(reading.subject, reading.versus)]
        if not mentions:
            return 1
        for position, which in sorted(mentions):
            if _COMPARED.search(self.sentence.text[max(0, position - 60) : position]):
                return -1 if which == "level" else 1
        return 1 if sorted(mentions)[0][1] == "level" else -1

    # -- per one unit

    def unit(self) -> Check | None:
        """A slope is per one unit of x (per doubling or per 1 % for a log predictor)."""
        if self.kind not in _SLOPE_KINDS:
            return None
        name = self.reading.other if self.kind == "slope-change" else self.reading.subject
        name = name or self.reading.subject
        per_one = self.sentence.has(_PER_ONE, negatable=False) or self._each_x(name) or self._one_apart(name)
        if self.reading.factor.startswith("standardize("):
            per_one = per_one or self.sentence.has(r"\b(?:standard deviation|sd)\b", negatable=False)
        if self.kind == "per-doubling":
            if self.sentence.has(_PER_DOUBLING, negatable=False):
                return Check("ok", "unit", f"{self.reading.symbol} is about doubling (or 1 % more) {name}.")
            mark: Mark = "wrong" if per_one else "warn"
            return Check(
                mark,
                "unit",
                f"With `{self.reading.factor}` the comparison is per doubling of {name} (or per 1 % more), "
                "not per one unit.",
            )
        size = self.words.per_one(name)
        if per_one:
            return Check("ok", "unit", f"Per {size} more **{name}**.")
        return Check("warn", "unit", f"Say per what: {self.reading.symbol} is per {size} more {name}.")

    def _one_apart(self, name: str) -> bool:
        """Two stated values of ``name`` one unit apart (``31 items … 30``)."""
        stems = self.place_stems(name)
        tokens = self.sentence.tokens
        values = {
            t.value
            for i, t in enumerate(tokens)
            if t.kind == "num" and (self._near(tokens, i, stems, -1, 2) or self._near(tokens, i, stems, 1, 2))
        }
        per = self.reading.per
        return any(v is not None and v + per in values for v in values)

    def _each_x(self, name: str) -> bool:
        """``each item``, ``every additional mm of bill length``: a step of one unit of ``name``."""
        stems = self.place_stems(name)
        tokens = self.sentence.tokens
        for i, token in enumerate(tokens[:-1]):
            if token.text in ("each", "every", "per"):
                following = [t for t in tokens[i + 1 : i + 4] if t.kind == "word"]
                if any(_stem(t.text) in stems for t in following):
                    return True
        return False

    # -- names

    def names(self) -> Check | None:
        """The predictor and the response are named."""
        if self.kind == "mean":
            return None
        missing = []
        subjects = (
            [self.reading.subject] if self.reading.subject and self.kind not in _LEVEL_KINDS[:2] else []
        )
        if self.kind == "slope-change" and self.reading.other:
            subjects.append(self.reading.other)
        for name in subjects:
            if not self.named(name):
                missing.append(f"**{name}** ({self.words.noun(name).replace('**', '')})")
        if self.kind not in _SLOPE_CHANGES and not self.response_named():
            missing.append(f"what is predicted ({self.words.compared.removeprefix('the ')})")
        if missing:
            return Check("warn", "names", f"Name {listing(missing)}.")
        named = listing([f"**{n}**" for n in [*subjects, self.model.response_column]])
        return Check("ok", "names", f"Names {named}.")

    # -- holding the others fixed; at which values

    def _others(self) -> list[str]:
        """The predictors this coefficient is not about."""
        return [v.name for v in self.meaning.variables if v.name not in self.coef.variables]

    def holding(self) -> Check | None:
        """With other predictors, an additive coefficient compares cases that match in them."""
        others = self._others()
        if self.kind not in _HOLDING_KINDS or not self.reading.constant or not others:
            return None
        held = self.words.same(others)
        if self._holds(others):
            return Check("ok", "holding", f"Compares {self.words.rows} with {held}.")
        return Check(
            "wrong",
            "holding",
            f"With {listing(others)} in the model, {self.reading.symbol} compares {self.words.rows} with {held}: "
            "say “holding … fixed” or “controlling for …”.",
        )

    def _holds(self, others: Sequence[str]) -> bool:
        """Whether the sentence says the other predictors are held fixed (``holding … fixed``, ``controlling
        for``, ``among students with the same lesson``, ``at any number of completed items``)."""
        if self.sentence.has(_HOLDING):
            return True
        stems = frozenset().union(*(self.place_stems(n) for n in others)) - self.response_stems
        phrases = [p for n in others for p in (*self.columns[n].forms, *self.columns[n].levels)]
        tokens = self.sentence.tokens
        for i, token in enumerate(tokens):
            if token.text not in _SAME and not (token.text in _ANY and i and tokens[i - 1].text in _WITHIN):
                continue
            if self.sentence.negated(token.start):
                continue
            following = tokens[i + 1 : i + 7]
            if any(t.kind == "word" and _stem(t.text) in stems for t in following):
                return True
            if following:
                span = self.sentence.text[token.end : following[-1].end]
                if any(_phrase(span, p) for p in phrases):
                    return True
        return False

    def where(self) -> Check | None:
        """A coefficient that is a comparison only at stated values (interaction, curve) says which values."""
        where = self.reading.where
        if not where or self.kind in _LEVEL_KINDS[:3]:
            return None
        place = self.words.zero_place(where)
        missing = [(n, v) for n, v in where if not self.states(n, v)]
        what = self._what()
        if missing:
            reason = "the interaction" if self.reading.other or self.kind == "gap" else "the curve"
            if self.kind == "level-value":
                reason = "no intercept"
            return Check(
                "wrong",
                "where",
                f"With {reason}, {self.reading.symbol} is {what} {place}, not everywhere: say so.",
            )
        if not self.reading.where_inside and not self.sentence.has(_OUTSIDE, negatable=False):
            note = self.words.outside_note(where)
            return Check(
                "warn", "where", f"{_first_upper(what)} {place}, but {note}: say it is an extrapolation."
            )
        return Check("ok", "where", f"{_first_upper(what)} {place}.")

    def _what(self) -> str:
        """What the coefficient is at its values: ``the slope of completed``, ``the gap``."""
        reading = self.reading
        if self.kind == "gap":
            return f"the gap between *{reading.level}* and *{reading.versus}*"
        if self.kind == "level-value":
            return f"*{reading.level}*'s prediction"
        if self.kind == "gap-difference":
            return "the difference in the gap"
        return f"{reading.subject}'s slope"

    def states(self, name: str, value: Value) -> bool:
        """Whether the sentence puts predictor ``name`` at ``value`` (``completed = 0``, ``for Lesson A``)."""
        variable = self.meaning.variable(name)
        if variable.categorical:
            if self.level_positions(name, str(value)):
                return True
            return value == variable.baseline and self.sentence.has(r"\b(?:baseline|reference)\b")
        target = float(value)
        stems = self.place_stems(name)
        tokens = self.sentence.tokens
        if target == 0 and self.sentence.has(_ALL_ZERO, negatable=False):
            return True
        for i, token in enumerate(tokens):
            is_value = (
                token.kind == "num"
                and (token.sign < 0) == (target < 0)
                and rounds_to(token.value or 0.0, token.decimals, target)
            )
            if target == 0 and token.text in ("zero", "none", "nothing"):
                is_value = True
            if target == variable.mean and token.text in ("mean", "average"):
                is_value = True
            if is_value and (self._near(tokens, i, stems, -1) or self._near(tokens, i, stems, 1)):
                return True
            if target == 0 and token.text == "no" and self._near(tokens, i, stems, 1, 3):
                return True
        return False

    @staticmethod
    def _near(tokens: Sequence[_Token], i: int, stems: frozenset[str], step: int, reach: int = 4) -> bool:
        """Whether a word with one of ``stems`` is within ``reach`` tokens of ``i`` (one way, within a clause)."""
        j = i + step
        while 0 <= j < len(tokens) and abs(j - i) <= reach:
            text = tokens[j].text
            if text in ("and", "or", ",", ";", ".", "but"):
                return False
            if tokens[j].kind == "word" and (_stem(text) in stems or text in stems):
                return True
            j += step
        return False

    # -- baseline

    def baseline(self) -> Check | None:
        """A gap is a difference from the baseline; a level's own coefficient (no intercept) is not."""
        reading = self.reading
        if self.kind == "level-value":
            if self.sentence.has(_DIFFERENCE):
                return Check(
                    "wrong",
                    "baseline",
                    f"With no intercept, {reading.symbol} is *{reading.level}*'s own prediction, not a difference "
                    "from another level.",
                )
            return Check("ok", "baseline", f"{reading.symbol} is *{reading.level}*'s own prediction.")
        if self.kind not in _BASELINE_KINDS or not reading.versus:
            return None
        compares = self.sentence.has(_DIFFERENCE) or bool(self._direction_signs())
        what = "slope" if self.kind == "slope-difference" else self.words.compared.removeprefix("the ")
        if not compares or self._reached():
            mark: Mark = "wrong" if self.claims else "warn"
            return Check(
                mark,
                "baseline",
                f"{reading.symbol} is not *{reading.level}*'s own {what}: it is how far *{reading.level}* is "
                f"from *{reading.versus}* (the baseline).",
            )
        if self.level_positions(reading.subject, reading.versus) or self.sentence.has(
            r"\b(?:baseline|reference (?:level|group|category|lesson))\b"
        ):
            return Check("ok", "baseline", f"A difference from *{reading.versus}*, the baseline.")
        return Check("warn", "baseline", f"Say what it is compared with: *{reading.versus}* (the baseline).")

    def _reached(self) -> bool:
        """Whether the coefficient's number is read as a level reached (``falls to 13.19``)."""
        if self.matched is None:
            return False
        tokens = self.sentence.tokens
        index = tokens.index(self.matched[0])
        return index > 0 and tokens[index - 1].text == "to"

    # -- the intercept

    def intercept(self) -> Check | None:
        """The intercept is the prediction where every predictor is 0 (or at its baseline)."""
        reading = self.reading
        if self.kind != "intercept":
            return None
        place = self.words.zero_place(reading.where)
        numbers = [(n, v) for n, v in reading.where if not self.meaning.variable(n).categorical]
        groups = [(n, v) for n, v in reading.where if self.meaning.variable(n).categorical]
        axis = self.sentence.has(r"\b(?:axis|crosses|meets)\b", negatable=False)
        numbers_stated = axis or all(self.states(n, v) for n, v in numbers)
        groups_stated = all(self.states(n, v) for n, v in groups)
        other_level = any(
            self.level_positions(n, lv) for n, v in groups for lv in self.columns[n].levels if lv != v
        )
        what = f"{reading.symbol} is {self.words.predicted} {place}"
        if not numbers_stated:
            average = self.sentence.has(r"\b(?:average|mean|overall|typical|usual)\b")
            lead = f"{reading.symbol} is not the average: it" if average else f"Say where: {reading.symbol}"
            return Check("wrong", "intercept", f"{lead} is {self.words.predicted} {place}.")
        if not groups_stated:
            mark: Mark = "wrong" if other_level else "warn"
            return Check(mark, "intercept", f"{what}, the baseline's prediction.")
        if not reading.where_inside and not self.sentence.has(_OUTSIDE, negatable=False):
            note = self.words.outside_note(reading.where)
            return Check("warn", "intercept", f"{what}, but {note}: say it is an extrapolation.")
        return Check("ok", "intercept", f"{what}.")

    # -- causal wording

    def causal(self) -> Check | None:
        """Causal wording is flagged unless the predictor was assigned at random."""
        found = [m for m in self.sentence.find(_CAUSAL) if not self._not_causal(m.start())]
        if not found:
            return None
        assigned = []
        for name in self.coef.variables or tuple(v.name for v in self.meaning.variables):
            try:
                how = self.dataset.column(name).assigned
            except KeyError:
                how = None
            assigned.append((name, how))
        words = _quoted(found[0].group())
        if assigned and all(how for _, how in assigned):
            name, how = assigned[0]
            return Check(
                "ok",
                "causal",
                f"“{words}”: **{name}** was assigned {how}, so a causal reading is defensible.",
            )
        rows = self.words.rows
        return Check(
            "warn",
            "causal",
            f"“{words}” is causal: these {rows} were observed, not assigned, so say “goes with” or “is associated "
            "with”.",
        )

    def _not_causal(self, position: int) -> bool:
        """Whether causal wording at ``position`` is negated (``does not cause``, ``doesn't mean … causes``)."""
        sentence = self.sentence
        if sentence.negated(position, 3):
            return True
        before = sentence.text[max(0, position - 80) : position]
        clause = re.split(r"[.;!?]", before)[-1]
        return bool(
            _META_NEGATION.search(clause)
            or re.search(r"\b(?:rather than|instead of|as opposed to)(?:\s+\w+){0,2}\s*$", clause)
        )


def _first_upper(text: str) -> str:
    """``text`` with its first letter in upper case (the rest as it is)."""
    return text[:1].upper() + text[1:]


def _quoted(words: str) -> str:
    """Matched wording for a quote: short, or its first and last words."""
    parts = words.split()
    return words if len(parts) <= 3 else f"{parts[0]} … {parts[-1]}"


def _written(token: _Token) -> str:
    """A number as the sentence wrote it, in the bot's style (``−13.19``, ``8 %``, “thirteen”)."""
    if token.spelled:
        return f"“{token.text}”"
    text = value_text((token.value or 0.0) * (-1 if token.sign < 0 else 1))
    return text + (" %" if token.percent else "")


_UP = _wordset(
    "higher more increase increases increased increasing rise rises rising rose risen larger greater "
    "gain gains gained gaining bigger above ahead better positive positively steeper deeper longer raise "
    "raises raised raising "
    "heavier taller grows grow growing grew upward upwards exceeds outscore outscores"
)
_DOWN = _wordset(
    "lower less fewer decrease decreases decreased decreasing fall falls falling fell fallen smaller "
    "drop drops dropped dropping lose loses losing lost below behind worse negative negatively lowers "
    "lowered lowering reduce reduces reducing worsens "
    "decline declines declined declining shallower flatter shorter lighter reduced reduction shrinks "
    "shrinking downward downwards inversely inverse"
)
_UP_PATTERN = re.compile(r"(?:high|larg|great|bigg|steep|deep)er")
_DOWN_PATTERN = re.compile(r"(?:low|small|short|light|shallow|flatt)er")
_WITHIN = frozenset({"in", "within", "for", "at", "among", "across", "of", "a"})
_AHEAD_STOPS = frozenset(
    ["for", "per", "with", "when", "as", "if", "at", "among", "goes", "go", "is", "are", "on", "by", "than"]
)
_VERBS = frozenset(
    ["goes", "go", "going", "went", "is", "are", "gets", "get", "moves", "becomes", "become", "were", "was"]
)
#: Words before a predictor's name that make it something other than the subject of a change
#: (``each extra item shrinks``: the item is a step; ``the benefit of an item falls``: the benefit falls).
_NOT_SUBJECT = _wordset(
    "each every per extra additional of slope coefficient effect term estimate benefit gain return association"
)
_SAME = frozenset({"same", "given", "fixed", "equal", "identical", "within"})
_ANY = frozenset({"each", "every", "any", "both", "either", "one", "single"})
_COMPARED = re.compile(
    r"(?:\bthan|\bcompared (?:with|to)|\brelative to|\bversus|\bvs\.?|\bagainst|\bdiffer\w* from|\bbelow|\babove"
    r"|\bbehind|\bahead of|\bin comparison (?:with|to)|\bwith respect to|\bunlike|\bover)"
    r"(?:\s+[a-z']+){0,3}\s*$"
)


def _any(*alternatives: str) -> str:
    """One pattern that matches any of ``alternatives``."""
    return "|".join(alternatives)


_STEP_UP = "more|higher|increase|rise|larger|bigger|greater|longer|deeper|heavier|taller|wider"
_PER_ONE = _any(
    r"\bper\b(?! cent)",
    r"\bfor (?:each|every)\b",
    r"\b(?:each|every) (?:additional|extra|more|further|single|new)\b",
    r"\b(?:one|1|an?) (?:more|additional|extra|further|fewer|less)\b",
    rf"\b(?:one|1|a single) (?:[a-z]+ ){{0,3}}(?:{_STEP_UP})\b",
    r"\beach(?=\s*(?:[.;,!?)]|$))",
    r"\bby (?:one|1)\b",
    r"\bunit (?:increase|change|rise|higher)\b",
    r"\bincrease (?:of|in) (?:one|1)\b",
    r"\bone at a time\b",
)
_PER_DOUBLING = _any(r"\bdoubl\w*", r"\btwice\b", r"\btwo times\b", "%", r"\bper ?cent\b", r"\belasticit\w*")
_HOLDING = _any(
    r"\bhold(?:ing|s)?\b[^.;]{0,60}?\b(?:fixed|constant|equal|the same|steady)\b",
    r"\bheld (?:fixed|constant|equal)\b",
    r"\bkeep(?:ing|s)?\b[^.;]{0,60}?\b(?:fixed|constant|the same|equal)\b",
    r"\bkept (?:fixed|constant)\b",
    r"\b(?:control|adjust|account)(?:ling|led|ing|ed|s)? for\b",
    r"\btaking\b[^.;]{0,40}?\binto account\b",
    r"\ballowing for\b",
    r"\bnet of\b",
    r"\b(?:all|other|everything)(?: else| things| other things)?(?: being)? (?:equal|constant|fixed|the same)\b",
    r"\bceteris paribus\b",
    r"\bothers? (?:\w+ )?(?:held|kept|fixed|constant)\b",
)
_DIFFERENCE = _any(
    r"\b(?:than|compared|comparison|relative to|versus|vs|gap|below|above|behind|ahead|advantage)\b",
    r"\b(?:steeper|shallower)\b",
    r"\bdiffer\w*",
)
_OUTSIDE = _any(
    r"extrapolat\w*",
    r"\b(?:outside|beyond) (?:of )?(?:the )?(?:data|range|observed)",
    r"\bout of (?:the )?range\b",
    r"\bnot (?:\w+ ){0,2}(?:meaningful|realistic|observed|sensible|interpretable|possible|real|in the data)\b",
    r"\b(?:meaningless|unrealistic|hypothetical|nobody|no one|no such)\b",
    r"\bno (?:\w+ ){0,2}(?:student|penguin|firm|row|case|observation)s?\b",
    r"\bnever (?:observed|occurs|happens|seen)\b",
    r"\bdo(?:es)? not occur\b",
    r"\bedge of the data\b",
)
_ALL_ZERO = (
    r"\b(?:all|every|each)(?: of)?(?: the)? (?:predictors?|variables?|inputs?|x's|xs|covariates?)\b"
    r"[^.;]{0,30}?\b(?:0|zero)\b"
)
_CHANGE_VERBS = (
    "increase|decrease|raise|lower|improve|reduce|boost|rise|fall|drop|go up|go down|gain|lose|change|cut"
)
_CAUSAL = _any(
    r"\bcaus(?:e|es|ed|ing|al|ally|ation)\b",
    r"\b(?:lead|leads|leading|led|contribute|contributes|contributed|contributing) to\b",
    r"\bresult(?:s|ed|ing)? in\b",
    r"\b(?:as a result of|because of|due to|thanks to|responsible for)\b",
    r"(?<!main )(?<!interaction )(?<!marginal )(?<!fixed )\beffects?\b",
    r"\b(?:affect(?:s|ed|ing)?|impact(?:s|ed|ing)?|influenc(?:e|es|ed|ing))\b",
    rf"\b(?:will|would)\s+(?:\w+\s+)?(?:{_CHANGE_VERBS})\b",
    r"\bmak(?:e|es|ing)\s+(?:\w+\s+){0,2}(?:score|scores|do|perform|get|higher|lower|better|worse)\b",
    r"\b(?:improv(?:e|es|ed|ing)|boost(?:s|ed|ing)?|driv(?:e|es|en|ing))\b",
    r"\b(?:increasing|raising|lowering|decreasing|changing|switching|giving|assigning|adding|reducing)\b"
    r"[^.;]{0,60}?\b(?:would|will)\b",
)
_META_NEGATION = re.compile(
    r"\b(?:not|never|no|nor)\b(?:\s+\w+){0,2}\s+(?:mean|means|imply|implies|say|show|shows|prove|proves|claim|"
    r"conclude|tell|tells|necessarily|evidence|establish|sure|know)\b"
)


# ----------------------------------------------------------------------------------------- model answer


def _answer(words: _Words, reading: Reading) -> str:
    """The walkthrough's reading of the coefficient (the mean of a model with no predictors in a sentence)."""
    if reading.kind == "mean":
        column = words.model.response_column
        return (
            f"**{reading.symbol} = {number(reading.coefficient.estimate)}** is the mean {words.noun(column)} of the "
            f"{words.model.n} {words.rows}: with no predictors every prediction is this mean."
        )
    return _reading_text(words, reading)


# ------------------------------------------------------------------------------------------- why pairs


def _pair_text(words: _Words, reading: Reading) -> str:
    """Predictions that differ only in this coefficient's term, with the arithmetic, and what their
    difference is."""
    kind = reading.kind
    base = _base_case(words, reading)
    if kind in _LEVEL_KINDS:
        return _single(words, reading, base)
    if kind in ("gap", "gap-difference") and reading.level and reading.versus:
        if kind == "gap-difference":
            return _difference_of_differences(words, reading, base)
        return _pair(
            words,
            reading,
            {**base, reading.subject: reading.versus},
            {**base, reading.subject: reading.level},
        )
    if kind in ("slope-difference", "slope-change"):
        return _difference_of_differences(words, reading, base)
    if kind == "bend":
        return _bend_pair(words, reading, base)
    if kind in ("slope", "slope-where", "level-slope", "per-doubling") or (kind == "term" and reading.factor):
        start, end = _steps(words, reading, base)
        return _pair(words, reading, {**base, reading.subject: start}, {**base, reading.subject: end})
    return (
        f"`{reading.coefficient.name}` is one part of a term that changes along the data, so no two predictions "
        "differ in it alone; read the model through its predictions (the walkthrough's “What the numbers mean”)."
    )


def _base_case(words: _Words, reading: Reading) -> dict[str, Value]:
    """Every predictor at its typical value, with the values where the coefficient is exactly its comparison."""
    base = dict(words.meaning.typical)
    if reading.level and reading.other and reading.kind in ("slope-difference", "level-slope"):
        base[reading.other] = reading.level
    base.update(dict(reading.where))
    return {name: value if isinstance(value, str) else as_shown(value) for name, value in base.items()}


def _steps(words: _Words, reading: Reading, base: Mapping[str, Value]) -> tuple[float, float]:
    """The two values of the predictor: the reading's own comparison, or one unit (centred on the value where
    the coefficient is the slope, for a curve)."""
    name, per = reading.subject, reading.per
    where = dict(reading.where)
    if name in where:
        centre = float(where[name])
        return centre - per / 2, centre + per / 2
    change = next((c for c in reading.comparisons if isinstance(c, Change)), None)
    if change is not None and not reading.where:
        return float(change.start), float(change.end)
    start = float(base[name])
    return start, start + per


def _label(values: Mapping[str, Value]) -> str:
    """``lesson = Lesson A, completed = 31``."""
    return ", ".join(f"{name} = {value_text(value)}" for name, value in values.items())


def _predicted(words: _Words, values: Mapping[str, Value]) -> tuple[str, float]:
    """One prediction as a line with its arithmetic, and its value."""
    work, estimate = arithmetic(words.model, dict(values))
    return f"**{_label(values)}:** ŷ = {work}", estimate


def _changed(words: _Words, first: Mapping[str, Value], second: Mapping[str, Value]) -> np.ndarray:
    """How each design column differs between two cases."""
    rows = words.model.design_matrix(pd.DataFrame([dict(first), dict(second)], index=[0, 1]))
    return rows[1] - rows[0]


def _outside(words: _Words, cases: Sequence[Mapping[str, Value]]) -> str:
    """A note when a case lies outside the data (the coefficient is a comparison there)."""
    notes = []
    for case in cases:
        note = words.outside_note(tuple((n, v) for n, v in case.items() if n in words.model.predictors()))
        if note and note not in notes:
            notes.append(note)
    return f" Here {'; '.join(notes)}: an extrapolation, but the arithmetic holds." if notes else ""


def _pair(words: _Words, reading: Reading, first: dict[str, Value], second: dict[str, Value]) -> str:
    """Two predictions, the one difference in their terms, and their difference."""
    line_a, a = _predicted(words, first)
    line_b, b = _predicted(words, second)
    changed = _changed(words, first, second)
    coefs = words.model.coefficients
    index = next(i for i, c in enumerate(coefs) if c.name == reading.coefficient.name)
    tiny = 1e-9 * max(1.0, float(np.abs(changed).max()))
    moved = [i for i, d in enumerate(changed) if abs(d) > tiny and coefs[i].name != "Intercept"]
    low, high, difference = difference_pair(a, b)
    low = f"({low})" if low.startswith(MINUS) else low  # 5 − (−2), never 5 − −2
    varied = [n for n in first if first[n] != second[n]]
    what = listing([f"{n} ({value_text(first[n])} → {value_text(second[n])})" for n in varied])
    symbol = reading.symbol
    if moved == [index]:
        step = float(changed[index])
        times = "" if math.isclose(step, 1.0) else f" × {number(step, 4)}"
        says = f"{symbol}{times}" if times else f"{symbol}, the coefficient of `{reading.coefficient.name}`"
        sentence = (
            f"They differ only in {what}, so only the term of {symbol} changes: {high} − {low} = {difference} "
            f"= {says}."
        )
    else:
        others = listing([f"`{coefs[i].name}`" for i in moved if i != index])
        sentence = (
            f"They differ in {what}; the terms of {others} change too, so {high} − {low} = {difference} is not "
            f"{symbol} alone."
        )
    if words.meaning.scale.kind == "log":
        sentence += f" On the log scale a difference is a ratio: {words.difference(b - a)}."
    return "\n".join([line_a, line_b, sentence]) + _outside(words, [first, second])


def _single(words: _Words, reading: Reading, base: dict[str, Value]) -> str:
    """An intercept or a level's own coefficient: the prediction where every other term is 0."""
    if reading.kind == "intercept-none":
        typical = next((c for c in reading.comparisons if isinstance(c, Predicted)), None)
        text = (
            f"No case makes every term but {reading.symbol} zero in this model, so no prediction is "
            f"{reading.symbol} alone."
        )
        if typical is not None:
            line, _ = _predicted(words, dict(typical.at))
            text += "\n" + line
        return text
    if reading.kind == "mean":
        estimate = number(reading.coefficient.estimate)
        return f"With no predictors every prediction is {reading.symbol}: ŷ = {estimate}."
    values = dict(base)
    if reading.kind == "level-value" and reading.level:
        values[reading.subject] = reading.level
    line, estimate = _predicted(words, values)
    rest = estimate - reading.coefficient.estimate
    if number(rest) == number(0.0):
        note = f"Every term but {reading.symbol} is 0 here, so the prediction is {reading.symbol} itself."
    else:
        note = (
            f"The other terms add {signed(rest)} here (the values are rounded as shown), so the prediction is "
            f"{reading.symbol} up to that."
        )
    return f"{line}\n{note}" + _outside(words, [values])


def _difference_of_differences(words: _Words, reading: Reading, base: dict[str, Value]) -> str:
    """An interaction: the same difference at two values of the other predictor; the coefficient is how much
    the two differences differ."""
    if reading.kind == "gap-difference":
        other = reading.other or ""
        variable = words.meaning.variable(other)
        levels = (variable.baseline, dict(reading.where).get(other))
        first_pair = [
            {**base, other: levels[0], reading.subject: lv} for lv in (reading.versus, reading.level)
        ]
        second_pair = [
            {**base, other: levels[1], reading.subject: lv} for lv in (reading.versus, reading.level)
        ]
    else:
        name = reading.subject
        moderator = reading.other or ""
        start = float(dict(words.meaning.typical)[name])
        if reading.kind == "slope-difference":
            levels = (reading.versus, reading.level)
        else:
            held = float(dict(words.meaning.typical)[moderator])
            levels = (held, held + 1)
        first_pair = [{**base, moderator: levels[0], name: x} for x in (start, start + 1)]
        second_pair = [{**base, moderator: levels[1], name: x} for x in (start, start + 1)]
    lines = []
    gaps = []
    for pair in (first_pair, second_pair):
        line_a, a = _predicted(words, pair[0])
        line_b, b = _predicted(words, pair[1])
        lines += [line_a, line_b]
        gaps.append(b - a)
    difference = gaps[1] - gaps[0]
    lines.append(
        f"The first two differ by {signed(gaps[0], 4)}, the last two by {signed(gaps[1], 4)}: the difference "
        f"of the differences is {number(difference)}{_is_coefficient(reading, difference)}."
    )
    return "\n".join(lines) + _outside(words, [*first_pair, *second_pair])


def _is_coefficient(reading: Reading, value: float, times: int = 1) -> str:
    """`` = b₃`` when ``value`` is ``times`` the coefficient (up to rounding noise), else why not."""
    coefficient = times * reading.coefficient.estimate
    factor = f"{times} × " if times != 1 else ""
    if math.isclose(value, coefficient, rel_tol=1e-6, abs_tol=1e-9 * max(1.0, abs(coefficient))):
        return f" = {factor}{reading.symbol}"
    return f", not {factor}{reading.symbol} = {number(coefficient)} alone: other terms change too"


def _bend_pair(words: _Words, reading: Reading, base: dict[str, Value]) -> str:
    """A squared term: three predictions one unit apart; the two steps differ by twice the coefficient."""
    name = reading.subject
    centre = float(dict(words.meaning.typical)[name])
    cases = [{**base, name: centre + step} for step in (-1.0, 0.0, 1.0)]
    predicted = [_predicted(words, case) for case in cases]
    first, second = predicted[1][1] - predicted[0][1], predicted[2][1] - predicted[1][1]
    return "\n".join(
        [
            *(line for line, _ in predicted),
            f"The steps are {signed(first, 4)} and {signed(second, 4)}: they differ by {number(second - first)}"
            f"{_is_coefficient(reading, second - first, 2)} (the slope changes by 2 × {reading.symbol} per "
            f"{words.per_one(name)}).",
        ]
    )
