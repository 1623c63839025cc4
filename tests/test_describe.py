"""Dataset descriptions: every Step fits an embed, and the numbers shown are the data's."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from bot.regression.datasets import ColumnInfo, Dataset, DatasetRegistry
from bot.regression.describe import dataset_list_markdown, describe
from bot.regression.figures import BoxSpec, HistogramSpec, ScatterSpec
from bot.regression.steps import BODY_LIMIT, TITLE_LIMIT, Step

BUNDLED = DatasetRegistry.bundled()


def assert_fits_an_embed(steps: tuple[Step, ...]) -> None:
    """Every step within Discord's limits, with balanced code fences."""
    assert steps
    for step in steps:
        assert 0 < len(step.title) <= TITLE_LIMIT
        assert 0 < len(step.body) <= BODY_LIMIT
        assert step.body.count("```") % 2 == 0, step.title


def table_row(body: str, first_cell: str) -> list[str]:
    """The cells of the code-block table row that starts with ``first_cell``."""
    for line in body.splitlines():
        cells = line.split()
        if cells and cells[0] == first_cell:
            return cells
    raise AssertionError(f"no row for {first_cell!r}")


def shown_value(text: str) -> float:
    """A number as ``describe`` prints it."""
    return float(text.replace("−", "-").replace(",", ""))


def assert_shown(text: str, actual: float) -> None:
    """``text`` is ``actual`` to the digits it shows."""
    decimals = len(text.split(".")[1]) if "." in text else 0
    tolerance = 0.5 * 10**-decimals if "." in text else 0.5 * 10 ** (math.floor(math.log10(abs(actual))) - 5)
    assert abs(shown_value(text) - actual) <= tolerance * 1.0001 + 1e-12, (text, actual)


@pytest.mark.parametrize("name", BUNDLED.names())
def test_every_step_fits_for_every_dataset(name: str) -> None:
    steps = describe(BUNDLED.get(name))
    assert_fits_an_embed(steps)
    titles = [s.title for s in steps]
    assert titles[0].startswith(f"{name} — ")
    assert any("summary statistics" in t for t in titles)
    assert any("formulas to try" in t for t in titles)


def test_codecademy_summary_shows_the_data() -> None:
    dataset = BUNDLED.get("codecademy")
    summary = next(s for s in describe(dataset) if "summary statistics" in s.title)
    for column in ("score", "completed"):
        values = dataset.frame[column]
        cells = table_row(summary.body, column)
        expected = [values.mean(), values.std(), values.min(), values.median(), values.max()]
        for text, actual in zip(cells[1:6], expected, strict=True):
            assert_shown(text, actual)
        assert cells[6] == "0"
    counts = dataset.frame["lesson"].value_counts()
    assert table_row(summary.body, "lesson")[1:5] == ["Lesson", "A", str(counts["Lesson A"]), "50%"]
    assert table_row(summary.body, "Lesson")[1:3] == ["B", str(counts["Lesson B"])]


def test_codecademy_overview_and_figures() -> None:
    dataset = BUNDLED.get("codecademy")
    overview, *rest = describe(dataset)
    assert "**Rows:** 100" in overview.body
    assert dataset.version in overview.body
    assert "Codecademy" in overview.body
    scatter = overview.figure
    assert isinstance(scatter, ScatterSpec)
    assert (scatter.x.column, scatter.y.column) == ("completed", "score")
    assert scatter.x.label == "completed (items)"
    assert scatter.color is not None and scatter.color.levels == ("Lesson A", "Lesson B")
    box = next(s.figure for s in rest if "summary" in s.title)
    assert isinstance(box, BoxSpec)
    assert (box.group.column, box.y.column, box.levels) == ("lesson", "score", ("Lesson A", "Lesson B"))


def test_columns_and_examples_are_listed() -> None:
    dataset = BUNDLED.get("codecademy")
    steps = describe(dataset)
    columns = next(s for s in steps if s.title.endswith("the columns"))
    assert "`lesson` · categorical, 2 levels" in columns.body
    assert "`Lesson A` (baseline), `Lesson B`" in columns.body
    assert "`completed` · numeric, items —" in columns.body
    examples = steps[-1]
    for formula, why in zip(dataset.examples, dataset.example_notes, strict=True):
        assert f"`{formula}` — {why}" in examples.body


