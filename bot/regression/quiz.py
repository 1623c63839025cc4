"""Multiple-choice questions from a fitted model: one right answer and three planted mistakes.

Every number comes from the fit, the way the rest of the engine computes it: a prediction from the model's
own design at a real case in the data, a group's line from predictions along x, a reading from the
walkthrough (and every sentence offered is run through the interpretation checker, so the right one passes
and each wrong one trips the rule of its misconception), a slope change from ``meaning.slope_change``.
Each wrong option is one named mistake worked out on the same fit, and its ``why`` shows the arithmetic or
the comparison. Choices (which case, term or group; which mistakes; the order) come from
``random.Random(seed)``, so a seed gives the same question every time.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bot.regression.datasets import Dataset
from bot.regression.equations import join_terms, substituted
from bot.regression.errors import UserInputError
from bot.regression.interpret import Rule, check, model_answer, why_pair
from bot.regression.meaning import Meaning, Reading, SlopeChange, Value, slope_change
from bot.regression.model import Coefficient, FittedModel, Indicator, level_name, predict
from bot.regression.questions import KINDS, LETTERS, RULE_MISCONCEPTIONS, Option, Question
from bot.regression.text import (
    as_shown,
    clip,
    difference_pair,
    listing,
    number,
    signed,
    value_text,
    worked_sum,
)
from bot.regression.walkthrough import _back, _code, _Words, arithmetic, decomposition, relation_text

PROMPT_LIMIT = 1000
OPTION_LIMIT = 300
WHY_LIMIT = 1000
EXPLANATION_LIMIT = 1500
#: How many real cases from the data a prediction question chooses among (spread over the fitted rows).
CASES = 24
#: How many of a model's coefficients (in the model's order) a sentence question chooses among.
TERMS = 12
#: Wrong options per question.
WRONG = len(LETTERS) - 1
#: Which misconception a sentence question is about, when its wrong options plant several (first found).
_TOPIC_ORDER = ("intercept", "curves", "indicator_mean", "holding", "baseline", "arithmetic", "causal")
#: A sentence ends where a full stop is followed by the start of another.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z*(“])")
_FLIPS = {
    "higher": "lower",
    "steeper": "shallower",
    "downward": "upward",
    "concave": "convex",
    "falls": "rises",
}
_FLIPS |= {b: a for a, b in _FLIPS.items()}
#: A direction word, and one that compares with another group.
_DIRECTION = r"\b(" + "|".join(_FLIPS) + r")\b"
_DIRECTION_THAN = r"\b(steeper|shallower)(?= than\b)"
#: The walkthrough's “holding the others fixed” phrases.
_HELD_FIXED = r"(?:comparing [^,:]*? with|at) the same [^,:]*?(?: \(held fixed\))?, "

Case = dict[str, Value]
Line = tuple[float, float]
#: One term of a worked prediction: the coefficient, the estimate used, and its multiplier (None: alone).
Piece = tuple[Coefficient, float, float | None]


class QuizKindError(UserInputError):
    """A kind of question that does not fit this model, or a model that no kind of question fits."""


@dataclass(frozen=True)
class _Draft:
    """An option before the options are shuffled; ``label`` names a wrong one's mistake for the worked
    solution (``flips the sign of b₁``)."""

    text: str
    why: str
    misconception: str | None = None
    label: str = ""

    def option(self) -> Option:
        """The option as stored."""
        return Option(
            clip(self.text, OPTION_LIMIT),
            self.misconception is None,
            clip(self.why.strip(), WHY_LIMIT),
            self.misconception,
        )


# ------------------------------------------------------------------------------------------------ API


def kinds_for(dataset: Dataset, model: FittedModel, meaning: Meaning) -> tuple[str, ...]:
    """The kinds of question (``questions.KINDS``) that this model can be asked, in ``KINDS`` order."""
    return _Quiz(dataset, model, meaning).kinds()


def question(dataset: Dataset, model: FittedModel, meaning: Meaning, kind: str | None, seed: int) -> Question:
    """One question of ``kind`` (None: a kind chosen by ``seed`` among ``kinds_for``), the same for the same seed.

    Raises ``QuizKindError`` for a kind that does not fit the model, saying why and which kinds do.
    """
    quiz = _Quiz(dataset, model, meaning)
    rng = random.Random(seed)
    if kind is None:
        kinds = quiz.kinds()
        if not kinds:
            raise quiz.nothing_to_ask()
        kind = rng.choice(kinds)
    elif kind not in KINDS:
        shown = str(kind)[:40].replace("`", "'")
        raise QuizKindError(
            f"`{shown}` is not a kind of question.", f"Try kind: {listing(list(KINDS), 'or')}."
        )
    found = quiz.build(kind, rng)
    if found is None:
        raise quiz.refusal(kind)
    return found


# ------------------------------------------------------------------------------------------ the quiz


class _Quiz:
    """The questions one fitted model can be asked: the targets of each kind and how each is made."""

    def __init__(self, dataset: Dataset, model: FittedModel, meaning: Meaning) -> None:
        self.dataset = dataset
        self.model = model
        self.meaning = meaning
        self.words = _Words(dataset, model, meaning)
        self.formula = model.formula_text
        self._reasons: dict[str, str | None] = {}

    # -- which kinds apply

    def kinds(self) -> tuple[str, ...]:
        """The kinds that fit, in ``KINDS`` order."""
        return tuple(kind for kind in KINDS if self.reason(kind) is None)

    def reason(self, kind: str) -> str | None:
        """Why ``kind`` does not fit this model, or None when it does (some target gives a question)."""
        if kind not in self._reasons:
            structural = self._structure(kind)
            if structural is None and self.build(kind, random.Random(0)) is None:
                structural = _NO_TARGET[kind]
            self._reasons[kind] = structural
        return self._reasons[kind]

    def _structure(self, kind: str) -> str | None:
        """What the model lacks for ``kind`` (None when it has the parts the kind asks about)."""
        meaning = self.meaning
        if not meaning.variables:
            return "has no predictors"
        x, categoricals = meaning.shape.x, self._categoricals()
        if kind == "lines":
            by = self._by()
            if not categoricals:
                return "has no categorical predictor, so it has no line per group"
            if x is None:
                return "has no numeric predictor, so each group gets one prediction, not a line"
            if by is None:
                return (
                    f"has no baseline for **{meaning.shape.by}** (no intercept), so no line is the baseline's"
                )
            if meaning.shape.curved:
                return f"draws a curve along **{x}**, not a straight line per group"
        if kind == "baseline" and not categoricals:
            return "has no categorical predictor, so it has no baseline to ask about"
        if kind == "slope_change":
            if x is None:
                return "has no numeric predictor, so it has no slope to compare"
            if len(meaning.variables) < 2:
                return f"has **{x}** alone, so there is no other predictor whose adding changes its slope"
            if self._slope_change() is None:
                return (
                    f"gives **{x}** a slope that depends on where you look (an interaction or a curve), so it has "
                    "no single slope to compare with the simple regression's"
                )
        return None

    def refusal(self, kind: str) -> QuizKindError:
        """The error for a kind that does not fit, naming the kinds that do."""
        kinds = self.kinds()
        if not kinds:
            return self.nothing_to_ask()
        why = self.reason(kind)
        return QuizKindError(f"`{self.formula}` {why}.", f"Try kind: {listing(list(kinds), 'or')}.")

    def nothing_to_ask(self) -> QuizKindError:
        """The error for a model no kind of question fits, saying what to fit instead."""
        examples = [f for f in self.dataset.examples if "~" in f and f.split("~", 1)[1].strip() != "1"]
        hint = (
            f"Fit a model with a predictor, for example `{examples[0]}`."
            if examples
            else "Fit a model with a predictor."
        )
        if not self.meaning.variables:
            return QuizKindError(
                f"`{self.formula}` has no predictors: every prediction is the mean, so there is nothing to quiz.",
                hint,
            )
        return QuizKindError(f"`{self.formula}` leaves too few different wrong answers for a quiz.", hint)

    # -- building

    def build(self, kind: str, rng: random.Random) -> Question | None:
        """A question of ``kind`` about the first target (in the seed's order) that gives one, or None."""
        if self._structure(kind) is not None:
            return None
        makers: dict[str, tuple[Callable[[], list], Callable]] = {
            "predict": (self._cases, self._predict),
            "lines": (self._levels, self._lines),
            "sentence": (lambda: list(self.meaning.readings[:TERMS]), self._sentence),
            "baseline": (self._categoricals, self._baseline),
            "slope_change": (
                lambda: [c for c in [self._slope_change()] if c is not None],
                self._slope_question,
            ),
        }
        targets, make = makers[kind]
        ordered = targets()
        rng.shuffle(ordered)
        if kind == "predict":  # cases in a group with an indicator first (a forgotten indicator is a mistake)
            ordered.sort(key=self._all_baselines)
        for target in ordered:
            try:
                found = make(target, rng)
            except UserInputError:
                continue  # a prediction or the checker refuses this target: try another
            if found is not None:
                return found
        return None

    def _assemble(
        self,
        kind: str,
        topic: str,
        prompt: str,
        right: _Draft,
        wrong: Sequence[_Draft],
        solution: str,
        rng: random.Random,
    ) -> Question:
        """The question with its options shuffled and a worked solution that names each wrong option's mistake."""
        drafts = [right, *wrong]
        rng.shuffle(drafts)
        traps = "; ".join(f"**{LETTERS[i]}** {d.label}" for i, d in enumerate(drafts) if d.misconception)
        head = f"**Answer: {LETTERS[drafts.index(right)]}.** "
        tail = f"\n**The others:** {traps}."
        body = clip(solution, EXPLANATION_LIMIT - len(head) - len(tail))
        return Question(
            kind=kind,
            topic=topic,
            dataset=self.dataset.name,
            formula=self.formula,
            prompt=clip(prompt, PROMPT_LIMIT),
            options=tuple(d.option() for d in drafts),
            explanation=clip(head + body.strip() + tail, EXPLANATION_LIMIT),
        )

    # -- shared facts

    def _categoricals(self) -> list[str]:
        """The categorical predictors."""
        return [v.name for v in self.meaning.variables if v.categorical]

    def _by(self) -> str | None:
        """The categorical the pictures draw one line per level of, when it has a baseline."""
        shape = self.meaning.shape
        if shape.by_kind != "categorical" or shape.by is None:
            return None
        return shape.by if self.meaning.variable(shape.by).baseline else None

    def _slope_change(self) -> SlopeChange | None:
        """x's slope alone and in this model, when x has one slope here."""
        return slope_change(self.dataset, self.model, self.meaning)

    def _equation(self) -> str:
        """The fitted equation as a code block."""
        return _block(clip(substituted(self.model), 600))

    def _scale_note(self) -> str:
        """Which scale ŷ is on, for a transformed response (empty otherwise)."""
        scale = self.meaning.scale
        return "" if scale.kind == "identity" else f" (ŷ is on the model's own scale, **{scale.text}**)"

    def _symbol(self, coef: Coefficient) -> str:
        """``b₂`` for a coefficient."""
        return self.meaning.reading(coef.name).symbol

    def _bare(self, column: str) -> str:
        """A column's noun without markdown, for inside a phrase."""
        return self.words.noun(column).replace("**", "")

    def _response(self) -> str:
        """What is predicted: ``quiz score`` or ``**log(body_mass_g)**``."""
        if self.meaning.scale.kind == "identity":
            return self._bare(self.model.response_column)
        return f"**{self.words.scale}**"

    # ------------------------------------------------------------------------------------- predict

    def _cases(self) -> list[Case]:
        """Real cases from the data (values as shown), spread over the fitted rows, each once."""
        rows = self.model.used_rows(self.dataset.frame)
        positions = np.unique(np.linspace(0, len(rows) - 1, min(CASES, len(rows))).round().astype(int))
        found: dict[tuple[tuple[str, Value], ...], Case] = {}
        for position in positions:
            row = rows.iloc[int(position)]
            case: Case = {
                v.name: level_name(row[v.name]) if v.categorical else as_shown(float(row[v.name]))
                for v in self.meaning.variables
            }
            found.setdefault(tuple(case.items()), case)
        return list(found.values())

    def _all_baselines(self, case: Case) -> bool:
        """Whether every categorical of ``case`` is at its baseline (so no indicator is 1)."""
        return all(case[v.name] == v.baseline for v in self.meaning.variables if v.categorical and v.baseline)

    def _predicted(self, case: Case) -> float:
        """The model's prediction for one case, from its own design (a one-row frame)."""
        frame = pd.DataFrame({name: [value] for name, value in case.items()}, index=[0])
        return float(self.model.predict_frame(frame)[0])

    def _predict(self, case: Case, rng: random.Random) -> Question | None:
        """What the model predicts for ``case``, against a sign error, a forgotten indicator, the simple
        regression's slope and other slips."""
        value = self._predicted(case)
        if not np.isfinite(value):
            return None
        work, _ = arithmetic(self.model, case)
        back = _back(self.words, value)
        right = _Draft(
            _predicted_text(value),
            "Right: each coefficient times its value, added up:"
            + _block(f"ŷ = {work}")
            + (f"That is **{self.words.scale}**{back}." if back else ""),
        )
        wrong = _distinct(right, self._prediction_mistakes(case, work, rng))
        if wrong is None:
            return None
        described = self.words.case(tuple(case.items()))
        prompt = (
            f"What does `{self.formula}` predict for a {self.words.row} with {described}?{self._scale_note()}"
            + self._equation()
        )
        indicators = [
            f"`{c.feature}` is {'1' if v == 1 else '0'}"
            for c, v in predict(self.model, case).terms
            if c.kind == "indicator"
        ]
        solution = (
            f"Put {described} into the fitted equation"
            + (f" ({listing(indicators)})" if indicators else "")
            + ":"
            + _block(f"ŷ = {work}")
            + (f"That is **{self.words.scale}**{back}." if back else "")
        )
        return self._assemble("predict", "arithmetic", prompt, right, wrong, solution, rng)

    def _prediction_mistakes(self, case: Case, work: str, rng: random.Random) -> list[_Draft]:
        """Wrong predictions for ``case``, the commonest mistakes first."""
        pieces = [
            (coef, coef.estimate, _multiplier(coef, x))
            for coef, x in predict(self.model, case).terms
            if x != 0
        ]
        slopes = [i for i, (coef, _, _) in enumerate(pieces) if coef.kind != "intercept"]
        rng.shuffle(slopes)
        slopes.sort(
            key=lambda i: pieces[i][1] >= 0
        )  # a negative coefficient first: "plus a negative is a minus"
        flips = [self._sign_error(pieces, i, work) for i in slopes]
        once = [self._added_once(pieces, i, work) for i in slopes if pieces[i][2] not in (None, 1.0)]
        first = [
            *flips[:1],
            *self._forgotten_indicators(case, work),
            self._simple_slope(pieces, work),
            self._no_intercept(pieces, work),
        ]
        return [d for d in (*first, *once, *flips[1:]) if d is not None]

    def _mistake(
        self, pieces: Sequence[Piece], work: str, misconception: str, label: str, what: str
    ) -> _Draft | None:
        """A wrong prediction from altered pieces: what was done, its sum, and the model's own sum ``work``."""
        shown = [(estimate, multiplier) for _, estimate, multiplier in pieces]
        total = sum(estimate * (1.0 if multiplier is None else multiplier) for estimate, multiplier in shown)
        if not np.isfinite(total):
            return None
        why = f"Not this: {what}{_block(f'ŷ = {worked_sum(shown, total)}')}The model:{_block(f'ŷ = {work}')}"
        return _Draft(_predicted_text(total), why, misconception, label)

    def _sign_error(self, pieces: list[Piece], index: int, work: str) -> _Draft | None:
        """One coefficient's sign flipped."""
        coef, estimate, multiplier = pieces[index]
        symbol = self._symbol(coef)
        altered = [*pieces[:index], (coef, -estimate, multiplier), *pieces[index + 1 :]]
        what = f"it uses {symbol} (`{coef.name}`) as {number(-estimate)} instead of {number(estimate)}: a sign error."
        if estimate < 0:
            what += f" {symbol} is negative, and adding a negative number subtracts it (“plus a negative is a minus”)."
        return self._mistake(altered, work, "arithmetic", f"flips the sign of {symbol}", what)

    def _forgotten_indicators(self, case: Case, work: str) -> list[_Draft | None]:
        """The case predicted as the baseline of one of its categoricals (that group's terms left out)."""
        out: list[_Draft | None] = []
        for variable in self.meaning.variables:
            level = case.get(variable.name)
            if not variable.categorical or variable.baseline is None or level == variable.baseline:
                continue
            baseline_case = {**case, variable.name: variable.baseline}
            value = self._predicted(baseline_case)
            if not np.isfinite(value):
                continue
            rows = self.model.design_matrix(pd.DataFrame([case, baseline_case], index=[0, 1]))
            left_out = [
                f"`{c.name}`"
                for c, a, b in zip(self.model.coefficients, rows[0], rows[1], strict=True)
                if a != b
            ]
            baseline_work, _ = arithmetic(self.model, baseline_case)
            why = (
                f"Not this: it is the prediction for *{variable.baseline}*, the baseline: it leaves out "
                f"{listing(left_out)}, which {'is' if len(left_out) == 1 else 'are'} not 0 for *{level}*:"
                f"{_block(f'ŷ = {baseline_work}')}For *{level}* the model adds {'it' if len(left_out) == 1 else 'them'}:"
                + _block(f"ŷ = {work}")
            )
            out.append(_Draft(_predicted_text(value), why, "baseline", f"forgets the indicator of *{level}*"))
        return out

    def _simple_slope(self, pieces: list[Piece], work: str) -> _Draft | None:
        """The slope of ``y ~ x`` alone in place of x's coefficient in this model."""
        change = self._slope_change()
        index = next((i for i, (c, _, _) in enumerate(pieces) if change and c.name == change.term), None)
        if change is None or index is None:
            return None
        coef, _, multiplier = pieces[index]
        altered = [*pieces[:index], (coef, change.alone.estimate, multiplier), *pieces[index + 1 :]]
        others = [v.name for v in self.meaning.variables if v.name != change.variable]
        what = (
            f"it uses the slope of `{change.formula}`, {number(change.alone.estimate)}, in place of "
            f"{self._symbol(coef)} = {number(change.here.estimate)}, the coefficient in this model, which compares "
            f"{self.words.rows} with {self.words.same(others)}."
        )
        return self._mistake(altered, work, "holding", "uses the simple regression's slope", what)

    def _no_intercept(self, pieces: list[Piece], work: str) -> _Draft | None:
        """The intercept left out."""
        if len(pieces) < 2 or pieces[0][0].kind != "intercept":
            return None
        symbol = self._symbol(pieces[0][0])
        what = (
            f"it leaves out the intercept {symbol} = {number(pieces[0][1])}, where every prediction starts."
        )
        return self._mistake(pieces[1:], work, "intercept", "leaves out the intercept", what)

    def _added_once(self, pieces: list[Piece], index: int, work: str) -> _Draft | None:
        """One term's coefficient added once instead of multiplied by its value."""
        coef, estimate, multiplier = pieces[index]
        symbol = self._symbol(coef)
        altered = [*pieces[:index], (coef, estimate, None), *pieces[index + 1 :]]
        what = (
            f"it adds {symbol} = {number(estimate)} once instead of {symbol} × {value_text(multiplier or 0.0)}: "
            f"{symbol} is per 1 unit of `{coef.feature}`, so it is multiplied by its value."
        )
        return self._mistake(altered, work, "arithmetic", f"adds {symbol} without multiplying", what)

    # --------------------------------------------------------------------------------------- lines

    def _levels(self) -> list[str]:
        """The non-baseline levels of the lines' grouping (with rows)."""
        by = self._by()
        if by is None:
            return []
        variable = self.meaning.variable(by)
        return [lv for lv in variable.levels if lv != variable.baseline and variable.count(lv)]

    def _line(self, level: str, held: Case) -> Line | None:
        """The intercept and slope in x of one group's predictions (others at ``held``), when they are a line."""
        x, by = self.meaning.shape.x or "", self._by() or ""
        variable = self.meaning.variable(x)
        xs = [0.0, variable.minimum, variable.mean, variable.maximum]
        frame = pd.DataFrame({x: xs, by: [level] * 4, **{n: [v] * 4 for n, v in held.items()}})
        with np.errstate(all="ignore"):
            p = self.model.predict_frame(frame)
        if not np.isfinite(p).all():
            return None
        slope = (p[3] - p[1]) / (xs[3] - xs[1])
        scale = max(1.0, float(np.abs(p).max()))
        if any(abs(p[i] - (p[0] + slope * xs[i])) > 1e-9 * scale for i in (1, 2, 3)):
            return None
        return float(p[0]), float(slope)

    def _equation_text(self, line: Line) -> str:
        """``ŷ = 5.16 + 1.35·completed``."""
        return f"ŷ = {join_terms([(line[0], ''), (line[1], self.meaning.shape.x or '')])}"

    def _lines(self, level: str, rng: random.Random) -> Question | None:
        """Which line is ``level``'s, against the baseline's, the shift put on the slope, and the shift's sign flipped."""
        x, by = self.meaning.shape.x or "", self._by() or ""
        variable = self.meaning.variable(by)
        baseline = variable.baseline or ""
        held = dict(self.meaning.held([x, by]))
        own, base = self._line(level, held), self._line(baseline, held)
        if own is None or base is None:
            return None
        interaction = self.meaning.shape.interaction
        shift, tilt = own[0] - base[0], (own[1] - base[1] if interaction else 0.0)
        equation = self._equation_text(own)
        at_zero = {**held, x: 0.0, by: level}
        typical = float(self.meaning.variable(x).typical)
        low, high, _ = difference_pair(
            self._predicted({**at_zero, x: typical}), self._predicted({**at_zero, x: typical + 1})
        )
        axis = "where the line meets the axis" + (
            "" if self.meaning.variable(x).inside(0.0) else "; outside the data"
        )
        right = _Draft(
            equation,
            f"Right: put *{level}* into the equation{self._held_text(held)}. At {x} = 0 ({axis}) it gives the "
            f"intercept:{_block('ŷ = ' + arithmetic(self.model, at_zero)[0])}Each step of {self.words.per_one(x)} in {x} "
            f"adds {number(own[1])}, the slope (from {x} = {value_text(typical)} to {value_text(typical + 1)}: "
            f"{low} → {high}).",
        )
        intercept_sum = _block(worked_sum([(base[0], None), (shift, None)], own[0]))
        drafts = [
            self._line_draft(
                base,
                "baseline",
                f"is *{baseline}*'s line",
                f"Not this: it is the line of *{baseline}*, the baseline, whose indicators are 0. *{level}*'s line is "
                f"{number(abs(shift))} {'higher' if shift >= 0 else 'lower'} at {x} = 0"
                + (
                    f" and {number(abs(tilt))} {'steeper' if tilt >= 0 else 'shallower'}"
                    if interaction
                    else ""
                )
                + f": {equation}.",
            ),
            self._line_draft(
                (base[0] + tilt, base[1] + shift),
                "arithmetic",
                "puts the group's shift on the slope",
                f"Not this: it adds *{level}*'s shift ({signed(shift)}) to the slope instead of the intercept"
                + (f" (and the slope's shift, {signed(tilt)}, to the intercept)" if interaction else "")
                + ". An indicator is 0 or 1, so on its own it moves the line up or down; only an interaction term "
                f"changes a slope. The intercept is:{intercept_sum}",
            ),
            self._line_draft(
                (base[0] - shift, base[1] - tilt),
                "arithmetic",
                "flips the sign of the group's shift",
                f"Not this: it subtracts *{level}*'s shift ({signed(shift)}) instead of adding it"
                + (" (and its slope's shift too)" if interaction else "")
                + f":{_block(worked_sum([(base[0], None), (-shift, None)], base[0] - shift))}The intercept is:"
                + intercept_sum,
            ),
        ]
        if interaction:  # the mistake an interaction is about comes second
            drafts.insert(
                1,
                self._line_draft(
                    (own[0], base[1]),
                    "curves",
                    f"keeps *{baseline}*'s slope",
                    f"Not this: it moves the intercept but keeps *{baseline}*'s slope {number(base[1])}. With the "
                    f"interaction each {by} has its own slope; *{level}*'s is:"
                    + _block(worked_sum([(base[1], None), (tilt, None)], own[1])),
                ),
            )
        mean = variable.response_mean(level)
        drafts.append(
            self._line_draft(
                (mean, own[1]),
                "indicator_mean",
                f"starts the line at *{level}*'s mean",
                f"Not this: it starts the line at the mean {self._response()} of *{level}* in the data "
                f"({number(mean)}). A line's intercept is its prediction at {x} = 0: {number(own[0])}.",
            )
        )
        zeroed = {n: 0.0 for n, v in held.items() if not isinstance(v, str)}
        dropped = self._line(level, {**held, **zeroed}) if zeroed else None
        if dropped is not None:
            drafts.append(
                self._line_draft(
                    dropped,
                    "holding",
                    f"puts {listing(list(zeroed))} at 0",
                    f"Not this: it puts {listing(list(zeroed))} at 0 instead of holding "
                    f"{'it' if len(zeroed) == 1 else 'them'} at {self.words.case(tuple(held.items()))}, the values "
                    "the question states.",
                )
            )
        wrong = _distinct(right, drafts)
        if wrong is None:
            return None
        prompt = (
            f"Which is the fitted line for *{level}* in `{self.formula}`{self._held_text(held)}?{self._scale_note()}"
            + self._equation()
        )
        listed = []
        for lv in [lv for lv in variable.levels if variable.count(lv)][:6]:
            found = self._line(lv, held)
            if found is not None:
                listed.append(f"{lv}{' (baseline)' if lv == baseline else ''}: {self._equation_text(found)}")
        verdict = (
            f"The slopes differ: with the interaction each {by} has its own."
            if interaction
            else f"Same slope, different intercepts: the lines are parallel (no interaction of {by} and {x})."
        )
        solution = (
            f"Put each {by} into the equation{self._held_text(held)}; *{level}*'s line is {equation}:"
            + _block(*listed)
            + verdict
        )
        topic = "curves" if any(d.misconception == "curves" for d in wrong) else "baseline"
        return self._assemble("lines", topic, prompt, right, wrong, solution, rng)

    def _line_draft(self, line: Line, misconception: str, label: str, why: str) -> _Draft | None:
        """A wrong line."""
        if not all(np.isfinite(line)):
            return None
        return _Draft(self._equation_text(line), why, misconception, label)

    def _held_text(self, held: Case) -> str:
        """`` with sex = female`` when other predictors are held at stated values."""
        return f", with {self.words.case(tuple(held.items()))}" if held else ""

    # ------------------------------------------------------------------------------------ sentence

    def _sentence(self, reading: Reading, rng: random.Random) -> Question | None:
        """Which sentence reads ``reading``'s coefficient: the walkthrough's lead sentence, against three
        variants that each trip the checker's rule for one misconception."""
        if reading.kind in ("mean", "term"):
            return None
        term = reading.coefficient.name
        answer = model_answer(self.dataset, self.model, term, self.meaning)
        lead = _SENTENCE_END.split(answer, maxsplit=1)[0]
        if len(lead) > OPTION_LIMIT or not check(self.dataset, self.model, term, lead, self.meaning).correct:
            return None
        pair = why_pair(self.dataset, self.model, term, self.meaning)
        right = _Draft(lead, f"Right: this is how the walkthrough reads {reading.symbol}.\n{pair}")
        planted = [self._planted(term, rule, text, pair) for rule, text in self._variants(reading, lead)]
        rng.shuffle(planted)
        wrong = _distinct(right, _varied([d for d in planted if d is not None]))
        if wrong is None:
            return None
        coef = reading.coefficient
        topic = next(m for m in _TOPIC_ORDER if m in {d.misconception for d in wrong})
        prompt = f"Which sentence correctly reads **{reading.symbol} = {number(coef.estimate)}** (`{term}`) in `{self.formula}`?"
        solution = f"The walkthrough's reading of {reading.symbol}: {answer}"
        return self._assemble("sentence", topic, prompt, right, wrong, solution, rng)

    def _planted(self, term: str, rule: Rule, text: str, pair: str) -> _Draft | None:
        """A variant that the checker flags on ``rule`` (a warning is enough for causal wording) and on no
        other rule, as a wrong option whose why is the checker's own line and the pair of predictions."""
        verdict = check(self.dataset, self.model, term, text, self.meaning)
        line = next((line for line in verdict.lines if line.rule == rule), None)
        if line is None or line.mark == "ok" or (line.mark == "warn" and rule != "causal"):
            return None
        if any(other.mark == "wrong" and other.rule != rule for other in verdict.lines):
            return None
        misconception = RULE_MISCONCEPTIONS[(rule, line.mark)]
        return _Draft(
            text,
            f"{line.render()}\n{pair}",
            misconception,
            f"fails on {line.rule} ({_first_lower(line.why.rstrip('.'))})",
        )

    def _variants(self, reading: Reading, lead: str) -> list[tuple[Rule, str]]:
        """The lead sentence changed in one way each: (the checker's rule it should trip, the sentence)."""
        out: list[tuple[Rule, str | None]] = [
            ("causal", _first_sub(lead, _CAUSAL_EDITS)),
            ("holding", _first_sub(lead, [(_HELD_FIXED, "")])),
            *self._where_variants(reading, lead),
            *self._own_value_variants(reading, lead),
            *self._intercept_variants(reading, lead),
            ("direction", self._flipped(reading, lead)),
        ]
        return [(rule, text) for rule, text in out if text and text != lead]

    def _moved(self, case: tuple[tuple[str, Value], ...], numbers: str) -> tuple[tuple[str, Value], ...]:
        """``case`` at other values: a categorical at its next level, a number at the data's smallest value
        (``numbers="minimum"``) or at the stated value farthest from it (``"far"``)."""
        moved = []
        for name, value in case:
            variable = self.meaning.variable(name)
            if variable.categorical:
                others = [lv for lv in variable.levels if lv != value and variable.count(lv)]
                moved.append((name, others[0] if others else value))
            elif numbers == "minimum":
                moved.append((name, as_shown(variable.minimum)))
            else:
                moved.append((name, max(variable.stated, key=lambda v: abs(float(v) - float(value)))))
        return tuple(moved)

    def _at(self, case: tuple[tuple[str, Value], ...]) -> str:
        """``for *Lesson B* at completed = 9``: a place stated plainly (no note on what is 0 there)."""
        groups = [self.words.level(n, v) for n, v in case if self.meaning.variable(n).categorical]
        numbers = tuple((n, v) for n, v in case if not self.meaning.variable(n).categorical)
        pieces = [
            f"for {listing(groups)}" if groups else "",
            f"at {self.words.case(numbers)}" if numbers else "",
        ]
        return " ".join(p for p in pieces if p)

    def _where_variants(self, reading: Reading, lead: str) -> list[tuple[Rule, str | None]]:
        """A coefficient that holds at stated values, read as holding everywhere or at other values."""
        if not reading.where or reading.kind in ("intercept", "intercept-none", "level-value"):
            return []
        words = self.words
        place, outside = f" {words.zero_place(reading.where)}", words.outside_note(reading.where)
        cut = lead.replace(f", and {outside}", "").replace(f"; {outside}", "") if outside else lead
        if place not in cut:
            return []
        everywhere = listing(
            [
                f"for every {name}"
                if self.meaning.variable(name).categorical
                else f"at every {self._bare(name)}"
                for name, _ in reading.where
            ]
        )
        elsewhere = self._at(self._moved(reading.where, "far"))
        return [
            ("where", cut.replace(place, f" {everywhere}", 1)),
            ("where", cut.replace(place, f" {elsewhere}", 1)),
        ]

    def _own_value_variants(self, reading: Reading, lead: str) -> list[tuple[Rule, str | None]]:
        """A difference from the baseline read as the level's own value."""
        if not reading.level or not reading.versus:
            return []
        level, versus = re.escape(reading.level), re.escape(reading.versus)
        own = number(reading.coefficient.estimate)
        compared = rf" is .*? than for \*{versus}\*(?: \([^)]*\))?"
        edits = [
            (rf"(the predicted [^*]*? for \*{level}\*){compared}", rf"\1 is {own}"),
            (
                rf"is the gap between \*{level}\* and \*{versus}\*",
                f"is {self.words.predicted} for *{reading.level}*",
            ),
            (rf"(\S+'s slope for \*{level}\*){compared}", rf"\1 is {own}"),
        ]
        return [("baseline", _first_sub(lead, edits))]

    def _intercept_variants(self, reading: Reading, lead: str) -> list[tuple[Rule, str | None]]:
        """The intercept read as an average, at typical values, at the data's smallest values, or for another
        group."""
        words = self.words
        spot = f"{words.predicted} {words.zero_place(reading.where)}"
        if reading.kind != "intercept" or spot not in lead:
            return []
        numbers = tuple((n, v) for n, v in reading.where if not self.meaning.variable(n).categorical)
        groups = tuple((n, v) for n, v in reading.where if self.meaning.variable(n).categorical)
        places = [
            words.predicted.replace("the predicted", "the average", 1) + f" of all {words.rows}",
            f"{words.predicted} for a typical {words.row} ({words.case(self.meaning.typical)})",
            f"{words.predicted} {self._at(groups + self._moved(numbers, 'minimum'))}",
            f"{words.predicted} {self._at(self._moved(groups, 'far') + numbers)}",
        ]
        return [("intercept", lead.replace(spot, place, 1)) for place in places]

    def _flipped(self, reading: Reading, lead: str) -> str | None:
        """The lead with its direction reversed (higher for lower, steeper for shallower, a bend's way)."""
        difference = self.words.difference(reading.coefficient.estimate)
        if difference in lead:
            return lead.replace(difference, re.sub(_DIRECTION, _flip, difference, count=1), 1)
        if reading.kind == "bend":
            return re.sub(_DIRECTION, _flip, lead)
        return _first_sub(lead, [(_DIRECTION_THAN, _flip)])

    # ------------------------------------------------------------------------------------ baseline

    def _baseline(self, name: str, rng: random.Random) -> Question | None:
        """Which level is ``name``'s baseline: the levels, padded with plausible wrong answers."""
        variable = self.meaning.variable(name)
        baseline = variable.baseline
        levels = [lv for lv in variable.levels if variable.count(lv) and lv != baseline]
        none_text = "There is none: each level has its own coefficient"
        reference = baseline or levels[0]
        at = {**dict(self.meaning.typical), name: reference}
        prediction = self.meaning.predict(at).estimate
        where = (
            f"*{reference}*'s prediction at {self.words.case(tuple(at.items()))} is "
            f"{number(prediction)}{_back(self.words, prediction)}."
        )
        intercept = next((r for r in self.meaning.readings if r.kind == "intercept"), None)
        if baseline is None:
            right = _Draft(
                none_text,
                f"Right: the model has no intercept, so every level of **{name}** gets its own indicator and its own "
                f"coefficient: no level is the one the others are compared with. {where}",
            )
        else:
            place = (
                f" The intercept {intercept.symbol} = {number(intercept.coefficient.estimate)} is its prediction"
                + f" {self.words.zero_place(tuple((n, v) for n, v in intercept.where if n != name))}"
                + "."
                if intercept is not None and name in dict(intercept.where)
                else ""
            )
            right = _Draft(
                f"*{baseline}*",
                f"Right: *{baseline}* comes first in the levels of **{name}**, so it gets no indicator of its own: "
                f"every `{name}[T.…]` coefficient is a difference from *{baseline}*.{place} {where}",
            )
        rng.shuffle(levels)
        drafts = [self._level_draft(name, level, reference) for level in levels]
        mean = float(np.mean(np.asarray(self.model.fitted) + np.asarray(self.model.residuals)))
        drafts.append(
            _Draft(
                f"The average of all {self.words.rows}",
                f"Not this: the baseline is a level, the one the others are compared with, not an average. The mean "
                f"{self._response()} of all {self.model.n} {self.words.rows} is {number(mean)}; {where}",
                "baseline",
                "takes the baseline for an average",
            )
        )
        means = {lv: variable.response_mean(lv) for lv in variable.levels if variable.count(lv)}
        highest = max(means, key=lambda lv: means[lv])
        extreme, word = (
            (highest, "highest") if highest != reference else (min(means, key=lambda lv: means[lv]), "lowest")
        )
        drafts.append(
            _Draft(
                f"The {name} with the {word} mean {self._response()}",
                f"Not this: the baseline is not chosen by its mean {self._response()}; it is the level that comes first "
                f"in the list of levels. The {word} mean is *{extreme}*'s ({number(means[extreme])})"
                + (
                    f", and the baseline is *{baseline}*."
                    if baseline
                    else ", and this model has no baseline."
                ),
                "baseline",
                "picks the baseline by its mean",
            )
        )
        if baseline is not None:
            drafts.append(
                _Draft(
                    none_text,
                    f"Not this: with an intercept one level must go without an indicator (all of them together would "
                    f"repeat the intercept's column), and that level, *{baseline}*, is the baseline. Each indicator's "
                    "coefficient is a difference from it, not the level's own mean.",
                    "indicator_mean",
                    "reads each level's coefficient as its own",
                )
            )
        wrong = _distinct(right, drafts)
        if wrong is None:
            return None
        prompt = (
            f"What is the baseline (reference level) of **{name}** in `{self.formula}`?" + self._equation()
        )
        solution = (
            (
                f"*{baseline}*: the level of **{name}** without an indicator (it comes first). Each `{name}[T.…]` "
                f"coefficient is how far its level's prediction is from *{baseline}*'s, not that level's mean."
            )
            if baseline
            else f"None: without an intercept each level of **{name}** has its own coefficient."
        )
        return self._assemble("baseline", "baseline", prompt, right, wrong, f"{solution} {where}", rng)

    def _level_draft(self, name: str, level: str, reference: str) -> _Draft:
        """A level that is not the baseline, offered as the baseline."""
        own = next(
            (
                c
                for c in self.model.coefficients
                if c.kind == "indicator"
                and isinstance(part := c.parts[0], Indicator)
                and (part.variable, part.level) == (name, level)
            ),
            None,
        )
        has = (
            f"*{level}* has its own indicator, `{own.name}` ({self._symbol(own)} = {number(own.estimate)}), 1 for "
            f"*{level}* and 0 otherwise"
            if own is not None
            else f"*{level}* has indicator terms of its own"
        )
        if self.meaning.variable(name).baseline:
            why = f"Not this: {has}, so it is compared with the baseline: the level without an indicator, *{reference}*."
        else:
            why = f"Not this: {has}, like every level here: without an intercept no level is the baseline."
        return _Draft(f"*{level}*", why, "baseline", f"picks *{level}*, a level with its own indicator")

    # -------------------------------------------------------------------------------- slope change

    def _slope_question(self, change: SlopeChange, rng: random.Random) -> Question:
        """What happens to x's slope when the other predictors are added: steeper, flatter, sign, the same."""
        x = change.variable
        alone, here = change.alone.estimate, change.here.estimate
        others = [v.name for v in self.meaning.variables if v.name != x]
        held = f"once {listing(others)} {'is' if len(others) == 1 else 'are'} held fixed"
        what = f"slope of **{x}**" if change.term == x else f"coefficient of `{change.term}`"
        fates = {
            "steeper": "gets steeper (further from 0)",
            "flatter": "gets flatter (closer to 0)",
            "sign": "changes sign",
            "same": f"stays {number(alone)}",
        }
        outcomes = {
            key: f"It {fate} {held}" if key != "same" else f"It {fate}" for key, fate in fates.items()
        }
        if number(alone) == number(here):
            truth = "same"
        elif (alone < 0) != (here < 0):
            truth = "sign"
        else:
            truth = "steeper" if abs(here) > abs(alone) else "flatter"
        reasons = [text for text in (relation_text(r, x) for r in change.relations) if text]
        mixed = f" The simple slope mixes in {listing(others)} because {listing(reasons)}." if reasons else ""
        exact = decomposition(self.model, change.term, change.contributions, here, alone, self.words.rows)
        facts = f"the {what} is {number(alone)} in `{change.formula}` and {number(here)} here"
        right = _Draft(outcomes[truth], f"Right: {facts}.{mixed}\n{exact}")
        wrong = [
            _Draft(
                text,
                f"Not this: {facts}, so it {fates[truth]}. Adding a predictor changes what the slope compares: here "
                f"it compares {self.words.rows} with {self.words.same(others)}.{mixed}",
                "holding",
                f"says it {fates[key]}",
            )
            for key, text in outcomes.items()
            if key != truth
        ]
        prompt = (
            f"In `{change.formula}` (the same {self.model.n} {self.words.rows}), the {what} is "
            f"{number(alone)}. What happens to it in `{self.formula}`?"
        )
        solution = f"Fit both: {facts}.{mixed}\n{exact}"
        if change.simpson:
            solution += "\nThe sign flips and both intervals exclude 0: Simpson's paradox."
        return self._assemble("slope_change", "holding", prompt, right, wrong, solution, rng)


# ---------------------------------------------------------------------------------------------- helpers

_NO_TARGET = {
    "predict": "leaves too few different wrong predictions to ask about",
    "lines": "leaves too few different wrong lines to ask about",
    "sentence": "has no coefficient whose one-sentence reading has three wrong variants the checker tells apart",
    "baseline": "leaves too few different wrong baselines to ask about",
    "slope_change": "has no slope change to ask about",
}

#: Causal rewordings of the walkthrough's readings: the first that matches is used.
_CAUSAL_EDITS: list[tuple[str, str]] = [
    (r" goes with ", " causes "),
    (r"the (predicted [^*]*?) for \*([^*]+)\* is ", r"*\2* causes the \1 to be "),
    (r"is the gap between \*([^*]+)\* and \*([^*]+)\*", r"is the effect of being *\1* rather than *\2*"),
    (r"(\S+)'s slope for \*([^*]+)\* is ", r"*\2* causes \1's slope to be "),
    (r"is (\S+)'s slope", r"is the effect of \1"),
]


def _first_sub(text: str, edits: Sequence[tuple[str, str | Callable[[re.Match[str]], str]]]) -> str | None:
    """``text`` with the first edit whose pattern matches applied once (None when none matches)."""
    for pattern, replacement in edits:
        if re.search(pattern, text):
            return re.sub(pattern, replacement, text, count=1)
    return None


def _flip(match: re.Match[str]) -> str:
    """The opposite of a matched direction word."""
    return _FLIPS[match.group(1)]


def _multiplier(coef: Coefficient, value: float) -> float | None:
    """How a term shows in a worked sum: times its value, or alone for an intercept or an indicator at 1."""
    return None if value == 1 and coef.kind in ("intercept", "indicator") else value


def _predicted_text(value: float) -> str:
    """A predicted value as an option: ``ŷ = 65.75``."""
    return f"ŷ = {number(value)}"


def _first_lower(text: str) -> str:
    """``Say where: …`` → ``say where: …`` (for a clause inside a sentence; symbols such as b₀ stay)."""
    return text[:1].lower() + text[1:] if text[:2].istitle() else text


def _block(*lines: str) -> str:
    """A code block inside running text, on lines of its own."""
    return f"\n{_code(*lines)}\n"


def _varied(drafts: Sequence[_Draft]) -> list[_Draft]:
    """``drafts`` with the first of each misconception ahead of the rest (otherwise in order)."""
    firsts: dict[str | None, _Draft] = {}
    for draft in drafts:
        firsts.setdefault(draft.misconception, draft)
    return [*firsts.values(), *(d for d in drafts if d not in firsts.values())]


def _distinct(right: _Draft, candidates: Sequence[_Draft | None]) -> list[_Draft] | None:
    """The first ``WRONG`` candidates whose texts differ from the right one's and from each other."""
    chosen: list[_Draft] = []
    seen = {right.text}
    for draft in candidates:
        if draft is not None and draft.text not in seen:
            chosen.append(draft)
            seen.add(draft.text)
        if len(chosen) == WRONG:
            return chosen
    return None
