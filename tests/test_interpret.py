"""“Check my interpretation”: the checker against a corpus of students' sentences with known marks, its
precision and recall per rule, the model answers passing their own check, the why-pairs' numbers being the
model's predictions, the friendly errors, and any text at all finishing fast without an unexpected error."""

from __future__ import annotations

import functools
import pickle
import re
import time
from collections import Counter

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.regression.datasets import Dataset, DatasetRegistry
from bot.regression.errors import UserInputError
from bot.regression.interpret import (
    MAX_SENTENCE,
    RULES,
    Check,
    SentenceError,
    UnknownTermError,
    Verdict,
    check,
    find_term,
    model_answer,
    rounds_to,
    terms,
    why_pair,
)
from bot.regression.meaning import Meaning, explain
from bot.regression.model import FittedModel, fit
from bot.regression.questions import MISCONCEPTIONS, check_outcomes
from bot.regression.text import MINUS, number
from tests.interpret_corpus import (
    CASES,
    CELLS,
    CURVE,
    ELASTICITY,
    GRADES,
    INTERACTION,
    LECTURE,
    LOG_SCORE,
    PENGUINS,
    Case,
)

FLAGS = ("wrong", "warn")
MODELS = (LECTURE, PENGUINS, INTERACTION, GRADES, ELASTICITY, LOG_SCORE, CURVE, CELLS)
#: Other shapes whose model answers must pass their own check too.
MORE_MODELS = (
    ("students", "port3 ~ math1 + port1"),
    ("penguins", "bill_depth_mm ~ bill_length_mm * species"),
    ("penguins", "body_mass_g ~ flipper_length_mm + sex"),
    ("statecrime", "violent ~ poverty * single"),
    ("statecrime", "murder ~ log(poverty)"),
    ("grunfeld", "np.log(invest) ~ value"),
    ("codecademy", "score ~ center(completed) + lesson"),
    ("penguins", "body_mass_g ~ standardize(flipper_length_mm) + standardize(bill_length_mm)"),
    ("penguins", "body_mass_g ~ species:flipper_length_mm"),
    ("codecademy", "score ~ completed"),
    ("codecademy", "score ~ 1"),
)


@functools.cache
def fitted(dataset: str, formula: str) -> tuple[Dataset, FittedModel, Meaning]:
    """A model of the corpus, fitted once."""
    data = DatasetRegistry.bundled().get(dataset)
    model = fit(data, formula)
    return data, model, explain(data, model)


def verdict(case: Case) -> Verdict:
    """The checker's verdict on a corpus case."""
    data, model, meaning = fitted(*case.model)
    return check(data, model, case.term, case.sentence, meaning)


@functools.cache
def verdicts() -> tuple[tuple[Case, Verdict], ...]:
    """Every corpus case with its verdict."""
    return tuple((case, verdict(case)) for case in CASES)


# ------------------------------------------------------------------------------------------------ corpus


def test_the_corpus_covers_the_lecture_and_other_shapes() -> None:
    per_model = Counter(case.model for case in CASES)
    assert len(CASES) >= 60
    assert per_model[LECTURE] >= 15 and per_model[PENGUINS] >= 10
    assert per_model[INTERACTION] + per_model[GRADES] >= 10
    assert per_model[ELASTICITY] + per_model[CURVE] + per_model[LOG_SCORE] >= 10
    flagged = {rule for case in CASES for rule, mark in case.expected.items() if mark in FLAGS}
    assert flagged == set(RULES)
    assert {mark for case in CASES for mark in case.expected.values()} == {"ok", "warn", "wrong"}


@pytest.mark.parametrize("case", CASES, ids=[f"{i}-{c.term}" for i, c in enumerate(CASES)])
def test_every_corpus_sentence_gets_its_marks(case: Case) -> None:
    found = verdict(case)
    for rule, mark in case.expected.items():
        assert found.mark(rule) == mark, (rule, case.sentence, found.render())
    for line in found.lines:
        if line.rule not in case.expected:
            assert line.mark == "ok", (line.rule, case.sentence, found.render())


def rule_table() -> tuple[dict[str, tuple[int, int, int, float, float]], str]:
    """Precision and recall of each rule's flags (warn or wrong, the mark too) against the corpus's.

    A flag counts as found when the checker gives the expected flag; a different flag, or one where none was
    expected, is a false alarm; an expected flag the checker missed lowers recall.
    """
    counts: dict[str, list[int]] = {rule: [0, 0, 0] for rule in RULES}
    for case, found in verdicts():
        for rule in RULES:
            expected, got = case.expected.get(rule), found.mark(rule)
            hit = expected in FLAGS and got == expected
            counts[rule][0] += hit
            counts[rule][1] += got in FLAGS and not hit
            counts[rule][2] += expected in FLAGS and not hit
    table = {}
    lines = [f"{'rule':<10} {'flags':>5} {'false':>5} {'missed':>6} {'precision':>9} {'recall':>6}"]
    for rule, (tp, fp, fn) in counts.items():
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        table[rule] = (tp, fp, fn, precision, recall)
        lines.append(f"{rule:<10} {tp:>5} {fp:>5} {fn:>6} {precision:>9.2f} {recall:>6.2f}")
    return table, "\n".join(lines)


