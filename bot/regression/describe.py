"""Describe a dataset as Steps: overview, columns, summary statistics, the first rows, formulas to try.

Every Step fits one Discord embed; long tables page into several Steps (``Summary statistics (2/3)``) and
long lists are cut visibly (``… and N more``). Computed numbers (means, standard deviations) are written by
``text.number``, values from the data (minimum, median, maximum) as typed by ``text.value_text``; ``NA``
marks a missing value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from bot.regression.datasets import ColumnInfo, Dataset
from bot.regression.figures import Axis, BoxSpec, ColorBy, FigureSpec, HistogramSpec, ScatterSpec
from bot.regression.steps import BODY_LIMIT, TITLE_LIMIT, Step, join_within
from bot.regression.text import clip, number, value_text

PREVIEW_ROWS = 5
PREVIEW_WIDTH = 72  # characters per line of the rows preview; wider frames lose their last columns
NAME_WIDTH = 24  # column names and levels longer than this are cut in tables
CELL_WIDTH = 17  # cells of the rows preview longer than this are cut
MAX_LEVELS = 12  # levels listed per categorical column before "… and N more"
MAX_COLOR_LEVELS = 12  # a categorical column colours a figure only up to this many levels
NA = "NA"


@dataclass(frozen=True)
class _Block:
    """Lines under a heading, as markdown or as a code block whose ``header`` repeats on every page."""

    heading: str
    lines: tuple[str, ...]
    header: tuple[str, ...] = ()
    code: bool = False

    def render(self, lines: Sequence[str], continued: bool) -> str:
        """The heading (marked continued on later pages) and ``lines``."""
        heading = f"{self.heading} (continued)" if continued and self.heading else self.heading
        inner = "\n".join(("```", *self.header, *lines, "```") if self.code else lines)
        return f"{heading}\n{inner}" if heading else inner


def _plain(text: str) -> str:
    """Text safe inside a code span or block: backticks become apostrophes."""
    return text.replace("`", "'")


def _code(text: str, limit: int = NAME_WIDTH * 2) -> str:
    """``text`` as an inline code span."""
    return f"`{clip(_plain(text), limit)}`"


def _cell(value: object) -> str:
    """One value of the rows preview, as the CSV holds it (integers without ``.0``)."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return NA
        return clip(format(value, ".7g").replace("-", "−"), CELL_WIDTH)
    return NA if pd.isna(value) else clip(_plain(str(value)), CELL_WIDTH)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[bool]) -> list[str]:
    """Aligned monospace lines: the header line, then one per row (numbers right-aligned)."""
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        padded = (c.rjust(w) if num else c.ljust(w) for c, w, num in zip(cells, widths, numeric, strict=True))
        return "  ".join(padded).rstrip()

    return [line(header), *(line(r) for r in rows)]


def _title(dataset: Dataset, what: str) -> str:
    """A step title: the (possibly cut) dataset name, then what the step shows."""
    return f"{clip(dataset.name, 60)}: {what}"


def _paged(title: str, intro: str, blocks: Sequence[_Block], figure: FigureSpec | None = None) -> list[Step]:
    """Blocks packed into as few Steps as fit the embed limit; the figure goes on the first page."""
    bodies: list[str] = []
    body = intro

    def joined(*parts: str) -> str:
        return "\n\n".join(p for p in parts if p)

    for block in blocks:
        pending: list[str] = []
        continued = False
        for line in block.lines:
            if len(joined(body, block.render([*pending, line], continued))) <= BODY_LIMIT:
                pending.append(line)
                continue
            if pending:  # close this page with what fits; the block goes on, marked continued
                body = joined(body, block.render(pending, continued))
                continued = True
            bodies.append(body)
            body, pending = "", [line]
        if pending:
            body = joined(body, block.render(pending, continued))
    bodies.append(body)
    if len(bodies) == 1:
        return [Step(clip(title, TITLE_LIMIT), bodies[0], figure)]
    count = len(bodies)
    return [
        Step(clip(title, TITLE_LIMIT - 12) + f" ({i}/{count})", text, figure if i == 1 else None)
        for i, text in enumerate(bodies, start=1)
    ]


def _first_formula_columns(dataset: Dataset) -> tuple[str | None, list[str]]:
    """The first example's response (if a column) and the columns its right-hand side names, in order."""
    if not dataset.examples or "~" not in dataset.examples[0]:
        return None, []
    left, right = dataset.examples[0].split("~", 1)
    names = {c.name for c in dataset.columns}
    used = [t for t in dict.fromkeys(re.findall(r"[A-Za-z_][A-Za-z0-9_.]*", right)) if t in names]
    return (left.strip() if left.strip() in names else None), used


