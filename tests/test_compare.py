"""Model comparison: side by side, the nested F-test, why a slope moved (exactly), and coefficients whose
meaning differs between the models compared at the same values instead."""

from __future__ import annotations

import re

import numpy as np
import pytest

from bot.regression.compare import compare
from bot.regression.datasets import DatasetRegistry
from bot.regression.errors import ModelError
from bot.regression.figures import ScatterSpec
from bot.regression.meaning import explain
from tests.truth import Truth, plain


@pytest.fixture(scope="module")
def registry() -> DatasetRegistry:
    return DatasetRegistry.bundled()


def test_nested_f_test_matches_the_anova_by_hand(registry):
    data = registry.get("codecademy")
    result = compare(data, "score ~ completed", "score ~ lesson + completed")
    small, large = result.first, result.second
    rss_small = sum(r * r for r in small.residuals)
    rss_large = sum(r * r for r in large.residuals)
    expected = (rss_small - rss_large) / 1 / (rss_large / large.df_resid)
    assert result.f_test is not None and result.f_test.f_value == pytest.approx(expected)
    assert result.f_test.df_diff == 1
    side, changed, picture = result.steps
    assert "F-test" in side.body and "R²" in side.body
    assert "1.31" in changed.body and "1.35" in changed.body
    assert "the mean **completed** differs by **lesson** (Lesson A 30.18, Lesson B 31.32)" in changed.body
    assert isinstance(picture.figure, ScatterSpec)
    assert [line.dashed for line in picture.figure.lines] == [False, False, True]
    assert picture.figure.lines[-1].pooled


def test_the_slope_moves_by_exactly_what_the_added_terms_mix_in(registry):
    data = registry.get("codecademy")
    result = compare(data, "score ~ completed", "score ~ lesson + completed")
    changed = result.steps[1].body
    (block,) = re.findall(r"```\n(.*?)\n```", changed, re.DOTALL)
    first = block.split("\n")[0]
    assert first.startswith("1.35 − 13.19 × ") and first.endswith("= 1.31")
    rise = float(first.split(" × ")[1].split(" ")[0])
    frame = data.frame
    indicator = (frame["lesson"] == "Lesson B").astype(float)
    assert rise == pytest.approx(np.polyfit(frame["completed"], indicator, 1)[0], rel=1e-5)
    truth = Truth(data, result.second, explain(data, result.second))
    truth.sums(changed)
    assert truth.counts["sums"] == 1


def test_penguins_sign_flip_is_named(registry):
    data = registry.get("penguins")
    result = compare(data, "bill_depth_mm ~ bill_length_mm", "bill_depth_mm ~ bill_length_mm + species")
    assert "Simpson's paradox" in result.steps[1].body
    pooled = result.steps[2].figure.lines[-1]
    assert pooled.dashed and pooled.pooled and round(pooled.slope, 3) == -0.085


def test_a_coefficient_that_changes_meaning_is_compared_at_the_same_values(registry):
    data = registry.get("codecademy")
    result = compare(data, "score ~ lesson + completed", "score ~ lesson * completed")
    body = plain(result.steps[1].body)
    assert "lesson[T.Lesson B] is not the same comparison in the two models" in body
    assert "should not be set side by side" in body
    assert (
        "Lesson B − Lesson A at completed = 20, 30, 40: model 1 −13.19, −13.19, −13.19; model 2 −14.90, −13.30, −11.70"
        in body
    )
    assert "completed's slope at lesson = Lesson A, Lesson B: model 1 1.35, 1.35; model 2 1.27, 1.43" in body
    picture = result.steps[2].figure
    assert [line.dashed for line in picture.lines] == [False, False, True, True]


def test_not_nested_uses_adjusted_r_squared_and_names_what_was_added_and_dropped(registry):
    data = registry.get("statecrime")
    result = compare(data, "violent ~ poverty + single", "violent ~ poverty + region")
    assert result.f_test is None
    side, changed, *_ = result.steps
    assert "not nested" in side.body and "model 1 is higher (0.641 against 0.161)" in side.body
    assert "Model 2 adds **region** and drops **single**." in changed.body
    assert "Simpson" not in changed.body and "not a clear reversal" in changed.body


def test_not_nested_simple(registry):
    data = registry.get("codecademy")
    result = compare(data, "score ~ lesson", "score ~ completed")
    assert result.f_test is None
    assert "not nested" in result.steps[0].body


def test_different_responses(registry):
    with pytest.raises(ModelError, match="predict different things"):
        compare(registry.get("codecademy"), "score ~ completed", "completed ~ score")
