"""Walkthroughs: the lecture's two examples step by step, and every model shape on the bundled datasets,
with every number a sentence states about the model recomputed independently (``tests/truth.py``)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.regression.datasets import DatasetRegistry
from bot.regression.errors import UserInputError
from bot.regression.figures import BoxSpec, CoefficientSpec, HistogramSpec, ResidualSpec, ScatterSpec
from bot.regression.meaning import explain
from bot.regression.model import fit, level_name
from bot.regression.text import value_text
from bot.regression.walkthrough import Walkthrough, build, singular
from tests.truth import Truth, plain

#: Every shape the walkthrough must read right, each on at least two datasets.
SHAPES = {
    "additive": [
        ("codecademy", "score ~ lesson + completed"),
        ("penguins", "body_mass_g ~ flipper_length_mm + sex"),
    ],
    "categorical × numeric": [
        ("codecademy", "score ~ lesson * completed"),
        ("penguins", "bill_depth_mm ~ bill_length_mm * species"),
    ],
    "numeric × numeric": [
        ("students", "port3 ~ math1 * port1"),
        ("statecrime", "violent ~ poverty * single"),
    ],
    "a:b without main effects": [
        ("codecademy", "score ~ lesson:completed"),
        ("penguins", "body_mass_g ~ species:flipper_length_mm"),
    ],
    "polynomial": [
        ("codecademy", "score ~ completed + I(completed**2)"),
        ("penguins", "body_mass_g ~ flipper_length_mm + I(flipper_length_mm**2) + species"),
    ],
    "center": [
        ("codecademy", "score ~ center(completed) + lesson"),
        ("students", "port3 ~ center(math1) + port1"),
    ],
    "standardize": [
        ("penguins", "body_mass_g ~ standardize(flipper_length_mm) + standardize(bill_length_mm)"),
        ("grunfeld", "invest ~ standardize(value) + standardize(capital)"),
    ],
    "log response": [
        ("grunfeld", "np.log(invest) ~ value"),
        ("codecademy", "log(score) ~ completed + lesson"),
    ],
    "sqrt response": [("grunfeld", "np.sqrt(invest) ~ value"), ("statecrime", "sqrt(violent) ~ poverty")],
    "log predictor": [
        ("grunfeld", "np.log(invest) ~ np.log(value)"),
        ("statecrime", "murder ~ log(poverty)"),
    ],
    "no intercept": [("codecademy", "score ~ completed - 1"), ("stackloss", "stack_loss ~ air_flow - 1")],
    "cell means": [("codecademy", "score ~ lesson - 1"), ("penguins", "body_mass_g ~ species - 1")],
    "three or more predictors": [
        ("penguins", "body_mass_g ~ flipper_length_mm + sex + species + bill_depth_mm"),
        ("grunfeld", "invest ~ value + capital + firm"),
        ("stackloss", "stack_loss ~ air_flow + water_temp + acid_conc"),
    ],
    "mean only": [("codecademy", "score ~ 1"), ("penguins", "body_mass_g ~ 1")],
    "C() of a number": [
        ("students", "port3 ~ C(studytime_port) + port1"),
        ("penguins", "body_mass_g ~ C(year)"),
    ],
    "categorical only": [
        ("penguins", "bill_length_mm ~ species + island"),
        ("statecrime", "violent ~ region"),
    ],
}
MATRIX = [(shape, d, f) for shape, cases in SHAPES.items() for d, f in cases]


@pytest.fixture(scope="module")
def registry() -> DatasetRegistry:
    return DatasetRegistry.bundled()


def own_rows(rows, by, level, focus):
    """The rows a group's line describes: that level of ``by``, at the levels other predictors are held at."""
    mask = rows[by].astype(object).map(level_name) == level
    for name, held in focus:
        mask &= rows[name].astype(object).map(level_name) == held
    return rows[mask]


def walk(registry, dataset, formula):
    data = registry.get(dataset)
    model = fit(data, formula)
    return data, model, explain(data, model), build(data, model)


