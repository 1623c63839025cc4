"""Model comparison: side by side, the nested F-test, and why a slope moved."""

from __future__ import annotations

import pytest

from bot.regression.compare import compare
from bot.regression.datasets import DatasetRegistry
from bot.regression.errors import ModelError
from bot.regression.figures import ScatterSpec


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
    assert "Mean **completed** by **lesson**" in changed.body
    assert isinstance(picture.figure, ScatterSpec)
    assert [line.dashed for line in picture.figure.lines] == [False, False, True]


def test_penguins_sign_flip_is_named(registry):
    data = registry.get("penguins")
    result = compare(data, "bill_depth_mm ~ bill_length_mm", "bill_depth_mm ~ bill_length_mm + species")
    assert "The sign flips" in result.steps[1].body
    pooled = result.steps[2].figure.lines[-1]
    assert pooled.dashed and round(pooled.slope, 3) == -0.085


def test_not_nested(registry):
    data = registry.get("codecademy")
    result = compare(data, "score ~ lesson", "score ~ completed")
    assert result.f_test is None
    assert "not nested" in result.steps[0].body


def test_different_responses(registry):
    with pytest.raises(ModelError, match="predict different things"):
        compare(registry.get("codecademy"), "score ~ completed", "completed ~ score")
