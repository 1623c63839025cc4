"""Walkthroughs: the lecture's two examples step by step, other shapes, and Discord's limits everywhere."""

from __future__ import annotations

import pytest

from bot.regression.datasets import DatasetRegistry
from bot.regression.figures import BoxSpec, CoefficientSpec, ResidualSpec, ScatterSpec
from bot.regression.model import fit
from bot.regression.walkthrough import build, shape_of, singular


@pytest.fixture(scope="module")
def registry() -> DatasetRegistry:
    return DatasetRegistry.bundled()


@pytest.fixture(scope="module")
def lecture(registry):
    data = registry.get("codecademy")
    model = fit(data, "score ~ lesson + completed")
    return model, build(data, model)


def step(steps, title):
    return next(s for s in steps if s.title == title)


def test_lecture_walkthrough_order(lecture):
    _, steps = lecture
    assert [s.title for s in steps] == [
        "The question and the data",
        "The model's shape",
        "The estimates",
        "The indicator variables",
        "One line per lesson",
        "The picture",
        "What the numbers mean",
        "What the model cannot say",
        "How well it fits",
        "Try next",
    ]


def test_lecture_numbers_appear_where_they_teach(lecture):
    _, steps = lecture
    assert "ŷ = b₀ + b₁·[lesson = Lesson B] + b₂·completed" in step(steps, "The model's shape").body
    estimates = step(steps, "The estimates").body
    assert "ŷ = 18.34 + (−13.19)·[lesson = Lesson B] + 1.35·completed" in estimates
    assert "ŷ = 18.34 − 13.19·[lesson = Lesson B] + 1.35·completed" in estimates
    indicator = step(steps, "The indicator variables").body
    assert "*Lesson A* is the **baseline**" in indicator and "not* the average" in indicator
    lines = step(steps, "One line per lesson").body
    assert "18.34 − 13.19 = 5.16" in lines
    assert "ŷ = 5.16 + 1.35·completed" in lines and "ŷ = 18.34 + 1.35·completed" in lines
    assert "parallel lines" in lines
    meaning = step(steps, "What the numbers mean").body
    assert "1.35 points higher" in meaning and "13.19 points lower" in meaning
    assert "extrapolation" in meaning and "from 9 to 53" in meaning
    limits = step(steps, "What the model cannot say").body
    assert "the slope of **completed** is 1.31; here it is 1.35" in limits
    assert "score ~ lesson * completed" in limits
    assert "18.34 + 1.35 × 35 = 65.75" in step(steps, "Try next").body


def test_lecture_picture_has_parallel_lines(lecture):
    model, steps = lecture
    figure = step(steps, "The picture").figure
    assert isinstance(figure, ScatterSpec)
    assert figure.color.column == "lesson" and figure.color.levels == ("Lesson A", "Lesson B")
    lesson_a, lesson_b = figure.lines
    assert (lesson_a.group, lesson_b.group) == ("Lesson A", "Lesson B")
    assert round(lesson_a.intercept, 2) == 18.34 and round(lesson_b.intercept, 2) == 5.16
    assert lesson_a.slope == lesson_b.slope == pytest.approx(model.coefficient("completed").estimate)
    for item in figure.lines:
        rise = (item.ys[-1] - item.ys[0]) / (item.xs[-1] - item.xs[0])
        assert rise == pytest.approx(item.slope)
    assert lesson_a.label == "Lesson A: ŷ = 18.34 + 1.35·completed"
    body = step(steps, "The picture").body
    assert "*Lesson A* 1.27" in body and "*Lesson B* 1.43" in body


def test_second_lecture_example(registry):
    data = registry.get("students")
    model = fit(data, "port3 ~ math1 + port1")
    steps = build(data, model)
    titles = [s.title for s in steps]
    assert "The indicator variables" not in titles
    lines = step(steps, "Lines at chosen values of port1").body
    assert "0.88 + 0.11·math1" in lines and "1.74 + 0.11·math1" in lines
    assert "raises the intercept by 0.86" in lines
    assert "port1 = 5" in lines and "port1 = 10" in lines and "port1 = 15" in lines
    figure = step(steps, "The picture").figure
    assert figure.color.kind == "numeric" and [item.group for item in figure.lines] == [5.0, 10.0, 15.0]
    meaning = step(steps, "What the numbers mean").body
    assert "0.11" in meaning and "grade" in meaning
    assert "**port1** goes with about 8 times the difference" in meaning


def test_penguins_walkthrough_names_the_sign_flip(registry):
    data = registry.get("penguins")
    steps = build(data, fit(data, "bill_depth_mm ~ bill_length_mm + species"))
    assert "sign flips" in step(steps, "What the model cannot say").body


@pytest.mark.parametrize(
    "formula",
    [
        "score ~ completed",
        "score ~ lesson",
        "score ~ lesson * completed",
        "score ~ completed + I(completed ** 2)",
        "score ~ lesson + completed - 1",
        "log(score) ~ lesson + center(completed)",
    ],
)
def test_other_shapes(registry, formula):
    data = registry.get("codecademy")
    model = fit(data, formula)
    steps = build(data, model)
    assert steps[0].title == "The question and the data"
    assert all(len(s.body) <= 4096 and len(s.title) <= 256 for s in steps)
    kinds = {type(s.figure) for s in steps if s.figure is not None}
    assert ResidualSpec in kinds and CoefficientSpec in kinds
    if shape_of(model).x is None:
        assert BoxSpec in kinds


def test_interaction_walkthrough(registry):
    data = registry.get("codecademy")
    steps = build(data, fit(data, "score ~ lesson * completed"))
    lines = step(steps, "One line per lesson").body
    assert "Different slopes" in lines
    assert "baseline" in step(steps, "What the numbers mean").body


def test_every_example_formula_fits_the_limits(registry):
    for data in registry.all():
        for formula in data.examples:
            steps = build(data, fit(data, formula))
            for item in steps:
                assert len(item.title) <= 256 and len(item.body) <= 4096, (data.name, formula, item.title)
            assert sum(len(s.title) + len(s.body) for s in steps[:1]) <= 6000


def test_singular_units():
    assert singular("items") == "item"
    assert singular("mm") == "mm"
    assert singular("grade points (0-20)") == "grade point (0-20)"
    assert singular("classes") == "class"
    assert singular("million 1947 US$") == "million 1947 US$"
    assert singular("points") == "point"