def _figure_columns(dataset: Dataset) -> tuple[ColumnInfo | None, ColumnInfo | None, ColumnInfo | None]:
    """Response, numeric predictor and colouring categorical for the figures, from the first example."""
    response_name, used = _first_formula_columns(dataset)
    numeric = [c for c in dataset.columns if c.kind == "numeric"]
    groups = [c for c in dataset.columns if c.kind == "categorical" and len(c.levels) <= MAX_COLOR_LEVELS]
    response = next((c for c in numeric if c.name == response_name), numeric[0] if numeric else None)
    others = [c for c in numeric if c is not response]
    x = next((c for c in others if c.name in used), others[0] if others else None)
    group = next((c for c in groups if c.name in used), groups[0] if groups else None)
    return response, x, group


def _scatter(dataset: Dataset) -> ScatterSpec | None:
    """The response against its first numeric predictor, coloured by a categorical when there is one."""
    y, x, group = _figure_columns(dataset)
    if y is None or x is None:
        return None
    color = ColorBy(group.name, group.label, "categorical", group.levels) if group else None
    title = f"{y.name} against {x.name}" + (f", by {group.name}" if group else "")
    return ScatterSpec(title, Axis(x.name, x.label), Axis(y.name, y.label), color)


def _distribution(dataset: Dataset) -> BoxSpec | HistogramSpec | None:
    """The response by its first categorical (a box plot), or its histogram when there is none."""
    y, _, group = _figure_columns(dataset)
    if y is None:
        return None
    if group is None:
        return HistogramSpec(f"Distribution of {y.name}", Axis(y.name, y.label))
    return BoxSpec(
        f"{y.name} by {group.name}", Axis(group.name, group.label), Axis(y.name, y.label), group.levels
    )


def _overview(dataset: Dataset) -> Step:
    """Title, description, size, source, licence and version."""
    kinds = list(dataset.column_kinds().values())
    shape = (
        f"**Rows:** {len(dataset.frame)} · **Columns:** {len(kinds)} "
        f"({kinds.count('numeric')} numeric, {kinds.count('categorical')} categorical)"
    )
    body = "\n".join(
        [
            clip(dataset.description, 1500),
            "",
            shape,
            f"**Source:** {clip(dataset.source, 1500)}",
            f"**Licence:** {clip(dataset.licence, 500)}",
            f"**Version:** {_code(dataset.version)}",
        ]
    )
    return Step(clip(f"{clip(dataset.name, 60)} — {dataset.title}", TITLE_LIMIT), body, _scatter(dataset))


def _levels_text(levels: Sequence[str]) -> str:
    """Levels as code spans, baseline marked, cut after ``MAX_LEVELS``."""
    shown = [_code(level, NAME_WIDTH) for level in levels[:MAX_LEVELS]]
    if shown:
        shown[0] += " (baseline)"
    more = f" … and {len(levels) - MAX_LEVELS} more" if len(levels) > MAX_LEVELS else ""
    return ", ".join(shown) + more


def _columns(dataset: Dataset) -> list[Step]:
    """Each column's type, unit and meaning; categorical levels baseline first."""
    lines = []
    for info in dataset.columns:
        kind = info.kind if info.kind == "numeric" else f"categorical, {len(info.levels)} levels"
        unit = f", {clip(info.unit, 60)}" if info.unit else ""
        line = f"{_code(info.name)} · {kind}{unit} — {clip(info.description, 400)}"
        if info.kind == "categorical":
            line += f"\n  Levels: {_levels_text(info.levels)}"
        lines.append(line)
    intro = (
        "What each column holds. A categorical column's first level is its **baseline**: "
        "a fit compares the other levels with it."
    )
    return _paged(_title(dataset, "the columns"), intro, [_Block("", tuple(lines))])


def _numeric_rows(dataset: Dataset) -> list[list[str]]:
    """One row of summary statistics per numeric column."""
    rows = []
    for info in dataset.columns:
        if info.kind != "numeric":
            continue
        values = dataset.frame[info.name]
        computed = [number(values.mean()), number(values.std())]
        observed = [
            value_text(float(v)) if pd.notna(v) else NA for v in (values.min(), values.median(), values.max())
        ]
        rows.append(
            [clip(_plain(info.name), NAME_WIDTH), *computed, *observed, str(int(values.isna().sum()))]
        )
    return rows


def _level_rows(dataset: Dataset) -> list[list[list[str]]]:
    """Counts per level, one group of rows per categorical column (its name on the first row only)."""
    groups = []
    total = len(dataset.frame)
    for info in dataset.columns:
        if info.kind != "categorical":
            continue
        counts = dataset.frame[info.name].value_counts(sort=False)
        entries = [(clip(_plain(level), NAME_WIDTH), int(counts.get(level, 0))) for level in info.levels]
        if len(entries) > MAX_LEVELS:
            rest = sum(n for _, n in entries[MAX_LEVELS:])
            entries = [*entries[:MAX_LEVELS], (f"… and {len(info.levels) - MAX_LEVELS} more", rest)]
        missing = int(dataset.frame[info.name].isna().sum())
        if missing:
            entries.append(("(missing)", missing))
        name = clip(_plain(info.name), NAME_WIDTH)
        rows = []
        for i, (label, n) in enumerate(entries):
            share = f"{100 * n / total:.0f}%" if total else NA
            rows.append([name if i == 0 else "", label, str(n), share])
        groups.append(rows)
    return groups


