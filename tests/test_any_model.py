"""Every valid model is answered: generated formulas on every bundled dataset go through every walkthrough
page (figures rendered), /predict and /compare, and only our own, friendly error types ever come out."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.regression import plots
from bot.regression.compare import compare
from bot.regression.datasets import DatasetRegistry
from bot.regression.errors import UserInputError
from bot.regression.model import fit, level_name, parse_values
from bot.regression.text import value_text
from bot.regression.walkthrough import Walkthrough, build, example_values, prediction_step

REGISTRY = DatasetRegistry.bundled()


def _columns(name: str) -> tuple[list[str], list[str]]:
    """A dataset's numeric columns and its categorical ones with few levels."""
    data = REGISTRY.get(name)
    numeric = [c.name for c in data.columns if c.kind == "numeric"]
    categorical = [c.name for c in data.columns if c.kind == "categorical" and len(c.levels) <= 12]
    return numeric, categorical


@st.composite
def models(draw) -> tuple[str, str]:
    """A dataset and a formula that parses: responses, transforms, C(), interactions, no intercept."""
    name = draw(st.sampled_from(REGISTRY.names()))
    numeric, categorical = _columns(name)
    response = draw(st.sampled_from(numeric))
    response_text = draw(
        st.sampled_from([response, f"log({response})", f"sqrt({response})", f"I({response} / 10)"])
    )
    others = [c for c in numeric if c != response]
    factor = st.one_of(
        st.sampled_from(others).flatmap(
            lambda x: st.sampled_from(
                [x, f"I({x}**2)", f"log({x})", f"sqrt({x})", f"center({x})", f"standardize({x})", f"C({x})"]
            )
        ),
        st.sampled_from(categorical) if categorical else st.sampled_from(others),
    )
    terms = draw(st.lists(factor, min_size=0, max_size=3))
    joiners = draw(st.lists(st.sampled_from([" + ", " * ", ":"]), min_size=len(terms), max_size=len(terms)))
    rhs = "".join(j + t for j, t in zip(joiners, terms, strict=True))[
        3 if terms and joiners[0] != ":" else 1 :
    ]
    rhs = rhs or "1"
    tail = draw(st.sampled_from(["", "", " - 1", f" - {terms[0]}" if terms else ""]))
    return name, f"{response_text} ~ {rhs}{tail}"


def _case(dataset, model) -> str:
    """The first fitted row's predictor values, as a user would type them."""
    values = example_values(dataset, model)
    return " ".join(
        f"{k}={v if isinstance(v, str) else value_text(v).replace(',', '')}" for k, v in values.items()
    )


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(models())
def test_every_valid_model_is_answered_or_refused_with_a_friendly_message(case):
    name, formula = case
    data = REGISTRY.get(name)
    try:
        model = fit(data, formula)
    except UserInputError as error:
        assert error.render().strip()
        return
    steps = build(data, model)
    assert steps and all(len(s.body) <= 4096 and len(s.title) <= 256 for s in steps)
    assert Walkthrough(data, model).titles == tuple(s.title for s in steps)  # the jump menu before the pages
    for index, step in enumerate(steps):
        if step.figure is not None:
            rendered = plots.render(step.figure, data.frame, filename=f"step{index + 1}.png")
            assert rendered.png.startswith(b"\x89PNG") and 0 < len(rendered.alt_text) <= 1000
    prediction = prediction_step(data, model, parse_values(model, _case(data, model)))
    assert prediction.title.startswith("Prediction: ")
    simpler = f"{formula.split(' ~ ')[0]} ~ 1"
    try:
        result = compare(data, simpler, formula)
    except UserInputError as error:
        assert error.render().strip()
        return
    assert result.steps


@pytest.mark.parametrize(
    ("name", "formula"),
    [
        ("codecademy", "score ~ lesson - lesson"),
        ("codecademy", "score ~ 1"),
        ("codecademy", "score ~ C(completed)"),
        ("students", "port3 ~ C(studytime_port)"),
        ("penguins", "body_mass_g ~ C(year) * flipper_length_mm"),
    ],
)
def test_the_models_that_used_to_crash(name, formula):
    data = REGISTRY.get(name)
    model = fit(data, formula)
    steps = build(data, model)
    for index, step in enumerate(steps):
        if step.figure is not None:
            plots.render(step.figure, data.frame, filename=f"step{index + 1}.png")
    values = {
        k: (level_name(v) if model.categorical(k) is not None else v)
        for k, v in example_values(data, model).items()
    }
    assert prediction_step(data, model, values).title.startswith("Prediction: ")