def step(steps, title):
    return next(s for s in steps if s.title == title)


# ------------------------------------------------------------------------------------------- lecture


@pytest.fixture(scope="module")
def lecture(registry):
    _data, model, _meaning, steps = walk(registry, "codecademy", "score ~ lesson + completed")
    return model, steps


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
    assert "standard error" in estimates and "confidence interval" in estimates
    indicator = step(steps, "The indicator variables").body
    assert "*Lesson A* is the **baseline**" in indicator and "not* the average" in indicator
    lines = step(steps, "One line per lesson").body
    assert (
        "18.34 − 13.19 = 5.16" in lines
        and "(unrounded: 18.344 − 13.186 = 5.16; the rounded numbers give 5.15)" in lines
    )
    assert "ŷ = 5.16 + 1.35·completed" in lines and "ŷ = 18.34 + 1.35·completed" in lines
    assert "parallel lines" in lines and "13.19 points apart" in lines
    meaning = step(steps, "What the numbers mean").body
    assert "1.35 points higher" in meaning and "13.19 points lower" in meaning
    assert "extrapolation" in meaning and "completed runs from 9 to 53" in meaning
    limits = step(steps, "What the model cannot say").body
    assert "the slope of **completed** is 1.31; here it is 1.35" in limits
    assert "score ~ lesson + completed + lesson:completed" in limits
    assert "presumably at random" in limits and "Simpson" not in limits
    assert "18.34 + 1.35 × 35 = 65.75" in step(steps, "Try next").body
    assert "the rounded numbers give 65.59" in step(steps, "Try next").body


def test_lecture_picture_has_parallel_lines_over_each_lessons_range_and_the_pooled_line(registry, lecture):
    model, steps = lecture
    figure = step(steps, "The picture").figure
    assert isinstance(figure, ScatterSpec)
    assert figure.color.column == "lesson" and figure.color.levels == ("Lesson A", "Lesson B")
    lesson_a, lesson_b, pooled = figure.lines
    assert (lesson_a.group, lesson_b.group) == ("Lesson A", "Lesson B")
    assert round(lesson_a.intercept, 2) == 18.34 and round(lesson_b.intercept, 2) == 5.16
    assert (
        lesson_a.slope
        == pytest.approx(lesson_b.slope)
        == pytest.approx(model.coefficient("completed").estimate)
    )
    frame = registry.get("codecademy").frame
    for item in (lesson_a, lesson_b):
        own = frame[frame["lesson"] == item.group]["completed"]
        assert (min(item.xs), max(item.xs)) == (own.min(), own.max())
        assert item.extended is not None and min(item.extended[0]) == frame["completed"].min()
        rise = (item.ys[-1] - item.ys[0]) / (item.xs[-1] - item.xs[0])
        assert rise == pytest.approx(item.slope)
    assert pooled.pooled and pooled.dashed
    simple = np.polyfit(frame["completed"], frame["score"], 1)
    assert pooled.slope == pytest.approx(simple[0]) and pooled.intercept == pytest.approx(simple[1])
    assert lesson_a.label == "Lesson A: ŷ = 18.34 + 1.35·completed"
    body = step(steps, "The picture").body
    assert "*Lesson A* 1.27" in body and "*Lesson B* 1.43" in body
    assert "dashed line is `" in body


def test_second_lecture_example(registry):
    _, _model, _, steps = walk(registry, "students", "port3 ~ math1 + port1")
    titles = [s.title for s in steps]
    assert "The indicator variables" not in titles
    lines = step(steps, "Lines at chosen values of port1").body
    assert "0.88 + 0.11·math1" in lines and "1.74 + 0.11·math1" in lines
    assert "raises the intercept by 0.86" in lines
    assert "port1 = 5" in lines and "port1 = 10" in lines and "port1 = 15" in lines
    figure = step(steps, "The picture").figure
    assert figure.color.kind == "numeric" and [item.group for item in figure.lines] == [5.0, 10.0, 15.0, None]
    assert figure.lines[-1].pooled and figure.lines[-1].slope == pytest.approx(0.48, abs=0.005)
    assert figure.jitter
    meaning = step(steps, "What the numbers mean").body
    assert "0.11 grade points higher" in meaning and "0.86 grade points higher" in meaning
    assert "per SD" in meaning and meaning.index("**port1**") < meaning.index("**math1** ")


