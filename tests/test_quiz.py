"""Quiz questions from fitted models: four distinct options, one right, every number recomputed here with
statsmodels' own fit of the same formula (its ``predict``, its coefficients, the simple regression fitted
again), every sentence option run through the interpretation checker, and only friendly errors for kinds
that do not fit a model."""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd
import patsy
import pytest
import statsmodels.formula.api as smf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.regression.datasets import Dataset, DatasetRegistry
from bot.regression.equations import join_terms
from bot.regression.errors import UserInputError
from bot.regression.interpret import check, model_answer
from bot.regression.meaning import Meaning, explain
from bot.regression.model import FittedModel, fit
from bot.regression.questions import KINDS, MISCONCEPTIONS, RULE_MISCONCEPTIONS, Question
from bot.regression.quiz import (
    EXPLANATION_LIMIT,
    OPTION_LIMIT,
    PROMPT_LIMIT,
    WHY_LIMIT,
    QuizKindError,
    kinds_for,
    question,
)
from bot.regression.text import number
from tests.interpret_corpus import CURVE, LECTURE
from tests.test_any_model import models
from tests.truth import value

REGISTRY = DatasetRegistry.bundled()
SIMPLE = ("codecademy", "score ~ completed")
INTERACTION = ("penguins", "body_mass_g ~ flipper_length_mm * species")
LOG = ("penguins", "np.log(body_mass_g) ~ flipper_length_mm + species")
THREE = ("penguins", "body_mass_g ~ flipper_length_mm + bill_length_mm + sex")
MODELS = (LECTURE, SIMPLE, INTERACTION, CURVE, LOG, THREE)
#: The kinds each model is asked, as worked out by hand from its shape.
EXPECTED_KINDS = {
    LECTURE: tuple(KINDS),
    SIMPLE: ("predict", "sentence"),
    INTERACTION: ("predict", "lines", "sentence", "baseline"),
    CURVE: ("predict", "sentence"),
    LOG: tuple(KINDS),
    THREE: tuple(KINDS),
}
SEEDS = range(5)
Fitted = tuple[Dataset, FittedModel, Meaning]


@functools.cache
def fitted(name: str, formula: str) -> Fitted:
    """A model fitted once by the engine."""
    data = REGISTRY.get(name)
    model = fit(data, formula)
    return data, model, explain(data, model)


@functools.cache
def independent(name: str, formula: str) -> Any:
    """statsmodels' own fit of the same formula on the same data (its own patsy design, its own row dropping)."""
    return smf.ols(formula, data=REGISTRY.get(name).frame).fit()


@functools.cache
def design(name: str, formula: str) -> Any:
    """patsy's own design of the formula's right-hand side (the same columns as statsmodels' fit)."""
    return patsy.dmatrices(formula, REGISTRY.get(name).frame, eval_env=0)[1].design_info


def cases() -> list[tuple[tuple[str, str], str, int]]:
    """Every expected (model, kind, seed)."""
    return [(model, kind, seed) for model in MODELS for kind in EXPECTED_KINDS[model] for seed in SEEDS]


def ids(case: tuple[tuple[str, str], str, int]) -> str:
    """A readable test id."""
    (_, formula), kind, seed = case
    return f"{formula}-{kind}-{seed}"


# ------------------------------------------------------------------------------------------ validity


def assert_valid(q: Question, kind: str, name: str, formula_text: str) -> None:
    """The shape every question has: four distinct options, one right, misconceptions, the limits, JSON."""
    assert q.kind == kind and q.dataset == name and q.formula == formula_text
    assert q.topic in MISCONCEPTIONS
    assert len(q.options) == 4 and sum(o.correct for o in q.options) == 1
    assert len({o.text for o in q.options}) == 4, [o.text for o in q.options]
    for option in q.options:
        assert option.text.strip() and option.why.strip()
        assert len(option.text) <= OPTION_LIMIT and len(option.why) <= WHY_LIMIT
        if option.correct:
            assert option.misconception is None and option.why.startswith("Right")
        else:
            assert option.misconception in MISCONCEPTIONS
    assert q.prompt.strip() and len(q.prompt) <= PROMPT_LIMIT
    assert (
        q.explanation.startswith(f"**Answer: {'ABCD'[q.answer]}.**")
        and len(q.explanation) <= EXPLANATION_LIMIT
    )
    assert Question.from_json(q.to_json()) == q


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m[1])
def test_each_model_is_asked_the_kinds_its_shape_allows(model: tuple[str, str]) -> None:
    assert kinds_for(*fitted(*model)) == EXPECTED_KINDS[model]


