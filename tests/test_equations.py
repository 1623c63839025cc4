"""Equations: general form, estimates plugged in and simplified, per-level and conditional lines."""

from __future__ import annotations

import dataclasses

import pytest

from bot.regression.datasets import DatasetRegistry
from bot.regression.equations import (
    general_form,
    group_lines,
    line,
    plugged_in,
    substituted,
    symbol,
)
from bot.regression.meaning import nice_values
from bot.regression.model import fit

LESSONS = ("Lesson A", "Lesson B")


@pytest.fixture(scope="module")
def codecademy():
    return DatasetRegistry.bundled().get("codecademy")


@pytest.fixture(scope="module")
def students():
    return DatasetRegistry.bundled().get("students")


def test_symbols():
    assert [symbol(i) for i in (0, 1, 12)] == ["b₀", "b₁", "b₁₂"]


def test_lecture_equations(codecademy):
    model = fit(codecademy, "score ~ lesson + completed")
    assert general_form(model) == "ŷ = b₀ + b₁·[lesson = Lesson B] + b₂·completed"
    assert plugged_in(model) == "ŷ = 18.34 + (−13.19)·[lesson = Lesson B] + 1.35·completed"
    assert substituted(model) == "ŷ = 18.34 − 13.19·[lesson = Lesson B] + 1.35·completed"


def test_one_line_per_lesson(codecademy):
    model = fit(codecademy, "score ~ lesson + completed")
    lesson_a, lesson_b = group_lines(model, "completed", "lesson", LESSONS, {})
    assert lesson_a.label == "Lesson A" and lesson_b.label == "Lesson B"
    assert lesson_a.equation() == "ŷ = 18.34 + 1.35·completed"
    assert lesson_b.equation() == "ŷ = 5.16 + 1.35·completed"
    ((feature, work),) = lesson_b.derivations
    assert feature == "" and work.startswith("18.34 − 13.19 = 5.16\n(unrounded: 18.344 − 13.186 = 5.16")
    assert lesson_a.slope == lesson_b.slope == model.coefficient("completed").estimate
    gap = lesson_a.intercept - lesson_b.intercept
    assert gap == pytest.approx(-model.coefficient("lesson[T.Lesson B]").estimate)


def test_interaction_gives_different_slopes(codecademy):
    model = fit(codecademy, "score ~ lesson * completed")
    lesson_a, lesson_b = group_lines(model, "completed", "lesson", LESSONS, {})
    for level, item in (("Lesson A", lesson_a), ("Lesson B", lesson_b)):
        rows = codecademy.frame[codecademy.frame["lesson"] == level]
        alone = fit(dataclasses.replace(codecademy, frame=rows), "score ~ completed")
        assert item.slope == pytest.approx(alone.coefficient("completed").estimate)
        assert item.intercept == pytest.approx(alone.coefficient("Intercept").estimate)
    assert [feature for feature, _ in lesson_b.derivations] == ["", "completed"]


def test_conditional_lines_for_a_numeric_moderator(students):
    model = fit(students, "port3 ~ math1 + port1")
    at_zero = line(model, "math1", {"port1": 0.0}, label="port1 = 0")
    at_one = line(model, "math1", {"port1": 1.0}, label="port1 = 1")
    assert at_zero.equation() == "ŷ = 0.88 + 0.11·math1"
    assert at_one.equation() == "ŷ = 1.74 + 0.11·math1"
    assert at_one.intercept - at_zero.intercept == pytest.approx(model.coefficient("port1").estimate)
    lines = group_lines(model, "math1", "port1", (5.0, 10.0, 15.0), {})
    assert [item.group for item in lines] == [5.0, 10.0, 15.0]
    for item in lines:
        expected = model.coefficient("Intercept").estimate + model.coefficient("port1").estimate * item.group
        assert item.intercept == pytest.approx(expected)
        assert item.slope == pytest.approx(model.coefficient("math1").estimate)


def test_polynomial_is_not_straight(codecademy):
    model = fit(codecademy, "score ~ completed + I(completed ** 2)")
    (curve,) = group_lines(model, "completed", None, (), {})
    assert not curve.straight and curve.slope is None
    assert "completed²" in curve.equation()


def test_nice_values():
    assert nice_values(0, 19, 12) == (5.0, 10.0, 15.0)
    assert nice_values(9, 53, 31) == (20.0, 30.0, 40.0)
    assert nice_values(32.1, 59.6, 44.45) == (40.0, 45.0, 50.0)
    assert nice_values(2700, 6300, 4050) == (3000.0, 4000.0, 5000.0)
    assert nice_values(0.01, 0.02, 0.015) == (0.012, 0.014, 0.016)