def test_penguins_sign_flip_is_simpsons_paradox(registry):
    _, _, _, steps = walk(registry, "penguins", "bill_depth_mm ~ bill_length_mm + species")
    limits = step(steps, "What the model cannot say").body
    assert "Simpson's paradox" in limits and "−0.085" in limits and "0.20" in limits
    figure = step(steps, "The picture").figure
    assert [line.pooled for line in figure.lines] == [False, False, False, True]


def test_no_simpson_without_groups_or_with_an_estimate_consistent_with_zero(registry):
    for dataset, formula in [
        ("students", "port3 ~ math1 * port1"),
        ("statecrime", "violent ~ poverty + single"),
        ("statecrime", "violent ~ poverty + region"),
    ]:
        _, _, _, steps = walk(registry, dataset, formula)
        assert not any("Simpson" in s.body for s in steps), formula


def test_interaction_gap_is_given_where_the_data_are(registry):
    _, _model, _meaning, steps = walk(registry, "codecademy", "score ~ lesson * completed")
    body = plain(step(steps, "What the numbers mean").body)
    assert (
        "is the gap between Lesson B and Lesson A at completed = 0, and completed = 0 is outside the data"
        in body
    )
    assert "At any" not in body and "held fixed" not in body.split("b₂")[0]
    assert "13.30 points lower at 30" in body
    assert "completed's slope is 1.27 for Lesson A, 1.43 for Lesson B" in body
    assert "consistent with equal slopes" in body


def test_curve_slopes_are_read_at_values(registry):
    _, _, _, steps = walk(registry, "codecademy", "score ~ completed + I(completed**2)")
    body = plain(step(steps, "What the numbers mean").body)
    assert "is completed's slope at completed = 0" in body and "1.33 at 30" in body
    assert "at every" not in body


def test_two_numeric_interaction_has_no_baseline(registry):
    _, _, _, steps = walk(registry, "students", "port3 ~ math1 * port1")
    text = " ".join(s.body for s in steps)
    assert "baseline" not in text and "times the difference" not in text and "per SD" not in text
    assert "math1's slope at port1 = 0" in plain(text)


def test_shared_start_without_main_effect(registry):
    _, _, _, steps = walk(registry, "codecademy", "score ~ lesson:completed")
    lines = step(steps, "One line per lesson").body
    assert "one starting point" in lines and "cannot give the groups different intercepts" in lines
    assert "None" not in " ".join(s.body for s in steps)


def test_center_is_a_straight_line_with_intercept_at_the_mean(registry):
    _, _model, _meaning, steps = walk(registry, "codecademy", "score ~ center(completed) + lesson")
    text = plain(" ".join(s.body for s in steps))
    assert "curve" not in text and "transformed term" not in text
    assert (
        "b₀ = 59.99 (intercept) is the predicted quiz score for Lesson A (the baseline) at completed = 30.75"
        in text
    )
    assert "extrapolation" not in step(steps, "What the numbers mean").body


def test_standardize_reads_per_standard_deviation(registry):
    _, _, _meaning, steps = walk(
        registry, "penguins", "body_mass_g ~ standardize(flipper_length_mm) + standardize(bill_length_mm)"
    )
    body = plain(step(steps, "What the numbers mean").body)
    assert "one standard deviation (14.04 mm) higher goes with a predicted body mass 676.01 g higher" in body
    assert (
        "at flipper_length_mm = 200.915" in body and "Higher bill_length_mm shifts the line down" not in body
    )