def test_precision_and_recall_per_rule(capsys: pytest.CaptureFixture[str]) -> None:
    table, text = rule_table()
    with capsys.disabled():
        print(f"\n{len(CASES)} sentences\n{text}")
    for rule, (tp, _, _, precision, recall) in table.items():
        assert tp > 0, rule
        assert precision == 1.0 and recall == 1.0, (rule, text)


# ----------------------------------------------------------------------------------------- model answers


@pytest.mark.parametrize("model", MODELS + MORE_MODELS, ids=lambda m: m[1])
def test_every_model_answer_passes_its_own_check(model: tuple[str, str]) -> None:
    data, fitted_model, meaning = fitted(*model)
    for term in terms(fitted_model):
        answer = model_answer(data, fitted_model, term, meaning)
        assert answer and len(answer) <= MAX_SENTENCE
        found = check(data, fitted_model, term, answer, meaning)
        assert found.model_answer == answer
        assert found.correct and all(line.mark == "ok" for line in found.lines), (
            term,
            answer,
            found.render(),
        )


def test_the_lecture_answers_are_the_walkthrough_readings() -> None:
    data, model, meaning = fitted(*LECTURE)
    assert "13.19 points lower than for *Lesson A*" in model_answer(
        data, model, "lesson[T.Lesson B]", meaning
    )
    assert "extrapolation" in model_answer(data, model, "Intercept", meaning)
    assert "1.35 points higher" in model_answer(data, model, "completed", meaning)


# -------------------------------------------------------------------------------------------- why pairs

_LINE = re.compile(r"^\*\*(?P<values>.+?):\*\* ŷ = (?P<work>.+)$")


def _values(text: str, model: FittedModel) -> dict[str, object]:
    """``lesson = Lesson A, completed = 31`` as predictor values."""
    out: dict[str, object] = {}
    for piece in re.split(r", (?=\w+ = )", text):
        name, _, value = piece.partition(" = ")
        out[name] = value if model.categorical(name) else float(value.replace(MINUS, "-").replace(",", ""))
    return out


@pytest.mark.parametrize("model", MODELS + MORE_MODELS, ids=lambda m: m[1])
def test_why_pair_numbers_are_the_models_predictions(model: tuple[str, str]) -> None:
    data, fitted_model, meaning = fitted(*model)
    for term in terms(fitted_model):
        text = why_pair(data, fitted_model, term, meaning)
        for line in text.splitlines():
            match = _LINE.match(line)
            if not match:
                continue
            values = _values(match["values"], fitted_model)
            frame = pd.DataFrame([values])
            predicted = float(fitted_model.predict_frame(frame)[0])
            assert match["work"].rsplit(" = ", 1)[-1] == number(predicted), (term, line)
            assert float(fitted_model.results.predict(fitted_model.design_matrix(frame))[0]) == pytest.approx(
                predicted
            )


def test_the_lecture_pairs_differ_only_in_their_term() -> None:
    data, model, meaning = fitted(*LECTURE)
    slope = why_pair(data, model, "completed", meaning)
    assert "**lesson = Lesson A, completed = 31:** ŷ = 18.34 + 1.35 × 31 = 60.33" in slope
    assert "**lesson = Lesson A, completed = 32:**" in slope
    assert "differ only in completed (31 → 32)" in slope and "= 1.35 = b₂" in slope
    gap = why_pair(data, model, "lesson[T.Lesson B]", meaning)
    assert "18.34 − 13.19 + 1.35 × 31 = 47.14" in gap and f"= {MINUS}13.19 = b₁" in gap
    intercept = why_pair(data, model, "Intercept", meaning)
    assert "**lesson = Lesson A, completed = 0:** ŷ = 18.34" in intercept and "extrapolation" in intercept


def test_interaction_pairs_show_the_difference_of_differences() -> None:
    data, model, meaning = fitted(*INTERACTION)
    text = why_pair(data, model, "lesson[T.Lesson B]:completed", meaning)
    coef = model.coefficient("lesson[T.Lesson B]:completed").estimate
    assert f"differences is {number(coef)} = b₃" in text
    curve_data, curve, curve_meaning = fitted(*CURVE)
    bend = why_pair(curve_data, curve, "I(completed ** 2)", curve_meaning)
    assert "= 2 × b₂" in bend


# ------------------------------------------------------------------------------------------------ errors


def test_an_unknown_term_lists_the_models_terms() -> None:
    data, model, meaning = fitted(*LECTURE)
    with pytest.raises(UnknownTermError) as raised:
        check(data, model, "lesson C", "Lesson C scores lower.", meaning)
    assert isinstance(raised.value, UserInputError)
    rendered = raised.value.render()
    assert "`lesson C` is not a coefficient" in rendered
    assert all(f"`{term}`" in rendered for term in terms(model))
    assert find_term(model, "LESSON[T.Lesson B]") == "lesson[T.Lesson B]"
    assert find_term(model, " intercept ") == "Intercept"
    assert find_term(model, "lesson") == find_term(model, "lesson B") == "lesson[T.Lesson B]"
    assert pickle.loads(pickle.dumps(raised.value)).render() == rendered