def test_dataset_without_categoricals_gets_a_histogram() -> None:
    summary = next(s for s in describe(BUNDLED.get("stackloss")) if "summary" in s.title)
    assert isinstance(summary.figure, HistogramSpec)
    assert summary.figure.x.column == "stack_loss"


def test_wide_frames_are_cut_visibly() -> None:
    rows = next(s for s in describe(BUNDLED.get("students")) if "first rows" in s.title)
    table = rows.body.split("```")[1]
    assert max(len(line) for line in table.splitlines()) <= 80
    header = table.strip().splitlines()[0].split()
    assert header[:3] == ["port3", "math1", "port1"]  # the first example's columns come first
    assert re.search(r"… and \d+ more columns not shown", rows.body)


def test_missing_values_are_counted_and_marked() -> None:
    steps = describe(BUNDLED.get("penguins"))
    summary = next(s for s in steps if "summary" in s.title)
    assert table_row(summary.body, "bill_length_mm")[-1] == "2"
    assert table_row(summary.body, "(missing)")[1] == "11"
    rows = next(s for s in steps if "first rows" in s.title)
    assert "NA marks a missing value." in rows.body


def long_dataset(columns: int = 50) -> Dataset:
    """A synthetic dataset with long names, long descriptions and many long levels."""
    rng = np.random.default_rng(0)
    n = 200
    infos, data = [], {}
    for i in range(columns):
        name = f"column_{i:02d}_with_a_really_long_descriptive_name_that_keeps_going_and_going_{'x' * 40}"
        if i % 2:
            levels = tuple(f"level {j:02d} with a long label that goes on {'y' * 30}" for j in range(60))
            infos.append(ColumnInfo(name, "categorical", "A categorical column. " * 40, None, levels))
            data[name] = pd.Categorical(rng.choice(levels, n), categories=list(levels))
        else:
            infos.append(ColumnInfo(name, "numeric", "A numeric column. " * 40, "units " * 30))
            data[name] = rng.normal(1e6, 5e5, n)
    return Dataset(
        name="synthetic_" + "z" * 300,
        title="A synthetic dataset " * 30,
        description="Long description. " * 500,
        source="Somewhere. " * 300,
        licence="Some licence. " * 100,
        columns=tuple(infos),
        examples=tuple(f"{infos[0].name} ~ {infos[k].name}" for k in (1, 2, 3)),
        frame=pd.DataFrame(data),
        version="0123456789ab",
        example_notes=("Why not. " * 100,) * 3,
    )


def test_fifty_long_columns_still_fit() -> None:
    dataset = long_dataset()
    steps = describe(dataset)
    assert_fits_an_embed(steps)
    summaries = [s for s in steps if "summary statistics" in s.title]
    assert len(summaries) > 1
    assert summaries[0].title.endswith(f"(1/{len(summaries)})")
    assert "(continued)" in "".join(s.body for s in summaries[1:])
    assert "… and 48 more" in "".join(s.body for s in steps)
    # Every column's row is somewhere in the paged tables (names cut to the table width), and a page
    # never starts in the middle of a categorical column's levels.
    for info in dataset.columns:
        assert any(info.name[:20] in s.body for s in summaries)
    first = next(s.body for s in summaries if "**Categorical columns**" in s.body)
    assert "**Categorical columns**\n" in first  # where the block starts it is not marked continued
    for page in summaries:
        for table in page.body.split("```")[1::2]:
            assert table.strip().splitlines()[1].startswith("column_")


def test_dataset_list() -> None:
    text = dataset_list_markdown(BUNDLED.all())
    assert (
        text.splitlines()[0]
        == "**codecademy** — Codecademy lesson A/B test: quiz scores, 100 rows × 3 columns"
    )
    assert len(text.splitlines()) == len(BUNDLED)


def test_long_dataset_list_is_cut_visibly() -> None:
    many = [BUNDLED.get("students")] * 500
    text = dataset_list_markdown(many)
    assert len(text) <= BODY_LIMIT
    *shown, last = text.splitlines()
    hidden = int(re.fullmatch(r"… and (\d+) more datasets", last).group(1))
    assert len(shown) + hidden == 500


def test_empty_dataset_list() -> None:
    assert dataset_list_markdown([]) == "No datasets yet."