def test_log_response_reads_as_ratios_and_draws_on_the_log_scale(registry):
    _data, _model, _, steps = walk(registry, "grunfeld", "np.log(invest) ~ np.log(value)")
    body = plain(step(steps, "What the numbers mean").body)
    assert "log(value) = 0 there" in body and "value = 1 is outside the data" in body
    assert "doubling market value goes with a predicted gross investment about 99 % higher (× 1.99)" in body
    figure = step(steps, "The picture").figure
    assert figure.y.expr is not None and figure.y.label.startswith("log(invest)")
    residuals = step(steps, "How well it fits").figure
    assert residuals.response_label.startswith("log(invest)")


def test_no_intercept_r_squared_is_explained(registry):
    _, model, meaning, steps = walk(registry, "codecademy", "score ~ completed - 1")
    body = step(steps, "How well it fits").body
    usual = meaning.fit.usual_r_squared
    observed = np.asarray(model.fitted) + np.asarray(model.residuals)
    expected = 1 - (np.asarray(model.residuals) ** 2).sum() / ((observed - observed.mean()) ** 2).sum()
    assert usual == pytest.approx(expected)
    assert "uncentred" in body and f"{expected:.3f}" in body and "accounts for" not in body


def test_cell_means_are_the_groups_means(registry):
    data, _model, _, steps = walk(registry, "codecademy", "score ~ lesson - 1")
    body = step(steps, "What the numbers mean").body
    means = data.frame.groupby("lesson", observed=True)["score"].mean()
    assert (
        f"**b₁ = {means['Lesson A']:.2f}**" in body and "own mean" in body and "difference from" not in body
    )
    assert "uncentred" not in step(steps, "How well it fits").body


def test_mean_only_model_gets_its_own_walkthrough(registry):
    data, _model, _, steps = walk(registry, "codecademy", "score ~ 1")
    assert [s.title for s in steps][:3] == ["The question and the data", "The model's shape", "The estimate"]
    assert f"{data.frame['score'].mean():.2f}" in step(steps, "The estimate").body
    assert isinstance(steps[0].figure, HistogramSpec)


def test_three_predictors_list_everything_held(registry):
    _, _, _, steps = walk(
        registry, "penguins", "body_mass_g ~ flipper_length_mm + sex + species + bill_depth_mm"
    )
    body = step(steps, "What the numbers mean").body
    assert "the same sex, species and bill depth" in body
    picture = step(steps, "The picture")
    assert (
        picture.figure.note
        and "species = Adelie" in picture.figure.note
        and "bill_depth_mm" in picture.figure.note
    )
    assert picture.figure.focus == (("species", "Adelie"),)


# ------------------------------------------------------------------------------------------- matrix


@pytest.mark.parametrize(("shape", "dataset", "formula"), MATRIX, ids=[f"{s}: {f}" for s, _, f in MATRIX])
def test_every_number_stated_is_the_models_own(registry, shape, dataset, formula):
    data, model, meaning, steps = walk(registry, dataset, formula)
    counts = Truth(data, model, meaning).check(steps)
    if model.predictors():
        checked = sum(v for k, v in counts.items() if k != "sums")
        assert checked >= 1, (formula, counts)
    for item in steps:
        assert len(item.title) <= 256 and len(item.body) <= 4096, (formula, item.title)
        assert "None" not in item.body and "not available" not in item.body, (formula, item.title)


@pytest.mark.parametrize(("shape", "dataset", "formula"), MATRIX, ids=[f"{s}: {f}" for s, _, f in MATRIX])
def test_the_first_page_costs_only_what_it_states(registry, shape, dataset, formula):
    data = registry.get(dataset)
    model = fit(data, formula)
    walkthrough = Walkthrough(data, model)
    first = walkthrough.step(0)
    assert first == build(data, model)[0]
    made = set(vars(walkthrough)) | set(vars(walkthrough.words.meaning))
    costly = {"readings", "shape", "change", "separate", "lines"}
    if model.intercept is None and any(v.categorical for v in walkthrough.words.meaning.variables):
        costly.discard("readings")  # whether levels read as cell means decides if the indicator page exists
    assert not made & costly, (formula, made)
    assert walkthrough.titles == tuple(s.title for s in walkthrough.steps())