@pytest.mark.parametrize("sentence", ["", "   ", "x" * (MAX_SENTENCE + 1)])
def test_empty_and_overlong_sentences_are_refused_kindly(sentence: str) -> None:
    data, model, meaning = fitted(*LECTURE)
    with pytest.raises(SentenceError) as raised:
        check(data, model, "completed", sentence, meaning)
    assert isinstance(raised.value, UserInputError) and raised.value.hint


def test_a_verdict_is_light_and_picklable() -> None:
    _, found = verdicts()[0]
    assert pickle.loads(pickle.dumps(found)) == found
    assert all(isinstance(line, Check) for line in found.lines)
    for value in (found.term, found.symbol, found.model_answer, found.why_pair, found.estimate):
        assert isinstance(value, str | float)
    assert found.render().splitlines()[0].startswith("✅ **number**")


# ------------------------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("written", "decimals", "target", "expected"),
    [
        (1.35, 2, 1.3544, True),
        (1.4, 1, 1.3544, True),
        (1.354, 3, 1.3544, True),
        (1.3, 1, 1.3544, False),
        (1.0, 0, 1.3544, False),
        (13.0, 0, -13.186, True),
        (13.2, 1, -13.186, True),
        (13.1, 1, -13.186, False),
        (0.2, 1, 0.19989, True),
        (8.0, 0, 8.004, True),
        (120.0, 0, 123.4, True),
        (0.0055, 4, -0.00552, True),
    ],
)
def test_a_number_matches_the_estimate_within_rounding(
    written: float, decimals: int, target: float, expected: bool
) -> None:
    assert rounds_to(written, decimals, target) is expected


# --------------------------------------------------------------------------------------------- any text

_WORDS = re.findall(
    r"\S+",
    "the score completed item items lesson Lesson A Lesson B holding fixed controlling for not no "
    "never more less higher lower than compared with per each one 1 0 = −13.19 13.19 1.35 18.34 % "
    "causes effect of doubling average mean intercept at outside data same species bill length mm "
    "port1 math1 , . ; ( )",
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    model=st.sampled_from(MODELS),
    choice=st.integers(min_value=0, max_value=20),
    sentence=st.one_of(
        st.text(max_size=MAX_SENTENCE + 20),
        st.lists(st.sampled_from(_WORDS), max_size=200).map(" ".join),
    ),
)
def test_any_text_gives_a_verdict_or_a_friendly_error_fast(
    model: tuple[str, str], choice: int, sentence: str
) -> None:
    data, fitted_model, meaning = fitted(*model)
    names = terms(fitted_model)
    term = names[choice % len(names)]
    start = time.perf_counter()
    try:
        found = check(data, fitted_model, term, sentence, meaning)
    except UserInputError:
        assert not sentence.strip() or len(sentence.strip()) > MAX_SENTENCE
        return
    assert time.perf_counter() - start < 1.0
    assert found.lines[0].rule == "number"
    assert [line.rule for line in found.lines] == [r for r in RULES if found.mark(r)]


def test_a_column_with_several_indicators_asks_which_one() -> None:
    _, model, _ = fitted("penguins", "body_mass_g ~ flipper_length_mm + species")
    assert find_term(model, "gentoo") == "species[T.Gentoo]"
    with pytest.raises(UnknownTermError) as raised:
        find_term(model, "species")
    assert "Did you mean `species[T.Chinstrap]` or `species[T.Gentoo]`?" in raised.value.render()


def test_a_checks_lines_become_misconception_outcomes() -> None:
    data, model, meaning = fitted(*LECTURE)
    wrong = check(data, model, "lesson[T.Lesson B]", "Lesson B students average -13.19 points.", meaning)
    outcomes = dict(check_outcomes((line.rule, line.mark) for line in wrong.lines))
    assert wrong.mark("baseline") == "wrong" and outcomes["indicator_mean"] is False
    causal = check(data, model, "completed", "Completing more items causes higher scores.", meaning)
    outcomes = check_outcomes((line.rule, line.mark) for line in causal.lines)
    assert ("causal", False) in outcomes and ("arithmetic", True) in outcomes
    assert {topic for topic, _ in outcomes} <= set(MISCONCEPTIONS)


@pytest.mark.parametrize(
    ("dataset", "formula"),
    [
        (
            "penguins",
            "log(bill_depth_mm) ~ bill_length_mm + bill_length_mm * log(year)",
        ),  # huge log coefficients
        ("codecademy", "score ~ completed + lesson:I(completed**2)"),  # a level's own curve term
        ("penguins", "body_mass_g ~ flipper_length_mm * species"),
    ],
)
def test_every_term_of_unusual_models_is_checked_answered_and_paired(dataset: str, formula: str) -> None:
    data, model, meaning = fitted(dataset, formula)
    for term in terms(model):
        answer = model_answer(data, model, term, meaning)
        pair = why_pair(data, model, term, meaning)
        check(data, model, term, "It goes up by 2.", meaning)
        assert "− −" not in pair and "nan" not in pair and "nan" not in answer
