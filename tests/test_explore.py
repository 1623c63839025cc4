"""/plot's figure choice and its errors."""

from __future__ import annotations

import pytest

from bot.regression.datasets import DatasetRegistry
from bot.regression.errors import UserInputError
from bot.regression.explore import plot_spec
from bot.regression.figures import BoxSpec, HistogramSpec, ScatterSpec


@pytest.fixture(scope="module")
def data():
    return DatasetRegistry.bundled().get("codecademy")


def test_kinds(data):
    scatter = plot_spec(data, "completed", "score", "lesson")
    assert isinstance(scatter, ScatterSpec) and scatter.color.levels == ("Lesson A", "Lesson B")
    assert scatter.x.label == "completed (items)"
    box = plot_spec(data, "lesson", "score")
    assert isinstance(box, BoxSpec) and box.levels == ("Lesson A", "Lesson B")
    hist = plot_spec(data, "lesson", "score", kind="histogram")
    assert isinstance(hist, HistogramSpec) and hist.x.column == "score" and hist.color.column == "lesson"
    assert plot_spec(data, "Completed", "SCORE").x.column == "completed"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("complted", "score"), "Did you mean `completed`"),
        (("completed", "lesson"), "categorical; put a numeric column on the y axis"),
        (("completed", "score", None, "box"), "needs a categorical x"),
        (("lesson", "score", None, "scatter"), "needs a numeric x"),
        (("completed", "score", None, "pie"), "not a plot kind"),
        (("completed", "score", "colour"), "for color"),
    ],
)
def test_errors(data, args, message):
    with pytest.raises(UserInputError) as info:
        plot_spec(data, *args)
    assert message in info.value.render()