def test_the_checks_all_ran_across_the_matrix(registry):
    total = {}
    for _, dataset, formula in MATRIX:
        data, model, meaning, steps = walk(registry, dataset, formula)
        for key, count in Truth(data, model, meaning).check(steps).items():
            total[key] = total.get(key, 0) + count
    assert set(total) >= {"pairs", "from-to", "slopes", "gaps", "intercept", "typical", "sums"}, total


@pytest.mark.parametrize(("shape", "dataset", "formula"), MATRIX, ids=[f"{s}: {f}" for s, _, f in MATRIX])
def test_figures_match_the_fitted_scale_and_the_groups(registry, shape, dataset, formula):
    data, model, meaning, steps = walk(registry, dataset, formula)
    kinds = {type(s.figure) for s in steps if s.figure is not None}
    assert ResidualSpec in kinds
    if model.predictors():
        assert CoefficientSpec in kinds
    if meaning.shape.x is None and meaning.shape.by is not None:
        assert BoxSpec in kinds
    for item in steps:
        figure = item.figure
        if isinstance(figure, ScatterSpec):
            assert (figure.y.expr is None) == (meaning.scale.kind == "identity")
            for line in figure.lines:
                if isinstance(line.group, str):
                    own = own_rows(model.used_rows(data.frame), meaning.shape.by, line.group, figure.focus)[
                        figure.x.column
                    ]
                    assert min(line.xs) == pytest.approx(own.min()) and max(line.xs) == pytest.approx(
                        own.max()
                    )
            if any(line.pooled for line in figure.lines):
                assert "dashed line is `" in item.body
        if isinstance(figure, CoefficientSpec):
            assert len(figure.units) == len(figure.names)


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
    assert singular("firm-years") == "firm-year"
    assert singular("%") == "percentage point"


# ------------------------------------------------------------------------------------------- property

_DATASETS = {
    "codecademy": (["score"], ["completed"], ["lesson"]),
    "penguins": (
        ["body_mass_g", "bill_depth_mm"],
        ["flipper_length_mm", "bill_length_mm"],
        ["species", "sex"],
    ),
    "students": (["port3", "math3"], ["math1", "port1", "absences_port"], ["school", "sex"]),
    "grunfeld": (["invest"], ["value", "capital"], ["firm"]),
    "statecrime": (["violent", "murder"], ["poverty", "single", "urban"], ["region"]),
    "stackloss": (["stack_loss"], ["air_flow", "water_temp", "acid_conc"], []),
}