@pytest.mark.parametrize("case", cases(), ids=ids)
def test_every_question_is_valid_and_the_same_for_the_same_seed(
    case: tuple[tuple[str, str], str, int],
) -> None:
    (name, formula), kind, seed = case
    data, model, meaning = fitted(name, formula)
    q = question(data, model, meaning, kind, seed)
    assert_valid(q, kind, name, model.formula_text)
    assert question(data, model, explain(data, model), kind, seed) == q


def test_seeds_vary_the_question_and_none_picks_an_applicable_kind() -> None:
    data, model, meaning = fitted(*LECTURE)
    asked = [question(data, model, meaning, None, seed) for seed in range(12)]
    assert {q.kind for q in asked} == set(KINDS)
    predictions = {question(data, model, meaning, "predict", seed).prompt for seed in range(6)}
    assert len(predictions) > 1
    orders = {question(data, model, meaning, "baseline", seed).answer for seed in range(12)}
    assert len(orders) > 1


# ---------------------------------------------------------------------------------------- predict


def parse_case(data: Dataset, text: str) -> dict[str, Any]:
    """``lesson = Lesson B and completed = 35`` as values (numbers as the bot writes them)."""
    pairs = re.findall(r"(\w+) = (.+?)(?=(?:, | and )\w+ = |$)", text)
    return {name: raw if data.column(name).kind == "categorical" else value(raw) for name, raw in pairs}


def sm_predict(name: str, formula: str, case: dict[str, Any]) -> float:
    """statsmodels' prediction for one case."""
    return float(independent(name, formula).predict(pd.DataFrame({k: [v] for k, v in case.items()}))[0])


def shown(values: list[float]) -> set[str]:
    """Predictions as the options show them."""
    return {f"ŷ = {number(v)}" for v in values}


def prediction_mistakes(name: str, formula: str, case: dict[str, Any]) -> dict[str, set[str]]:
    """Every named mistake for ``case``, computed from statsmodels' coefficients and patsy's own design."""
    data, result = REGISTRY.get(name), independent(name, formula)
    (row,) = np.asarray(
        patsy.build_design_matrices([design(name, formula)], pd.DataFrame({k: [v] for k, v in case.items()}))[
            0
        ]
    )
    b, names = result.params.to_numpy(), list(result.params.index)
    right = float(row @ b)
    found: dict[str, list[float]] = defaultdict(list)
    nonzero = [j for j in range(len(b)) if row[j] != 0]
    for j in nonzero:
        if names[j] != "Intercept":
            found["arithmetic"].append(right - 2 * b[j] * row[j])
        if row[j] != 1:
            found["arithmetic"].append(right - b[j] * row[j] + b[j])
    if "Intercept" in names and len(nonzero) >= 2:
        found["intercept"].append(right - b[names.index("Intercept")])
    for column, level in case.items():
        info = data.column(column)
        if info.kind == "categorical" and level != info.levels[0]:
            found["baseline"].append(sm_predict(name, formula, {**case, column: info.levels[0]}))
    used = data.frame.loc[result.model.data.row_labels]
    response = formula.split("~")[0].strip()
    for column in case:
        if column in names and len(case) > 1:
            alone = smf.ols(f"{response} ~ {column}", data=used).fit().params[column]
            found["holding"].append(right + (alone - b[names.index(column)]) * row[names.index(column)])
    return {misconception: shown(values) for misconception, values in found.items()}


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m[1])
@pytest.mark.parametrize("seed", SEEDS)
def test_a_prediction_is_statsmodels_own_and_each_distractor_its_named_mistake(
    model: tuple[str, str], seed: int
) -> None:
    name, formula = model
    data, fitted_model, meaning = fitted(name, formula)
    q = question(data, fitted_model, meaning, "predict", seed)
    case = parse_case(data, re.search(r"with (.+?)\?", q.prompt).group(1))
    assert set(case) == set(fitted_model.predictors())
    rows = fitted_model.used_rows(data.frame)
    for column, given_value in case.items():
        if data.column(column).kind == "numeric":
            assert rows[column].min() <= given_value <= rows[column].max()
            if (rows[column] % 1 == 0).all():
                assert float(given_value).is_integer()
        else:
            assert given_value in set(rows[column].astype(str))
    right = sm_predict(name, formula, case)
    assert q.options[q.answer].text == f"ŷ = {number(right)}"
    mistakes = prediction_mistakes(name, formula, case)
    for option in q.options:
        if not option.correct:
            assert option.text in mistakes[option.misconception], (option, mistakes)
        assert number(right) in option.why
    if meaning.scale.kind == "log":
        assert "log(body_mass_g)" in q.prompt and number(float(np.exp(right))) in q.explanation


