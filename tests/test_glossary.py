"""The glossary behind /explain."""

from __future__ import annotations

import pytest

from bot.regression.errors import UserInputError
from bot.regression.glossary import ENTRIES, lookup, search, topics

REQUIRED = (
    "indicator",
    "baseline",
    "intercept",
    "slope",
    "holding-fixed",
    "interaction",
    "r-squared",
    "residual",
    "predictor-feature-parameter",
    "box-plot",
    "causal-vs-associational",
    "multicollinearity",
)


def test_required_topics_and_limits():
    assert set(REQUIRED) <= set(topics())
    assert len(topics()) == len(set(topics()))
    for entry in ENTRIES:
        step = entry.step()
        assert len(step.title) <= 256 and len(step.body) <= 4096
        assert set(entry.related) <= set(topics()), entry.key
        assert 1 <= len(entry.key) <= 100


def test_lookup_by_alias_and_title():
    assert lookup("VIF").key == "multicollinearity"
    assert lookup("dummy variable").key == "indicator"
    assert lookup("R²  (coefficient of determination)".replace("  ", " ")).key == "r-squared"
    with pytest.raises(UserInputError) as info:
        lookup("intercpt")
    assert "Did you mean `intercept`" in info.value.render()


def test_search_for_autocomplete():
    assert [e.key for e in search("inter")][:2] == ["intercept", "interaction"]
    assert len(search("")) == min(25, len(ENTRIES))