@st.composite
def formulas(draw):
    dataset = draw(st.sampled_from(sorted(_DATASETS)))
    responses, numeric, categorical = _DATASETS[dataset]
    response = draw(st.sampled_from(responses))
    response = draw(st.sampled_from([response, f"log({response})", f"sqrt({response})"]))
    x = draw(st.sampled_from(numeric))
    x_term = draw(st.sampled_from([x, f"center({x})", f"standardize({x})", f"log({x})", f"{x} + I({x}**2)"]))
    terms = [x_term]
    if categorical and draw(st.booleans()):
        group = draw(st.sampled_from(categorical))
        terms.append(draw(st.sampled_from([group, f"{group}:{x}", f"{group}*{x}"])))
    others = [n for n in numeric if n != x]
    if others and draw(st.booleans()):
        z = draw(st.sampled_from(others))
        terms.append(draw(st.sampled_from([z, f"{x}:{z}"])))
    tail = draw(st.sampled_from(["", " - 1"]))
    return dataset, f"{response} ~ " + " + ".join(terms) + tail


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(formulas())
def test_property_sums_add_up_slopes_are_never_called_constant_where_they_vary(registry, case):
    dataset, formula = case
    data = registry.get(dataset)
    try:
        model = fit(data, formula)
    except UserInputError:
        return
    meaning = explain(data, model)
    steps = build(data, model)
    truth = Truth(data, model, meaning)
    truth.check(steps)
    groups = any(v.categorical for v in meaning.variables)
    meaning_step = next(s for s in steps if s.title in ("What the numbers mean", "The estimate"))
    for paragraph in plain(meaning_step.body).split("\n\n"):
        head = re.match(r"b\S+ = \S+ \((?P<term>[^)]*(?:\([^)]*\))?[^)]*)\)", paragraph)
        if head is None or "at every" not in paragraph:
            continue
        name = next((v.name for v in meaning.variables if v.name in head["term"] and not v.categorical), None)
        if name is None:
            continue
        variable = meaning.variable(name)
        probes = [{name: variable.minimum}, {name: variable.maximum}]
        for other in meaning.variables:
            if other.name != name:
                probes.append({other.name: other.levels[-1] if other.categorical else other.maximum})
        slopes = [truth.slope(name, probe) for probe in probes]
        assert max(slopes) - min(slopes) <= 1e-6 * max(1.0, max(abs(s) for s in slopes)), (formula, paragraph)
    if not groups:
        assert not any("Simpson" in s.body for s in steps), formula


# ------------------------------------------------------------------------------------------- pictures

PICTURES = [
    ("codecademy", "score ~ lesson + completed"),
    ("penguins", "bill_depth_mm ~ bill_length_mm + species"),
    ("penguins", "body_mass_g ~ flipper_length_mm + sex + species"),
    ("grunfeld", "np.log(invest) ~ value + firm"),
    ("students", "port3 ~ math1 * port1"),
    ("codecademy", "log(score) ~ lesson * completed"),
]


@pytest.mark.parametrize(("dataset", "formula"), PICTURES)
def test_rendered_picture_draws_what_the_text_says(registry, dataset, formula):
    from bot.regression import plots

    data, model, meaning, steps = walk(registry, dataset, formula)
    picture = step(steps, "The picture")
    fig = plots.draw(picture.figure, data.frame)
    fig.canvas.draw()
    ax = fig.axes[0]
    rows = model.used_rows(data.frame)
    observed = np.asarray(model.fitted) + np.asarray(model.residuals)
    low, high = ax.get_ylim()
    assert low <= observed.min() and observed.max() <= high
    expected_label = model.formula_text.split(" ~ ")[0]
    assert ax.get_ylabel().startswith(expected_label), ax.get_ylabel()
    residuals = step(steps, "How well it fits").figure
    residual_fig = plots.draw(residuals, None)
    assert expected_label in residual_fig.axes[0].get_ylabel()
    lines = [a for a in fig.findobj() if a.get_gid() == "fitted-line"]
    by = meaning.shape.by
    for artist, spec in zip(lines, [line for line in picture.figure.lines if not line.pooled], strict=True):
        if isinstance(spec.group, str):
            own = own_rows(rows, by, spec.group, picture.figure.focus)[meaning.shape.x]
            xs = artist.get_xdata()
            assert min(xs) == pytest.approx(own.min()) and max(xs) == pytest.approx(own.max())
    pooled = [a for a in fig.findobj() if a.get_gid() == "pooled-line"]
    assert bool(pooled) == ("dashed line is `" in picture.body)
    if picture.figure.focus:
        assert [a for a in fig.findobj() if a.get_gid() == "points-faded"]
        assert "drawn faintly" in picture.body
    for name, value in meaning.held([meaning.shape.x or "", by or ""]):
        assert picture.body.count(f"{name} = {value_text(value)}") == 1, picture.body  # said once
    alt = plots.alt_text(picture.figure, data.frame)
    for name, value in meaning.held([meaning.shape.x or "", by or ""]):
        assert f"{name} = {value_text(value)}" in alt, alt