def test_the_lecture_prediction_reads_like_the_lecture() -> None:
    data, model, meaning = fitted(*LECTURE)
    for seed in range(20):
        q = question(data, model, meaning, "predict", seed)
        if "lesson = Lesson B" in q.prompt:
            break
    labels = q.explanation.split("**The others:**")[1]
    assert "forgets the indicator of *Lesson B*" in labels
    assert {o.misconception for o in q.options if not o.correct} >= {"baseline"}
    assert "18.34 − 13.19 + 1.35 ×" in q.options[q.answer].why


# ------------------------------------------------------------------------------------------ lines

#: Each model's x and grouping, as the question is asked about them.
LINES = {
    LECTURE: ("completed", "lesson"),
    INTERACTION: ("flipper_length_mm", "species"),
    LOG: ("flipper_length_mm", "species"),
    THREE: ("flipper_length_mm", "sex"),
}


@pytest.mark.parametrize("model", list(LINES), ids=lambda m: m[1])
@pytest.mark.parametrize("seed", SEEDS)
def test_a_groups_line_is_statsmodels_predictions_and_each_distractor_its_named_mistake(
    model: tuple[str, str], seed: int
) -> None:
    name, formula = model
    data, fitted_model, meaning = fitted(name, formula)
    x, by = LINES[model]
    q = question(data, fitted_model, meaning, "lines", seed)
    level = re.search(r"line for \*(.+?)\* in", q.prompt).group(1)
    held_text = re.search(r"`, with (.+?)\?", q.prompt)
    held = parse_case(data, held_text.group(1)) if held_text else {}
    assert set(held) == set(fitted_model.predictors()) - {x, by}
    baseline = data.column(by).levels[0]

    def line(group: str, values: dict[str, Any]) -> tuple[float, float]:
        start = sm_predict(name, formula, {**values, x: 0.0, by: group})
        return start, sm_predict(name, formula, {**values, x: 1.0, by: group}) - start

    def equation(a: float, b: float) -> str:
        return f"ŷ = {join_terms([(a, ''), (b, x)])}"

    (a1, b1), (a0, b0) = line(level, held), line(baseline, held)
    shift, tilt = a1 - a0, b1 - b0
    result = independent(name, formula)
    used = data.frame.loc[result.model.data.row_labels]
    mean = float(np.mean(result.model.endog[(used[by].astype(str) == level).to_numpy()]))
    expected = {
        "baseline": {equation(a0, b0)},
        "arithmetic": {equation(a0 + tilt, b0 + shift), equation(a0 - shift, b0 - tilt)},
        "curves": {equation(a1, b0)},
        "indicator_mean": {equation(mean, b1)},
        "holding": {equation(*line(level, {n: 0.0 for n in held}))},
    }
    assert q.options[q.answer].text == equation(a1, b1)
    for option in q.options:
        if not option.correct:
            assert option.text in expected[option.misconception], (option, expected)
    assert q.topic == ("curves" if model == INTERACTION else "baseline")