def _summary(dataset: Dataset) -> list[Step]:
    """Mean, sd, min, median, max and missing count per numeric column; counts per categorical level."""
    blocks = []
    numeric = _numeric_rows(dataset)
    if numeric:
        header, *lines = _table(
            ["column", "mean", "sd", "min", "median", "max", "missing"], numeric, [False] + [True] * 6
        )
        blocks.append(_Block("**Numeric columns**", tuple(lines), (header,), code=True))
    groups = _level_rows(dataset)
    if groups:
        rows = [row for group in groups for row in group]
        header, *lines = _table(["column", "level", "count", "share"], rows, [False, False, True, True])
        # One entry per column, so that a page never splits a column's levels.
        entries, start = [], 0
        for group in groups:
            entries.append("\n".join(lines[start : start + len(group)]))
            start += len(group)
        blocks.append(_Block("**Categorical columns**", tuple(entries), (header,), code=True))
    intro = f"{len(dataset.frame)} rows. `sd` is the standard deviation; `missing` counts empty cells."
    return _paged(_title(dataset, "summary statistics"), intro, blocks, _distribution(dataset))


def _preview_columns(dataset: Dataset) -> list[str]:
    """Columns for the rows preview: the first example's columns first, then the rest, as many as fit."""
    response, used = _first_formula_columns(dataset)
    ordered = list(dict.fromkeys([*([response] if response else []), *used, *dataset.frame.columns]))
    chosen: list[str] = []
    width = 0
    for name in ordered:
        cells = [_cell(v) for v in dataset.frame[name].head(PREVIEW_ROWS)]
        needed = max(len(clip(_plain(name), CELL_WIDTH)), *map(len, cells), 0) + (2 if chosen else 0)
        if chosen and width + needed > PREVIEW_WIDTH:
            break
        chosen.append(name)
        width += needed
    return chosen


def _rows(dataset: Dataset) -> Step:
    """The first rows as a monospace table; columns that do not fit are named after it."""
    chosen = _preview_columns(dataset)
    head = dataset.frame[chosen].head(PREVIEW_ROWS)
    cells = [[_cell(v) for v in row] for row in head.itertuples(index=False)]
    numeric = [dataset.column(name).kind == "numeric" for name in chosen]
    table = _table([clip(_plain(n), CELL_WIDTH) for n in chosen], cells, numeric)
    parts = [f"The first {len(head)} of {len(dataset.frame)} rows.", "```\n" + "\n".join(table) + "\n```"]
    hidden = [n for n in dataset.frame.columns if n not in chosen]
    if hidden:
        names = ", ".join(_code(n) for n in hidden[:20])
        more = f" and {len(hidden) - 20} more" if len(hidden) > 20 else ""
        noun = "column" if len(hidden) == 1 else "columns"
        parts.append(f"… and {len(hidden)} more {noun} not shown: {names}{more}.")
    if any(NA in row for row in cells):
        parts.append(f"{NA} marks a missing value.")
    return Step(_title(dataset, "the first rows"), "\n\n".join(parts))


def _examples(dataset: Dataset) -> list[Step]:
    """Each example formula with a line on why it is worth trying."""
    notes = dataset.example_notes
    lines = []
    for i, formula in enumerate(dataset.examples):
        note = f" — {clip(notes[i], 300)}" if i < len(notes) and notes[i] else ""
        lines.append(_code(formula, 300) + note)
    name, formula = clip(_plain(dataset.name), 60), clip(_plain(dataset.examples[0]), 300)
    try_it = f"Try one: `/fit dataset:{name} formula:{formula}`"
    return _paged(_title(dataset, "formulas to try"), "", [_Block("", tuple(lines)), _Block("", (try_it,))])


def describe(dataset: Dataset) -> tuple[Step, ...]:
    """The dataset as Steps: overview, columns, summary statistics, first rows, example formulas."""
    steps = [_overview(dataset), *_columns(dataset), *_summary(dataset), _rows(dataset)]
    if dataset.examples:
        steps.extend(_examples(dataset))
    return tuple(steps)


def dataset_list_markdown(datasets: Iterable[Dataset]) -> str:
    """One line per dataset (**name** — title, rows × columns), cut visibly to fit one embed."""
    items = list(datasets)
    lines = [
        f"**{clip(d.name, 100)}** — {clip(d.title, 200)}, {len(d.frame)} rows × {len(d.columns)} columns"
        for d in items
    ]
    return join_within(lines, BODY_LIMIT, "datasets") or "No datasets yet."
