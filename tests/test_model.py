"""Fits: the lecture's figures, the coding of every coefficient, predictions, and friendly errors."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import patsy
import pytest

from bot.regression.datasets import DatasetRegistry
from bot.regression.errors import FormulaError, ModelError, UserInputError, ValueParseError
from bot.regression.model import Indicator, Numeric, fit, parse_values, predict
from bot.regression.text import number


@pytest.fixture(scope="module")
def registry() -> DatasetRegistry:
    return DatasetRegistry.bundled()


def lstsq(frame: pd.DataFrame, y: str, columns: dict[str, np.ndarray]) -> np.ndarray:
    """An independent least-squares fit with numpy on a hand-built design matrix."""
    design = np.column_stack([np.ones(len(frame)), *columns.values()])
    coef, *_ = np.linalg.lstsq(design, frame[y].to_numpy(float), rcond=None)
    return coef


def test_lecture_example_one(registry):
    data = registry.get("codecademy")
    model = fit(data, "score ~ lesson + completed")
    estimates = [round(c.estimate, 2) for c in model.coefficients]
    assert estimates == [18.34, -13.19, 1.35]
    assert [c.name for c in model.coefficients] == ["Intercept", "lesson[T.Lesson B]", "completed"]
    frame = data.frame
    expected = lstsq(
        frame,
        "score",
        {"b": (frame["lesson"] == "Lesson B").to_numpy(float), "c": frame["completed"].to_numpy()},
    )
    np.testing.assert_allclose([c.estimate for c in model.coefficients], expected, rtol=1e-9)
    assert model.n == 100 and model.rows_dropped == 0


def test_coefficient_coding(registry):
    model = fit(registry.get("codecademy"), "score ~ lesson * completed")
    kinds = [c.kind for c in model.coefficients]
    assert kinds == ["intercept", "indicator", "slope", "interaction"]
    indicator = model.coefficients[1].parts[0]
    assert indicator == Indicator("lesson", "Lesson B", "Lesson A")
    assert model.coefficients[3].feature == "[lesson = Lesson B]·completed"
    assert model.categorical("lesson").baseline == "Lesson A"


def test_interaction_slopes_equal_the_separate_fits(registry):
    data = registry.get("codecademy")
    model = fit(data, "score ~ lesson * completed")
    for level, slope in (
        ("Lesson A", model.coefficient("completed").estimate),
        (
            "Lesson B",
            model.coefficient("completed").estimate
            + model.coefficient("lesson[T.Lesson B]:completed").estimate,
        ),
    ):
        rows = data.frame[data.frame["lesson"] == level]
        separate = (
            fit(dataclasses.replace(data, frame=rows), "score ~ completed").coefficient("completed").estimate
        )
        assert slope == pytest.approx(separate, rel=1e-9)


def test_lecture_example_two(registry):
    model = fit(registry.get("students"), "port3 ~ math1 + port1")
    assert model.n == 382
    assert round(model.coefficient("Intercept").estimate, 2) == 0.88
    assert round(model.coefficient("math1").estimate, 2) == 0.11
    assert round(model.coefficient("port1").estimate, 2) == 0.86


def test_penguins_sign_flip(registry):
    data = registry.get("penguins")
    alone = fit(data, "bill_depth_mm ~ bill_length_mm").coefficient("bill_length_mm").estimate
    held = fit(data, "bill_depth_mm ~ bill_length_mm + species").coefficient("bill_length_mm").estimate
    assert round(alone, 3) == -0.085
    assert round(held, 2) == 0.20


def test_transformed_terms_are_labelled(registry):
    model = fit(registry.get("codecademy"), "score ~ completed + I(completed ** 2) + log(completed)")
    parts = [c.parts[0] for c in model.coefficients[1:]]
    assert all(isinstance(p, Numeric) for p in parts)
    assert [p.plain for p in parts] == [True, False, False]
    assert [p.pretty for p in parts] == ["completed", "completed²", "log(completed)"]
    assert [c.kind for c in model.coefficients[1:]] == ["slope", "transformed", "transformed"]


def test_prediction_with_the_lecture_numbers(registry):
    model = fit(registry.get("codecademy"), "score ~ lesson + completed")
    result = predict(model, {"lesson": "Lesson A", "completed": 35.0})
    assert number(result.estimate) == "65.75"
    assert result.pi_low < result.ci_low < result.estimate < result.ci_high < result.pi_high
    by_hand = model.coefficient("Intercept").estimate + 35 * model.coefficient("completed").estimate
    assert result.estimate == pytest.approx(by_hand)


def test_parse_values(registry):
    model = fit(registry.get("codecademy"), "score ~ lesson + completed")
    assert parse_values(model, "completed=35 lesson=Lesson A") == {"completed": 35.0, "lesson": "Lesson A"}
    assert parse_values(model, "lesson = lesson b, completed = 20") == {
        "lesson": "Lesson B",
        "completed": 20.0,
    }
    cases = {
        "": "Give a value",
        "completed=35": "Missing a value for `lesson`",
        "completed=abc lesson=Lesson A": "needs a number",
        "completed=35 lesson=Lesson C": "not a level",
        "complted=35 lesson=Lesson A": "`complted` is not a predictor in this model.\nDid you mean `completed`?",
        "35 lesson=Lesson A": "`35` is not a `name=value` pair",
        "completed=nan lesson=Lesson A": "not a usable number",
        "completed=1e400 lesson=Lesson A": "not a usable number",
    }
    for text, message in cases.items():
        with pytest.raises(ValueParseError) as info:
            parse_values(model, text)
        assert message in info.value.render(), text


@pytest.mark.parametrize(
    ("formula", "error", "message"),
    [
        ("score ~ lessons + completed", FormulaError, "Did you mean `lesson`"),
        ("lesson ~ completed", FormulaError, "categorical"),
        ("score ~ log(I(completed - 30))", ModelError, "undefined value"),
        ("score ~ completed + I(completed * 2)", ModelError, "collinearity"),
        ("score ~ log(I(completed - completed))", ModelError, "infinite"),
    ],
)
def test_friendly_errors(registry, formula, error, message):
    with pytest.raises(error) as info:
        fit(registry.get("codecademy"), formula)
    assert message in info.value.render()


def test_too_few_rows_and_constant_columns(registry):
    data = registry.get("codecademy")
    tiny = dataclasses.replace(data, frame=data.frame.head(2))
    with pytest.raises(UserInputError, match="more rows than coefficients"):
        fit(tiny, "score ~ lesson + completed")
    same = data.frame.assign(completed=5.0)
    with pytest.raises(ModelError, match="same value in every row"):
        fit(dataclasses.replace(data, frame=same), "score ~ completed")


def test_missing_values_are_dropped_and_counted(registry):
    data = registry.get("codecademy")
    frame = data.frame.copy()
    frame.loc[:4, "completed"] = np.nan
    model = fit(dataclasses.replace(data, frame=frame), "score ~ completed")
    assert model.n == 95 and model.rows_dropped == 5


def test_errors_survive_pickling_between_processes(registry):
    import pickle

    with pytest.raises(FormulaError) as info:
        fit(registry.get("codecademy"), "score ~ lessons")
    copy = pickle.loads(pickle.dumps(info.value))
    assert type(copy) is FormulaError and copy.render() == info.value.render()
    error = ValueParseError("bad", "hint")
    assert pickle.loads(pickle.dumps(error)).render() == "bad\nhint"


SHAPES = [
    ("codecademy", "score ~ lesson + completed"),
    ("codecademy", "score ~ center(completed) * lesson"),
    ("penguins", "body_mass_g ~ standardize(flipper_length_mm) + standardize(I(bill_length_mm / 10))"),
    ("penguins", "log(body_mass_g) ~ C(year) + sqrt(flipper_length_mm)"),
    ("grunfeld", "invest ~ value + I(value ** 2) + firm - 1"),
    ("students", "port3 ~ C(studytime_port) * center(port1)"),
    ("statecrime", "violent ~ exp(I(poverty / 10)) + region:poverty"),
]


@pytest.mark.parametrize(("dataset", "formula"), SHAPES)
def test_the_design_matches_statsmodels_own_formula_interface(registry, dataset, formula):
    import statsmodels.formula.api as smf

    data = registry.get(dataset)
    model = fit(data, formula)
    frame = model.used_rows(data.frame)
    functions = {"log": np.log, "sqrt": np.sqrt, "exp": np.exp}
    functions |= {"center": patsy.center, "standardize": patsy.standardize}
    reference = smf.ols(model.formula.canonical(), frame, eval_env=functions).fit()
    assert [c.name for c in model.coefficients] == list(reference.params.index)
    assert np.allclose([c.estimate for c in model.coefficients], reference.params.to_numpy())
    new = frame.sample(7, random_state=1)
    assert np.allclose(model.predict_frame(new), reference.predict(new))


def test_no_formula_text_is_ever_evaluated(registry, monkeypatch):
    import builtins

    def refuse(*args, **kwargs):
        raise AssertionError("eval was called")

    monkeypatch.setattr(builtins, "eval", refuse)
    for data in registry.all():
        for formula in data.examples:
            model = fit(data, formula)
            case = model.used_rows(data.frame).iloc[0]
            values = {
                name: (str(case[name]) if model.categorical(name) is not None else float(case[name]))
                for name in model.predictors()
            }
            assert predict(model, values).estimate == pytest.approx(model.fitted[0])