def test_the_lecture_lines_are_the_lectures() -> None:
    data, model, meaning = fitted(*LECTURE)
    q = question(data, model, meaning, "lines", 0)
    assert q.options[q.answer].text == "ŷ = 5.16 + 1.35·completed"
    assert "ŷ = 18.34 + 1.35·completed" in {o.text for o in q.options}
    assert "18.34 − 13.19 = 5.16" in q.options[q.answer].why
    assert "parallel" in q.explanation


# --------------------------------------------------------------------------------------- sentence


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m[1])
@pytest.mark.parametrize("seed", SEEDS)
def test_sentence_options_are_checked_by_the_checker(model: tuple[str, str], seed: int) -> None:
    data, fitted_model, meaning = fitted(*model)
    q = question(data, fitted_model, meaning, "sentence", seed)
    term = re.search(r"\(`(.+?)`\)", q.prompt).group(1)
    for option in q.options:
        verdict = check(data, fitted_model, term, option.text, meaning)
        if option.correct:
            assert verdict.correct, verdict.render()
            assert model_answer(data, fitted_model, term, meaning).startswith(option.text)
            continue
        planted = [
            line
            for line in verdict.lines
            if line.mark != "ok" and RULE_MISCONCEPTIONS.get((line.rule, line.mark)) == option.misconception
        ]
        assert planted, (option.text, verdict.render())
        assert all(line.mark == "wrong" or line.rule == "causal" for line in planted)
        assert all(line.mark != "wrong" or line in planted for line in verdict.lines), verdict.render()
        assert planted[0].why in option.why


def test_an_assigned_predictor_is_never_offered_as_a_causal_mistake() -> None:
    data, model, meaning = fitted(*LECTURE)
    for seed in range(12):
        q = question(data, model, meaning, "sentence", seed)
        if "lesson[T.Lesson B]" in q.prompt:
            assert "causal" not in {o.misconception for o in q.options}


# --------------------------------------------------------------------------------------- baseline


@pytest.mark.parametrize("model", [m for m in MODELS if "baseline" in EXPECTED_KINDS[m]], ids=lambda m: m[1])
@pytest.mark.parametrize("seed", SEEDS)
def test_the_baseline_is_the_first_level(model: tuple[str, str], seed: int) -> None:
    data, fitted_model, meaning = fitted(*model)
    q = question(data, fitted_model, meaning, "baseline", seed)
    column = re.search(r"of \*\*(.+?)\*\*", q.prompt).group(1)
    first = data.column(column).levels[0]
    assert q.options[q.answer].text == f"*{first}*"
    assert all(first in option.why for option in q.options)


def test_without_an_intercept_there_is_no_baseline() -> None:
    data = REGISTRY.get("codecademy")
    model = fit(data, "score ~ lesson - 1")
    meaning = explain(data, model)
    assert kinds_for(data, model, meaning) == ("baseline",)
    q = question(data, model, meaning, "baseline", 3)
    assert q.options[q.answer].text.startswith("There is none")
    assert {"*Lesson A*", "*Lesson B*"} <= {o.text for o in q.options}


# ----------------------------------------------------------------------------------- slope change


@pytest.mark.parametrize(
    "model", [m for m in MODELS if "slope_change" in EXPECTED_KINDS[m]], ids=lambda m: m[1]
)
@pytest.mark.parametrize("seed", SEEDS)
def test_the_slope_change_is_both_fits_compared(model: tuple[str, str], seed: int) -> None:
    name, formula = model
    data, fitted_model, meaning = fitted(name, formula)
    q = question(data, fitted_model, meaning, "slope_change", seed)
    x = re.search(r"slope of \*\*(.+?)\*\*", q.prompt).group(1)
    result = independent(name, formula)
    used = data.frame.loc[result.model.data.row_labels]
    alone = smf.ols(f"{formula.split('~')[0].strip()} ~ {x}", data=used).fit().params[x]
    here = result.params[x]
    assert f"is {number(alone)}." in q.prompt
    if number(alone) == number(here):
        truth = f"It stays {number(alone)}"
    elif (alone < 0) != (here < 0):
        truth = "It changes sign"
    else:
        truth = "It gets steeper" if abs(here) > abs(alone) else "It gets flatter"
    assert q.options[q.answer].text.startswith(truth)
    assert all(number(here) in option.why for option in q.options)
    assert {o.misconception for o in q.options if not o.correct} == {"holding"}


def test_simpsons_paradox_is_a_sign_change() -> None:
    data = REGISTRY.get("penguins")
    model = fit(data, "bill_depth_mm ~ bill_length_mm + species")
    q = question(data, model, explain(data, model), "slope_change", 1)
    assert q.options[q.answer].text.startswith("It changes sign")
    assert "Simpson" in q.explanation


# -------------------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("model", "kind", "why", "hint"),
    [
        (
            SIMPLE,
            "baseline",
            "has no categorical predictor, so it has no baseline to ask about",
            "predict or sentence",
        ),
        (SIMPLE, "lines", "has no categorical predictor", "predict or sentence"),
        (SIMPLE, "slope_change", "has **completed** alone", "predict or sentence"),
        (INTERACTION, "slope_change", "depends on where you look", "predict, lines, sentence or baseline"),
        (CURVE, "baseline", "has no categorical predictor", "predict or sentence"),
    ],
)
def test_a_kind_that_does_not_fit_says_why_and_what_does(
    model: tuple[str, str], kind: str, why: str, hint: str
) -> None:
    data, fitted_model, meaning = fitted(*model)
    with pytest.raises(QuizKindError) as raised:
        question(data, fitted_model, meaning, kind, 0)
    assert raised.value.message.startswith(f"`{fitted_model.formula_text}` ") and why in raised.value.message
    assert raised.value.hint == f"Try kind: {hint}."


def test_a_curve_has_no_line_per_group() -> None:
    data = REGISTRY.get("codecademy")
    model = fit(data, "score ~ lesson + completed + I(completed**2)")
    with pytest.raises(QuizKindError, match="curve"):
        question(data, model, explain(data, model), "lines", 0)


def test_a_model_without_predictors_asks_for_one() -> None:
    data = REGISTRY.get("codecademy")
    model = fit(data, "score ~ 1")
    meaning = explain(data, model)
    assert kinds_for(data, model, meaning) == ()
    for kind in (*KINDS, None):
        with pytest.raises(QuizKindError) as raised:
            question(data, model, meaning, kind, 0)
        assert "has no predictors" in raised.value.message
        assert "`score ~ lesson + completed`" in (raised.value.hint or "")


def test_an_unknown_kind_lists_the_kinds() -> None:
    with pytest.raises(QuizKindError, match="not a kind of question"):
        question(*fitted(*LECTURE), "essay", 0)


# ------------------------------------------------------------------------------------ any model


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(models(), st.integers(min_value=0, max_value=2**31))
def test_every_applicable_kind_gives_a_valid_question_and_others_a_friendly_refusal(
    case: tuple[str, str], seed: int
) -> None:
    name, formula = case
    data = REGISTRY.get(name)
    try:
        model = fit(data, formula)
    except UserInputError as error:
        assert error.render().strip()
        return
    meaning = explain(data, model)
    kinds = kinds_for(data, model, meaning)
    assert list(kinds) == [k for k in KINDS if k in kinds]
    for kind in KINDS:
        if kind in kinds:
            assert_valid(question(data, model, meaning, kind, seed), kind, name, model.formula_text)
        else:
            with pytest.raises(QuizKindError) as raised:
                question(data, model, meaning, kind, seed)
            assert raised.value.render().strip()
    if kinds:
        assert question(data, model, meaning, None, seed).kind in kinds
    else:
        with pytest.raises(QuizKindError):
            question(data, model, meaning, None, seed)
